"""Numba kernels of the radial sweep (private): line of sight and path loss.

Every kernel walks the rays of :func:`geotel.coverage._ray.walk_ray` (the geometry is
described there) and turns, for each owned cell, the profile between the site and the
cell into a result.

Heights are reduced by the Earth drop ``d^2 / (2 k R)`` seen from the site,
which makes "height above the direct path" the same as with the usual Earth bulge
``d1 d2 / (2 k R)``. A running maximum of the elevation slope gives line of sight;
an upper convex hull of the samples (the taut string over the terrain) gives the
diffraction edges in O(log n) per cell:

* obstructed cell: the edges are the hull vertices between the tangent from the site
  and the tangent from the receiver (Deygout picks the principal edge among them and
  one edge in each sub-path; Bullington intersects the two tangents);
* line-of-sight cell: the hull vertex closest to the direct path (largest height above
  it) is the only candidate edge (Fresnel-zone intrusion).

The ITM kernel hands the whole profile of each cell (site, ray samples, the cell) to
the Longley-Rice point-to-point model of :mod:`geotel.coverage._itm`."""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from geotel.coverage import _itm
from geotel.coverage._ray import ray_buffers, walk_ray

__all__: list[str] = []

_C_M_S = 299_792_458.0
_NONE = -1.0e30  # geometric factor meaning "no edge"


@njit(cache=True)
def _j_exact(v: float) -> float:
    if v <= -0.78:
        return 0.0
    t = v - 0.1
    return 6.9 + 20.0 * math.log10(math.sqrt(t * t + 1.0) + t)


# J(v) tabulated on [-0.78, 40] (step 0.005): linear interpolation is within 1e-4 dB
_J_V0 = -0.78
_J_STEP = 0.005
_J_N = 8157
_J_TABLE = np.array([_j_exact.py_func(_J_V0 + i * _J_STEP) for i in range(_J_N)])
# Deygout's weight of the secondary edges, T = 1 - exp(-J(v_p) / 6), on the same grid
_T_TABLE = 1.0 - np.exp(-_J_TABLE / 6.0)


@njit(cache=True)
def _j_db(v: float) -> float:
    if v <= _J_V0:
        return 0.0
    x = (v - _J_V0) / _J_STEP
    i = int(x)
    if i >= _J_N - 1:
        return _j_exact(v)
    f = x - i
    return _J_TABLE[i] * (1.0 - f) + _J_TABLE[i + 1] * f


# ----------------------------------------------------------------------------- viewshed


@njit(cache=True, parallel=True)
def viewshed(z: np.ndarray, r0: int, c0: int, n: int, dx: float, dy: float,
             tx_h: float, rx_h: float, max_d: float, curv: float, out: np.ndarray) -> None:
    """Line of sight from cell (r0, c0) to every cell within max_d; writes 1 in out."""
    z_tx = z[r0, c0] + tx_h
    if max_d >= 0.0:
        out[r0, c0] = 1
    for q in prange(8 * n):
        zs, cells, cell_d = ray_buffers(n)
        nk, ncell, step_d = walk_ray(z, r0, c0, n, dx, dy, max_d, q, zs, cells, cell_d)
        best = -np.inf
        j = 0
        for k in range(1, nk + 1):
            while j < ncell and cells[j, 2] == k:
                rr, cc, dist = cells[j, 0], cells[j, 1], cell_d[j]
                s_t = (z[rr, cc] + rx_h - curv * dist * dist - z_tx) / dist
                if s_t >= best:
                    out[rr, cc] = 1
                j += 1
            dk = k * step_d
            s_k = (zs[k] - curv * dk * dk - z_tx) / dk
            if s_k > best:
                best = s_k


# ------------------------------------------------------------------------ path loss


@njit(cache=True)
def _first_below(hd: np.ndarray, hz: np.ndarray, lo: int, hi: int, s: float) -> int:
    """First hull index j in [lo, hi] whose outgoing edge slope is <= s (else hi).

    On an upper hull that vertex is the one farthest above a line of slope s."""
    while lo < hi:
        mid = (lo + hi) // 2
        e = (hz[mid + 1] - hz[mid]) / (hd[mid + 1] - hd[mid])
        if e <= s:
            hi = mid
        else:
            lo = mid + 1
    return lo


