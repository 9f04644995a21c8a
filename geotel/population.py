"""Population surface on the analysis grid: a resampled raster, or a dasymetric spread.

Two ways, one result (a :class:`~geotel.raster.Raster` of people per cell on the grid):

* **A population raster is given** (e.g. WorldPop): it is resampled to the grid as a
  density, then rescaled commune by commune so that every commune keeps exactly the
  number of people the source raster puts inside it.
* **Otherwise, dasymetric**: each commune's ``population`` is spread over its cells with
  weights that favour cells near roads and on gentle slopes::

      weight = (1 + road_weight * exp(-road_distance_m / road_decay_m))
               * clip(1 - slope_deg / max_slope_deg, 0, 1) ** slope_weight

  Commune totals stay exact. ``road_weight = 0`` or ``slope_weight = 0`` switch a term
  off; a commune whose every cell is too steep falls back to a uniform spread.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.features
import rasterio.warp
from rasterio.enums import Resampling
from scipy import ndimage

from geotel._zonal import (
    Grid,
    commune_labels,
    equal_area_km2,
    grid_of,
    to_grid_crs,
    zonal_sum,
)
from geotel.config import PopulationConfig
from geotel.errors import SchemaError, ValueRangeError
from geotel.raster import Raster, as_raster

__all__ = ["district_shares", "population_surface", "road_distance_m", "slope_deg"]

log = logging.getLogger(__name__)

_AUTHALIC_RADIUS_M = 6_371_007.2


def population_surface(
    communes: gpd.GeoDataFrame,
    grid_like: Any,
    *,
    raster: Raster | str | os.PathLike | None = None,
    roads: gpd.GeoDataFrame | None = None,
    dem: Raster | str | os.PathLike | None = None,
    road_weight: float = PopulationConfig.road_weight,
    road_decay_m: float = PopulationConfig.road_decay_m,
    slope_weight: float = PopulationConfig.slope_weight,
    max_slope_deg: float = PopulationConfig.max_slope_deg,
    population_column: str = "population",
    district_totals: pd.DataFrame | None = None,
    district_weight: Literal["area", "column", "dasymetric"] = "dasymetric",
    weight_column: str | None = None,
) -> Raster:
    """People per cell on the grid of ``grid_like``.

    Parameters
    ----------
    communes
        Commune polygons (any CRS); with ``raster=None`` their ``population_column``
        is spread. Not modified.
    grid_like
        The target grid: a :class:`~geotel.raster.Raster`, a
        :class:`~geotel.coverage.result.CoverageResult` or a ``geotel._zonal.Grid``;
        its CRS must be metric.
    raster
        A population raster (people per cell, any CRS), e.g. a WorldPop GeoTIFF.
        When given, roads, dem and the weights are not used.
    roads
        Road lines (any CRS) for the nearness-to-road weight.
    dem
        Elevation (m), any grid; resampled bilinearly to the grid for the slope weight.
    road_weight, road_decay_m, slope_weight, max_slope_deg
        Dasymetric weights, see the module docstring.
    population_column
        Column of ``communes`` holding the number of people.
    district_totals, district_weight, weight_column
        District totals (``district_code``, ``name_key``, ``population``; see
        :func:`geotel.io.population.read_district_population`) to spread instead of a
        commune column: see :func:`district_shares`. Within each commune the people are
        then spread dasymetrically as usual.

    Returns
    -------
    Raster
        float32 people per cell, units ``"people"``, tag ``method`` = ``raster`` or
        ``dasymetric``. Cells outside every commune are 0 (dasymetric).

    Raises
    ------
    CRSError
        The grid is not metric, or a layer has no CRS.
    SchemaError
        The population column is missing (dasymetric).
    ValueRangeError
        Negative population or weights out of range.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from affine import Affine
    >>> from shapely.geometry import box
    >>> from geotel._zonal import Grid
    >>> grid = Grid(Affine(100, 0, 0, 0, -100, 1000), "EPSG:32649", (10, 10))
    >>> communes = gpd.GeoDataFrame({"population": [500, 300]},
    ...     geometry=[box(0, 0, 500, 1000), box(500, 0, 1000, 1000)], crs=32649)
    >>> pop = population_surface(communes, grid)
    >>> round(float(pop.values.sum())), round(float(pop.values[:, :5].sum()))
    (800, 500)
    """
    grid = grid_of(grid_like, "the population grid")
    labels = commune_labels(communes, grid)
    n = len(communes)
    if raster is not None:
        values = _from_raster(as_raster(raster), communes, grid, labels)
        method = "raster"
    else:
        _check_weights(road_weight, road_decay_m, slope_weight, max_slope_deg)
        weights = np.ones(grid.shape, np.float64)
        if roads is not None and road_weight > 0 and len(roads):
            dist = road_distance_m(roads, grid)
            weights *= 1.0 + road_weight * np.exp(-dist / road_decay_m)
        if dem is not None and slope_weight > 0:
            slope = slope_deg(_on_grid(as_raster(dem), grid), grid.resolution_m)
            flat = np.clip(1.0 - slope / max_slope_deg, 0.0, 1.0)
            weights *= np.where(np.isnan(flat), 1.0, flat) ** slope_weight
        if district_totals is not None:
            people = district_shares(communes, district_totals, weight=district_weight,
                                     weight_column=weight_column,
                                     cell_weights=zonal_sum(labels, weights, n))
            method = f"district totals by {district_weight}, dasymetric"
        else:
            people = _commune_population(communes, population_column)
            method = "dasymetric"
        values = _spread(people, labels, weights, n)
    total = float(values.sum())
    log.info("population surface (%s): %.0f people on %s cells", method, total, grid.shape)
    return Raster(values.astype(np.float32), grid.transform, grid.crs, units="people",
                  name="population", tags={"method": method})


def district_shares(
    communes: gpd.GeoDataFrame,
    district_totals: pd.DataFrame,
    *,
    weight: Literal["area", "column", "dasymetric"] = "area",
    weight_column: str | None = None,
    cell_weights: np.ndarray | None = None,
) -> np.ndarray:
    """People per commune: each district's total shared among its communes.

    A commune finds its district's total by ``district_code``, else by the district's
    name (diacritics and type words ignored). The shares go by equal-area ``area``, by
    a ``column`` of relative weights (``weight_column``, e.g. an old census), or
    ``dasymetric``: by ``cell_weights``, each commune's sum of the dasymetric cell
    weights (road nearness, gentle slope).

    Raises
    ------
    SchemaError
        A commune's district has no total, or the weight column is missing.
    ValueRangeError
        Negative or missing weights.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely.geometry import box
    >>> c = gpd.GeoDataFrame({"district_code": ["622", "622", "623"],
    ...     "district_name": ["Pleiku", "Pleiku", "An Khê"]},
    ...     geometry=[box(0, 0, 1000, 1000), box(1000, 0, 4000, 1000),
    ...               box(0, 2000, 1000, 3000)], crs=32649)
    >>> t = pd.DataFrame({"district_code": ["622", ""], "name_key": ["pleiku", "an khe"],
    ...                   "population": [4000.0, 500.0]})
    >>> district_shares(c, t, weight="area").round().tolist()
    [1000.0, 3000.0, 500.0]
    """
    from geotel.io.population import match_districts

    n = len(communes)
    codes = communes["district_code"] if "district_code" in communes else [""] * n
    names = communes["district_name"] if "district_name" in communes else [""] * n
    row = match_districts(codes, names, district_totals)
    if (row < 0).any():
        i = int(np.flatnonzero(row < 0)[0])
        label = list(names)[i] or list(codes)[i]
        raise SchemaError(f"the district of commune row {i + 1} ({label}) has no population "
                          "total", feature=f"row {i + 1}", column="district_population",
                          fix="add the district to the district totals")
    key = row
    total = district_totals["population"].to_numpy(float)[row]
    if weight == "area":
        w = equal_area_km2(communes)
    elif weight == "column":
        if not weight_column or weight_column not in communes.columns:
            raise SchemaError(f"no weight column {weight_column!r} in the communes layer",
                              column="population.weight_column",
                              fix="name a column of relative weights, or use weight='area'")
        w = pd.to_numeric(communes[weight_column], errors="coerce").to_numpy(float)
    elif weight == "dasymetric":
        if cell_weights is None:
            raise ValueRangeError("weight='dasymetric' needs cell_weights", column="weight",
                                  fix="call population_surface, which computes them")
        w = np.asarray(cell_weights, float)
    else:
        raise ValueRangeError(f"weight = {weight!r} is not area, column or dasymetric",
                              column="population.district_weight",
                              fix="use area, column or dasymetric")
    if np.isnan(w).any() or (w < 0).any():
        i = int(np.flatnonzero(np.isnan(w) | (w < 0))[0])
        raise ValueRangeError(f"weight {w[i]} of commune row {i + 1} is missing or negative",
                              feature=f"row {i + 1}", column=weight_column or weight,
                              fix="give every commune a weight of 0 or more")
    sums = pd.Series(w).groupby(key).transform("sum").to_numpy(float)
    count = pd.Series(w).groupby(key).transform("size").to_numpy(float)
    share = np.where(sums > 0, w / np.where(sums > 0, sums, 1.0), 1.0 / count)
    return total * share


def road_distance_m(roads: gpd.GeoDataFrame, grid_like: Any) -> np.ndarray:
    """Distance (m) from every cell centre to the nearest road cell on the grid.

    Roads are burnt with ``all_touched``; roads outside the grid are not seen.
    Without any road cell the distance is infinite everywhere.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from affine import Affine
    >>> from shapely.geometry import LineString
    >>> from geotel._zonal import Grid
    >>> grid = Grid(Affine(100, 0, 0, 0, -100, 500), "EPSG:32649", (5, 5))
    >>> roads = gpd.GeoDataFrame(geometry=[LineString([(50, 0), (50, 500)])], crs=32649)
    >>> road_distance_m(roads, grid)[0].tolist()
    [0.0, 100.0, 200.0, 300.0, 400.0]
    """
    grid = grid_of(grid_like, "the road-distance grid")
    geoms = to_grid_crs(roads, grid, "roads").array
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    mask = np.zeros(grid.shape, bool)
    if geoms:
        mask = rasterio.features.rasterize(
            geoms, out_shape=grid.shape, transform=grid.transform, fill=0,
            default_value=1, all_touched=True, dtype="uint8"
        ).astype(bool)
    if not mask.any():
        log.warning("no road crosses the grid; the road weight is not used")
        return np.full(grid.shape, np.inf)
    res = (abs(grid.transform.e), abs(grid.transform.a))
    return ndimage.distance_transform_edt(~mask, sampling=res)


def slope_deg(elevation_m: np.ndarray, resolution_m: float) -> np.ndarray:
    """Slope in degrees from an elevation array (central differences, NaN kept).

    Examples
    --------
    >>> z = np.tile(np.arange(4.0) * 100.0, (3, 1))   # 100 m rise per 100 m cell
    >>> np.round(slope_deg(z, 100.0), 6)[1].tolist()
    [45.0, 45.0, 45.0, 45.0]
    """
    z = np.asarray(elevation_m, np.float64)
    if min(z.shape) < 2:
        return np.zeros_like(z)
    dzdy, dzdx = np.gradient(z, resolution_m, resolution_m)
    return np.degrees(np.arctan(np.hypot(dzdx, dzdy)))


def _check_weights(road_weight: float, road_decay_m: float, slope_weight: float,
                   max_slope_deg: float) -> None:
    checks = [
        ("road_weight", road_weight >= 0, "give 0 or more"),
        ("road_decay_m", road_decay_m > 0, "give a distance in metres above 0"),
        ("slope_weight", slope_weight >= 0, "give 0 or more"),
        ("max_slope_deg", 0 < max_slope_deg <= 90, "give an angle in degrees, 0–90"),
    ]
    for name, ok, fix in checks:
        if not ok:
            raise ValueRangeError(f"population.{name} is out of range", column=name, fix=fix)


def _commune_population(communes: gpd.GeoDataFrame, column: str) -> np.ndarray:
    if column not in communes.columns:
        raise SchemaError(
            f"the communes have no '{column}' column to spread",
            column=column,
            fix="add the population per commune, or give a population raster "
                "(inputs.population in the config)",
        )
    people = pd.to_numeric(communes[column], errors="coerce").to_numpy(dtype=float)
    blank = np.flatnonzero(np.isnan(people))
    if blank.size:  # unknown is not 0
        raise SchemaError(f"{blank.size} commune(s) have no {column} (first: row "
                          f"{blank[0] + 1})", feature=f"row {blank[0] + 1}", column=column,
                          fix="fill it in, or give district totals or a population raster")
    bad = np.flatnonzero(people < 0)
    if bad.size:
        raise ValueRangeError(f"negative population {people[bad[0]]:g}",
                              feature=f"row {bad[0] + 1}", column=column,
                              fix="give the number of people, 0 or more")
    return people


def _spread(people: np.ndarray, labels: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Spread each commune's people over its cells in proportion to ``weights``."""
    inside = labels >= 0
    lab = labels[inside]
    w = weights[inside]
    total_w = np.bincount(lab, weights=w, minlength=n)
    counts = np.bincount(lab, minlength=n)
    uniform = total_w[lab] <= 0  # every cell too steep: spread evenly instead
    share = np.where(uniform, 1.0 / np.maximum(counts[lab], 1), w / np.where(
        total_w[lab] > 0, total_w[lab], 1.0))
    out = np.zeros(labels.shape, np.float64)
    out[inside] = people[lab] * share
    lost = people[(counts == 0) & (people > 0)]
    if lost.size:
        log.warning("%d commune(s) outside the grid: %.0f people not placed",
                    lost.size, lost.sum())
    return out


