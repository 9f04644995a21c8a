"""Indicator tables for planners: CSV and Excel (.xlsx) with Vietnamese and English headers.

What a Vietnamese planner opening the file in Excel expects:

* **.xlsx**: one sheet (``Xã`` / ``Huyện``) with two header rows, Vietnamese titles
  (bold) over English titles (grey italic), frozen under the headers, with a filter,
  thousands separators and one decimal for percentages; yes/no shown as ``Có``/``Không``.
  A second sheet ``Chú thích`` lists every column: its code in the GIS layer and its
  Vietnamese and English titles.
* **.csv**: UTF-8 with a byte-order mark (so Excel shows the diacritics), one header
  row (``"Dân số (người) / Population"`` with ``lang="both"``), a plain ``.`` decimal
  point. Machines should prefer the GeoPackage layers; the CSV is for quick looks.

Every file is written to a temporary file and then moved into place.
"""

from __future__ import annotations

import contextlib
import csv
import math
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from geotel._atomic import atomic_file
from geotel._lang import check_lang
from geotel.outputs._labels import COLUMN_TITLES

__all__ = ["TableLang", "column_titles", "write_table", "write_tables"]

TableLang = Literal["vi", "en", "both"]

_TITLES: dict[str, tuple[str, str]] = {
    "towers_per_km2": ("Mật độ trạm BTS (trạm/km²)", "Towers per km²"),
    "shared_tower_pct": ("Tỷ lệ trạm dùng chung (%)", "Shared towers (%)"),
    "mobile_covered_technologies": ("Công nghệ di động phủ sóng", "Mobile technologies covering"),
    "has_it_admin": ("Có ứng dụng CNTT trong quản lý", "IT in administration"),
    "c8_pop_covered_pct": ("Dân số phủ sóng theo TC 8.2 (%)", "Population covered for 8.2 (%)"),
    "c8_1_postal": ("TC 8.1 Điểm phục vụ bưu chính", "8.1 Postal service point"),
    "c8_2_telecom_internet": ("TC 8.2 Dịch vụ viễn thông, Internet",
                              "8.2 Telecom and Internet service"),
    "c8_3_radio": ("TC 8.3 Đài truyền thanh, loa đến thôn",
                   "8.3 Radio station with loudspeakers"),
    "c8_4_it_admin": ("TC 8.4 Ứng dụng CNTT trong quản lý, điều hành",
                      "8.4 IT in administration"),
    "c8_met": ("Đạt Tiêu chí 8 (Thông tin và Truyền thông)", "Criterion 8 met"),
    "communes": ("Số xã", "Communes"),
    "communes_without_fixed_internet": ("Số xã chưa có Internet cố định",
                                        "Communes without fixed Internet"),
    "communes_with_radio_station": ("Số xã có đài truyền thanh không dây",
                                    "Communes with a radio station"),
    "communes_with_postal_point": ("Số xã có điểm phục vụ bưu chính",
                                   "Communes with a postal point"),
    "communes_c8_met": ("Số xã đạt Tiêu chí 8", "Communes meeting Criterion 8"),
    "c8_met_pct": ("Tỷ lệ xã đạt Tiêu chí 8 (%)", "Communes meeting Criterion 8 (%)"),
    "communes_2g_only": ("Số xã chỉ có sóng 2G", "Communes with 2G only"),
    "communes_without_mobile": ("Số xã chưa có sóng di động", "Communes without mobile"),
    "communes_without_code": ("Số xã chưa có mã", "Communes without a code"),
    "fiber_distance_km_mean": ("Khoảng cách trung bình tới cáp quang (km)",
                               "Mean distance to fiber (km)"),
    "fiber_distance_km_max": ("Khoảng cách lớn nhất tới cáp quang (km)",
                              "Largest distance to fiber (km)"),
    "commune_name": ("Tên xã", "Commune"),
}
_PER_OPERATOR = re.compile(r"^pop_covered_(\dg)_(.+)$")
_OPERATOR_NAMES = {"viettel": "Viettel", "vinaphone": "VinaPhone", "mobifone": "MobiFone",
                   "vietnamobile": "Vietnamobile"}
