"""Coordinates and numbers of a tower list: degrees-minutes-seconds, blank and 0 / 0
positions, swapped columns, X/Y without a CRS, positions outside Vietnam; numeric
attributes read by their convention and converted from the unit in their header.

Private helpers of :func:`geotel.io.tables.read_tower_table`; every problem goes to the
report with its file, row, feature and column.
"""

from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from geotel.errors import ValidationReport
from geotel.io._aliases import X_ALIASES, Y_ALIASES, normalise_header
from geotel.io._files import parse_column
from geotel.io._towerrows import blank
from geotel.io._units import Unit, note_unit
from geotel.io.crs import crs_candidates, ensure_datum_shift, missing_crs_fix, to_crs

__all__ = ["VIETNAM_LAT", "VIETNAM_LON", "attribute_numbers", "coordinate_numbers",
           "placed", "positions", "xy_projected"]

log = logging.getLogger(__name__)

#: Longitude and latitude ranges that hold Vietnam (degrees).
VIETNAM_LON = (102.0, 110.0)
VIETNAM_LAT = (8.0, 24.0)
#: Headers that say only "X" / "Y" (not easting/northing): in a VN-2000 survey X is the
#: northing, so such a list may hold either order.
_SURVEY_X = frozenset(k for k in X_ALIASES if k == "x" or k.endswith("_x") or k.startswith("x_"))
_SURVEY_Y = frozenset(k for k in Y_ALIASES if k == "y" or k.endswith("_y") or k.startswith("y_"))

def coordinate_numbers(values: pd.Series, col: str, labels: list[str], rows: list[int], source: str,
             rep: ValidationReport, decimal: str | None = None) -> np.ndarray:
    """A coordinate column as floats: degrees-minutes-seconds text read, the rest by the
    column's (else the table's) number convention; bad cells reported with their row."""
    cells = values.tolist()
    dms = 0
    for i, v in enumerate(cells):
        if isinstance(v, str) and _DMS.match(v.strip()):
            cells[i] = _dms(v)
            dms += 1
    if dms:
        rep.info("schema", f"{dms} value(s) of '{col}' in degrees, minutes and seconds were "
                 "read as decimal degrees", file=source, column=col)
    out, problems = parse_column(cells, decimal=decimal)
    for p in problems:
        rep.add("schema" if p.kind == "type" else "range", p.message, file=source,
                feature=labels[p.position], row=rows[p.position], column=col,
                fix="write the coordinate as a decimal number, e.g. 108,0123")
    return out


_DMS = re.compile(r"^[+-]?\d{1,3}(?:[.,]\d+)?\s*[°º]\s*(?:\d{1,2}(?:[.,]\d+)?\s*['′’]\s*)?"
                  r"(?:\d{1,2}(?:[.,]\d+)?\s*(?:[\"″”]|'')?\s*)?[NSEWĐBTnsewđbt]?$")


def _dms(text: str) -> float:
    """Decimal degrees of ``108°01'23.5"E`` (Vietnam lies north and east: the letter is
    not needed).

    Examples
    --------
    >>> round(_dms("108°01'23,5''E"), 6), _dms("14°30'")
    (108.023194, 14.5)
    """
    parts = [float(x.replace(",", ".")) for x in re.findall(r"\d+(?:[.,]\d+)?", text)]
    value = sum(p / 60**k for k, p in enumerate(parts[:3]))
    return -value if text.strip().startswith("-") else value


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


def placed(df: pd.DataFrame, names: tuple[str, str], a: np.ndarray, b: np.ndarray,
            labels: list[str], rows: list[int], source: str,
            rep: ValidationReport) -> np.ndarray:
    """Rows with coordinates: blank ones and 0 / 0 placeholders are errors with their row."""
    raw_blank = df[names[0]].map(blank).to_numpy(bool) | df[names[1]].map(blank).to_numpy(bool)
    for i in np.flatnonzero(raw_blank):
        empty = [n for n in names if blank(df[n].iloc[i])]
        rep.add("schema", f"the tower has no coordinates ({' and '.join(map(repr, empty))} "
                f"{'is' if len(empty) == 1 else 'are'} empty)", file=source, feature=labels[i],
                row=rows[i], column="/".join(names),
                fix="fill in the coordinates, or delete the row")
    zero = (a == 0) & (b == 0)
    for i in np.flatnonzero(zero):
        rep.add("range", "the coordinates are 0 / 0: a placeholder, not a position",
                file=source, feature=labels[i], row=rows[i], column="/".join(names),
                fix="fill in the tower's real coordinates, or delete the row")
    return ~raw_blank & ~zero


def attribute_numbers(column: pd.Series, name: str, canon_unit: tuple[str, Unit | None],
                       labels: list[str], rows: list[int], decimal: str | None,
                       source: str, rep: ValidationReport) -> np.ndarray:
    """A numeric attribute column read by its convention and converted from its unit."""
    canon, unit = canon_unit
    values, problems = parse_column(column.tolist(), integers=canon == "sector_id",
                                    decimal=decimal)
    for p in problems:
        rep.add("schema" if p.kind == "type" else "range", p.message, file=source,
                feature=labels[p.position], row=rows[p.position], column=name,
                fix="write a plain number" if p.kind == "type" else
                "write the number without a thousands mark, or with a decimal comma")
    if unit is None or not unit.converts:
        return values
    converted = unit.convert(values)
    for i in np.flatnonzero(np.isfinite(values) & ~np.isfinite(converted)):
        rep.add("range", f"{values[i]:g} {unit.written} cannot be converted to "
                f"{canon} (a power must be above 0)", file=source,
                feature=labels[i], row=rows[i], column=name,
                fix="give the power above 0, or leave the cell empty when unknown")
    note_unit(name, canon, unit, source, rep)
    return converted


def xy_projected(a: np.ndarray, b: np.ndarray, names: tuple[str, str], source: str,
                 rep: ValidationReport) -> bool | None:
    """Whether X/Y columns without a CRS hold projected coordinates: False when they hold
    degrees; None when they are projected, with an error naming ``inputs.towers_crs`` and
    the CRSs the coordinates fit."""
    given = np.isfinite(a) & np.isfinite(b)
    if given.any() and np.nanmax(np.abs(np.r_[a, b])) <= 180:
        return False
    xs, ys = (a[given], b[given]) if np.median(a[given]) < np.median(b[given]) \
        else (b[given], a[given])
    bounds = (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())) \
        if given.any() else None
    fix = missing_crs_fix("inputs.towers_crs", bounds)
    if bounds is None or not crs_candidates(bounds):
        fix += " (e.g. EPSG:9218 for VN-2000 TM-3 108-30)"
    rep.add("crs", f"columns '{names[0]}'/'{names[1]}' hold projected coordinates but "
            "no CRS is given for them", file=source, column="inputs.towers_crs", fix=fix)
    return None


def positions(a: np.ndarray, b: np.ndarray, *, projected: bool, source_crs: CRS | None,
               names: tuple[str, str], labels: list[str], rows: list[int], source: str,
               study_area: shapely.Geometry | None,
               rep: ValidationReport) -> tuple[np.ndarray, np.ndarray, CRS]:
    """Coordinates checked (valid degrees, swapped columns, within Vietnam) and their CRS;
    a position that cannot be is NaN, with an error on its row."""
    given = np.isfinite(a) & np.isfinite(b)
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
    return a, b, src
