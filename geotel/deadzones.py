"""Dead zones ('vùng lõm sóng'): where people live without a usable signal.

The cells below the coverage threshold of a technology (for one operator, or for every
operator together: ``"any"``) and inside a commune are grouped into 4-connected zones
that never cross a commune boundary, turned into polygons, clipped to their commune,
cleared of slivers, attributed (commune, district, people, distance to the nearest tower
and fiber) and ranked by the number of people inside.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.features
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from shapely.geometry import shape
from tqdm.auto import tqdm

from geotel._zonal import (
    Grid,
    check_aligned,
    commune_labels,
    equal_area_km2,
    grid_of,
    layer_equal_area_crs,
    text_column,
    to_grid_crs,
    valid_polygons,
)
from geotel.config import DeadZonesConfig
from geotel.coverage.result import ANY_OPERATOR, CoverageResult
from geotel.errors import ValueRangeError
from geotel.raster import Raster, as_raster
from geotel.schema import OPERATORS, TECHNOLOGIES

__all__ = ["DEAD_ZONE_COLUMNS", "dead_zones", "dead_zones_all_operators"]

log = logging.getLogger(__name__)

#: Columns of the ``dead_zones`` layer, in order (geometry last).
DEAD_ZONE_COLUMNS: tuple[str, ...] = (
    "zone_id", "rank", "commune_code", "commune_name", "district_code", "technology",
    "operator", "area_km2", "population", "nearest_tower_km", "nearest_fiber_km",
)


def dead_zones(
    communes: gpd.GeoDataFrame,
    coverage: CoverageResult,
    population: Raster | str | os.PathLike | None,
    *,
    technology: str = DeadZonesConfig.technology,
    operator: str = ANY_OPERATOR,
    min_area_km2: float = DeadZonesConfig.min_area_km2,
    towers: gpd.GeoDataFrame | None = None,
    fiber: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Dead-zone polygons of one technology and operator, ranked by population.

    Parameters
    ----------
    communes
        Commune polygons with ``commune_code`` and ``district_code``; not modified.
        (The argument order is that of :func:`geotel.indicators.commune_indicators`:
        communes, coverage, population.)
    coverage
        The coverage prediction.
    population
        People per cell on the coverage grid (see
        :func:`geotel.population.population_surface`); None when the population is
        unknown: ``population`` is then null and the zones are ranked by area.
    technology
        ``"2G"``, ``"3G"``, ``"4G"`` or ``"5G"``; it must be in ``coverage``.
    operator
        ``"any"`` (no operator reaches the cell) or one operator (that operator does not).
    min_area_km2
        Zones smaller than this (after clipping to the commune) are dropped as slivers.
    towers, fiber
        Existing towers and fiber routes (any CRS). For one operator, only its towers
        (or towers it shares, ``shared_by``) count. Distances are NaN without them.

    Returns
    -------
    GeoDataFrame
        Layer ``dead_zones`` in the communes' CRS, columns :data:`DEAD_ZONE_COLUMNS`;
        ``rank`` 1 holds the most people and ``zone_id`` follows the rank
        (``"4G-any-0001"``). ``area_km2`` is measured in an equal-area CRS.

    Examples
    --------
    >>> import geopandas as gpd, numpy as np, pandas as pd
    >>> from affine import Affine
    >>> from shapely.geometry import box
    >>> from geotel.raster import Raster
    >>> t = Affine(100, 0, 500000, 0, -100, 1500000)
    >>> sig = np.full((20, 20), -80, np.float32); sig[:, 10:] = -120
    >>> cov = CoverageResult(t, "EPSG:32649", (20, 20), {("4G", "Viettel"): sig},
    ...                      {("4G", "Viettel"): np.zeros((20, 20), np.int32)}, pd.DataFrame())
    >>> pop = Raster(np.ones((20, 20), np.float32), t, "EPSG:32649")
    >>> c = gpd.GeoDataFrame({"commune_code": ["1"], "district_code": ["9"]},
    ...     geometry=[box(500000, 1498000, 502000, 1500000)], crs=32649)
    >>> dz = dead_zones(c, cov, pop)
    >>> dz[["zone_id", "area_km2", "population"]].round(2).values.tolist()
    [['4G-any-0001', 2.0, 200.0]]
    """
    grid = grid_of(coverage, "the coverage grid")
    ctx = _Context.build(coverage, population, communes, grid, towers, fiber)
    return _zones(ctx, technology, operator, min_area_km2)