@njit(cache=True)
def _rx_tangent(hd: np.ndarray, hz: np.ndarray, lo: int, hi: int, d: float, zr: float) -> int:
    """Hull vertex in [lo, hi] touched by the tangent from the receiver (d, zr)."""
    while lo < hi:
        mid = (lo + hi) // 2
        e = (hz[mid + 1] - hz[mid]) / (hd[mid + 1] - hd[mid])
        s = (zr - hz[mid]) / (d - hd[mid])
        if e <= s:
            hi = mid
        else:
            lo = mid + 1
    return lo


@njit(cache=True)
def _g(d0: float, z0: float, d1: float, z1: float, dv: float, zv: float) -> float:
    """Geometric Fresnel factor of vertex (dv, zv) on the path (d0,z0)->(d1,z1): v*sqrt(λ)."""
    length = d1 - d0
    a = dv - d0
    b = d1 - dv
    if a <= 0.0 or b <= 0.0:
        return _NONE
    hgt = zv - (z0 + (z1 - z0) * a / length)
    return hgt * math.sqrt(2.0 * length / (a * b))


@njit(cache=True)
def _edges(hd: np.ndarray, hz: np.ndarray, nh: int, ia: int, z_tx: float, d: float,
           zr: float, visible: bool, method: int) -> tuple[float, float, float]:
    """Geometric factors (principal, tx-side, rx-side) of the diffraction edges."""
    if nh == 0:
        return _NONE, _NONE, _NONE
    s_tr = (zr - z_tx) / d
    if visible:
        j = _first_below(hd, hz, 0, nh - 1, s_tr)
        return _g(0.0, z_tx, d, zr, hd[j], hz[j]), _NONE, _NONE
    ib = _rx_tangent(hd, hz, ia, nh - 1, d, zr)
    if method == 2:  # Bullington: crossing of the two horizon rays
        s_tim = (hz[ia] - z_tx) / hd[ia]
        s_rim = (hz[ib] - zr) / (d - hd[ib])
        den = s_tim + s_rim
        if den <= 0.0:
            return _NONE, _NONE, _NONE
        db = (zr - z_tx + s_rim * d) / den
        if db <= 0.0 or db >= d:
            return _NONE, _NONE, _NONE
        return _g(0.0, z_tx, d, zr, db, z_tx + s_tim * db), _NONE, _NONE
    # Deygout: principal edge among the taut-string vertices ia..ib
    im = ia
    gp = _NONE
    for j in range(ia, ib + 1):
        g = _g(0.0, z_tx, d, zr, hd[j], hz[j])
        if g > gp:
            gp = g
            im = j
    gt = _NONE
    if im > ia:
        for j in range(ia, im):
            g = _g(0.0, z_tx, hd[im], hz[im], hd[j], hz[j])
            if g > gt:
                gt = g
    elif im > 0:
        j = _first_below(hd, hz, 0, im - 1, (hz[im] - z_tx) / hd[im])
        gt = _g(0.0, z_tx, hd[im], hz[im], hd[j], hz[j])
    gr = _NONE
    if im < ib:
        for j in range(im + 1, ib + 1):
            g = _g(hd[im], hz[im], d, zr, hd[j], hz[j])
            if g > gr:
                gr = g
    elif im < nh - 1:
        j = _first_below(hd, hz, im + 1, nh - 1, (zr - hz[im]) / (d - hd[im]))
        gr = _g(hd[im], hz[im], d, zr, hd[j], hz[j])
    return gp, gt, gr


