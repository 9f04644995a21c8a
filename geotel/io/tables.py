"""Tower lists as agencies hand them over: CSV and Excel (.xlsx) tables of BTS sites.

- CSV with ``,``, ``;`` or tab delimiters; UTF-8 with or without BOM, cp1258 fallback.
- Excel through openpyxl (first sheet); title rows above the header are skipped.
- Headers in English or Vietnamese, with or without diacritics, any case or spacing
  ('Kinh độ', 'Vĩ độ', 'Mã trạm', 'Nhà mạng', 'Độ cao cột (m)', 'Công nghệ', 'Tần số',
  'Góc phương vị', ...; see :mod:`geotel.io._aliases`).
- Decimal commas and thousands separators (``"108,0123"``, ``"1.523.456,7"``).
- Swapped latitude/longitude: Vietnam lies at longitude 102–110 °E, latitude 8–24 °N.
  When every row is swapped the columns are swapped back with a warning; when only some
  rows are, it is a :class:`~geotel._errors.ValueRangeError` naming them.
- Projected coordinates (VN-2000 X/Y in metres) when ``source_crs`` is given. Under
  headers named X and Y ('Tọa độ X', 'X (m)'), a list whose X holds the northing and Y
  the easting follows the Vietnamese surveying convention: it is read as such, with one
  note, and no warning. Easting/northing headers holding each other's values are
  swapped columns, and warned about.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from geotel._errors import CRSError, FileFormatError, ValidationReport
from geotel.io._aliases import (
    ALIASES,
    LAT_ALIASES,
    LON_ALIASES,
    X_ALIASES,
    Y_ALIASES,
    match_columns,
    normalise_header,
)
from geotel.io._files import decode_text, nfc, parse_number, require_file
from geotel.io._layers import empty_layer, finish_layer
from geotel.io.crs import crs_candidates, ensure_datum_shift, missing_crs_fix, to_crs

__all__ = ["TABLE_SUFFIXES", "VIETNAM_LON", "VIETNAM_LAT", "read_table", "read_tower_table"]

log = logging.getLogger(__name__)

TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
#: Longitude and latitude ranges that hold Vietnam (degrees).
VIETNAM_LON = (102.0, 110.0)
VIETNAM_LAT = (8.0, 24.0)
_NUMERIC = ("sector_id", "height_m", "azimuth_deg", "beamwidth_deg", "tilt_deg", "eirp_dbm",
            "freq_mhz")
_COORDS = {"lon": LON_ALIASES, "lat": LAT_ALIASES, "x": X_ALIASES, "y": Y_ALIASES}
#: Headers that say only "X" / "Y" (not easting/northing): in a VN-2000 survey X is the
#: northing, so such a list may hold either order.
_SURVEY_X = frozenset(k for k in X_ALIASES if k == "x" or k.endswith("_x") or k.startswith("x_"))
_SURVEY_Y = frozenset(k for k in Y_ALIASES if k == "y" or k.endswith("_y") or k.startswith("y_"))


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


def _rows_from_csv(path: Path) -> tuple[list[list[object]], str]:
    text, encoding = decode_text(path.read_bytes())
    if "\x00" in text:
        raise FileFormatError("not a text (CSV) file", file=str(path),
                              fix="save the list as CSV (UTF-8) or Excel .xlsx")
    delim = _sniff_delimiter(text)
    rows = [list(r) for r in csv.reader(io.StringIO(text), delimiter=delim)]
    log.debug("%s: %s, delimiter %r, %d rows", path, encoding, delim, len(rows))
    return rows, encoding


def _rows_from_xlsx(path: Path) -> list[list[object]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zipfile, openpyxl and XML errors
        raise FileFormatError(f"not a readable Excel workbook: {exc}", file=str(path),
                              fix="open it in Excel and save it again as .xlsx") from None
    try:
        ws = wb.worksheets[0]
        rows = [[nfc(v) if isinstance(v, str) else v for v in r]
                for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    return rows


def read_table(path: str | os.PathLike) -> tuple[pd.DataFrame, int]:
    """Read a CSV or XLSX table as text/number cells and find its header row.

    Returns the table (original headers, empty rows dropped, the 1-based line number of
    each row in its ``"_row"`` column) and the header's 1-based line number. The header
    is the first of the first 15 lines that names coordinate columns.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("Danh sách trạm\\nMã trạm\\tKinh độ\\tVĩ độ\\nA\\t108,1\\t14,2\\n")
    >>> df, header_line = read_table(p)
    >>> header_line, df.columns.tolist(), df.iloc[0].tolist()
    (2, ['Mã trạm', 'Kinh độ', 'Vĩ độ', '_row'], ['A', '108,1', '14,2', 3])
    """
    p = require_file(path, "table")
    suffix = p.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise FileFormatError(f"unsupported table format '{p.suffix}'", file=str(p),
                              fix="save the list as CSV or Excel .xlsx")
    rows = _rows_from_xlsx(p) if suffix in (".xlsx", ".xlsm") else _rows_from_csv(p)[0]
    rows = [r for r in rows]
    header_at = None
    for k, r in enumerate(rows[:15]):
        found = match_columns([c for c in r if c not in (None, "")], _COORDS)
        if {"lon", "lat"} <= set(found.values()) or {"x", "y"} <= set(found.values()):
            header_at = k
            break
    if header_at is None:
        first = [c for c in (rows[0] if rows else []) if c not in (None, "")]
        raise _SchemaProblem(
            f"no coordinate columns found (first row: {first})",
            "name the columns 'Kinh độ'/'Vĩ độ' (or lon/lat), or X/Y with towers_crs set")
    header = [str(c).strip() if c not in (None, "") else f"column_{i + 1}"
              for i, c in enumerate(rows[header_at])]
    body = []
    for k, r in enumerate(rows[header_at + 1:], start=header_at + 2):
        cells = list(r) + [None] * (len(header) - len(r))
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        body.append([*cells[: len(header)], k])
    df = pd.DataFrame(body, columns=[*header, "_row"], dtype=object)
    return df, header_at + 1


class _SchemaProblem(Exception):
    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.message, self.fix = message, fix


def _numbers(values: pd.Series, col: str, labels: list[str], rows: list[int], source: str,
             rep: ValidationReport) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for i, v in enumerate(values):
        try:
            out[i] = parse_number(v)
        except ValueError:
            rep.add("schema", f"'{v}' is not a number", file=source, feature=labels[i],
                    row=rows[i], column=col,
                    fix="write the coordinate as a decimal number, e.g. 108,0123")
    return out


def _in_vietnam(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return ((lon >= VIETNAM_LON[0]) & (lon <= VIETNAM_LON[1])
            & (lat >= VIETNAM_LAT[0]) & (lat <= VIETNAM_LAT[1]))


def _resolve_swaps(a: np.ndarray, b: np.ndarray, to_lonlat: Transformer | None,
                   names: tuple[str, str], labels: list[str], rows: list[int], source: str,
                   rep: ValidationReport) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates in the order (a=x/lon, b=y/lat), swapped back when the file swapped them.

    Projected X/Y headers whose X holds the northing in every row follow the VN-2000
    surveying convention: read so, with one note and no warning.
    """
    def lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if to_lonlat is None:
            return x, y
        lo, la = to_lonlat.transform(x, y)
        return np.asarray(lo, float), np.asarray(la, float)

    given = np.isfinite(a) & np.isfinite(b)
    ok = _in_vietnam(*lonlat(a, b)) & given
    swapped = _in_vietnam(*lonlat(b, a)) & given & ~ok
    column = f"{names[0]}/{names[1]}"
    if swapped.any() and not ok.any():
        survey = (to_lonlat is not None and normalise_header(names[0]) in _SURVEY_X
                  and normalise_header(names[1]) in _SURVEY_Y)
        if survey:
            text = (f"'{names[0]}' holds the northing and '{names[1]}' the easting (the "
                    "Vietnamese surveying convention, as in VN-2000 lists); read as such")
            log.info("%s: %s", source, text)
            rep.info("range", text, file=source, column=column)
            return b, a
        rep.warn("range", f"the columns '{names[0]}' and '{names[1]}' are swapped in every row "
                 "(Vietnam lies at longitude 102–110, latitude 8–24); they were swapped back",
                 file=source, column=column,
                 fix=f"swap the headers of '{names[0]}' and '{names[1]}'")
        return b, a
    if swapped.any():
        idx = np.flatnonzero(swapped)
        bad = [labels[i] for i in idx]
        rep.add("range", f"longitude and latitude are swapped in {len(bad)} row(s) but not in "
                f"the others: {', '.join(bad[:10])}", file=source, feature=bad[0],
                row=rows[idx[0]], column=column,
                fix="swap the two values back in those rows")
        a, b = a.copy(), b.copy()
        a[swapped], b[swapped] = b[swapped], a[swapped]
    return a, b


