"""Private helpers shared by the population, dead-zone and indicator steps.

A *grid* is anything with ``transform``, ``crs`` and ``shape`` (a
:class:`~geotel.raster.Raster`, a :class:`~geotel.coverage.result.CoverageResult`, or a
:class:`Grid`). Communes are burnt into a label raster (row position, -1 outside), and
zonal sums are ``np.bincount`` over those labels.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.features
import shapely
from affine import Affine
from pyproj import CRS as ProjCRS
from rasterio.crs import CRS

from geotel._crs import equal_area_crs
from geotel.errors import CRSError, InputError
from geotel.raster import Raster

__all__ = [
    "Grid",
    "bool_column",
    "check_aligned",
    "commune_labels",
    "commune_labels_text",
    "equal_area_km2",
    "grid_of",
    "is_official_code",
    "layer_equal_area_crs",
    "text_column",
    "to_grid_crs",
    "valid_polygons",
    "zonal_sum",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Grid:
    """A metric raster grid: affine transform, CRS and (rows, cols)."""

    transform: Affine
    crs: CRS
    shape: tuple[int, int]

    @property
    def cell_area_m2(self) -> float:
        return float(abs(self.transform.a * self.transform.e - self.transform.b * self.transform.d))

    @property
    def resolution_m(self) -> float:
        return float(abs(self.transform.a))


def grid_of(grid_like: Any, what: str = "the grid") -> Grid:
    """The :class:`Grid` of a Raster, a CoverageResult or a Grid; it must be metric."""
    try:
        transform, crs, shape = grid_like.transform, grid_like.crs, tuple(grid_like.shape)
    except AttributeError:
        raise InputError(
            f"{what} is a {type(grid_like).__name__}, not a grid",
            fix="pass a geotel Raster, a CoverageResult or a geotel._zonal.Grid",
        ) from None
    crs = CRS.from_user_input(crs) if crs else None
    probe = Raster(np.zeros((1, 1), np.uint8), transform, crs)
    probe.require_metric(what)
    if abs(transform.b) > 1e-9 or abs(transform.d) > 1e-9:
        raise InputError(f"{what} is rotated", fix="use a north-up grid")
    return Grid(transform, crs, (int(shape[0]), int(shape[1])))


def to_grid_crs(gdf: gpd.GeoDataFrame, grid: Grid, layer: str) -> gpd.GeoSeries:
    """The geometries of ``gdf`` in the grid's CRS (``gdf`` is not modified)."""
    if gdf.crs is None:
        raise CRSError(f"the {layer} layer has no CRS", feature=None,
                       fix="set it with gdf.set_crs(...) or read it with geotel.io")
    geoms = gdf.geometry
    if CRS.from_user_input(gdf.crs) != grid.crs:
        geoms = geoms.to_crs(grid.crs)
    return geoms


def commune_labels(communes: gpd.GeoDataFrame, grid: Grid) -> np.ndarray:
    """int32 raster of the communes' row positions (-1 outside every commune).

    A cell belongs to the commune that holds its centre. A commune too small to hold
    any cell centre gets the cell under its representative point, so that no commune
    (and none of its population) is lost on a coarse grid.
    """
    geoms = to_grid_crs(communes, grid, "communes").array
    n = len(geoms)
    rows, cols = grid.shape
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    shapes = [(g, i) for i, g in enumerate(geoms) if valid[i]]
    if not shapes:
        return np.full(grid.shape, -1, np.int32)
    labels = rasterio.features.rasterize(
        shapes, out_shape=grid.shape, transform=grid.transform, fill=-1, dtype="int32"
    )
    counts = np.bincount(labels[labels >= 0], minlength=n)
    small = np.flatnonzero((counts == 0) & valid)
    if small.size:
        pts = shapely.point_on_surface(geoms[small])
        t = grid.transform  # north-up (checked by grid_of)
        c = np.floor((shapely.get_x(pts) - t.c) / t.a).astype(np.int64)
        r = np.floor((shapely.get_y(pts) - t.f) / t.e).astype(np.int64)
        inside = (r >= 0) & (r < rows) & (c >= 0) & (c < cols)
        labels[r[inside], c[inside]] = small[inside]
        if (~inside).any():
            log.warning("%d commune(s) lie outside the grid; they get no cells",
                        int((~inside).sum()))
    return labels


def zonal_sum(labels: np.ndarray, values: np.ndarray | None, n: int) -> np.ndarray:
    """Sum of ``values`` (or cell count when None) per label 0..n-1; NaN counts as 0."""
    sel = labels >= 0
    if values is None:
        return np.bincount(labels[sel], minlength=n)[:n].astype(np.float64)
    v = np.asarray(values, np.float64)[sel]
    v = np.where(np.isnan(v), 0.0, v)
    return np.bincount(labels[sel], weights=v, minlength=n)[:n]


