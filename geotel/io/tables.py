"""Tower lists as agencies hand them over: CSV and Excel (.xlsx, .xls) tables of BTS sites.

- CSV with ``,``, ``;`` or tab delimiters; UTF-8 with or without BOM, cp1258 fallback;
  text in the legacy TCVN3 (ABC) or VNI font encodings refused with the way to convert it.
- Excel through openpyxl (.xlsx) or python-calamine (.xls): the sheet that holds the list
  (or ``inputs.towers_sheet``); title rows above the header skipped; a header over two
  rows, a row of column numbers or units under it; merged cells read as Excel shows
  them; formulas saved without their values refused (see :mod:`geotel.io._sheets`).
- Headings, totals and signatures among the rows skipped, site ids lost to merged cells
  named (see :mod:`geotel.io._towerrows`).
- Headers in English or Vietnamese, with or without diacritics, any case or spacing
  ('Kinh độ', 'Vĩ độ', 'Mã trạm', 'Nhà mạng', 'Độ cao cột (m)', 'Công nghệ', 'Tần số',
  'Góc phương vị', ...; see :mod:`geotel.io._aliases`).
- Numbers by the column's convention, else the table's: decimal commas and thousands
  dots (``"108,0123"``, ``"1.523.456"``, ``"523.456"`` in a Vietnamese list); an ambiguous
  value (``"1.800"`` in a list that shows no convention) is an error with its row.
  Coordinates in degrees, minutes and seconds are read.
- Units in the headers converted (``"Độ cao cột (ft)"``, ``"EIRP (W)"``, ``"Tần số (GHz)"``;
  see :mod:`geotel.io._units`); a unit not understood is an error naming the header.
- Swapped latitude/longitude: Vietnam lies at longitude 102–110 °E, latitude 8–24 °N.
  When every row is swapped the columns are swapped back with a warning; when only some
  rows are, it is a :class:`~geotel.errors.ValueRangeError` naming them.
- Projected coordinates (VN-2000 X/Y in metres) when ``source_crs`` is given. Under
  headers named X and Y ('Tọa độ X', 'X (m)'), a list whose X holds the northing and Y
  the easting follows the Vietnamese surveying convention: it is read as such, with one
  note, and no warning. Easting/northing headers holding each other's values are
  swapped columns, and warned about.
"""

from __future__ import annotations

import logging
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geotel.errors import (
    ConfigError,
    CRSError,
    FileFormatError,
    InputError,
    SchemaError,
    ValidationReport,
)
from geotel.io._aliases import (
    ALIASES,
    LAT_ALIASES,
    LON_ALIASES,
    X_ALIASES,
    Y_ALIASES,
    match_columns,
)
from geotel.io._files import number_convention, require_file
from geotel.io._layers import empty_layer, finish_layer
from geotel.io._sheets import (
    HEADER_SEARCH_ROWS,
    Sheet,
    fill_merged,
    find_header,
    formula_cells,
    read_sheets,
    refuse_legacy_text,
    rows_from_csv,
)
from geotel.io._towercoords import (
    VIETNAM_LAT,
    VIETNAM_LON,
    attribute_numbers,
    coordinate_numbers,
    placed,
    positions,
    xy_projected,
)
from geotel.io._towerrows import blank, tidy_tower_rows
from geotel.io._units import match_with_units, units_hint
from geotel.io.crs import to_crs

__all__ = ["TABLE_SUFFIXES", "VIETNAM_LAT", "VIETNAM_LON", "read_table", "read_tower_table"]

log = logging.getLogger(__name__)

TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls")
_NUMERIC = ("sector_id", "height_m", "azimuth_deg", "beamwidth_deg", "tilt_deg", "eirp_dbm",
            "freq_mhz")
_COORDS = {"lon": LON_ALIASES, "lat": LAT_ALIASES, "x": X_ALIASES, "y": Y_ALIASES}


def _rows_from_csv(path: Path) -> tuple[list[list[object]], str]:
    """The rows of a CSV file and its encoding (kept for the population tables)."""
    return rows_from_csv(path)


