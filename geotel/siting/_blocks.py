"""Block aggregation of grids for the coarse screening matrix (private).

A ``f`` × ``f`` block of the fine grid becomes one cell of the coarse grid, anchored at
the fine grid's top-left corner; the last row and column of blocks may be partial.
The DEM is averaged over its valid cells (NaN only where a whole block is NaN);
people are summed.
"""

from __future__ import annotations

import numpy as np
from affine import Affine
from scipy import ndimage

from geotel.raster import Raster

__all__ = ["block_mean_dem", "block_sum", "grid_factor"]


def grid_factor(resolution_m: float | None, cell_m: float) -> int:
    """Whole number of fine cells per coarse cell side for a target resolution (>= 1)."""
    if resolution_m is None or resolution_m <= cell_m:
        return 1
    return max(1, round(resolution_m / cell_m))


def _padded(values: np.ndarray, f: int, fill: float) -> np.ndarray:
    h, w = values.shape
    hb, wb = -(-h // f), -(-w // f)
    out = np.full((hb * f, wb * f), fill, np.float64)
    out[:h, :w] = values
    return out.reshape(hb, f, wb, f)


def block_sum(values: np.ndarray, f: int) -> np.ndarray:
    """Sum of each ``f`` × ``f`` block (NaN counts as 0)."""
    v = np.nan_to_num(np.asarray(values, np.float64), nan=0.0)
    if f == 1:
        return v
    return _padded(v, f, 0.0).sum(axis=(1, 3))


def block_mean_dem(dem: Raster, f: int) -> Raster:
    """The DEM averaged over ``f`` × ``f`` blocks, on the coarse grid.

    Blocks with no valid cell are NaN; such blocks that the coarse grid encloses (a
    narrow nodata channel to the edge at the fine resolution) get the nearest valid
    block's height, so the radio engine sees no voids.
    """
    if f == 1:
        return dem
    z = np.asarray(dem.values, np.float64)
    valid = np.isfinite(z)
    blocks = _padded(np.where(valid, z, 0.0), f, 0.0).sum(axis=(1, 3))
    count = _padded(valid.astype(np.float64), f, 0.0).sum(axis=(1, 3))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, blocks / np.maximum(count, 1.0), np.nan)
    missing = ~np.isfinite(mean)
    if missing.any() and not missing.all():
        labels, _ = ndimage.label(missing)
        edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
        holes = missing & ~np.isin(labels, edge)
        if holes.any():
            idx = ndimage.distance_transform_edt(missing, return_distances=False,
                                                 return_indices=True)
            mean[holes] = mean[tuple(i[holes] for i in idx)]
    return Raster(mean.astype(np.float32), dem.transform @ Affine.scale(f, f), dem.crs,
                  units=dem.units or "m", name=dem.name)