def layer_equal_area_crs(gdf: gpd.GeoDataFrame) -> ProjCRS:
    """The equal-area CRS (:func:`geotel._crs.equal_area_crs`) centred on a layer."""
    if gdf.crs is None:
        raise CRSError("the layer has no CRS, so its area cannot be measured",
                       fix="set it with gdf.set_crs(...)")
    return equal_area_crs(gdf.crs, gdf.total_bounds)


def equal_area_km2(gdf: gpd.GeoDataFrame, crs: ProjCRS | None = None) -> np.ndarray:
    """Area of every feature in km² in an equal-area CRS (0 for empty geometries)."""
    if len(gdf) == 0:
        return np.zeros(0)
    ea = crs or layer_equal_area_crs(gdf)
    area = gdf.geometry.to_crs(ea).area.to_numpy(dtype=float) / 1e6
    return np.nan_to_num(area, nan=0.0)


def check_aligned(raster: Raster, grid: Grid, what: str) -> np.ndarray:
    """The values of ``raster`` as float64 after checking it lies on ``grid``."""
    same_crs = raster.crs == grid.crs
    same = (
        same_crs
        and tuple(raster.shape) == tuple(grid.shape)
        and np.allclose(tuple(raster.transform)[:6], tuple(grid.transform)[:6], atol=1e-6)
    )
    if not same:
        raise InputError(
            f"{what} is not on the coverage grid (shape {raster.shape} vs {grid.shape}, "
            f"CRS {raster.crs} vs {grid.crs})",
            fix="build it with geotel.population.population_surface(communes, coverage)",
        )
    values = np.asarray(raster.values, np.float64)
    if raster.nodata is not None and not np.issubdtype(raster.values.dtype, np.floating):
        values = np.where(raster.values == raster.nodata, np.nan, values)
    return values


def is_official_code(code: str) -> bool:
    """Whether a commune code is an official 5-digit GSO code (not '', not 'NOCODE-7')."""
    return len(code) == 5 and code.isdigit()


def commune_labels_text(communes: gpd.GeoDataFrame) -> list[str]:
    """A readable label per commune: its official code, else row number and name."""
    out = []
    codes = _text(communes, "commune_code")
    names = _text(communes, "commune_name")
    for i, (c, n) in enumerate(zip(codes, names, strict=True)):
        out.append(c if is_official_code(c) else f"row {i + 1}" + (f" ({n})" if n else ""))
    return out


def _text(gdf: pd.DataFrame, col: str) -> list[str]:
    if col not in gdf.columns:
        return [""] * len(gdf)
    return [
        "" if v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() in
        ("", "nan", "None", "<NA>") else str(v).strip()
        for v in gdf[col].tolist()
    ]


def text_column(gdf: pd.DataFrame, col: str) -> list[str]:
    """A column as clean strings ('' for missing); '' for every row when it is absent."""
    return _text(gdf, col)


def bool_column(gdf: pd.DataFrame, col: str) -> pd.Series:
    """A yes/no column as a nullable boolean Series (positional index).

    Missing values, and every row when the column is absent, are ``<NA>`` (unknown):
    a fact no input gives is never a default yes or no.

    Examples
    --------
    >>> df = pd.DataFrame({"has_radio_station": [True, "không", None, "có"]})
    >>> bool_column(df, "has_radio_station").tolist()
    [True, False, <NA>, True]
    >>> bool_column(df, "has_postal_point").isna().all()
    np.True_
    """
    out = pd.Series(pd.NA, index=range(len(gdf)), dtype="boolean")
    if col not in gdf.columns:
        return out
    yes = {"true", "1", "yes", "có", "co", "x", "1.0"}
    no = {"false", "0", "no", "không", "khong", "0.0"}
    for i, v in enumerate(gdf[col].tolist()):
        if isinstance(v, bool | np.bool_):
            out.iloc[i] = bool(v)
        elif v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            continue
        else:
            s = str(v).strip().lower()
            if s in yes:
                out.iloc[i] = True
            elif s in no:
                out.iloc[i] = False
            elif s in ("", "nan", "<na>", "none"):
                continue
            else:
                raise InputError(f"value '{v}' is not yes/no", feature=f"row {i + 1}",
                                 column=col, fix="write true/false (or có/không); leave it "
                                 "empty when unknown")
    return out


def valid_polygons(geoms: Any) -> np.ndarray:
    """A copy of polygon geometries with the invalid ones repaired (polygonal parts kept)."""
    arr = np.array(geoms, dtype=object)
    present = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    bad = present & ~shapely.is_valid(arr)
    if bad.any():
        fixed = shapely.make_valid(arr[bad])
        for j, g in enumerate(fixed):
            if g.geom_type not in ("Polygon", "MultiPolygon"):
                polys = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon"]
                fixed[j] = shapely.multipolygons(polys) if polys else shapely.Polygon()
        arr[bad] = fixed
    return arr