def _rows_from_xlsx(path: Path) -> list[list[object]]:
    """The rows of a workbook's first sheet (kept for the population tables)."""
    return read_sheets(path)[0].rows


def _tower_score(cells: list[object]) -> tuple[int, int, int]:
    """How much a row looks like a tower list's header: (names coordinates, how many of
    site id and operator, how many known headers)."""
    names = [c for c in cells if isinstance(c, str) and c.strip()]
    if not names:
        return (0, 0, 0)
    coords = set(match_columns(names, _COORDS).values())
    attrs = set(match_columns(names, ALIASES["towers"]).values())
    has = int({"lon", "lat"} <= coords or {"x", "y"} <= coords)
    return (has, len({"site_id", "operator"} & attrs), len(attrs) + len(coords))


@dataclass(frozen=True)
class _Table:
    """A table as read: the cells under their headers (``_row`` = line in the file)."""

    df: pd.DataFrame
    header_line: int
    #: the header's rows, 1-based (two when it spans two rows)
    header_rows: tuple[int, ...]
    sheet: str
    #: header -> merged ranges filled from their first cell (1-based lines)
    merged: dict[str, list[tuple[int, int]]]
    #: (severity, message, fix)
    notes: list[tuple[str, str, str]]


def _choose_sheet(path: Path, sheets: list[Sheet], wanted: str | None
                  ) -> tuple[Sheet, list[tuple[str, str, str]]]:
    names = [s.name for s in sheets]
    if wanted is not None:
        if len(sheets) == 1 and sheets[0].name == "":
            return sheets[0], [("warning", f"inputs.towers_sheet = '{wanted}' is ignored: a "
                                "CSV file has no sheets", "remove inputs.towers_sheet")]
        hit = [s for s in sheets if s.name == wanted] or \
            [s for s in sheets if s.name.strip().casefold() == wanted.strip().casefold()]
        if not hit:
            raise ConfigError(f"sheet '{wanted}' not found (sheets: "
                              f"{', '.join(repr(n) for n in names)})", file=str(path),
                              column="inputs.towers_sheet",
                              fix=f"set inputs.towers_sheet to one of: {', '.join(names)}")
        return hit[0], []
    if len(sheets) == 1:
        return sheets[0], []
    found = [s for s in sheets if (h := find_header(s.rows, _tower_score)) is not None
             and _tower_score(h.cells)[0]]
    if len(found) > 1:
        raise FileFormatError(
            f"{len(found)} sheets hold a tower list: "
            f"{', '.join(repr(s.name) for s in found)}; which one to read is not clear",
            file=str(path), column="inputs.towers_sheet",
            fix=f"set inputs.towers_sheet to the sheet to read (e.g. '{found[0].name}'), "
            "or put every tower on one sheet")
    if not found or found[0] is sheets[0]:
        return sheets[0], []
    others = [n for n in names if n != found[0].name]
    return found[0], [("warning", f"read sheet '{found[0].name}': it holds the tower list "
                       f"(sheet(s) {', '.join(repr(n) for n in others)} have no tower "
                       "header)", f"set inputs.towers_sheet: '{found[0].name}' in the config "
                       "to silence this")]


def _no_header(path: Path, sheet: Sheet) -> SchemaError:
    rows = sheet.rows
    scored = [(_tower_score(r), k) for k, r in enumerate(rows[:HEADER_SEARCH_ROWS])]
    best = max(scored, default=((0, 0, 0), 0))
    where = f" on sheet '{sheet.name}'" if sheet.name else ""
    if best[0][2]:
        k = best[1]
        named = [c for c in rows[k] if isinstance(c, str) and c.strip()]
        message = (f"no coordinate columns found{where}: row {k + 1} looks like the header "
                   f"({', '.join(named[:8])}) but names no longitude/latitude or X/Y")
        if _garbled(named):
            message += "; its text has '?' in place of Vietnamese letters"
            fix = ("the file was saved in a code page without Vietnamese letters: save it "
                   "again as CSV UTF-8 (Excel: File › Save As › CSV UTF-8) or as .xlsx")
        else:
            fix = ("name the columns 'Kinh độ'/'Vĩ độ' (or lon/lat), or X/Y with towers_crs "
                   "set; a header spread over several rows goes on one row")
        return SchemaError(message, file=str(path), row=k + 1, column="Kinh độ/Vĩ độ",
                           fix=fix)
    first = [c for c in (rows[0] if rows else []) if c not in (None, "")]
    if _garbled([str(c) for c in first]):
        return SchemaError(f"no coordinate columns found{where}: the header {first} has '?' "
                           "in place of Vietnamese letters", file=str(path), row=1,
                           column="Kinh độ/Vĩ độ",
                           fix="the file was saved in a code page without Vietnamese letters: "
                           "save it again as CSV UTF-8 (Excel: File › Save As › CSV UTF-8)")
    return SchemaError(f"no coordinate columns found{where} (first row: {first})",
                       file=str(path), row=1, column="Kinh độ/Vĩ độ",
                       fix="name the columns 'Kinh độ'/'Vĩ độ' (or lon/lat), or X/Y with "
                       "towers_crs set")


