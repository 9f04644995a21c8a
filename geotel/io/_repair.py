"""Repair of a polygon coverage (communes): overlaps between neighbours and the small
gaps (sliver holes) left between them.

Overlaps: where communes overlap, the larger commune (by area) keeps the overlap and
the others lose it, so every point belongs to at most one commune.
Gaps: the holes of the communes' union not larger than ``max_gap_km2`` are merged into
the neighbour sharing the longest border with them. Larger gaps are left and reported.
Areas are measured in a Lambert azimuthal equal-area projection centred on the layer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geotel._crs import equal_area_crs

__all__ = ["NOISE_KM2", "CoverageRepair", "areas_km2", "repair_coverage"]

log = logging.getLogger(__name__)

#: Overlaps and gaps below this area (1 m²) are repaired but not counted in reports.
NOISE_KM2 = 1e-6


@dataclass(frozen=True)
class CoverageRepair:
    """What :func:`repair_coverage` changed."""

    overlaps: int
    overlap_km2: float
    gaps_filled: int
    gap_km2: float
    gaps_left: int
    gaps_left_km2: float
    emptied: tuple[int, ...]


def areas_km2(geoms: np.ndarray, crs: object, ea: CRS) -> np.ndarray:
    """Equal-area areas (km²) of an array of geometries given in ``crs``."""
    if len(geoms) == 0:
        return np.zeros(0)
    return np.asarray(gpd.GeoSeries(geoms, crs=crs).to_crs(ea).area.to_numpy() / 1e6)


def _polygonal(g: shapely.Geometry) -> shapely.Geometry:
    if g is None or g.is_empty:
        return g
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def repair_coverage(
    gdf: gpd.GeoDataFrame, *, max_gap_km2: float = 1.0
) -> tuple[gpd.GeoDataFrame, CoverageRepair]:
    """Resolve overlaps and fill small gaps of a polygon coverage; returns a copy."""
    geoms = np.asarray(shapely.make_valid(gdf.geometry.array), dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    ea = equal_area_crs(gdf.crs, tuple(gdf.total_bounds))
    area = areas_km2(geoms, gdf.crs, ea)
    n = len(geoms)
    # Overlaps: pairs whose interiors intersect; the larger polygon wins.
    tree = shapely.STRtree(np.where(ok, geoms, np.array(None, dtype=object)))
    i, j = tree.query(np.where(ok, geoms, np.array(None, dtype=object)), predicate="intersects")
    keep = (i < j) & ok[i] & ok[j]
    i, j = i[keep], j[keep]
    inter = shapely.intersection(geoms[i], geoms[j])
    inter_km2 = areas_km2(inter, gdf.crs, ea)
    real = inter_km2 > 1e-9
    i, j, inter_km2 = i[real], j[real], inter_km2[real]
    rank = np.lexsort((np.arange(n), -area))  # order: larger first
    pos = np.empty(n, dtype=np.int64)
    pos[rank] = np.arange(n)
    loser = np.where(pos[i] > pos[j], i, j)
    winner = np.where(pos[i] > pos[j], j, i)
    new = geoms.copy()
    emptied: list[int] = []
    for lo in np.unique(loser):
        cut = shapely.union_all(geoms[winner[loser == lo]])
        g = _polygonal(shapely.make_valid(shapely.difference(geoms[lo], cut)))
        if g is None or g.is_empty:
            emptied.append(int(lo))
            continue
        new[lo] = g
    # Gaps: holes of the union of the resolved coverage.
    union = shapely.union_all(np.where(ok, new, np.array(None, dtype=object)))
    rings = [shapely.Polygon(r) for p in shapely.get_parts(union)
             if p.geom_type == "Polygon" for r in p.interiors]
    gaps = np.asarray(
        [_polygonal(shapely.make_valid(shapely.difference(r, union))) for r in rings]
        if rings else [], dtype=object)
    gaps = gaps[~shapely.is_empty(gaps)] if len(gaps) else gaps
    gap_km2 = areas_km2(gaps, gdf.crs, ea)
    small = gap_km2 <= max_gap_km2
    filled = gaps[small]
    if len(filled):
        eps = 1e-6 if CRS.from_user_input(gdf.crs).is_geographic else 0.1
        grown = shapely.buffer(filled, eps)
        tree2 = shapely.STRtree(np.where(ok, new, np.array(None, dtype=object)))
        gi, ci = tree2.query(grown, predicate="intersects")
        shared = shapely.area(shapely.intersection(grown[gi], new[ci]))
        best = (pd.DataFrame({"gap": gi, "commune": ci, "shared": shared})
                .sort_values(["gap", "shared"], ascending=[True, False])
                .drop_duplicates("gap"))
        for commune, rows in best.groupby("commune"):
            parts = [new[commune], *filled[rows["gap"].to_numpy()]]
            new[commune] = _polygonal(shapely.make_valid(shapely.union_all(parts)))
    out = gdf.copy()
    out = out.set_geometry(gpd.GeoSeries(new, index=gdf.index, crs=gdf.crs))
    # Smaller pieces are numerical noise: they are repaired but not counted.
    counted = inter_km2 >= NOISE_KM2
    gcount = small & (gap_km2 >= NOISE_KM2)
    rep = CoverageRepair(
        overlaps=int(counted.sum()), overlap_km2=float(inter_km2[counted].sum()),
        gaps_filled=int(gcount.sum()), gap_km2=float(gap_km2[gcount].sum()),
        gaps_left=int((~small).sum()), gaps_left_km2=float(gap_km2[~small].sum()),
        emptied=tuple(emptied),
    )
    log.info("coverage repair: %s", rep)
    return out, rep
