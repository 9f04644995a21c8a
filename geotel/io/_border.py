"""Towers near and far across the provincial border (private).

An operator's list holds towers just across the border of the province: they serve the
border communes. The decision is per *site* (``site_id``), not per sector:

- inside the province (the communes' union): ``in_province`` true;
- outside, but within the coverage radius of the province: kept as a cross-border
  server, ``in_province`` false (they count in the coverage and the dead zones, not in
  the communes' tower indicators), with one warning giving their number;
- farther out: one error per site, most likely a wrong ``towers_crs`` or swapped columns.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geotel.errors import ValidationReport
from geotel.raster import Raster

__all__ = ["drop_towers_off_dem", "mark_border_towers"]

#: How many site ids a summary warning names.
_SHOWN = 5


def _sites(towers: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each row's site key and whether the row is its site's first."""
    key = (towers["site_id"].astype(str).to_numpy() if "site_id" in towers.columns
           else np.arange(len(towers)).astype(str))
    first = ~pd.Series(key).duplicated().to_numpy()
    return key, first


def _rows(towers: gpd.GeoDataFrame) -> list[int]:
    if "_row" in towers.columns:
        return [int(r) if pd.notna(r) else i + 1 for i, r in enumerate(towers["_row"])]
    return [i + 1 for i in range(len(towers))]


def _named(sites: list[str]) -> str:
    more = ", …" if len(sites) > _SHOWN else ""
    return ", ".join(sites[:_SHOWN]) + more


def mark_border_towers(
    towers: gpd.GeoDataFrame,
    province: shapely.Geometry | None,
    *,
    max_radius_m: float,
    source: str,
    report: ValidationReport,
) -> gpd.GeoDataFrame:
    """The towers with ``in_province`` set per site; sites farther than ``max_radius_m``
    from ``province`` are reported as errors (one per site) and left out.

    ``towers`` and ``province`` are in one metric CRS. A new GeoDataFrame is returned
    (index and CRS kept).

    Examples
    --------
    >>> from shapely.geometry import Point, box
    >>> t = gpd.GeoDataFrame({"site_id": ["A", "B", "B", "C"]}, geometry=[
    ...     Point(500, 500), Point(3000, 500), Point(3000, 500), Point(90000, 0)],
    ...     crs="EPSG:32649")
    >>> rep = ValidationReport()
    >>> out = mark_border_towers(t, box(0, 0, 1000, 1000), max_radius_m=15000,
    ...                          source="t.csv", report=rep)
    >>> out["in_province"].tolist(), [(p.severity, p.feature) for p in rep]
    ([True, False, False], [('error', 'C'), ('warning', None)])
    """
    out = towers.copy()
    out["in_province"] = True
    if province is None or len(out) == 0 or shapely.is_empty(province):
        return out
    geoms = out.geometry.array
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    key, first = _sites(out)
    shapely.prepare(province)
    inside = np.ones(len(out), bool)
    inside[present] = shapely.intersects(geoms[present], province)
    dist_m = np.zeros(len(out))
    outside = present & ~inside
    if outside.any():
        dist_m[outside] = shapely.distance(geoms[outside], province)
    # The site's first sector decides for all of its sectors.
    site_dist = pd.Series(dist_m[first], index=key[first])
    row_dist = site_dist.reindex(key).to_numpy()
    rows = _rows(out)
    far = row_dist > max_radius_m
    for i in np.flatnonzero(far & first):
        report.add(
            "study_area",
            f"site lies outside the study area: {row_dist[i] / 1000:.1f} km from the province, "
            f"farther than the coverage radius (coverage.max_radius_m = "
            f"{max_radius_m / 1000:g} km)",
            file=source, feature=str(key[i]), row=rows[i], column="geometry",
            fix="check the site's coordinates: a wrong inputs.towers_crs or swapped "
            "longitude/latitude (X/Y) columns put sites far away; remove sites that serve "
            "no commune")
    near = (row_dist > 0) & ~far
    out["in_province"] = ~(row_dist > 0)
    if near.any():
        sites = [str(k) for k in key[near & first]]
        report.warn(
            "study_area",
            f"{len(sites)} site(s) across the provincial border, within the coverage radius "
            f"(coverage.max_radius_m = {max_radius_m / 1000:g} km), kept as cross-border "
            "servers (in_province = false: in the coverage, not in the communes' tower "
            f"counts): {_named(sites)}",
            file=source, column="in_province",
            fix="nothing to do; remove them from the list if they serve no commune")
    return out[~far]


def drop_towers_off_dem(towers: gpd.GeoDataFrame, dem: Raster, *, source: str,
                        report: ValidationReport) -> gpd.GeoDataFrame:
    """The towers less the cross-border sites (``in_province`` false) that have no DEM
    value under them, with one warning: the coverage cannot be predicted from them.

    Examples
    --------
    >>> from affine import Affine
    >>> from shapely.geometry import Point
    >>> dem = Raster(np.full((10, 10), 700, "float32"), Affine(100, 0, 0, 0, -100, 1000),
    ...              "EPSG:32649")
    >>> t = gpd.GeoDataFrame({"site_id": ["A", "B"], "in_province": [True, False]},
    ...     geometry=[Point(500, 500), Point(5000, 500)], crs="EPSG:32649")
    >>> rep = ValidationReport()
    >>> drop_towers_off_dem(t, dem, source="t.csv", report=rep)["site_id"].tolist()
    ['A']
    """
    if len(towers) == 0 or "in_province" not in towers.columns:
        return towers
    border = ~towers["in_province"].to_numpy(bool)
    if not border.any():
        return towers
    pts = towers.geometry.to_crs(dem.crs) if towers.crs != dem.crs else towers.geometry
    r, c = dem.rowcol(pts.x.to_numpy(), pts.y.to_numpy())
    r, c = np.asarray(r), np.asarray(c)
    h, w = dem.shape
    on = (r >= 0) & (r < h) & (c >= 0) & (c < w)
    value = np.full(len(towers), np.nan)
    value[on] = dem.values[r[on], c[on]]
    off = border & ~np.isfinite(value)
    if not off.any():
        return towers
    key, _first = _sites(towers)
    sites = list(dict.fromkeys(str(k) for k in key[off]))
    report.warn(
        "study_area",
        f"{len(sites)} cross-border site(s) have no DEM value under them and are left out "
        f"of the coverage: {_named(sites)}",
        file=source, column="in_province",
        fix="give DEM tiles that also cover the towers across the border")
    return towers[~off]
