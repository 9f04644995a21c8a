"""Longley-Rice Irregular Terrain Model, point-to-point mode (private numba kernels).

The algorithm of ITM version 1.2.2 (G. A. Hufford, "The ITS Irregular Terrain Model,
version 1.2.2: the Algorithm", NTIA/ITS 1995, and its Fortran/C++ reference code),
written for numba so that the coverage sweep can call it for every cell of a ray:

- :func:`prepare` (``qlrpfl``): horizons (``hzns``), terrain irregularity ``Δh``
  (``dlthx``, with ``zlsq1`` and ``qtile``), effective heights, horizon distances and
  angles from the profile;
- :func:`reference_db` (``lrprop``): the reference attenuation below free space from
  the line-of-sight (``alos``), diffraction (``adiff``: knife edges, smooth Earth by the
  three-radii method ``fht``) and troposcatter (``ascat``, ``h0f``, ``ahd``) ranges;
- :func:`~geotel.coverage._itm_var.variability_db` (``avar``, in its own module): the
  quantile of the attenuation for the climate, the mode of variability and the
  standard normal deviates of reliability and confidence (0, 0 = the median).

The horizon search takes, for each terminal, the profile point of largest elevation
angle (as NTIA's ITM 1.4 and itmlogic do; the 1.2.2 code scans the receiver side only
after the first point that obstructs the transmitter, which can miss an obstacle next
to the receiver).

Distances and heights are in metres; ``wn = f_MHz / 47.7`` is the wave number (1/m).
"""

from __future__ import annotations

import cmath
import math

import numpy as np
from numba import njit

from geotel.coverage._itm_var import variability_db

__all__ = [
    "MODE_DIFFRACTION",
    "MODE_LOS",
    "MODE_SCATTER",
    "ground_impedance",
    "loss_db",
    "prepare",
    "reference_db",
    "variability_db",
]

MODE_LOS = 0
MODE_DIFFRACTION = 1
MODE_SCATTER = 2
_THIRD = 1.0 / 3.0

@njit(cache=True)
def ground_impedance(wn: float, eps: float, sgm: float, vertical: bool) -> complex:
    """Surface transfer impedance ``Z_g`` of the ground (``qlrps``)."""
    zq = complex(eps, 376.62 * sgm / wn)
    zg = cmath.sqrt(zq - 1.0)
    if vertical:
        zg = zg / zq
    return zg


# ------------------------------------------------------------------------ the profile


@njit(cache=True)
def _zlsq1(z: np.ndarray, xn: int, xi: float, x1: float, x2: float) -> tuple[float, float]:
    """Least-squares line through z[0..xn] (spacing xi) between x1 and x2: its ends."""
    xa = float(int(max(x1 / xi, 0.0)))
    xb = xn - float(int(max(xn - x2 / xi, 0.0)))
    if xb <= xa:
        xa = max(xa - 1.0, 0.0)
        xb = xn - max(xn - xb - 1.0, 0.0)
    ja = int(xa)
    jb = int(xb)
    n = jb - ja
    xa = xb - xa
    x = -0.5 * xa
    xb = xb + x
    a = 0.5 * (z[ja] + z[jb])
    b = 0.5 * (z[ja] - z[jb]) * x
    for _ in range(2, n + 1):
        ja += 1
        x += 1.0
        a += z[ja]
        b += z[ja] * x
    if xa <= 0.0:
        return z[ja], z[ja]
    a /= xa
    b = b * 12.0 / ((xa * xa + 2.0) * xa)
    return a - b * xb, a + b * (xn - xb)


@njit(cache=True)
def _dlthx(pfl: np.ndarray, np_: int, xi: float, x1: float, x2: float,
           s: np.ndarray) -> float:
    """Terrain irregularity Δh: interdecile range of the detrended profile in [x1, x2]."""
    xa = x1 / xi
    xb = x2 / xi
    if xb - xa < 2.0:
        return 0.0
    ka = int(0.1 * (xb - xa + 8.0))
    ka = min(max(4, ka), 25)
    n = 10 * ka - 5
    kb = n - ka + 1
    sn = n - 1
    xb = (xb - xa) / sn
    k = int(xa + 1.0)
    xa -= k
    for j in range(n):
        while xa > 0.0 and k < np_:
            xa -= 1.0
            k += 1
        s[j] = pfl[k] + (pfl[k] - pfl[k - 1]) * xa
        xa += xb
    za, zb = _zlsq1(s, sn, 1.0, 0.0, float(sn))
    step = (zb - za) / sn
    for j in range(n):
        s[j] -= za
        za += step
    # the ka-th and kb-th largest values (qtile): the upper and lower deciles
    upper = _select(s, 0, n, n - ka)
    lower = _select(s, 0, n - ka, n - kb)
    return (upper - lower) / (1.0 - 0.8 * math.exp(-(x2 - x1) / 50e3))


