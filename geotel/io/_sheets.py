"""The rows of a table file as offices hand it over (private): CSV text, Excel workbooks
(.xlsx through openpyxl, legacy .xls through python-calamine), which sheet holds the
data, cells merged over several rows, formulas saved without their values, and the
header: found among the first rows by how many known headers it names, also when it
spans two rows (a merged "Tọa độ" over "Kinh độ" / "Vĩ độ"), with a row of column
numbers (1, 2, 3, ...) or of units ("(m)", "MHz") under it.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from geotel.errors import FileFormatError
from geotel.io._encodings import LEGACY_FIX, legacy_encoding
from geotel.io._files import decode_text, nfc
from geotel.io._units import known_unit_word

__all__ = [
    "EXCEL_SUFFIXES",
    "HEADER_SEARCH_ROWS",
    "Header",
    "Sheet",
    "fill_merged",
    "find_header",
    "formula_cells",
    "read_sheets",
    "refuse_legacy_text",
    "rows_from_csv",
]

log = logging.getLogger(__name__)

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
#: How many rows from the top are searched for the header.
HEADER_SEARCH_ROWS = 20
_XLSX_FIX = "open it in Excel or LibreOffice and save it again as .xlsx"


@dataclass(frozen=True)
class Sheet:
    """One sheet's rows (lists of cells, None for empty), its merged ranges (0-based
    first row, first column, last row, last column) and its text encoding (CSV)."""

    name: str
    rows: list[list[object]]
    merged: tuple[tuple[int, int, int, int], ...] = ()
    encoding: str | None = None


@dataclass(frozen=True)
class Header:
    """Where the header is: its first row (0-based), how many rows it spans, the rows
    after it that are not data (column numbers, units), and the combined cells."""

    first: int
    span: int
    skipped: int
    cells: list[object]
    notes: list[str] = field(default_factory=list)

    @property
    def data_start(self) -> int:
        return self.first + self.span + self.skipped

    @property
    def line(self) -> int:
        """1-based line of the header's last row."""
        return self.first + self.span


def rows_from_csv(path: Path) -> tuple[list[list[object]], str]:
    """The rows of a CSV/TSV/TXT file and its encoding (UTF-8, UTF-16 or cp1258)."""
    text, encoding = decode_text(path.read_bytes())
    if "\x00" in text:
        raise FileFormatError("not a text (CSV) file", file=str(path),
                              fix="save the list as CSV (UTF-8) or Excel .xlsx")
    delim = _sniff_delimiter(text)
    rows: list[list[object]] = [list(r) for r in csv.reader(io.StringIO(text), delimiter=delim)]
    log.debug("%s: %s, delimiter %r, %d rows", path, encoding, delim, len(rows))
    return rows, encoding


def _sniff_delimiter(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()][:30]
    best, best_score = ",", (-1.0, 0)
    for delim in (";", "\t", ","):
        counts = [len(r) for r in csv.reader(lines, delimiter=delim)]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        share = counts.count(mode) / len(counts)
        score = (share if mode > 1 else 0.0, mode)
        if score[0] >= 0.9 and mode > 1:
            return delim  # ';' and tab first: a decimal comma breaks ',' counts
        if score > best_score:
            best, best_score = delim, score
    return best


def _cell(v: object) -> object:
    if isinstance(v, str):
        v = nfc(v)
        return None if v == "" else v
    return v


def _xlsx_sheets(path: Path) -> list[Sheet]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zipfile, openpyxl and XML errors
        raise FileFormatError(f"not a readable Excel workbook: {exc}", file=str(path),
                              fix=_XLSX_FIX) from None
    try:
        out = []
        for ws in wb.worksheets:
            rows = [[_cell(v) for v in r] for r in ws.iter_rows(values_only=True)]
            merged = tuple((r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1)
                           for r in ws.merged_cells.ranges)
            out.append(Sheet(ws.title, rows, merged))
    finally:
        wb.close()
    return out


def _xls_sheets(path: Path) -> list[Sheet]:
    head = path.read_bytes()[:512].lstrip().lower()
    if head.startswith((b"<", b"\xef\xbb\xbf<")) or b"<html" in head or b"<table" in head:
        raise FileFormatError(
            "the .xls file is a web page (an HTML table saved with an Excel name), not an "
            "Excel workbook", file=str(path),
            fix="open it in Excel and save it as .xlsx (Excel Workbook), or as CSV UTF-8")
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        out = []
        for name in wb.sheet_names:
            sheet = wb.get_sheet_by_name(name)
            rows = [[_cell(v) for v in r] for r in sheet.to_python(skip_empty_area=False)]
            merged = tuple((a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or ()))
            out.append(Sheet(name, rows, merged))
        return out
    except ImportError:
        fix = "save it as .xlsx (Excel: File › Save As › Excel Workbook), or install " \
            "python-calamine to read .xls"
        raise FileFormatError("a legacy Excel 97–2003 workbook (.xls) cannot be read here",
                              file=str(path), fix=fix) from None
    except Exception as exc:  # noqa: BLE001 - calamine's errors
        raise FileFormatError(f"not a readable Excel 97–2003 workbook (.xls): {exc}",
                              file=str(path),
                              fix="open it in Excel and save it as .xlsx (Excel Workbook)"
                              ) from None