def _garbled(names: list[str]) -> bool:
    return sum(bool(re.search(r"[A-Za-z]\?|\?[A-Za-z]", n)) for n in names) >= 2


def _read(path: str | os.PathLike, *, sheet: str | None = None) -> _Table:
    p = require_file(path, "table")
    suffix = p.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise FileFormatError(f"unsupported format '{p.suffix}' for a list", file=str(p),
                              fix="save the list as CSV (UTF-8) or Excel .xlsx (a table with "
                              "one row per site or sector), or the towers as a GeoPackage "
                              "layer of points")
    chosen, notes = _choose_sheet(p, read_sheets(p), sheet)
    refuse_legacy_text(p, chosen)
    if not any(c not in (None, "") for r in chosen.rows for c in r):
        raise FileFormatError("the file is empty" if not chosen.name else
                              f"sheet '{chosen.name}' is empty", file=str(p), row=1,
                              fix="give the list of towers with its header row")
    header = find_header(chosen.rows, _tower_score)
    if header is None or not _tower_score(header.cells)[0]:
        raise _no_header(p, chosen)
    notes += [("info" if "numbers" in n or "units" in n else "warning", n,
               "put the header on one row to silence this" if "spans" in n else "")
              for n in header.notes]
    rows, filled = fill_merged(chosen, header.data_start)
    names = [str(c).strip() if c not in (None, "") else f"column_{i + 1}"
             for i, c in enumerate(header.cells)]
    for j, cells in formula_cells(p, chosen).items():
        cells = [(r, f) for r, f in cells if r >= header.data_start]
        if cells and j < len(names):
            lines = f"{cells[0][0] + 1}–{cells[-1][0] + 1}" if len(cells) > 1 else \
                str(cells[0][0] + 1)
            raise FileFormatError(
                f"column '{names[j]}' holds formulas whose values were never saved (rows "
                f"{lines}, e.g. '{cells[0][1]}'): the file was written by a program and not "
                "opened in Excel since", file=str(p), row=cells[0][0] + 1, column=names[j],
                fix="open the file in Excel or LibreOffice and save it again (that stores "
                "the values), or paste the column as values")
    if not chosen.name:  # CSV: decimal commas in a comma-separated file shift the cells
        width = len(chosen.rows[header.first])
        longer = [k + 1 for k, r in enumerate(rows[header.data_start:], start=header.data_start)
                  if len(r) > width and any(c not in (None, "") for c in r[width:])]
        if longer:
            raise FileFormatError(
                f"{len(longer)} row(s) have more cells than the header ({width}), first row "
                f"{longer[0]}: decimal commas in a comma-separated file split the numbers",
                file=str(p), row=longer[0],
                fix="separate the columns with ';' (or a tab), or put the numbers in quotes, "
                "or write them with a decimal point")
    body: list[list[object]] = []
    for k, r in enumerate(rows[header.data_start:], start=header.data_start + 1):
        row_cells = list(r) + [None] * (len(names) - len(r))
        if all(c is None or str(c).strip() == "" for c in row_cells):
            continue
        body.append([*row_cells[: len(names)], k])
    merged = {names[j]: [(a + 1, b + 1) for a, b in spans]
              for j, spans in filled.items() if j < len(names)}
    df = pd.DataFrame(body, columns=[*names, "_row"], dtype=object)
    rows_used = tuple(range(header.first + 1, header.first + header.span + 1))
    return _Table(df, header.line, rows_used, chosen.name, merged, notes)


