"""The one ray traversal of the radial sweep (private numba kernels).

Geometry
--------
A site sits at the centre of cell ``(r0, c0)``. Its square window of half-size ``n``
cells is swept by ``8 n`` rays cast to the window's perimeter. Ray ``p`` of the
column-major families advances one column per step ``k`` and ``k p / n`` rows (the
row-major families swap the axes). Each cell of Chebyshev ring ``k`` is *owned* by the
single ray passing nearest its centre (``p = round(y n / k)``), so every cell of the
window is computed exactly once, without write races, and rays run in parallel.

Along a ray the terrain is sampled at every step by linear interpolation across the
minor axis. :func:`walk_ray` does this walk once for every model: it returns the
sampled profile (heights at distances ``k * step``) and the cells the ray owns, each
with the step it belongs to, so that a kernel sees, for a cell at step ``k``, the
terrain samples ``1 .. k - 1`` between the site and the cell. The line-of-sight,
Hata + Deygout and ITM kernels (:mod:`geotel.coverage._sweep`) all consume it.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["ray_buffers", "walk_ray"]


@njit(cache=True)
def _ray_setup(q: int, n: int) -> tuple[int, int, int, int]:
    """(family, p, dmaj_sign, col_major) of ray q in [0, 8n)."""
    if q < 2 * n + 1:
        return 0, q - n, 1, 1
    q -= 2 * n + 1
    if q < 2 * n + 1:
        return 1, q - n, -1, 1
    q -= 2 * n + 1
    if q < 2 * n - 1:
        return 2, q - (n - 1), 1, 0
    q -= 2 * n - 1
    return 3, q - (n - 1), -1, 0


@njit(cache=True)
def _owner(y: int, k: int, n: int) -> int:
    """The ray owning minor offset y at step k: round-half-up of y n / k."""
    return (2 * y * n + k) // (2 * k)


@njit(cache=True)
def _sample(z: np.ndarray, major: int, t: float, col_major: int) -> float:
    """Height at (major, t) interpolated across the minor axis; NaN outside the grid."""
    h, w = z.shape
    i0 = math.floor(t)
    f = t - i0
    if col_major:
        if major < 0 or major >= w or i0 < 0 or i0 >= h:
            return np.nan
        a = z[i0, major]
        if f > 0.0 and i0 + 1 < h:
            return a * (1.0 - f) + z[i0 + 1, major] * f
        return a
    if major < 0 or major >= h or i0 < 0 or i0 >= w:
        return np.nan
    a = z[major, i0]
    if f > 0.0 and i0 + 1 < w:
        return a * (1.0 - f) + z[major, i0 + 1] * f
    return a


@njit(cache=True)
def ray_buffers(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Work arrays of one ray: samples (n + 1), owned cells (2n + 2, 3), their distances."""
    return np.empty(n + 1), np.empty((2 * n + 2, 3), np.int64), np.empty(2 * n + 2)


@njit(cache=True)
def walk_ray(z: np.ndarray, r0: int, c0: int, n: int, dx: float, dy: float, max_d: float,
             q: int, zs: np.ndarray, cells: np.ndarray,
             cell_d: np.ndarray) -> tuple[int, int, float]:
    """Walk ray q of the site at (r0, c0): its terrain samples and the cells it owns.

    Returns ``(nk, nc, step_m)``: ``zs[k]`` (k = 1 .. nk) is the terrain at distance
    ``k * step_m`` along the ray (``zs[0]`` is the site's cell); ``cells[j] = (row, col,
    k)`` for j < nc are the owned cells in increasing step k, with their horizontal
    distance ``cell_d[j]`` from the site. The walk stops before the first step beyond
    ``max_d`` (plus 1.5 cells) or whose sample is nodata; owned cells farther than
    ``max_d``, outside the grid or on nodata are left out."""
    h, w = z.shape
    fam, p, sgn, colmaj = _ray_setup(q, n)
    slope = p / n
    dmaj = dx if colmaj else dy
    dmin = dy if colmaj else dx
    step_d = math.sqrt(dmaj * dmaj + (slope * dmin) ** 2)
    reach = 1.5 * max(dx, dy)
    zs[0] = z[r0, c0]
    nk = 0
    nc = 0
    for k in range(1, n + 1):
        major = (c0 if colmaj else r0) + sgn * k
        if k * step_d - reach > max_d:
            break
        zk = _sample(z, major, (r0 if colmaj else c0) + k * slope, colmaj)
        if not np.isfinite(zk):
            break
        tk = k * slope + 0.5
        y1 = math.floor(tk)
        for y in (y1 - 1, y1):
            if y < y1 and tk != y1:  # the lower cell is a candidate only on a tie
                continue
            if abs(y) > k or (fam >= 2 and abs(y) == k) or _owner(y, k, n) != p:
                continue
            if colmaj:
                rr, cc = r0 + y, major
            else:
                rr, cc = major, c0 + y
            if rr < 0 or rr >= h or cc < 0 or cc >= w:
                continue
            dist = math.sqrt(((cc - c0) * dx) ** 2 + ((rr - r0) * dy) ** 2)
            if dist > max_d or not np.isfinite(z[rr, cc]):
                continue
            cells[nc, 0] = rr
            cells[nc, 1] = cc
            cells[nc, 2] = k
            cell_d[nc] = dist
            nc += 1
        zs[k] = zk
        nk = k
    return nk, nc, step_d