def _cell_area_m2(r: Raster) -> np.ndarray | float:
    """Cell area of a raster in m²: per row for lon/lat grids, a scalar otherwise."""
    t = r.transform
    if r.crs is not None and r.crs.is_geographic:
        rows = np.arange(r.shape[0] + 1)
        lat = np.radians(t.f + t.e * rows)
        band = np.abs(np.diff(np.sin(lat)))
        area = _AUTHALIC_RADIUS_M**2 * abs(np.radians(t.a)) * band
        return area[:, None]
    factor = r.crs.linear_units_factor[1] if r.crs is not None and r.crs.is_projected else 1.0
    return abs(t.a * t.e - t.b * t.d) * factor**2


def _from_raster(src: Raster, communes: gpd.GeoDataFrame, grid: Grid,
                 labels: np.ndarray) -> np.ndarray:
    vals = np.asarray(src.values, np.float64)
    if src.nodata is not None and not np.issubdtype(src.values.dtype, np.floating):
        vals = np.where(src.values == src.nodata, np.nan, vals)
    if np.nanmin(vals, initial=0.0) < 0:
        raise ValueRangeError("the population raster holds negative values",
                              fix="set its nodata value (e.g. -99999 for WorldPop) or clip it")
    vals = np.nan_to_num(vals, nan=0.0)
    density = vals / _cell_area_m2(src)
    dst = np.full(grid.shape, np.nan, np.float64)
    rasterio.warp.reproject(
        density, dst, src_transform=src.transform, src_crs=src.crs,
        dst_transform=grid.transform, dst_crs=grid.crs, resampling=Resampling.average,
        src_nodata=np.nan, dst_nodata=np.nan,
    )
    out = np.nan_to_num(dst, nan=0.0) * grid.cell_area_m2
    # Conserve each commune's total as the source raster has it.
    n = len(communes)
    src_labels = commune_labels(communes, Grid(src.transform, src.crs, src.shape))
    want = zonal_sum(src_labels, vals, n)
    have = zonal_sum(labels, out, n)
    inside = labels >= 0
    lab = labels[inside]
    scale = np.where(have > 0, want / np.where(have > 0, have, 1.0), 0.0)
    cells = out[inside] * scale[lab]
    counts = np.bincount(lab, minlength=n)
    empty = (have <= 0) & (want > 0)  # resampling lost it: spread evenly
    cells = np.where(empty[lab], want[lab] / np.maximum(counts[lab], 1), cells)
    out[inside] = cells
    return out


def _on_grid(r: Raster, grid: Grid) -> np.ndarray:
    """A raster's values on ``grid`` (bilinear), NaN where it has none."""
    vals = np.asarray(r.values, np.float64)
    if r.nodata is not None and not np.issubdtype(r.values.dtype, np.floating):
        vals = np.where(r.values == r.nodata, np.nan, vals)
    if (r.crs == grid.crs and r.shape == grid.shape
            and np.allclose(tuple(r.transform)[:6], tuple(grid.transform)[:6])):
        return vals
    dst = np.full(grid.shape, np.nan, np.float64)
    rasterio.warp.reproject(
        vals, dst, src_transform=r.transform, src_crs=r.crs, dst_transform=grid.transform,
        dst_crs=grid.crs, resampling=Resampling.bilinear, src_nodata=np.nan, dst_nodata=np.nan,
    )
    return dst