def read_tower_table(
    path: str | os.PathLike,
    *,
    crs: object = "EPSG:4326",
    source_crs: object = None,
    study_area: shapely.Geometry | None = None,
    report: ValidationReport | None = None,
) -> gpd.GeoDataFrame:
    """Read a CSV or Excel list of BTS sites/sectors into the canonical towers layer.

    Parameters
    ----------
    path
        ``.csv`` (``,`` ``;`` or tab), ``.txt``/``.tsv``, or ``.xlsx``.
    crs
        CRS of the result.
    source_crs
        CRS of projected X/Y columns, e.g. ``"EPSG:9218"`` (VN-2000 / TM-3 108-30).
        Without it the coordinates are WGS 84 longitude/latitude.
    study_area
        Polygon in ``crs``; towers outside it are errors.
    report
        Collects problems instead of raising the first one's class.

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
        df, _ = read_table(path)
    except FileFormatError as exc:
        if report is None:
            raise
        rep.add("file", exc.message, file=exc.file, fix=exc.fix)
        return empty_layer("towers", target)
    except _SchemaProblem as exc:
        rep.add("schema", exc.message, file=source, fix=exc.fix)
        if report is None:
            rep.raise_if_errors()
        return empty_layer("towers", target)
    cols = [c for c in df.columns if c != "_row"]
    coord = match_columns(cols, _COORDS)
    by_role = {role: col for col, role in coord.items()}
    attrs = match_columns([c for c in cols if c not in coord], ALIASES["towers"])
    df = df.rename(columns=attrs)
    site = df["site_id"].tolist() if "site_id" in df.columns else [None] * len(df)
    rows = [int(r) for r in df["_row"]]
    labels = [f"{s} (row {r})" if s not in (None, "") else f"row {r}"
              for s, r in zip(site, rows, strict=True)]
    if "lon" in by_role and "lat" in by_role:
        names = (by_role["lon"], by_role["lat"])
        projected = source_crs is not None and not to_crs(source_crs).is_geographic
    else:
        names = (by_role["x"], by_role["y"])
        projected = True
    a = _numbers(df[names[0]], names[0], labels, rows, source, rep)
    b = _numbers(df[names[1]], names[1], labels, rows, source, rep)
    given = np.isfinite(a) & np.isfinite(b)
    if projected and source_crs is None:
        if given.any() and np.nanmax(np.abs(np.r_[a, b])) <= 180:
            projected = False  # X/Y headers holding degrees
        else:
            ok = np.isfinite(a) & np.isfinite(b)
            xs, ys = (a[ok], b[ok]) if np.median(a[ok]) < np.median(b[ok]) else (b[ok], a[ok])
            bounds = (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())) \
                if ok.any() else None
            fix = missing_crs_fix("inputs.towers_crs", bounds)
            if bounds is None or not crs_candidates(bounds):
                fix += " (e.g. EPSG:9218 for VN-2000 TM-3 108-30)"
            rep.add("crs", f"columns '{names[0]}'/'{names[1]}' hold projected coordinates but "
                    "no CRS is given for them", file=source, column="inputs.towers_crs",
                    fix=fix)
            if report is None:
                rep.raise_if_errors()
            return empty_layer("towers", target)
    if projected:
        src = ensure_datum_shift(to_crs(source_crs))
        to_lonlat = Transformer.from_crs(src, 4326, always_xy=True)
    else:
        src = to_crs(source_crs) if source_crs is not None else CRS.from_epsg(4326)
        to_lonlat = None
        bad = given & ((np.abs(a) > 180) | (np.abs(b) > 180)
                       | ((np.abs(b) > 90) & (np.abs(a) > 90)))
        for i in np.flatnonzero(bad):
            rep.add("range", f"longitude {a[i]:g} / latitude {b[i]:g} is not a valid position",
                    file=source, feature=labels[i], row=rows[i],
                    column=f"{names[0]}/{names[1]}",
                    fix="write decimal degrees: longitude 102–110, latitude 8–24 in Vietnam")
        given &= ~bad
        a, b = np.where(given, a, np.nan), np.where(given, b, np.nan)
    a, b = _resolve_swaps(a, b, to_lonlat, names, labels, rows, source, rep)
    if not projected:
        for i in np.flatnonzero(np.isfinite(a) & (np.abs(b) > 90)):
            rep.add("range", f"latitude {b[i]:g} is outside −90…90", file=source,
                    feature=labels[i], row=rows[i], column=names[1],
                    fix="write decimal degrees: latitude 8–24 in Vietnam")
            a[i] = b[i] = np.nan
    lo, la = (a, b) if to_lonlat is None else to_lonlat.transform(a, b)
    outside = np.isfinite(a) & ~_in_vietnam(np.asarray(lo), np.asarray(la))
    if outside.any() and study_area is None:
        far = [labels[i] for i in np.flatnonzero(outside)]
        rep.warn("range", f"{len(far)} tower(s) lie outside Vietnam: {', '.join(far[:5])}",
                 file=source, column=f"{names[0]}/{names[1]}",
                 fix="check the coordinates and the CRS of the list")
    geom = [shapely.Point(x, y) if math.isfinite(x) and math.isfinite(y) else None
            for x, y in zip(a, b, strict=True)]
    for col in _NUMERIC:
        if col in df.columns:
            df[col] = df[col].map(_number_or_raw)
    data = df.drop(columns=[c for c in (names[0], names[1]) if c in df.columns])
    gdf = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geom, index=data.index, crs=src))
    out = finish_layer(gdf, "towers", source=source, crs=target, study_area=study_area,
                       report=rep)
    if report is None:
        rep.raise_if_errors()
    return out


def _number_or_raw(v: object) -> object:
    try:
        return parse_number(v)
    except ValueError:
        return v
