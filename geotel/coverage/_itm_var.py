"""ITM 1.2.2 variability: the quantiles of the attenuation (``avar``; private, numba).

Time variability by climate (ITM's curves fitted to measurements, one column per
climate 1..7), location variability from the terrain irregularity, situation
variability; combined per the mode of variability (``MDVAR``). See
:mod:`geotel.coverage._itm`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["variability_db"]

_THIRD = 1.0 / 3.0

# avar: climate coefficients (columns: climates 1..7), ITM 1.2.2
_BV1 = np.array([-9.67, -0.62, 1.26, -9.21, -0.62, -0.39, 3.15])
_BV2 = np.array([12.7, 9.19, 15.5, 9.05, 9.19, 2.86, 857.9])
_XV1 = np.array([144.9e3, 228.9e3, 262.6e3, 84.1e3, 228.9e3, 141.7e3, 2222.0e3])
_XV2 = np.array([190.3e3, 205.2e3, 185.2e3, 101.1e3, 205.2e3, 315.9e3, 164.8e3])
_XV3 = np.array([133.8e3, 143.6e3, 99.8e3, 98.6e3, 143.6e3, 167.4e3, 116.3e3])
_BSM1 = np.array([2.13, 2.66, 6.11, 1.98, 2.68, 6.86, 8.51])
_BSM2 = np.array([159.5, 7.67, 6.65, 13.11, 7.16, 10.38, 169.8])
_XSM1 = np.array([762.2e3, 100.4e3, 138.2e3, 139.1e3, 93.7e3, 187.8e3, 609.8e3])
_XSM2 = np.array([123.6e3, 172.5e3, 242.2e3, 132.7e3, 186.8e3, 169.6e3, 119.9e3])
_XSM3 = np.array([94.5e3, 136.4e3, 178.6e3, 193.5e3, 133.5e3, 108.9e3, 106.6e3])
_BSP1 = np.array([2.11, 6.87, 10.08, 3.68, 4.75, 8.58, 8.43])
_BSP2 = np.array([102.3, 15.53, 9.60, 159.3, 8.12, 13.97, 8.19])
_XSP1 = np.array([636.9e3, 138.7e3, 165.3e3, 464.4e3, 93.2e3, 216.0e3, 136.2e3])
_XSP2 = np.array([134.8e3, 143.7e3, 225.7e3, 93.1e3, 135.9e3, 152.0e3, 188.5e3])
_XSP3 = np.array([95.6e3, 98.6e3, 129.7e3, 94.2e3, 113.4e3, 122.7e3, 122.9e3])
_BSD1 = np.array([1.224, 0.801, 1.380, 1.000, 1.224, 1.518, 1.518])
_BZD1 = np.array([1.282, 2.161, 1.282, 20.0, 1.282, 1.282, 1.282])
_BFM1 = np.array([1.0, 1.0, 1.0, 1.0, 0.92, 1.0, 1.0])
_BFM2 = np.array([0.0, 0.0, 0.0, 0.0, 0.25, 0.0, 0.0])
_BFM3 = np.array([0.0, 0.0, 0.0, 0.0, 1.77, 0.0, 0.0])
_BFP1 = np.array([1.0, 0.93, 1.0, 0.93, 0.93, 1.0, 1.0])
_BFP2 = np.array([0.0, 0.31, 0.0, 0.19, 0.31, 0.0, 0.0])
_BFP3 = np.array([0.0, 2.00, 0.0, 1.79, 2.00, 0.0, 0.0])



@njit(cache=True)
def _curve(c1: float, c2: float, x1: float, x2: float, x3: float, de: float) -> float:
    return (c1 + c2 / (1.0 + ((de - x2) / x3) ** 2)) * (de / x1) ** 2 / (1.0 + (de / x1) ** 2)


@njit(cache=True)
def variability_db(aref: float, dist: float, he0: float, he1: float, wn: float, dh: float,
                   klim: int, mdvar: int, zt: float, zl: float, zc: float) -> float:
    """Attenuation (dB below free space) not exceeded at the deviates zt, zl, zc: ``avar``.

    klim: climate 1..7; mdvar: mode of variability (0 single message, 1 accidental,
    2 mobile, 3 broadcast; +10 point-to-point, +20 interference)."""
    k = klim - 1
    kdv = mdvar
    ws = kdv >= 20
    if ws:
        kdv -= 20
    wl = kdv >= 10
    if wl:
        kdv -= 10
    q = math.log(0.133 * wn)
    gm = _BFM1[k] + _BFM2[k] / ((_BFM3[k] * q) ** 2 + 1.0)
    gp = _BFP1[k] + _BFP2[k] / ((_BFP3[k] * q) ** 2 + 1.0)
    dexa = math.sqrt(18e6 * he0) + math.sqrt(18e6 * he1) + (575.7e12 / wn) ** _THIRD
    de = 130000.0 * dist / dexa if dist < dexa else 130000.0 + dist - dexa
    vmd = _curve(_BV1[k], _BV2[k], _XV1[k], _XV2[k], _XV3[k], de)
    sgtm = _curve(_BSM1[k], _BSM2[k], _XSM1[k], _XSM2[k], _XSM3[k], de) * gm
    sgtp = _curve(_BSP1[k], _BSP2[k], _XSP1[k], _XSP2[k], _XSP3[k], de) * gp
    sgtd = sgtp * _BSD1[k]
    zd = _BZD1[k]
    tgtd = (sgtp - sgtd) * zd
    if wl:
        sgl = 0.0
    else:
        q = (1.0 - 0.8 * math.exp(-dist / 50e3)) * dh * wn
        sgl = 10.0 * q / (q + 13.0)
    vs0 = 0.0 if ws else (5.0 + 3.0 * math.exp(-de / 100e3)) ** 2
    if kdv == 0:
        zt = zc
        zl = zc
    elif kdv == 1:
        zl = zc
    elif kdv == 2:
        zl = zt
    if zt < 0.0:
        sgt = sgtm
    elif zt <= zd:
        sgt = sgtp
    else:
        sgt = sgtd + tgtd / zt
    vs = vs0 + (sgt * zt) ** 2 / (7.8 + zc * zc) + (sgl * zl) ** 2 / (24.0 + zc * zc)
    if kdv == 0:
        yr = 0.0
        sgc = math.sqrt(sgt * sgt + sgl * sgl + vs)
    elif kdv == 1:
        yr = sgt * zt
        sgc = math.sqrt(sgl * sgl + vs)
    elif kdv == 2:
        yr = math.sqrt(sgt * sgt + sgl * sgl) * zt
        sgc = math.sqrt(vs)
    else:
        yr = sgt * zt + sgl * zl
        sgc = math.sqrt(vs)
    a = aref - vmd - yr - sgc * zc
    if a < 0.0:
        a = a * (29.0 - a) / (29.0 - 10.0 * a)
    return a