_SHEETS = {"communes_kpi": ("Xã", "Communes"), "districts_kpi": ("Huyện", "Districts")}
_YES_NO = {"vi": ("Có", "Không"), "en": ("Yes", "No")}


def column_titles(column: str) -> tuple[str, str]:
    """(Vietnamese, English) title of a column; the column code when unknown.

    Examples
    --------
    >>> column_titles("pop_covered_4g_viettel")
    ('Dân số phủ sóng 4G Viettel (người)', 'Population covered, 4G Viettel')
    >>> column_titles("c8_met")[1]
    'Criterion 8 met'
    """
    if column in _TITLES:
        return _TITLES[column]
    if column in COLUMN_TITLES:
        t = COLUMN_TITLES[column]
        return t.get("vi", column), t.get("en", column)
    m = _PER_OPERATOR.match(column)
    if m:
        tech, op = m.group(1).upper(), _OPERATOR_NAMES.get(m.group(2), m.group(2))
        return f"Dân số phủ sóng {tech} {op} (người)", f"Population covered, {tech} {op}"
    return column, column


def write_tables(
    communes_kpi: pd.DataFrame,
    districts: pd.DataFrame,
    out_dir: str | os.PathLike,
    *,
    lang: TableLang = "both",
) -> list[Path]:
    """Write ``communes_kpi.csv/.xlsx`` and ``districts_kpi.csv/.xlsx`` into ``out_dir``.

    Parameters
    ----------
    communes_kpi, districts
        Outputs of :func:`geotel.indicators.commune_indicators` and
        :func:`geotel.indicators.district_indicators` (geometry is left out).
    out_dir
        Folder; created when missing.
    lang
        Header language: ``"both"`` (Vietnamese over English), ``"vi"`` or ``"en"``.

    Returns
    -------
    list of Path
        The four files written.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> k = pd.DataFrame({"commune_code": ["23557"], "population": [16555]})
    >>> d = pd.DataFrame({"district_code": ["622"], "population": [16555]})
    >>> [p.name for p in write_tables(k, d, tempfile.mkdtemp())]
    ['communes_kpi.csv', 'communes_kpi.xlsx', 'districts_kpi.csv', 'districts_kpi.xlsx']
    """
    out = Path(out_dir)
    return [*write_table(communes_kpi, out / "communes_kpi", lang=lang),
            *write_table(districts, out / "districts_kpi", lang=lang)]


def write_table(
    frame: pd.DataFrame,
    path: str | os.PathLike,
    *,
    lang: TableLang = "both",
    sheet: str | None = None,
) -> list[Path]:
    """Write one table as ``path.csv`` and ``path.xlsx`` (suffix of ``path`` ignored).

    Any (Geo)DataFrame; a geometry column is dropped. ``sheet`` names the Excel sheet
    (by default ``Xã``/``Huyện`` for the indicator tables, else the file name). Both
    files are written to temporary names and moved into place only when both worked.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> t = pd.DataFrame({"district_code": ["622"], "dead_zone_km2": [12.5]})
    >>> csv_path, _ = write_table(t, f"{tempfile.mkdtemp()}/dead_zones_by_district")
    >>> csv_path.read_text(encoding="utf-8-sig").splitlines()[0]
    'Mã huyện / District code,Diện tích vùng lõm (km²) / Dead-zone area (km²)'
    """
    check_lang(lang, allowed=("vi", "en", "both"))
    base = Path(path)
    base = base.with_suffix("") if base.suffix in (".csv", ".xlsx") else base
    base.parent.mkdir(parents=True, exist_ok=True)
    table = _plain(frame)
    titles = [column_titles(c) for c in table.columns]
    stem = base.name
    if sheet is None:
        vi_en = _SHEETS.get(stem, (stem, stem))
        sheet = vi_en[1] if lang == "en" else vi_en[0]
    csv_path = base.with_name(stem + ".csv")
    xlsx_path = base.with_name(stem + ".xlsx")
    _atomic({csv_path: lambda tmp: _write_csv(table, titles, tmp, lang),
             xlsx_path: lambda tmp: _write_xlsx(table, titles, tmp, lang, sheet)})
    return [csv_path, xlsx_path]


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns without geometry, floats rounded to 3 decimals, index dropped."""
    geom = getattr(frame, "_geometry_column_name", None)
    cols = [c for c in frame.columns if c != geom and not _is_geometry(frame[c])]
    table = pd.DataFrame(frame[cols]).reset_index(drop=True)
    for c in table.columns:
        if pd.api.types.is_float_dtype(table[c]):
            table[c] = table[c].round(3)
    return table


def _is_geometry(s: pd.Series) -> bool:
    return type(s.dtype).__name__ == "GeometryDtype"


def _cell(v: object, lang: TableLang) -> object:
    """A value as written: None for missing, Có/Không (Yes/No) for booleans."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, bool | np.bool_):
        yes, no = _YES_NO["en" if lang == "en" else "vi"]
        return yes if v else no
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return None if np.isnan(v) else float(v)
    return v


