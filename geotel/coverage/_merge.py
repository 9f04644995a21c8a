"""Numba kernels that turn path loss into received power (private).

Each sector adds its boresight EIRP and its 3GPP TR 36.814 antenna pattern (its own
front-to-back ratio, vertical beamwidth and side-lobe level) to the loss of its site's
window; :func:`merge_site` keeps the best server per cell.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

__all__: list[str] = []


@njit(cache=True)
def antenna_gain(dphi_deg: float, theta_deg: float, beamwidth_deg: float, tilt_deg: float,
                 fbr_db: float, vbeam_deg: float, sla_db: float) -> float:
    """3GPP TR 36.814 sector pattern relative to boresight (dB, <= 0)."""
    a_h = 0.0
    if beamwidth_deg < 360.0:
        x = dphi_deg
        while x > 180.0:
            x -= 360.0
        while x < -180.0:
            x += 360.0
        a_h = min(12.0 * (x / beamwidth_deg) ** 2, fbr_db)
    a_v = min(12.0 * ((theta_deg - tilt_deg) / vbeam_deg) ** 2, sla_db)
    return -min(a_h + a_v, fbr_db)


@njit(cache=True)
def _bearing(i: int, j: int, rs: int, cs: int, dx: float, dy: float,
             dmin: float) -> tuple[float, float]:
    """Bearing (deg from north) and horizontal distance from the site to cell (i, j)."""
    ex = (j - cs) * dx
    ny = (rs - i) * dy
    return math.degrees(math.atan2(ex, ny)), max(math.sqrt(ex * ex + ny * ny), dmin)


@njit(cache=True)
def _gains(ant: np.ndarray, zc: float, phi: float, dist: float, out: np.ndarray) -> None:
    """Gain of each antenna a = (z_tx, azimuth, beamwidth, tilt, front_to_back_db,
    vertical_beamwidth_deg, side_lobe_db) towards one cell."""
    for a in range(ant.shape[0]):
        theta = math.degrees(math.atan2(ant[a, 0] - zc, dist))
        out[a] = antenna_gain(phi - ant[a, 1], theta, ant[a, 2], ant[a, 3], ant[a, 4],
                              ant[a, 5], ant[a, 6])


@njit(cache=True, parallel=True)
def site_signals(loss: np.ndarray, zwin: np.ndarray, rs: int, cs: int, dx: float, dy: float,
                 rx_h: float, ant: np.ndarray, fidx: np.ndarray, aidx: np.ndarray,
                 eirp: np.ndarray, out: np.ndarray) -> None:
    """out[m] = EIRP + antenna gain - loss for each entry m of one site (NaN kept).

    ant[a] = (antenna elevation z_tx, azimuth_deg, beamwidth_deg, tilt_deg,
    front_to_back_db, vertical_beamwidth_deg, side_lobe_db): each sector's own pattern;
    entry m uses antenna aidx[m], loss row fidx[m] and eirp[m]."""
    h, w = zwin.shape
    dmin = 0.5 * min(dx, dy)
    for i in prange(h):
        gain = np.empty(ant.shape[0])
        for j in range(w):
            phi, dist = _bearing(i, j, rs, cs, dx, dy, dmin)
            _gains(ant, zwin[i, j] + rx_h, phi, dist, gain)
            for m in range(fidx.size):
                out[m, i, j] = eirp[m] + gain[aidx[m]] - loss[fidx[m], i, j]


@njit(cache=True, parallel=True)
def merge_site(loss: np.ndarray, zwin: np.ndarray, rs: int, cs: int, dx: float, dy: float,
               rx_h: float, ant: np.ndarray, fidx: np.ndarray, aidx: np.ndarray,
               eirp: np.ndarray, key: np.ndarray, sid: np.ndarray,
               best: np.ndarray, index: np.ndarray, r0: int, c0: int) -> None:
    """Best-server merge of every entry of one site into best[key] / index[key].

    Arguments as :func:`site_signals`; best, index: (n_keys, H, W); the window's
    top-left cell is (r0, c0)."""
    h, w = zwin.shape
    dmin = 0.5 * min(dx, dy)
    for i in prange(h):
        gain = np.empty(ant.shape[0])
        for j in range(w):
            if loss[0, i, j] != loss[0, i, j]:
                continue
            phi, dist = _bearing(i, j, rs, cs, dx, dy, dmin)
            _gains(ant, zwin[i, j] + rx_h, phi, dist, gain)
            for m in range(fidx.size):
                s = eirp[m] + gain[aidx[m]] - loss[fidx[m], i, j]
                k = key[m]
                b = best[k, r0 + i, c0 + j]
                if not (b >= s):  # NaN-aware: b is NaN or lower
                    best[k, r0 + i, c0 + j] = s
                    index[k, r0 + i, c0 + j] = sid[m]