def dead_zones_all_operators(
    communes: gpd.GeoDataFrame,
    coverage: CoverageResult,
    population: Raster | str | os.PathLike | None,
    *,
    technology: str = DeadZonesConfig.technology,
    operators: Sequence[str] | None = None,
    min_area_km2: float = DeadZonesConfig.min_area_km2,
    towers: gpd.GeoDataFrame | None = None,
    fiber: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Dead zones for ``"any"`` and then for each operator, in one layer.

    ``operators`` defaults to the operators in ``coverage``. The rows of each operator
    keep their own ranking; ``zone_id`` is unique across the layer.

    Examples
    --------
    >>> import geopandas as gpd, numpy as np, pandas as pd
    >>> from affine import Affine
    >>> from shapely.geometry import box
    >>> from geotel.raster import Raster
    >>> t = Affine(100, 0, 500000, 0, -100, 1500000)
    >>> a = np.full((20, 20), -80, np.float32); a[:, 10:] = -120
    >>> b = np.full((20, 20), -120, np.float32)
    >>> idx = np.zeros((20, 20), np.int32)
    >>> cov = CoverageResult(t, "EPSG:32649", (20, 20),
    ...     {("4G", "Viettel"): a, ("4G", "MobiFone"): b},
    ...     {("4G", "Viettel"): idx, ("4G", "MobiFone"): idx}, pd.DataFrame())
    >>> pop = Raster(np.ones((20, 20), np.float32), t, "EPSG:32649")
    >>> c = gpd.GeoDataFrame({"commune_code": ["1"], "district_code": ["9"]},
    ...     geometry=[box(500000, 1498000, 502000, 1500000)], crs=32649)
    >>> dead_zones_all_operators(c, cov, pop)[["operator", "population"]].values.tolist()
    [['any', 200.0], ['MobiFone', 400.0], ['Viettel', 200.0]]
    """
    grid = grid_of(coverage, "the coverage grid")
    ctx = _Context.build(coverage, population, communes, grid, towers, fiber)
    ops = list(operators) if operators is not None else list(coverage.operators)
    parts = [
        _zones(ctx, technology, op, min_area_km2)
        for op in tqdm([ANY_OPERATOR, *[o for o in ops if o != ANY_OPERATOR]],
                       desc=f"dead zones {technology}", disable=None, leave=False)
    ]
    out = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=communes.crs)


class _Context:
    """What every (technology, operator) run shares: grid, labels, population, layers."""

    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(kw)

    @classmethod
    def build(cls, coverage: CoverageResult, population: Any, communes: gpd.GeoDataFrame,
              grid: Grid, towers: gpd.GeoDataFrame | None,
              fiber: gpd.GeoDataFrame | None) -> _Context:
        known = population is not None
        pop = (check_aligned(as_raster(population), grid, "the population raster") if known
               else np.zeros(grid.shape))
        labels = commune_labels(communes, grid)
        return cls(
            coverage=coverage, grid=grid, pop=np.nan_to_num(pop, nan=0.0), labels=labels,
            known_pop=known,
            communes=communes,
            geoms=valid_polygons(to_grid_crs(communes, grid, "communes").array),
            codes=np.array(text_column(communes, "commune_code"), dtype=object),
            names=np.array(text_column(communes, "commune_name"), dtype=object),
            districts=np.array(text_column(communes, "district_code"), dtype=object),
            ea_crs=layer_equal_area_crs(communes),
            towers=None if towers is None else _tower_table(towers, grid),
            fiber=None if fiber is None else to_grid_crs(fiber, grid, "fiber").array,
        )


def _zones(ctx: Any, technology: str, operator: str, min_area_km2: float) -> gpd.GeoDataFrame:
    cov: CoverageResult = ctx.coverage
    if technology not in TECHNOLOGIES or technology not in cov.technologies:
        raise ValueRangeError(
            f"technology '{technology}' is not in the coverage result "
            f"(it has {', '.join(cov.technologies) or 'none'})",
            column="technology", fix=f"use one of {', '.join(cov.technologies)}")
    if operator != ANY_OPERATOR and operator not in (*OPERATORS, *cov.operators):
        raise ValueRangeError(f"unknown operator '{operator}'", column="operator",
                              fix=f"use 'any' or one of {', '.join(OPERATORS)}")
    if min_area_km2 < 0:
        raise ValueRangeError("min_area_km2 is negative", column="min_area_km2",
                              fix="give 0 or more")
    grid: Grid = ctx.grid
    labels: np.ndarray = ctx.labels
    dead = ~cov.covered(technology, operator) & (labels >= 0)
    zone, nz = _components(dead, labels)
    inside = zone >= 0
    zl = zone[inside]
    cells = np.bincount(zl, minlength=nz)
    people = np.bincount(zl, weights=ctx.pop[inside], minlength=nz)
    commune = np.zeros(nz, np.int64)
    commune[zl] = labels[inside]
    # Cheap pre-filter on the grid's own cell area (a margin for projection scale).
    keep = cells * grid.cell_area_m2 / 1e6 * 1.1 >= min_area_km2
    kept = np.flatnonzero(keep)
    remap = np.full(max(nz, 1), -1, np.int32)
    remap[kept] = np.arange(kept.size, dtype=np.int32)
    zone = np.where(inside, remap[np.maximum(zone, 0)], -1).astype(np.int32)
    geoms = _polygons(zone, kept.size, grid)
    geoms = _clip(geoms, ctx.geoms[commune[kept]])
    out = gpd.GeoDataFrame(
        {
            "commune_code": ctx.codes[commune[kept]],
            "commune_name": ctx.names[commune[kept]],
            "district_code": ctx.districts[commune[kept]],
            "technology": technology,
            "operator": operator,
            "population": people[kept] if ctx.known_pop else np.nan,
        },
        geometry=gpd.GeoSeries(geoms, crs=grid.crs),
    )
    out["area_km2"] = equal_area_km2(out, ctx.ea_crs)
    out = out[(out["area_km2"] >= min_area_km2) & (out["area_km2"] > 0)]
    out["nearest_tower_km"] = _nearest_km(out.geometry.array, _tower_geoms(ctx.towers, operator))
    out["nearest_fiber_km"] = _nearest_km(out.geometry.array, ctx.fiber)
    out = out.sort_values(["population", "area_km2"] if ctx.known_pop else ["area_km2"],
                          ascending=False, kind="stable")
    out = out.reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1, dtype=np.int64)
    out["zone_id"] = [f"{technology}-{operator}-{r:04d}" for r in out["rank"]]
    out = out[[*DEAD_ZONE_COLUMNS, "geometry"]].to_crs(ctx.communes.crs)
    log.info("dead zones %s/%s: %d zones, %.1f km², %.0f people", technology, operator,
             len(out), out["area_km2"].sum(), out["population"].sum())
    return out


def _components(dead: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, int]:
    """4-connected components of ``dead`` cells that never cross a label boundary."""
    flat = np.flatnonzero(dead)
    m = flat.size
    zone = np.full(dead.shape, -1, np.int64)
    if m == 0:
        return zone, 0
    idx = np.full(dead.shape, -1, np.int64)
    idx.flat[flat] = np.arange(m)
    h = dead[:, :-1] & dead[:, 1:] & (labels[:, :-1] == labels[:, 1:])
    v = dead[:-1, :] & dead[1:, :] & (labels[:-1, :] == labels[1:, :])
    a = np.concatenate([idx[:, :-1][h], idx[:-1, :][v]])
    b = np.concatenate([idx[:, 1:][h], idx[1:, :][v]])
    graph = coo_matrix((np.ones(a.size, np.int8), (a, b)), shape=(m, m))
    nz, comp = connected_components(graph, directed=False)
    zone.flat[flat] = comp
    return zone, int(nz)


def _polygons(zone: np.ndarray, n: int, grid: Grid) -> np.ndarray:
    """One polygon per zone label 0..n-1 (label rasters polygonised with 4-connectivity)."""
    out = np.empty(n, dtype=object)
    if n == 0:
        return out
    parts: dict[int, list[shapely.Geometry]] = {}
    for geom, value in rasterio.features.shapes(zone, mask=zone >= 0, connectivity=4,
                                                transform=grid.transform):
        parts.setdefault(int(value), []).append(shape(geom))
    for k, polys in parts.items():
        out[k] = polys[0] if len(polys) == 1 else shapely.union_all(polys)
    return out


def _clip(geoms: np.ndarray, communes: np.ndarray) -> np.ndarray:
    """Clip zones to their commune polygon, keeping polygonal parts only."""
    if geoms.size == 0:
        return geoms
    clipped = shapely.intersection(geoms, communes, grid_size=None)
    polygonal = np.isin(shapely.get_type_id(clipped), (3, 6))
    for i in np.flatnonzero(~polygonal):
        polys = [p for p in shapely.get_parts(clipped[i]) if p.geom_type == "Polygon"]
        clipped[i] = shapely.multipolygons(polys) if polys else shapely.Polygon()
    return clipped


def _tower_table(towers: gpd.GeoDataFrame, grid: Grid) -> gpd.GeoDataFrame:
    """Operator, shared_by and location (grid CRS) of the towers."""
    cols = {c: towers[c].fillna("").astype(str).to_numpy()
            for c in ("operator", "shared_by") if c in towers.columns}
    return gpd.GeoDataFrame(cols, geometry=to_grid_crs(towers, grid, "towers").array,
                            crs=grid.crs)


def _tower_geoms(towers: gpd.GeoDataFrame | None, operator: str) -> np.ndarray | None:
    if towers is None:
        return None
    if operator == ANY_OPERATOR or "operator" not in towers.columns:
        return towers.geometry.array
    ops = towers["operator"].astype(str)
    shared = towers["shared_by"].astype(str) if "shared_by" in towers.columns else ""
    mine = (ops == operator) | pd.Series(shared, index=towers.index).str.contains(
        operator, regex=False, na=False)
    return towers.geometry.array[mine.to_numpy()]


def _nearest_km(geoms: Any, targets: Any) -> np.ndarray:
    """Distance (km, metric CRS) from each geometry to the nearest target; NaN if none."""
    n = len(geoms)
    if targets is None:
        return np.full(n, np.nan)
    targets = np.asarray(targets, dtype=object)
    targets = targets[~(shapely.is_missing(targets) | shapely.is_empty(targets))]
    if n == 0 or targets.size == 0:
        return np.full(n, np.nan)
    tree = shapely.STRtree(targets)
    (src, _), dist = tree.query_nearest(np.asarray(geoms, dtype=object), return_distance=True,
                                        all_matches=False)
    out = np.full(n, np.nan)
    out[src] = dist / 1000.0
    return out
