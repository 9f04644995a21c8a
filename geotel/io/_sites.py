"""A site's sectors stand on one tower (private): rows of one ``site_id`` farther apart
than :data:`MAX_SECTOR_SPREAD_M` are an error naming the site, the distance and the row
that lies apart (a typo in one sector's coordinates, or two sites given one id)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geotel.errors import ValidationReport

__all__ = ["MAX_SECTOR_SPREAD_M", "check_site_spread"]

#: The sectors of one site (antennas on one tower or rooftop) lie within this distance.
MAX_SECTOR_SPREAD_M = 100.0


def _metric(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    crs = CRS.from_user_input(gdf.crs)
    if crs.is_projected and crs.axis_info and crs.axis_info[0].unit_name in ("metre", "meter"):
        return gdf
    return gdf.to_crs(gdf.estimate_utm_crs())


def check_site_spread(towers: gpd.GeoDataFrame, *, source: str, report: ValidationReport,
                      max_m: float = MAX_SECTOR_SPREAD_M) -> None:
    """Report every site whose sectors lie more than ``max_m`` metres apart.

    Distances are measured in metres (a geographic layer is projected to its UTM zone
    for the check). ``towers`` is not changed.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> t = gpd.GeoDataFrame({"site_id": ["A", "A", "A", "B"], "_row": [2, 3, 4, 5]},
    ...     geometry=[Point(0, 0), Point(10, 0), Point(2000, 0), Point(5, 5)],
    ...     crs="EPSG:32649")
    >>> rep = ValidationReport()
    >>> check_site_spread(t, source="t.csv", report=rep)
    >>> p = rep.errors[0]
    >>> p.feature, p.row, p.message.split(";")[0]
    ('A', 4, 'the sectors of site A lie 2000 m apart (row 4 lies 1990 m from the others)')
    """
    if len(towers) < 2 or "site_id" not in towers.columns or towers.crs is None:
        return
    geoms = towers.geometry.array
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    ok &= np.asarray(shapely.get_type_id(geoms)) == 0  # points
    if ok.sum() < 2:
        return
    pts = _metric(towers[ok])
    xy = shapely.get_coordinates(pts.geometry.array)
    frame = pd.DataFrame({"site": pts["site_id"].astype(str).to_numpy(), "x": xy[:, 0],
                          "y": xy[:, 1], "pos": np.flatnonzero(ok)})
    frame = frame[frame["site"].isin(frame["site"][frame["site"].duplicated()])]
    if frame.empty:
        return
    box = frame.groupby("site", sort=False).agg(x0=("x", "min"), x1=("x", "max"),
                                                y0=("y", "min"), y1=("y", "max"))
    wide = box.index[np.hypot(box.x1 - box.x0, box.y1 - box.y0) > max_m]
    rows = (towers["_row"].tolist() if "_row" in towers.columns
            else list(range(1, len(towers) + 1)))
    for site in wide:
        g = frame[frame["site"] == site]
        p = g[["x", "y"]].to_numpy()
        d = np.hypot(p[:, None, 0] - p[None, :, 0], p[:, None, 1] - p[None, :, 1])
        spread = float(d.max())
        if spread <= max_m:
            continue
        # the rows apart from the others: farther than max_m from the median of the site
        lines = [int(rows[int(k)]) for k in g["pos"]]
        near = np.hypot(*(p - np.median(p, axis=0)).T) <= max_m
        if near.any() and not near.all():
            apart = np.flatnonzero(~near)
            gap = float(d[np.ix_(apart, np.flatnonzero(near))].min())
            named = ", ".join(str(lines[k]) for k in apart[:5])
            where = (f"row{'s' if len(apart) > 1 else ''} {named} "
                     f"lie{'' if len(apart) > 1 else 's'} {gap:.0f} m from the others")
            row = lines[int(apart[0])]
        else:
            i, j = np.unravel_index(int(np.argmax(d)), d.shape)
            where = f"rows {lines[i]} and {lines[j]}"
            row = lines[int(j)]
        report.add("range", f"the sectors of site {site} lie {spread:.0f} m apart ({where}); "
                   f"a site's sectors stand on one tower, within {max_m:g} m", file=source,
                   feature=str(site), row=row, column="geometry",
                   fix="correct the coordinates of the sector that lies apart, or give the "
                   "two sites different ids")