@njit(cache=True)
def _diffraction_db(gp: float, gt: float, gr: float, inv_sqrt_lam: float, d_km: float) -> float:
    if gp <= _NONE:
        return 0.0
    lp = _j_db(gp * inv_sqrt_lam)
    if lp <= 0.0:
        return 0.0
    lt = _j_db(gt * inv_sqrt_lam) if gt > _NONE else 0.0
    lr = _j_db(gr * inv_sqrt_lam) if gr > _NONE else 0.0
    if lt <= 0.0 and lr <= 0.0:
        return lp
    x = (gp * inv_sqrt_lam - _J_V0) / _J_STEP
    i = int(x)
    if i >= _J_N - 1:
        weight = 1.0 - math.exp(-lp / 6.0)
    else:
        f = x - i
        weight = _T_TABLE[i] * (1.0 - f) + _T_TABLE[i + 1] * f
    return lp + weight * (lt + lr + 10.0 + 0.04 * d_km)


@njit(cache=True)
def _write_loss(out: np.ndarray, rr: int, cc: int, dist: float, g: np.ndarray,
                c_t: np.ndarray, fspl_a: np.ndarray, inv_sqrt_lam: np.ndarray,
                hata_a: np.ndarray, hata_b: np.ndarray, method: int) -> None:
    d_km = max(dist, 1.0) / 1000.0
    ld = math.log10(d_km)
    for c in range(hata_a.size):
        loss = max(hata_a[c] + hata_b[c] * ld, fspl_a[c] + 20.0 * ld)
        if method > 0:
            t = c_t[c]
            loss += _diffraction_db(g[t, 0], g[t, 1], g[t, 2], inv_sqrt_lam[c], d_km)
        out[c, rr, cc] = loss


@njit(cache=True, parallel=True)
def path_loss(z: np.ndarray, r0: int, c0: int, n: int, dx: float, dy: float,
              tx_h: np.ndarray, rx_h: float, max_d: float, curv: float, c_t: np.ndarray,
              c_freq: np.ndarray, hata_a: np.ndarray, hata_b: np.ndarray, method: int,
              wr0: int, wc0: int, out: np.ndarray) -> None:
    """Path loss (dB) from the site at (r0, c0) into out[c, row-wr0, col-wc0].

    One sweep serves every antenna height tx_h[t] of the site and every combination c of
    height c_t[c] and frequency c_freq[c] (Hata coefficients hata_a[c] + hata_b[c] log d).
    method: 0 = Hata only, 1 = Hata + Deygout, 2 = Hata + Bullington. Cells beyond
    max_d or behind a nodata cell keep their value (NaN)."""
    nt = tx_h.size
    nc = c_t.size
    z_tx = np.empty(nt)
    for t in range(nt):
        z_tx[t] = z[r0, c0] + tx_h[t]
    fspl_a = np.empty(nc)
    inv_sqrt_lam = np.empty(nc)
    for c in range(nc):
        fspl_a[c] = 32.44 + 20.0 * math.log10(c_freq[c])
        inv_sqrt_lam[c] = math.sqrt(c_freq[c] * 1e6 / _C_M_S)
    g0 = np.full((nt, 3), _NONE)
    _write_loss(out, r0 - wr0, c0 - wc0, 0.5 * min(dx, dy), g0, c_t, fspl_a, inv_sqrt_lam,
                hata_a, hata_b, 0)
    for q in prange(8 * n):
        zs, cells, cell_d = ray_buffers(n)
        nk, ncell, step_d = walk_ray(z, r0, c0, n, dx, dy, max_d, q, zs, cells, cell_d)
        hd = np.empty(n + 1)
        hz = np.empty(n + 1)
        g = np.full((nt, 3), _NONE)
        ia = np.zeros(nt, np.int64)
        best = np.full(nt, -np.inf)
        nh = 0
        j = 0
        for k in range(1, nk + 1):
            while j < ncell and cells[j, 2] == k:
                rr, cc, dist = cells[j, 0], cells[j, 1], cell_d[j]
                zr = z[rr, cc] + rx_h - curv * dist * dist
                if method > 0:
                    for t in range(nt):
                        visible = (zr - z_tx[t]) / dist >= best[t]
                        g[t, 0], g[t, 1], g[t, 2] = _edges(hd, hz, nh, ia[t], z_tx[t], dist,
                                                           zr, visible, method)
                _write_loss(out, rr - wr0, cc - wc0, dist, g, c_t, fspl_a, inv_sqrt_lam,
                            hata_a, hata_b, method)
                j += 1
            # push the sample onto the upper hull; track each height's horizon vertex
            dk = k * step_d
            zk = zs[k] - curv * dk * dk
            while nh >= 2 and (hz[nh - 1] - hz[nh - 2]) * (dk - hd[nh - 2]) <= \
                    (zk - hz[nh - 2]) * (hd[nh - 1] - hd[nh - 2]):
                nh -= 1
            hd[nh] = dk
            hz[nh] = zk
            nh += 1
            for t in range(nt):
                s_k = (zk - z_tx[t]) / dk
                if s_k >= best[t]:
                    best[t] = s_k
                    ia[t] = nh - 1
                elif ia[t] >= nh:
                    ia[t] = nh - 1