@njit(cache=True)
def _select(a: np.ndarray, lo: int, hi: int, k: int) -> float:
    """The k-th smallest of a[lo:hi] (quickselect, in place: a[lo:k] <= a[k] after)."""
    hi -= 1
    while hi > lo:
        x, y, w = a[lo], a[(lo + hi) // 2], a[hi]
        pivot = max(min(x, y), min(max(x, y), w))  # median of three
        i = lo
        j = hi
        while i <= j:
            while a[i] < pivot:
                i += 1
            while a[j] > pivot:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            break
    return a[k]


@njit(cache=True)
def prepare(pfl: np.ndarray, np_: int, xi: float, hg0: float, hg1: float, gme: float,
            s: np.ndarray) -> tuple[float, float, float, float, float, float, float]:
    """Path parameters of the profile pfl[0..np_] (spacing xi): ``qlrpfl``.

    Returns ``(dh, he0, he1, dl0, dl1, the0, the1)``; s is a work array of >= 245."""
    dist = np_ * xi
    # horizons (hzns): largest elevation angle seen from each terminal
    za = pfl[0] + hg0
    zb = pfl[np_] + hg1
    qc = 0.5 * gme
    q = qc * dist
    the1 = (zb - za) / dist
    the0 = the1 - q
    the1 = -the1 - q
    dl0 = dist
    dl1 = dist
    sa = 0.0
    sb = dist
    for i in range(1, np_):
        sa += xi
        sb -= xi
        q = pfl[i] - (qc * sa + the0) * sa - za
        if q > 0.0:
            the0 += q / sa
            dl0 = sa
        q = pfl[i] - (qc * sb + the1) * sb - zb
        if q > 0.0:
            the1 += q / sb
            dl1 = sb
    xl0 = min(15.0 * hg0, 0.1 * dl0)
    xl1 = dist - min(15.0 * hg1, 0.1 * dl1)
    dh = _dlthx(pfl, np_, xi, xl0, xl1, s)
    if dl0 + dl1 >= 1.5 * dist:  # line-of-sight-like path: smooth-Earth horizons
        za, zb = _zlsq1(pfl, np_, xi, xl0, xl1)
        he0 = hg0 + max(pfl[0] - za, 0.0)
        he1 = hg1 + max(pfl[np_] - zb, 0.0)
        dl0 = math.sqrt(2.0 * he0 / gme) * math.exp(-0.07 * math.sqrt(dh / max(he0, 5.0)))
        dl1 = math.sqrt(2.0 * he1 / gme) * math.exp(-0.07 * math.sqrt(dh / max(he1, 5.0)))
        q = dl0 + dl1
        if q <= dist:
            q = (dist / q) ** 2
            he0 *= q
            he1 *= q
            dl0 = math.sqrt(2.0 * he0 / gme) * math.exp(-0.07 * math.sqrt(dh / max(he0, 5.0)))
            dl1 = math.sqrt(2.0 * he1 / gme) * math.exp(-0.07 * math.sqrt(dh / max(he1, 5.0)))
        q = math.sqrt(2.0 * he0 / gme)
        the0 = (0.65 * dh * (q / dl0 - 1.0) - 2.0 * he0) / q
        q = math.sqrt(2.0 * he1 / gme)
        the1 = (0.65 * dh * (q / dl1 - 1.0) - 2.0 * he1) / q
    else:
        za, _ = _zlsq1(pfl, np_, xi, xl0, 0.9 * dl0)
        _, zb = _zlsq1(pfl, np_, xi, dist - 0.9 * dl1, xl1)
        he0 = hg0 + max(pfl[0] - za, 0.0)
        he1 = hg1 + max(pfl[np_] - zb, 0.0)
    return dh, he0, he1, dl0, dl1, the0, the1


# ------------------------------------------------------------- reference attenuation


@njit(cache=True)
def _aknfe(v2: float) -> float:
    if v2 < 5.76:
        return 6.02 + 9.11 * math.sqrt(max(v2, 0.0)) - 1.27 * v2
    return 12.953 + 4.343 * math.log(v2)


@njit(cache=True)
def _fht(x: float, pk: float) -> float:
    if x < 200.0:
        w = -math.log(pk)
        if pk < 1e-5 or x * w ** 3 > 5495.0:
            f = -117.0
            if x > 1.0:
                f += 17.372 * math.log(x)
            return f
        return 2.5e-5 * x * x / pk - 8.686 * w - 15.0
    f = 0.05751 * x - 4.343 * math.log(x)
    if x < 2000.0:
        w = 0.0134 * x * math.exp(-0.005 * x)
        f = (1.0 - w) * f + w * (17.372 * math.log(x) - 117.0)
    return f


@njit(cache=True)
def _h0f(r: float, et: float) -> float:
    a = (25.0, 80.0, 177.0, 395.0, 705.0)
    b = (24.0, 45.0, 68.0, 80.0, 105.0)
    it = int(et)
    if it <= 0:
        it = 1
        q = 0.0
    elif it >= 5:
        it = 5
        q = 0.0
    else:
        q = et - it
    x = (1.0 / r) ** 2
    h = 4.343 * math.log((a[it - 1] * x + b[it - 1]) * x + 1.0)
    if q != 0.0:
        h = (1.0 - q) * h + q * 4.343 * math.log((a[it] * x + b[it]) * x + 1.0)
    return h


@njit(cache=True)
def _ahd(td: float) -> float:
    if td <= 10e3:
        return 133.4 + 0.332e-3 * td - 4.343 * math.log(td)
    if td <= 70e3:
        return 104.6 + 0.212e-3 * td - 1.086 * math.log(td)
    return 71.8 + 0.157e-3 * td + 2.171 * math.log(td)


@njit(cache=True)
def _adiff(d: float, wn: float, gme: float, dh: float, dl0: float, dl1: float, tha: float,
           dla: float, qk: float, xht: float, aht: float, wd1: float, xd1: float,
           afo: float) -> float:
    """Diffraction attenuation at distance d: double knife edge and smooth Earth."""
    th = tha + d * gme
    ds = d - dla
    q = 0.0795775 * wn * ds * th * th
    a_k = _aknfe(q * dl0 / (ds + dl0)) + _aknfe(q * dl1 / (ds + dl1))
    a = ds / th
    wa = (a * wn) ** _THIRD
    pk = qk / wa
    q = (1.607 - pk) * 151.0 * wa * th + xht
    ar = 0.05751 * q - 4.343 * math.log(q) - aht
    q = (wd1 + xd1 / d) * min((1.0 - 0.8 * math.exp(-d / 50e3)) * dh * wn, 6283.2)
    wd = 25.1 / (25.1 + math.sqrt(q))
    return ar * wd + (1.0 - wd) * a_k + afo


@njit(cache=True)
def _alos(d: float, wn: float, dh: float, he0: float, he1: float, zgnd: complex,
          emd: float, aed: float, wls: float) -> float:
    """Line-of-sight attenuation at distance d: two-ray field blended with diffraction."""
    q = (1.0 - 0.8 * math.exp(-d / 50e3)) * dh
    s = 0.78 * q * math.exp(-((q / 16.0) ** 0.25))
    q = he0 + he1
    sps = q / math.sqrt(d * d + q * q)
    r = (sps - zgnd) / (sps + zgnd) * math.exp(-min(10.0, wn * s * sps))
    q = abs(r) ** 2
    if q < 0.25 or q < sps:
        r = r * math.sqrt(sps / q)
    a = emd * d + aed
    q = wn * he0 * he1 * 2.0 / d
    if q > 1.57:
        q = 3.14 - 2.4649 / q
    return (-4.343 * math.log(abs(complex(math.cos(q), -math.sin(q)) + r) ** 2) - a) * wls + a


@njit(cache=True)
def _ascat(d: float, h0s: float, wn: float, gme: float, ens: float, he0: float, he1: float,
           the0: float, the1: float, tha: float, ad: float, rr: float,
           etq: float) -> tuple[float, float]:
    """Troposcatter attenuation at distance d, and the frequency-gain memory h0s."""
    if h0s > 15.0:
        h0 = h0s
    else:
        th = the0 + the1 + d * gme
        r2 = 2.0 * wn * th
        r1 = r2 * he0
        r2 = r2 * he1
        if r1 < 0.2 and r2 < 0.2:
            return 1001.0, h0s
        ss = (d - ad) / (d + ad)
        q = rr / ss
        ss = max(0.1, ss)
        q = min(max(0.1, q), 10.0)
        z0 = (d - ad) * (d + ad) * th * 0.25 / d
        et = (etq * math.exp(-(min(1.7, z0 / 8.0e3) ** 6)) + 1.0) * z0 / 1.7556e3
        ett = max(et, 1.0)
        h0 = (_h0f(r1, ett) + _h0f(r2, ett)) * 0.5
        h0 += min(h0, (1.38 - math.log(ett)) * math.log(ss) * math.log(q) * 0.49)
        h0 = max(h0, 0.0)
        if et < 1.0:
            h0 = et * h0 + (1.0 - et) * 4.343 * math.log(
                ((1.0 + 1.4142 / r1) * (1.0 + 1.4142 / r2)) ** 2 * (r1 + r2)
                / (r1 + r2 + 2.8284))
        if h0 > 15.0 and h0s >= 0.0:
            h0 = h0s
    th = tha + d * gme
    a = _ahd(th * d) + 4.343 * math.log(47.7 * wn * th ** 4) \
        - 0.1 * (ens - 301.0) * math.exp(-th * d / 40e3) + h0
    return a, h0


@njit(cache=True)
def reference_db(dist: float, hg0: float, hg1: float, wn: float, ens: float, gme: float,
                 zgnd: complex, dh: float, he0: float, he1: float, dl0: float, dl1: float,
                 the0: float, the1: float) -> tuple[float, int, int]:
    """Reference attenuation (dB below free space) of a prepared path: ``lrprop``.

    Returns ``(aref_db, mode, kwx)``: mode 0 line of sight, 1 diffraction, 2 scatter;
    kwx the ITM warning level (0 fine, 1 caution, 3 internal range, 4 out of range)."""
    kwx = 0
    dls0 = math.sqrt(2.0 * he0 / gme)
    dls1 = math.sqrt(2.0 * he1 / gme)
    dlsa = dls0 + dls1
    dla = dl0 + dl1
    tha = max(the0 + the1, -dla * gme)
    if wn < 0.838 or wn > 210.0 or hg0 < 1.0 or hg0 > 1000.0 or hg1 < 1.0 or hg1 > 1000.0:
        kwx = 1
    if abs(the0) > 0.2 or dl0 < 0.1 * dls0 or dl0 > 3.0 * dls0 or abs(the1) > 0.2 \
            or dl1 < 0.1 * dls1 or dl1 > 3.0 * dls1:
        kwx = 3
    if ens < 250.0 or ens > 400.0 or gme < 75e-9 or gme > 250e-9 \
            or zgnd.real < abs(zgnd.imag) or wn < 0.419 or wn > 420.0 \
            or hg0 < 0.5 or hg0 > 3000.0 or hg1 < 0.5 or hg1 > 3000.0:
        kwx = 4
    if dist < 1e3 or dist > 2000e3:
        kwx = 4
    # diffraction coefficients (adiff with d = 0)
    q = hg0 * hg1
    qk = he0 * he1 - q
    q += 10.0  # point-to-point mode
    wd1 = math.sqrt(1.0 + qk / q)
    xd1 = dla + tha / gme
    q = (1.0 - 0.8 * math.exp(-dlsa / 50e3)) * dh
    q = 0.78 * q * math.exp(-((q / 16.0) ** 0.25))
    afo = min(15.0, 2.171 * math.log(1.0 + 4.77e-4 * hg0 * hg1 * wn * q))
    qk = 1.0 / abs(zgnd)
    aht = 20.0
    xht = 0.0
    for dl, he in ((dl0, he0), (dl1, he1)):
        a = 0.5 * dl * dl / he
        wa = (a * wn) ** _THIRD
        pk = qk / wa
        q = (1.607 - pk) * 151.0 * wa * dl / a
        xht += q
        aht += _fht(q, pk)
    xae = (wn * gme * gme) ** (-_THIRD)
    d3 = max(dlsa, 1.3787 * xae + dla)
    d4 = d3 + 2.7574 * xae
    a3 = _adiff(d3, wn, gme, dh, dl0, dl1, tha, dla, qk, xht, aht, wd1, xd1, afo)
    a4 = _adiff(d4, wn, gme, dh, dl0, dl1, tha, dla, qk, xht, aht, wd1, xd1, afo)
    emd = (a4 - a3) / (d4 - d3)
    aed = a3 - emd * d3
    if dist < dlsa:
        wls = 0.021 / (0.021 + wn * dh / max(10e3, dlsa))
        d2 = dlsa
        a2 = aed + d2 * emd
        d0 = 1.908 * wn * he0 * he1
        if aed >= 0.0:
            d0 = min(d0, 0.5 * dla)
            d1 = d0 + 0.25 * (dla - d0)
        else:
            d1 = max(-aed / emd, 0.25 * dla)
        a1 = _alos(d1, wn, dh, he0, he1, zgnd, emd, aed, wls)
        wq = False
        ak1 = 0.0
        ak2 = 0.0
        if d0 < d1:
            a0 = _alos(d0, wn, dh, he0, he1, zgnd, emd, aed, wls)
            q = math.log(d2 / d0)
            ak2 = max(0.0, ((d2 - d0) * (a1 - a0) - (d1 - d0) * (a2 - a0))
                      / ((d2 - d0) * math.log(d1 / d0) - (d1 - d0) * q))
            wq = aed >= 0.0 or ak2 > 0.0
            if wq:
                ak1 = (a2 - a0 - ak2 * q) / (d2 - d0)
                if ak1 < 0.0:
                    ak1 = 0.0
                    ak2 = max(a2 - a0, 0.0) / q
                    if ak2 == 0.0:
                        ak1 = emd
        if not wq:
            ak1 = max(a2 - a1, 0.0) / (d2 - d1)
            ak2 = 0.0
            if ak1 == 0.0:
                ak1 = emd
        ael = a2 - ak1 * d2 - ak2 * math.log(d2)
        return max(ael + ak1 * dist + ak2 * math.log(dist), 0.0), MODE_LOS, kwx
    # scatter coefficients
    ad = dl0 - dl1
    rr = he1 / he0
    if ad < 0.0:
        ad = -ad
        rr = 1.0 / rr
    etq = (5.67e-6 * ens - 2.32e-3) * ens + 0.031
    d5 = dla + 200e3
    d6 = d5 + 200e3
    a6, h0s = _ascat(d6, -15.0, wn, gme, ens, he0, he1, the0, the1, tha, ad, rr, etq)
    a5, h0s = _ascat(d5, h0s, wn, gme, ens, he0, he1, the0, the1, tha, ad, rr, etq)
    if a5 < 1000.0:
        ems = (a6 - a5) / 200e3
        dx = max(dlsa, dla + 0.3 * xae * math.log(47.7 * wn), (a5 - aed - ems * d5) / (emd - ems))
        aes = (emd - ems) * dx + aed
    else:
        ems = emd
        aes = aed
        dx = 10e6
    if dist > dx:
        return max(aes + ems * dist, 0.0), MODE_SCATTER, kwx
    return max(aed + emd * dist, 0.0), MODE_DIFFRACTION, kwx


@njit(cache=True)
def loss_db(pfl: np.ndarray, np_: int, xi: float, hg0: float, hg1: float, fmhz: float,
            par: np.ndarray, s: np.ndarray) -> tuple[float, float, int, int]:
    """Basic transmission loss (dB) over the profile pfl[0..np_]: free space + avar.

    par = (ens, gme, eps, sgm, vertical, klim, mdvar, zt, zl, zc). Returns
    ``(loss_db, aref_db, mode, kwx)``."""
    dist = np_ * xi
    wn = fmhz / 47.7
    dh, he0, he1, dl0, dl1, the0, the1 = prepare(pfl, np_, xi, hg0, hg1, par[1], s)
    zg = ground_impedance(wn, par[2], par[3], par[4] > 0.5)
    aref, mode, kwx = reference_db(dist, hg0, hg1, wn, par[0], par[1], zg, dh, he0, he1,
                                   dl0, dl1, the0, the1)
    a = variability_db(aref, dist, he0, he1, wn, dh, int(par[5]), int(par[6]), par[7],
                       par[8], par[9])
    fs = 20.0 * math.log10(2.0 * wn * dist)
    return fs + a, aref, mode, kwx
