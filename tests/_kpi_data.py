"""Constructed coverage results, grids and the real communes in canonical columns.

Shared by test_population, test_deadzones, test_indicators and test_tables.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from affine import Affine
from rasterio.crs import CRS

from geotel._zonal import Grid
from geotel.coverage.result import CoverageResult
from geotel.raster import Raster
from tests._real import real_communes

__all__ = [
    "UTM",
    "disc_coverage",
    "flat_population",
    "grid_over",
    "make_coverage",
    "make_grid",
    "real_communes",
]

UTM = CRS.from_epsg(32649)
X0, Y0 = 500_000.0, 1_550_000.0  # on UTM 49N's central meridian (scale factor 0.9996)


def make_grid(rows: int, cols: int, res_m: float = 100.0) -> Grid:
    return Grid(Affine(res_m, 0, X0, 0, -res_m, Y0), UTM, (rows, cols))


def make_coverage(grid: Grid, covered: dict[tuple[str, str], np.ndarray],
                  thresholds: dict[str, float] | None = None) -> CoverageResult:
    """A CoverageResult whose masks are exactly ``covered`` (True = covered)."""
    sig = {k: np.where(v, -60.0, -130.0).astype(np.float32) for k, v in covered.items()}
    idx = {k: np.where(v, 0, -1).astype(np.int32) for k in covered for v in [covered[k]]}
    return CoverageResult(grid.transform, grid.crs, grid.shape, sig, idx, pd.DataFrame(),
                          thresholds or {"2G": -95.0, "3G": -95.0, "4G": -105.0, "5G": -105.0})


def flat_population(grid: Grid, per_cell: float = 1.0) -> Raster:
    return Raster(np.full(grid.shape, per_cell, np.float32), grid.transform, grid.crs,
                  units="people")


def grid_over(gdf: gpd.GeoDataFrame, res_m: float) -> Grid:
    """A UTM 49N grid covering a layer."""
    b = gdf.to_crs(UTM).total_bounds
    left, top = np.floor(b[0] / res_m) * res_m, np.ceil(b[3] / res_m) * res_m
    shape = (int(np.ceil((top - b[1]) / res_m)), int(np.ceil((b[2] - left) / res_m)))
    return Grid(Affine(res_m, 0, left, 0, -res_m, top), UTM, shape)


def disc_coverage(grid: Grid, centres_xy: np.ndarray, radius_m: dict[str, float],
                  operators: tuple[str, ...] = ("Viettel", "VinaPhone")) -> CoverageResult:
    """Coverage = discs around centres; operator k gets every other centre from k."""
    rows, cols = np.indices(grid.shape)
    t = grid.transform
    x, y = t.c + (cols + 0.5) * t.a, t.f + (rows + 0.5) * t.e
    covered = {}
    for k, op in enumerate(operators):
        pts = centres_xy[k :: len(operators)]
        for tech, r in radius_m.items():
            m = np.zeros(grid.shape, bool)
            for px, py in pts:
                m |= (x - px) ** 2 + (y - py) ** 2 <= r * r
            covered[(tech, op)] = m
    return make_coverage(grid, covered)
