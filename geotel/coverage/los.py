"""Line of sight (viewshed) over a DEM by a parallel radial sweep.

See :mod:`geotel.coverage._sweep` for the method: rays cast from the observer to the
perimeter of its window, each cell owned by the ray passing nearest its centre, a
running maximum of the elevation slope along each ray, Earth curvature with
refraction (``k = 4/3``).
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from geotel.coverage import _sweep
from geotel.coverage._inputs import check_height, prepare_dem
from geotel.errors import StudyAreaError, ValueRangeError
from geotel.propagation import EARTH_RADIUS_M, REFRACTION_K
from geotel.raster import Raster

__all__ = ["line_of_sight"]


def line_of_sight(
    dem: Raster | str | os.PathLike | Any,
    observer_xy: tuple[float, float],
    *,
    observer_height_m: float,
    target_height_m: float,
    max_distance_m: float,
    curvature: bool = True,
    refraction_k: float = REFRACTION_K,
) -> Raster:
    """Cells visible from an observer: a boolean raster aligned with the DEM.

    A cell is visible when its centre, raised by ``target_height_m``, is not below the
    horizon seen from the observer along the ray to it. The observer stands at the
    centre of the cell holding ``observer_xy`` (as gdal_viewshed does).

    Parameters
    ----------
    dem
        A :class:`~geotel.raster.Raster`, a path or an open rasterio dataset, in a
        metric CRS. Nodata regions at the edge of the grid hide what lies behind them;
        enclosed nodata holes are an error.
    observer_xy
        Observer position (x, y) in the DEM's CRS.
    observer_height_m, target_height_m
        Heights above ground (m), ≥ 0.
    max_distance_m
        Cells farther than this are not visible (False).
    curvature
        Lower distant terrain by ``d^2 / (2 k R)`` (Earth curvature with refraction).
        gdal_viewshed's equivalent is ``-cc 1/k`` (0.75 for k = 4/3).
    refraction_k
        Effective Earth-radius factor.

    Returns
    -------
    Raster
        ``bool`` values, same grid as the DEM, units ``"1 = visible"``.

    Raises
    ------
    CRSError
        The DEM is not in a metric CRS.
    StudyAreaError
        The observer lies outside the DEM or on a nodata cell.
    ValueRangeError
        Negative heights or distance; nodata holes in the DEM.

    Examples
    --------
    >>> import numpy as np
    >>> from affine import Affine
    >>> flat = Raster(np.zeros((101, 101), "float32"), Affine(100, 0, 0, 0, -100, 10100),
    ...               "EPSG:32649")
    >>> vis = line_of_sight(flat, (5050, 5050), observer_height_m=10, target_height_m=1.5,
    ...                     max_distance_m=4000)
    >>> int(vis.values.sum()), bool(vis.values[50, 50]), bool(vis.values[0, 0])
    (5025, True, False)
    """
    r = prepare_dem(dem)
    h_obs = check_height(observer_height_m, "observer_height_m")
    h_tgt = check_height(target_height_m, "target_height_m")
    max_d = float(max_distance_m)
    if not math.isfinite(max_d) or max_d < 0:
        raise ValueRangeError(f"max_distance_m = {max_distance_m!r} must be >= 0",
                              column="max_distance_m", fix="give a distance in metres")
    if refraction_k <= 0:
        raise ValueRangeError("refraction_k must be > 0", column="refraction_k",
                              fix="use 4/3 for the standard atmosphere")
    row, col = (int(v) for v in r.rowcol(observer_xy[0], observer_xy[1]))
    h, w = r.shape
    if not (0 <= row < h and 0 <= col < w) or not np.isfinite(r.values[row, col]):
        raise StudyAreaError(
            f"observer ({observer_xy[0]:.0f}, {observer_xy[1]:.0f}) lies outside the DEM "
            f"or on a nodata cell", column="observer_xy",
            fix=f"give coordinates in the DEM's CRS ({r.crs}) inside its bounds {r.bounds}")
    dx, dy = abs(r.transform.a), abs(r.transform.e)
    n = min(math.ceil(max_d / min(dx, dy)) + 1,
            max(row, h - 1 - row, col, w - 1 - col))
    curv = 1.0 / (2.0 * refraction_k * EARTH_RADIUS_M) if curvature else 0.0
    out = np.zeros((h, w), dtype=np.uint8)
    if n >= 1:
        _sweep.viewshed(r.values, row, col, n, dx, dy, h_obs, h_tgt, max_d, curv, out)
    elif max_d >= 0:
        out[row, col] = 1
    return Raster(out.view(bool), r.transform, r.crs, units="1 = visible", name="visible")