def read_sheets(path: Path) -> list[Sheet]:
    """Every sheet of a workbook, or the one 'sheet' of a CSV file."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_sheets(path)
    if suffix == ".xls":
        return _xls_sheets(path)
    rows, encoding = rows_from_csv(path)
    return [Sheet("", rows, (), encoding)]


def formula_cells(path: Path, sheet: Sheet) -> dict[int, list[tuple[int, str]]]:
    """Cells of an .xlsx sheet holding a formula whose value was never saved (the file
    was written by a program and not opened in Excel since): column → (row, formula),
    0-based."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return {}
    if not any(v is None for r in sheet.rows for v in r):
        return {}
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        ws = wb[sheet.name]
        out: dict[int, list[tuple[int, str]]] = {}
        for i, r in enumerate(ws.iter_rows(values_only=True)):
            if i >= len(sheet.rows):
                break
            for j, v in enumerate(r):
                if isinstance(v, str) and v.startswith("=") and (
                        j >= len(sheet.rows[i]) or sheet.rows[i][j] is None):
                    out.setdefault(j, []).append((i, v))
    finally:
        wb.close()
    return out


def fill_merged(sheet: Sheet, first_row: int) -> tuple[list[list[object]],
                                                        dict[int, list[tuple[int, int]]]]:
    """The rows with each merged range from ``first_row`` on filled with its top-left
    value, and the ranges filled per column (0-based rows)."""
    rows = [list(r) for r in sheet.rows]
    filled: dict[int, list[tuple[int, int]]] = {}
    for r0, c0, r1, c1 in sheet.merged:
        if r0 < first_row or r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        if value is None:
            continue
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            row.extend([None] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                if row[c] is None:
                    row[c] = value
        if r1 > r0:
            filled.setdefault(c0, []).append((r0, r1))
    return rows, filled


def _numbering_row(row: list[object]) -> bool:
    """A row of column numbers under a header: 1, 2, 3, ... or (1), (2), ... or A, B, C."""
    cells = [str(v).strip() for v in row if v not in (None, "")]
    if len(cells) < 3:
        return False
    nums = [re.sub(r"^\((.*)\)$", r"\1", c).rstrip(".0") or "0" for c in cells]
    letters = [chr(ord("A") + k) for k in range(len(cells))]
    return nums == [str(k) for k in range(1, len(cells) + 1)] or \
        [n.upper() for n in nums] == letters


def _units_row(row: list[object]) -> bool:
    cells = [v for v in row if v not in (None, "")]
    return bool(cells) and all(known_unit_word(v) for v in cells)


def _combine(upper: list[object], lower: list[object]) -> list[object]:
    n = max(len(upper), len(lower))
    up, low = upper + [None] * (n - len(upper)), lower + [None] * (n - len(lower))
    return [b if b not in (None, "") else a for a, b in zip(up, low, strict=True)]


def find_header(rows: list[list[object]], score: Callable[[list[object]], tuple[int, ...]],
                ) -> Header | None:
    """The header among the first rows: the row (or two rows read as one) with the best
    ``score`` (a tuple, compared in order; all zeros = no header). A second row is
    combined only when that scores strictly better than each row alone."""
    best: tuple[tuple[int, ...], int, int] | None = None
    top = min(HEADER_SEARCH_ROWS, len(rows))
    scores = [score(rows[k]) for k in range(min(top + 1, len(rows)))]
    for k in range(top):
        cands = [(scores[k], 1)]
        if k + 1 < len(scores):
            both = score(_combine(rows[k], rows[k + 1]))
            if both > scores[k] and both > scores[k + 1]:
                cands.append((both, 2))
        for s, span in cands:
            if any(s) and (best is None or s > best[0]):
                best = (s, k, span)
    if best is None:
        return None
    _, first, span = best
    cells = rows[first] if span == 1 else _combine(rows[first], rows[first + 1])
    notes = []
    if span == 2:
        notes.append(f"the header spans rows {first + 1}–{first + 2} (merged cells); "
                     "they were read as one header")
    skipped, after = 0, first + span
    cells = list(cells)
    while after + skipped < len(rows) and skipped < 2:
        nxt = rows[after + skipped]
        if _numbering_row(nxt):
            notes.append(f"row {after + skipped + 1} numbers the columns (1, 2, 3, …) and "
                         "was skipped")
        elif _units_row(nxt):
            for j, v in enumerate(nxt):
                if v not in (None, "") and j < len(cells) and cells[j] not in (None, ""):
                    unit = str(v).strip()
                    cells[j] = f"{cells[j]} {unit if unit.startswith('(') else f'({unit})'}"
            notes.append(f"row {after + skipped + 1} gives the units of the columns; they "
                         "were read with the header")
        else:
            break
        skipped += 1
    return Header(first, span, skipped, cells, notes)


def _column_name(j: int, workbook: bool) -> str:
    if not workbook:
        return str(j + 1)
    name = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        name = chr(ord("A") + r) + name
    return name


def refuse_legacy_text(path: Path, sheet: Sheet) -> None:
    """Raise when a column of the sheet holds TCVN3 (ABC) or VNI text, naming the first
    such cell (its row, and the column by its letter or number)."""
    width = max((len(r) for r in sheet.rows), default=0)
    for j in range(width):
        column = [r[j] if j < len(r) else None for r in sheet.rows]
        found = legacy_encoding(column)
        if found is not None:
            raise FileFormatError(
                f"the text is in the {found.name} encoding of the old Vietnamese fonts, "
                f"not Unicode: '{found.example}'", file=str(path), row=found.position + 1,
                column=_column_name(j, bool(sheet.name)),
                fix=LEGACY_FIX.format(name=found.name))
