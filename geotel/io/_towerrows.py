"""The rows of a tower list that are not towers, and the rows whose site id was lost to
merged cells (private).

Lists from the offices are printed documents as much as tables: headings between
groups of rows ("Huyện Chư Păh"), totals and signatures under the list ("Tổng cộng",
"Người lập biểu"), and the site id, operator and coordinates written once for all the
sectors of a site in cells merged over their rows.

- A row with neither coordinates nor an operator, and at most two cells filled, none
  of them a number, is not a tower: a heading inside the list (a note), or a total or
  signature below it (a warning naming the rows).
- Merged cells of an .xlsx/.xls file are known from the file: each range takes the value
  of its first cell, as Excel shows it, with a warning per column.
- In a CSV file (or a workbook saved without its merges) the value is in the first row
  only. Rows with no site id right under a site look like such merged cells; that is an
  error naming the rows and the site (the rows are filled from the site so that the
  error is not repeated), because a forgotten id cannot be told from a merge.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from geotel.errors import ValidationReport

__all__ = ["blank", "tidy_tower_rows"]

#: How many rows a message names.
_SHOWN = 5


def blank(v: object) -> bool:
    """Whether a cell is empty."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return True
    return isinstance(v, str) and v.strip() in ("", "nan", "None")


#: Words of the totals, notes and signatures under a list.
_FOOTER = re.compile(r"(?i)tổng|cộng|total|ghi chú|người lập|giám đốc|ký tên|xác nhận")


def _number_like(v: object) -> bool:
    """A cell holding a number (a sector's azimuth, a height), not a heading's text."""
    if isinstance(v, int | float) and not isinstance(v, bool):
        return not (isinstance(v, float) and math.isnan(v))
    return isinstance(v, str) and bool(re.fullmatch(r"\s*[+-]?[\d.,]+\s*", v))


def _span(lines: list[int]) -> str:
    return f"{lines[0]}–{lines[-1]}" if len(lines) > 1 else str(lines[0])


def _named(lines: list[int]) -> str:
    more = ", …" if len(lines) > _SHOWN else ""
    return ", ".join(map(str, lines[:_SHOWN])) + more


def tidy_tower_rows(df: pd.DataFrame, *, site: str | None, operator: str | None,
                    coords: tuple[str, str], merged: dict[str, list[tuple[int, int]]],
                    source: str, report: ValidationReport) -> pd.DataFrame:
    """The rows that are towers, merged site ids filled; what was done reported."""
    cells = df.drop(columns=["_row"])
    empty = cells.map(blank).to_numpy(dtype=bool)
    no_xy = empty[:, list(cells.columns).index(coords[0])] & \
        empty[:, list(cells.columns).index(coords[1])]
    no_op = empty[:, list(cells.columns).index(operator)] if operator in cells.columns else \
        np.ones(len(df), bool)
    filled = (~empty).sum(axis=1)
    numbers = cells.map(_number_like).to_numpy(dtype=bool).any(axis=1)
    not_tower = no_xy & no_op & (filled <= 2) & ~numbers
    lines = df["_row"].astype(int).to_numpy()
    with_xy = np.flatnonzero(~no_xy)
    last = with_xy[-1] if len(with_xy) else -1
    words = cells.map(lambda v: isinstance(v, str) and bool(_FOOTER.search(v))).to_numpy(
        dtype=bool).any(axis=1)
    not_tower |= no_xy & no_op & words & (np.arange(len(df)) > last)  # "Tổng cộng … 289"
    below = not_tower & (np.arange(len(df)) > last)
    heading = not_tower & ~below

    def first_text(i: int) -> str:
        return next(str(v).strip() for v in cells.iloc[i] if not blank(v))

    if heading.any():
        idx = np.flatnonzero(heading)
        report.info("schema", f"{len(idx)} heading row(s) inside the list were skipped (rows "
                    f"{_named(list(lines[idx]))}: '{first_text(idx[0])}')", file=source)
    if below.any():
        idx = np.flatnonzero(below)
        report.warn("schema", f"{len(idx)} row(s) below the list are not towers and were not "
                    f"read (rows {_named(list(lines[idx]))}: '{first_text(idx[0])}')",
                    file=source, row=int(lines[idx[0]]),
                    fix="nothing to do if they are totals or notes; delete them to silence "
                    "this")
    for col, spans in merged.items():
        shown = ", ".join(f"{a}–{b}" for a, b in spans[:_SHOWN])
        more = ", …" if len(spans) > _SHOWN else ""
        report.warn("schema", f"merged cells over rows {shown}{more} were read as one value "
                    "each (the value of their first row)",
                    file=source, column=col,
                    fix="nothing to do if each merge covers the sectors of one site; unmerge "
                    "the cells and fill every row to silence this")
    out = df[~not_tower].reset_index(drop=True)
    if site is None or site not in out.columns or not len(out):
        return out
    return _lost_merges(out, site, operator, coords, source, report)


def _lost_merges(df: pd.DataFrame, site: str, operator: str | None,
                 coords: tuple[str, str], source: str,
                 report: ValidationReport) -> pd.DataFrame:
    """Runs of rows without a site id right under a site: an error per run, rows filled."""
    out = df.copy()
    ids = out[site].tolist()
    lines = out["_row"].astype(int).tolist()
    runs: list[tuple[int, list[int]]] = []
    anchor = None
    for i, v in enumerate(ids):
        if not blank(v):
            anchor = i
            continue
        if anchor is None:
            continue
        if runs and runs[-1][0] == anchor and runs[-1][1][-1] == i - 1:
            runs[-1][1].append(i)
        elif i - 1 == anchor:
            runs.append((anchor, [i]))
    for anchor, members in runs:
        rows = [lines[i] for i in members]
        report.add("schema", f"rows {_span(rows)} have no site id under '{ids[anchor]}' in row "
                   f"{lines[anchor]}: this looks like merged cells whose value was kept in their "
                   "first row only (as a CSV export or an old .xls leaves them)", file=source,
                   feature=str(ids[anchor]), row=rows[0], column=site,
                   fix="unmerge the cells and fill the site id (and operator, coordinates) "
                   "into every row (Excel: Unmerge, Go To Special › Blanks, =↑, Ctrl+Enter), "
                   "or give the list as the .xlsx workbook: its merged cells are read")
        for col in [site, operator, *coords]:
            if col is None or col not in out.columns:
                continue
            for i in members:
                if blank(out.at[i, col]):
                    out.at[i, col] = out.at[anchor, col]
    return out