# ------------------------------------------------------------------------------- ITM

_ITM_WORK = 256  # dlthx resamples the profile to at most 245 points


@njit(cache=True, parallel=True)
def path_loss_itm(z: np.ndarray, r0: int, c0: int, n: int, dx: float, dy: float,
                  tx_h: np.ndarray, rx_h: float, max_d: float, c_t: np.ndarray,
                  c_freq: np.ndarray, par: np.ndarray, wr0: int, wc0: int,
                  out: np.ndarray) -> None:
    """ITM point-to-point loss (dB) from the site at (r0, c0) into out[c, row-wr0, col-wc0].

    Arguments as :func:`path_loss`; par are the ITM parameters of
    :func:`geotel.coverage._itm.loss_db`. The profile of a cell at step k is the site's
    cell, the ray's samples 1 .. k-1 and the cell itself, evenly spaced over the cell's
    distance. The site's own cell gets the loss at half a cell over flat ground."""
    nt = tx_h.size
    ncmb = c_t.size
    ens, gme = par[0], par[1]
    klim, mdvar = int(par[5]), int(par[6])
    zgnd = np.empty(ncmb, np.complex128)
    wn = np.empty(ncmb)
    for c in range(ncmb):
        wn[c] = c_freq[c] / 47.7
        zgnd[c] = _itm.ground_impedance(wn[c], par[2], par[3], par[4] > 0.5)
    s0 = np.empty(_ITM_WORK)
    flat = np.full(2, z[r0, c0])
    for c in range(ncmb):
        out[c, r0 - wr0, c0 - wc0] = _itm.loss_db(flat, 1, 0.5 * min(dx, dy), tx_h[c_t[c]],
                                                  rx_h, c_freq[c], par, s0)[0]
    for q in prange(8 * n):
        zs, cells, cell_d = ray_buffers(n)
        _nk, ncell, _step_d = walk_ray(z, r0, c0, n, dx, dy, max_d, q, zs, cells, cell_d)
        s = np.empty(_ITM_WORK)
        for j in range(ncell):
            rr, cc, k, dist = cells[j, 0], cells[j, 1], cells[j, 2], cell_d[j]
            sample = zs[k]
            zs[k] = z[rr, cc]
            xi = dist / k
            for t in range(nt):
                dh, he0, he1, dl0, dl1, the0, the1 = _itm.prepare(zs, k, xi, tx_h[t], rx_h,
                                                                  gme, s)
                for c in range(ncmb):
                    if c_t[c] != t:
                        continue
                    aref = _itm.reference_db(dist, tx_h[t], rx_h, wn[c], ens, gme, zgnd[c],
                                             dh, he0, he1, dl0, dl1, the0, the1)[0]
                    a = _itm.variability_db(aref, dist, he0, he1, wn[c], dh, klim, mdvar,
                                            par[7], par[8], par[9])
                    out[c, rr - wr0, cc - wc0] = 20.0 * math.log10(2.0 * wn[c] * dist) + a
            zs[k] = sample
