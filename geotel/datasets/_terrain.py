"""Synthetic DEM of the demo province: smooth large-scale relief through public control
points, plus seeded fractal detail whose strength follows the terrain.

The 90 m DEM is built first; the 30 m DEM is the 90 m one refined (bilinear ×3) plus
finer detail, so both resolutions describe the same hills.
"""

from __future__ import annotations

import numpy as np
from scipy.interpolate import RBFInterpolator, RectBivariateSpline

from geotel.datasets._facts import Grid, grid, relief_points
from geotel.datasets._noise import periodic_tile, spectral_field

__all__ = ["make_dem", "roughness_m", "smooth_relief", "upsample3"]

_COARSE_M = 2_700.0
_MIN_ELEV_M = 90.0
_MAX_ELEV_M = 1_800.0


def smooth_relief(g: Grid) -> np.ndarray:
    """Large-scale elevation (m, float32) on grid ``g``: thin-plate spline through the
    control points, evaluated on a 2.7 km grid and splined to ``g``."""
    pts = relief_points()
    rbf = RBFInterpolator(
        np.c_[pts["x"], pts["y"]] / 1_000.0, pts["elevation_m"].to_numpy(float),
        kernel="thin_plate_spline", smoothing=2.0,
    )
    coarse = grid(_COARSE_M)
    cx, cy = coarse.centres()
    xx, yy = np.meshgrid(cx / 1_000.0, cy / 1_000.0)
    z = rbf(np.c_[xx.ravel(), yy.ravel()]).reshape(xx.shape)
    z = np.clip(z, _MIN_ELEV_M, _MAX_ELEV_M)
    # RectBivariateSpline wants increasing coordinates: flip the rows (y decreases).
    spline = RectBivariateSpline(cy[::-1], cx, z[::-1], kx=3, ky=3)
    gx, gy = g.centres()
    out = spline(gy[::-1], gx, grid=True)[::-1]
    return np.clip(out, _MIN_ELEV_M, _MAX_ELEV_M).astype(np.float32)


def roughness_m(smooth: np.ndarray, cell_m: float) -> np.ndarray:
    """Standard deviation (m) of the fractal detail: small in valleys and on the
    plateau, large on escarpments and in the highlands."""
    gy, gx = np.gradient(smooth, cell_m)
    slope_m_per_km = np.hypot(gx, gy) * 1_000.0
    h = smooth
    a = (6.0 + 0.035 * np.maximum(h - 150.0, 0.0) + 0.05 * np.maximum(h - 900.0, 0.0)
         + 0.6 * slope_m_per_km)
    return a.astype(np.float32)


def upsample3(a: np.ndarray) -> np.ndarray:
    """Bilinear refinement by exactly 3 (cell centres of the fine grid), float32."""

    def along0(x: np.ndarray) -> np.ndarray:
        pad = np.concatenate([x[:1], x, x[-1:]], axis=0)
        out = np.empty((3 * x.shape[0], *x.shape[1:]), np.float32)
        out[0::3] = (pad[:-2] + 2.0 * pad[1:-1]) / 3.0
        out[1::3] = x
        out[2::3] = (2.0 * pad[1:-1] + pad[2:]) / 3.0
        return out

    return along0(along0(a.astype(np.float32, copy=False)).T).T.copy()


def make_dem(resolution_m: int, *, smooth: np.ndarray | None = None) -> np.ndarray:
    """The demo DEM (m, float32, 0.1 m steps) at 90 or 30 m on :func:`grid`.

    ``smooth``: :func:`smooth_relief` on the 90 m grid, when already computed.
    """
    g90 = grid(90.0)
    if smooth is None:
        smooth = smooth_relief(g90)
    rough = roughness_m(smooth, 90.0)
    detail = spectral_field(g90.shape, 90.0, name="dem-90", beta=3.2,
                            min_wavelength_m=180.0, max_wavelength_m=25_000.0)
    dem = smooth + rough * detail
    if resolution_m == 30:
        fine = spectral_field((2048, 2048), 30.0, name="dem-30", beta=3.0,
                              min_wavelength_m=60.0, max_wavelength_m=360.0)
        dem = upsample3(dem)
        dem += 0.12 * upsample3(rough) * periodic_tile(dem.shape, fine)
    elif resolution_m != 90:
        raise ValueError(f"resolution_m must be 90 or 30, not {resolution_m}")
    np.clip(dem, _MIN_ELEV_M * 0.8, None, out=dem)
    return np.round(dem, 1).astype(np.float32)