def read_table(path: str | os.PathLike, *, sheet: str | None = None
               ) -> tuple[pd.DataFrame, int]:
    """Read a CSV or Excel (.xlsx, .xls) table as text/number cells and find its header.

    Returns the table (original headers, empty rows dropped, the 1-based line number of
    each row in its ``"_row"`` column) and the header's 1-based line number. The header
    is the row among the first 20 that names the most known tower headers, coordinates
    among them; two rows are read as one header when that names more (a merged "Tọa
    độ" over "Kinh độ" / "Vĩ độ"). A row of column numbers or of units under it is
    skipped (the units are read with the header). Of a workbook, the sheet ``sheet``
    is read, else the only sheet that holds a tower list; merged cells take the value of
    their first cell.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("Danh sách trạm\\nMã trạm\\tKinh độ\\tVĩ độ\\nA\\t108,1\\t14,2\\n")
    >>> df, header_line = read_table(p)
    >>> header_line, df.columns.tolist(), df.iloc[0].tolist()
    (2, ['Mã trạm', 'Kinh độ', 'Vĩ độ', '_row'], ['A', '108,1', '14,2', 3])
    """
    table = _read(path, sheet=sheet)
    for severity, message, _ in table.notes:
        log.log(logging.WARNING if severity == "warning" else logging.INFO, "%s: %s", path,
                message)
    return table.df, table.header_line