def _write_csv(table: pd.DataFrame, titles: list[tuple[str, str]], path: Path,
               lang: TableLang) -> None:
    header = [vi if lang == "vi" else en if lang == "en" else (vi if vi == en else f"{vi} / {en}")
              for vi, en in titles]
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for row in table.itertuples(index=False):
            w.writerow(["" if (x := _cell(v, lang)) is None else x for v in row])


def _number_format(column: str, series: pd.Series) -> str | None:
    if column.endswith("_pct") or "_pct_" in column:
        return "0.0"
    if column.endswith(("_km2", "_km")):
        return "#,##0.00"
    if pd.api.types.is_integer_dtype(series) or column.startswith(("population", "pop_covered_",
                                                                     "dead_zone_pop")):
        return "#,##0"
    if pd.api.types.is_float_dtype(series):
        return "#,##0.00"
    return None


def _write_xlsx(table: pd.DataFrame, titles: list[tuple[str, str]], path: Path,
                lang: TableLang, sheet: str) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    rows = [[vi for vi, _ in titles], [en for _, en in titles]] if lang == "both" else [
        [vi if lang == "vi" else en for vi, en in titles]]
    for r in rows:
        ws.append(r)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for j in range(1, len(titles) + 1):
        top = ws.cell(row=1, column=j)
        top.font = Font(bold=True)
        top.fill = fill
        top.alignment = Alignment(wrap_text=True, vertical="top")
        if lang == "both":
            sub = ws.cell(row=2, column=j)
            sub.font = Font(italic=True, color="595959")
            sub.fill = fill
            sub.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.itertuples(index=False):
        ws.append([_cell(v, lang) for v in row])
    head = len(rows)
    for j, c in enumerate(table.columns, start=1):
        letter = get_column_letter(j)
        fmt = _number_format(str(c), table[c])
        if fmt:
            for (cell,) in ws.iter_rows(min_row=head + 1, min_col=j, max_col=j):
                cell.number_format = fmt
        width = max(len(titles[j - 1][0]) * 0.55, len(titles[j - 1][1]) * 0.5, 10)
        ws.column_dimensions[letter].width = min(width, 30)
    ws.freeze_panes = ws.cell(row=head + 1, column=3 if table.shape[1] > 2 else 1)
    if table.shape[1]:
        ws.auto_filter.ref = f"A{head}:{get_column_letter(table.shape[1])}{head + len(table)}"
    notes = wb.create_sheet("Notes" if lang == "en" else "Chú thích")
    notes.append(["Cột (mã) / Column code", "Tiếng Việt", "English"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for c, (vi, en) in zip(table.columns, titles, strict=True):
        notes.append([str(c), vi, en])
    for letter, width in (("A", 32), ("B", 48), ("C", 40)):
        notes.column_dimensions[letter].width = width
    wb.save(path)


def _atomic(writers: dict[Path, Callable[[Path], None]]) -> None:
    """Write every file to a temporary name first; move them into place only if all worked."""
    with contextlib.ExitStack() as stack:
        for path, write in writers.items():
            write(stack.enter_context(atomic_file(path)))
