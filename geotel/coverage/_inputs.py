"""Checks and preparation of the coverage inputs: DEM and towers (private)."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import ndimage

from geotel.coverage.antenna import AntennaPattern
from geotel.errors import CRSError, SchemaError, StudyAreaError, ValueRangeError
from geotel.propagation import check_model_frequency
from geotel.raster import Raster, as_raster
from geotel.schema import DEFAULT_FREQ_MHZ, validate_layer

__all__ = ["ENTRY_COLUMNS", "check_height", "prepare_dem", "prepare_entries"]

DEFAULT_TECHNOLOGIES = ("2G", "3G", "4G")
_PATTERN_COLUMNS = ("front_to_back_db", "vertical_beamwidth_deg", "side_lobe_db")
ENTRY_COLUMNS = ["site_id", "sector_id", "operator", "technology", "freq_mhz", "eirp_dbm",
                 "height_m", "azimuth_deg", "beamwidth_deg", "tilt_deg", *_PATTERN_COLUMNS,
                 "x", "y", "row", "col", "tower_index", "tower_pos"]


def check_height(value: float, name: str) -> float:
    """A finite, non-negative height in metres, or ValueRangeError."""
    v = float(value)
    if not math.isfinite(v) or v < 0:
        raise ValueRangeError(f"{name} = {value!r} must be a height >= 0 m above ground",
                              column=name, fix=f"give {name} in metres above ground, e.g. 1.5")
    return v


def prepare_dem(dem: Raster | str | os.PathLike | Any, *, what: str = "the DEM") -> Raster:
    """The DEM as a float32 Raster with NaN for nodata, in a metric CRS, without holes.

    Nodata regions that touch the edge of the grid (a DEM clipped to the province) are
    accepted: rays stop there. Enclosed nodata holes (voids) raise ValueRangeError.
    """
    r = as_raster(dem)
    if not r.is_metric:
        raise CRSError(f"{what} is in {r.crs or 'no CRS'}, not a metric CRS: line of sight "
                       "and path loss need distances in metres",
                       file=_name(dem), fix="reproject the DEM to the analysis CRS, e.g. "
                       "gdalwarp -t_srs EPSG:32649 -tr 90 90 dem.tif dem_utm.tif")
    if abs(r.transform.b) > 1e-9 or abs(r.transform.d) > 1e-9:
        raise CRSError(f"{what} is rotated", file=_name(dem),
                       fix="warp it to a north-up grid (gdalwarp)")
    values = r.values
    if not np.issubdtype(values.dtype, np.floating):
        v = values.astype(np.float32)
        if r.nodata is not None:
            v[values == r.nodata] = np.nan
        values = v
    values = np.ascontiguousarray(values, dtype=np.float32)
    missing = ~np.isfinite(values)
    if missing.all():
        raise ValueRangeError(f"{what} has no valid cell", file=_name(dem),
                              fix="check the DEM file and its nodata value")
    if missing.any():
        labels, count = ndimage.label(missing)
        edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
        holes = np.setdiff1d(np.arange(1, count + 1), edge)
        if holes.size:
            rows, cols = np.nonzero(np.isin(labels, holes[:1]))
            x, y = r.xy(rows[:1], cols[:1])
            ncell = int(np.isin(labels, holes).sum())
            raise ValueRangeError(
                f"{what} has {holes.size} nodata hole(s) ({ncell} cells) inside its valid "
                f"area, the first at row {rows[0]}, column {cols[0]} "
                f"(x={x[0]:.0f}, y={y[0]:.0f})",
                file=_name(dem),
                fix="fill the voids first (gdal_fillnodata.py, or void-filled SRTM tiles)")
    return Raster(values, r.transform, r.crs, units=r.units or "m", name=r.name)


def _name(dem: Any) -> str | None:
    if isinstance(dem, Raster):
        return None
    return str(getattr(dem, "name", dem))


def prepare_entries(
    towers: gpd.GeoDataFrame,
    dem: Raster,
    *,
    technologies: Sequence[str] | None,
    operators: Sequence[str] | None,
    pattern: AntennaPattern | None = None,
    check_frequency: Callable[..., None] = check_model_frequency,
) -> pd.DataFrame:
    """One row per (tower row, technology) to predict, with the site's DEM cell.

    Columns: :data:`ENTRY_COLUMNS`. A sector's empty pattern columns take the values of
    ``pattern`` (3GPP defaults). ``check_frequency(freq_mhz, where=...)`` refuses a
    frequency the path-loss model cannot use.
    """
    pat = pattern or AntennaPattern()
    pat_default = {c: float(getattr(pat, c)) for c in _PATTERN_COLUMNS}
    if not isinstance(towers, gpd.GeoDataFrame):
        raise SchemaError("towers must be a GeoDataFrame of points", column="geometry",
                          fix="read the towers with geotel.io or geopandas.read_file")
    clean, rep = validate_layer(towers, "towers", source="towers")
    rep.raise_if_errors()
    clean = clean.to_crs(dem.crs)
    xs = clean.geometry.x.to_numpy()
    ys = clean.geometry.y.to_numpy()
    rows, cols = dem.rowcol(xs, ys)
    h, w = dem.shape
    wanted = None if technologies is None else {str(t).upper() for t in technologies}
    records = []
    for pos, (label, rec) in enumerate(clean.iterrows()):
        where = f"{rec['site_id']}/{rec['sector_id']}"
        r, c = int(rows[pos]), int(cols[pos])
        if not (0 <= r < h and 0 <= c < w) or not np.isfinite(dem.values[r, c]):
            raise StudyAreaError(
                f"tower at x={xs[pos]:.0f}, y={ys[pos]:.0f} ({dem.crs}) lies outside the DEM "
                f"{'grid' if not (0 <= r < h and 0 <= c < w) else 'valid area'}",
                file="towers", feature=where, column="geometry",
                fix="extend the DEM to cover every tower (plus the coverage radius), or "
                    "check the tower's coordinates and CRS")
        if operators is not None and rec["operator"] not in operators:
            continue
        for tech in str(rec["technologies"]).split(","):
            tech = tech.strip()
            if wanted is None and tech not in DEFAULT_TECHNOLOGIES:
                continue
            if wanted is not None and tech not in wanted:
                continue
            freq = rec["freq_mhz"]
            if freq is None or not np.isfinite(freq):
                freq = DEFAULT_FREQ_MHZ[tech]
            check_frequency(float(freq), where=f"{where} ({tech})")
            records.append({
                "site_id": rec["site_id"], "sector_id": int(rec["sector_id"]),
                "operator": rec["operator"], "technology": tech, "freq_mhz": float(freq),
                "eirp_dbm": float(rec["eirp_dbm"]), "height_m": float(rec["height_m"]),
                "azimuth_deg": float(rec["azimuth_deg"]),
                "beamwidth_deg": float(rec["beamwidth_deg"]),
                "tilt_deg": float(rec["tilt_deg"]),
                **{k: _or(rec[k], v) for k, v in pat_default.items()},
                "x": float(xs[pos]), "y": float(ys[pos]),
                "row": r, "col": c, "tower_index": label, "tower_pos": pos,
            })
    return pd.DataFrame.from_records(records, columns=ENTRY_COLUMNS)


def _or(value: Any, default: float) -> float:
    """value as a float, or default when it is empty (None/NaN)."""
    if value is None or pd.isna(value):
        return default
    return float(value)