def read_tower_table(
    path: str | os.PathLike,
    *,
    crs: object = "EPSG:4326",
    source_crs: object = None,
    study_area: shapely.Geometry | None = None,
    report: ValidationReport | None = None,
    sheet: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a CSV or Excel list of BTS sites/sectors into the canonical towers layer.

    Parameters
    ----------
    path
        ``.csv`` (``,`` ``;`` or tab), ``.txt``/``.tsv``, ``.xlsx`` or legacy ``.xls``.
    crs
        CRS of the result.
    source_crs
        CRS of projected X/Y columns, e.g. ``"EPSG:9218"`` (VN-2000 / TM-3 108-30).
        Without it the coordinates are WGS 84 longitude/latitude.
    study_area
        Polygon in ``crs``; towers outside it are errors.
    report
        Collects problems instead of raising the first one's class.
    sheet
        The sheet of a workbook to read (config ``inputs.towers_sheet``); by default the
        only sheet that holds a tower list.

    Returns
    -------
    GeoDataFrame
        Canonical ``towers`` columns (one row per sector; a list of points gives one
        omnidirectional sector per site); extra columns kept; ``_row`` is the line in
        the file.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "bts.csv"
    >>> _ = p.write_text("Mã trạm;Nhà mạng;Kinh độ;Vĩ độ;Độ cao cột (m)\\n"
    ...                  "GL001;Viettel;108,0123;13,9812;42,5\\n", encoding="utf-8")
    >>> t = read_tower_table(p)
    >>> r = t.iloc[0]
    >>> r.site_id, r.operator, float(r.height_m), r.geometry.x
    ('GL001', 'Viettel', 42.5, 108.0123)
    """
    rep = report if report is not None else ValidationReport()
    target = to_crs(crs)
    source = str(path)
    if source_crs is not None:
        try:
            source_crs = to_crs(source_crs)
        except CRSError as exc:
            rep.add("crs", f"the tower list's CRS: {exc.message}", file=source,
                    column="inputs.towers_crs", fix=exc.fix)
            if report is None:
                rep.raise_if_errors()
            return empty_layer("towers", target)
    try:
        table = _read(path, sheet=sheet)
    except InputError as exc:
        if report is None:
            raise
        rep.add_error(exc, column="inputs.towers")
        return empty_layer("towers", target)
    for severity, message, fix in table.notes:
        if severity == "warning":
            rep.warn("schema", message, file=source, fix=fix)
        else:
            rep.info("schema", message, file=source)
    df = table.df
    cols = [c for c in df.columns if c != "_row"]
    coord_units, unit_errors = match_with_units(cols, _COORDS)
    coord = {c: role for c, (role, _) in coord_units.items()}
    by_role = {role: str(col) for col, role in coord.items()}
    attr_units, more_errors = match_with_units([c for c in cols if c not in coord],
                                               ALIASES["towers"])
    for c, message in [*unit_errors, *more_errors]:
        canon = {**coord_units, **attr_units}[c][0]
        rep.add("schema", message, file=source, column=str(c),
                fix=f"write the unit as ({units_hint(canon)}), or remove the brackets")
    if not len(df):
        rep.add("file", f"the tower list holds no towers: only its header (row "
                f"{table.header_line})", file=source, row=table.header_line,
                fix="add the towers under the header, one row per site or sector (the "
                "coverage cannot be computed without them)")
        if report is None:
            rep.raise_if_errors()
        return empty_layer("towers", target)
    if "lon" in by_role and "lat" in by_role:
        names = (by_role["lon"], by_role["lat"])
        projected = source_crs is not None and not to_crs(source_crs).is_geographic
    else:
        names = (by_role["x"], by_role["y"])
        projected = True
    canon_of = {str(c): canon for c, (canon, _) in attr_units.items()}
    by_canon = {canon: c for c, canon in canon_of.items()}
    lost = [c for c in ("site_id", "operator") if c not in by_canon]
    if lost:
        where = "–".join(map(str, table.header_rows[::max(1, len(table.header_rows) - 1)]))
        rep.add("schema", f"required column(s) {', '.join(map(repr, lost))} not found in the "
                f"header (row{'s' if len(table.header_rows) > 1 else ''} {where}: "
                f"{', '.join(map(str, cols[:10]))})", file=source, row=table.header_line,
                column=lost[0], fix="name the columns e.g. 'Mã trạm' (site_id) and 'Nhà "
                "mạng' (operator), all on one header row")
    df = tidy_tower_rows(df, site=by_canon.get("site_id"), operator=by_canon.get("operator"),
                         coords=names, merged=table.merged, source=source, report=rep)
    site = df[by_canon["site_id"]].tolist() if "site_id" in by_canon else [None] * len(df)
    rows = [int(r) for r in df["_row"]]
    labels = [f"{s} (row {r})" if not blank(s) else f"row {r}"
              for s, r in zip(site, rows, strict=True)]
    numeric = [c for c, canon in canon_of.items() if canon in _NUMERIC]
    decimal = number_convention([v for c in (*names, *numeric) for v in df[c].tolist()])
    a = coordinate_numbers(df[names[0]], names[0], labels, rows, source, rep, decimal)
    b = coordinate_numbers(df[names[1]], names[1], labels, rows, source, rep, decimal)
    keep = placed(df, names, a, b, labels, rows, source, rep)
    df, a, b = df[keep].reset_index(drop=True), a[keep], b[keep]
    rows = [r for r, k in zip(rows, keep, strict=True) if k]
    labels = [lb for lb, k in zip(labels, keep, strict=True) if k]
    for c in numeric:
        df[c] = attribute_numbers(df[c], str(c), attr_units[c], labels, rows, decimal,
                                  source, rep)
    df = df.rename(columns=canon_of)
    if projected and source_crs is None:
        xy = xy_projected(a, b, names, source, rep)
        if xy is None:
            if report is None:
                rep.raise_if_errors()
            return empty_layer("towers", target)
        projected = xy
    a, b, src = positions(a, b, projected=projected, source_crs=source_crs, names=names,
                          labels=labels, rows=rows, source=source, study_area=study_area,
                          rep=rep)
    geom = [shapely.Point(x, y) if math.isfinite(x) and math.isfinite(y) else None
            for x, y in zip(a, b, strict=True)]
    data = df.drop(columns=[c for c in (names[0], names[1]) if c in df.columns])
    gdf = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geom, index=data.index, crs=src))
    out = finish_layer(gdf, "towers", source=source, crs=target, study_area=study_area,
                       report=rep)
    if report is None:
        rep.raise_if_errors()
    return out
