"""Terrain factor of straight off-road legs: surface length over plan length, from a DEM."""

from __future__ import annotations

import numpy as np
from pyproj import CRS, Transformer

from geotel.raster import Raster

__all__ = ["terrain_factor"]


def terrain_factor(
    a_xy: np.ndarray, b_xy: np.ndarray, crs: CRS, dem: Raster | None, *, samples: int = 24
) -> np.ndarray:
    """Ratio (≥ 1) of the ground-surface length to the straight plan length of each leg.

    The DEM is sampled at ``samples`` points along each leg (nearest cell; cells outside
    the DEM or without data count as flat). Without a DEM every factor is 1.
    """
    n = len(a_xy)
    if dem is None or n == 0:
        return np.ones(n)
    f = np.linspace(0.0, 1.0, samples)
    pts = a_xy[:, None, :] + (b_xy - a_xy)[:, None, :] * f[None, :, None]  # (n, s, 2)
    x, y = pts[..., 0].ravel(), pts[..., 1].ravel()
    if dem.crs is not None and CRS.from_user_input(dem.crs) != crs:
        tr = Transformer.from_crs(crs, CRS.from_user_input(dem.crs), always_xy=True)
        x, y = tr.transform(x, y)
    rows, cols = dem.rowcol(np.asarray(x), np.asarray(y))
    h, w = dem.shape
    inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
    z = np.full(rows.shape, np.nan)
    z[inside] = dem.values[rows[inside], cols[inside]]
    if dem.nodata is not None:
        z[z == dem.nodata] = np.nan
    z = np.reshape(z, (n, samples))
    finite = np.isfinite(z)
    count = finite.sum(axis=1, keepdims=True)
    mean = np.where(finite, z, 0.0).sum(axis=1, keepdims=True) / np.maximum(count, 1)
    z = np.where(finite, z, mean)
    plan = np.hypot(*(b_xy - a_xy).T)
    step = plan / (samples - 1)
    surface = np.sqrt(step[:, None] ** 2 + np.diff(z, axis=1) ** 2).sum(axis=1)
    out = np.ones(n)
    ok = plan > 0
    out[ok] = np.maximum(1.0, surface[ok] / plan[ok])
    return out
