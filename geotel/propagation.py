"""Radio path-loss models: free space, Okumura-Hata / COST-231 Hata, knife-edge diffraction.

Every function is numpy-vectorised and carries its units in its parameter names.
Each model enforces its validity range: it emits a :class:`ModelRangeWarning` for
inputs outside the range the model was fitted on, and raises
:class:`~geotel.errors.ValueRangeError` for input that makes no sense (a negative
distance, a zero height, a frequency no model here covers).

Models
------
free space
    ITU-R P.525: ``L = 32.44 + 20 log10(f_MHz) + 20 log10(d_km)``.
Okumura-Hata (150–1500 MHz) and COST-231 Hata (1500–2000 MHz)
    Urban (medium-sized city), suburban and open/rural areas. Above 2000 MHz the
    COST-231 formula is *extrapolated* up to :data:`HATA_MAX_EXTRAPOLATED_MHZ`
    (2100 MHz UMTS, 2300/2600 MHz LTE) with a warning.
knife-edge diffraction (ITU-R P.526)
    Single edge ``J(v)``; Deygout with up to three edges (P.526 §4.5, with its
    empirical correction); Bullington (P.526 §4.5, one equivalent edge). The profile
    functions here are the exact reference versions, which test the fast coverage
    kernel (:mod:`geotel.coverage`).

Examples
--------
>>> round(float(free_space_path_loss_db(900, 1.0)), 1)
91.5
>>> round(float(knife_edge_loss_db(0.0)), 1)
6.0
"""

from __future__ import annotations

import math
import warnings
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from geotel.errors import ValueRangeError

__all__ = [
    "COST231_MAX_MHZ",
    "EARTH_RADIUS_M",
    "HATA_MAX_EXTRAPOLATED_MHZ",
    "HATA_MAX_MHZ",
    "HATA_MIN_MHZ",
    "REFRACTION_K",
    "SPEED_OF_LIGHT_M_S",
    "Environment",
    "ModelRangeWarning",
    "bullington_loss_db",
    "check_model_frequency",
    "deygout_loss_db",
    "free_space_path_loss_db",
    "fresnel_parameter",
    "hata_coefficients_db",
    "hata_path_loss_db",
    "knife_edge_loss_db",
    "radio_horizon_m",
]

Environment = Literal["urban", "suburban", "open"]

#: Mean Earth radius (m).
EARTH_RADIUS_M = 6_371_000.0
#: Effective Earth-radius factor of the standard atmosphere (refraction).
REFRACTION_K = 4.0 / 3.0
SPEED_OF_LIGHT_M_S = 299_792_458.0
#: Okumura-Hata validity: 150–1500 MHz; COST-231 Hata: 1500–2000 MHz.
HATA_MIN_MHZ = 150.0
HATA_MAX_MHZ = 1500.0
COST231_MAX_MHZ = 2000.0
#: COST-231 is extrapolated (with a warning) up to this frequency; above it, no model.
HATA_MAX_EXTRAPOLATED_MHZ = 2700.0
_HATA_HB_M = (30.0, 200.0)
_HATA_HM_M = (1.0, 10.0)
_HATA_D_KM = (1.0, 20.0)
_ENVIRONMENTS = ("urban", "suburban", "open")


class ModelRangeWarning(UserWarning):
    """An input lies outside the range a propagation model was fitted on."""


def _warn(message: str) -> None:
    warnings.warn(message, ModelRangeWarning, stacklevel=3)


def _require(ok: np.ndarray | bool, message: str, *, column: str, fix: str) -> None:
    if not np.all(ok):
        raise ValueRangeError(message, column=column, fix=fix)


def free_space_path_loss_db(freq_mhz: ArrayLike, distance_km: ArrayLike) -> np.ndarray:
    """Free-space path loss (ITU-R P.525) in dB.

    Parameters
    ----------
    freq_mhz
        Carrier frequency (MHz), > 0.
    distance_km
        Path length (km), > 0.

    Returns
    -------
    numpy.ndarray
        Loss in dB, broadcast over the inputs.

    Raises
    ------
    ValueRangeError
        A frequency or distance that is not a positive finite number.

    Examples
    --------
    >>> round(float(free_space_path_loss_db(900, 1.0)), 2)
    91.52
    >>> free_space_path_loss_db([900, 1800], 2.0).round(1).tolist()
    [97.5, 103.6]
    """
    f = np.asarray(freq_mhz, dtype=float)
    d = np.asarray(distance_km, dtype=float)
    _require(np.isfinite(f) & (f > 0), "frequency must be a positive number of MHz",
             column="freq_mhz", fix="give the carrier frequency in MHz, e.g. 900")
    _require(np.isfinite(d) & (d > 0), "distance must be a positive number of km",
             column="distance_km", fix="give the path length in km (> 0)")
    return 32.44 + 20.0 * np.log10(f) + 20.0 * np.log10(d)


def check_model_frequency(freq_mhz: ArrayLike, *, where: str | None = None) -> None:
    """Raise unless every frequency lies within a Hata model (extrapolation included).

    Warns (:class:`ModelRangeWarning`) for frequencies in the COST-231 extrapolation
    range 2000–2700 MHz.

    Examples
    --------
    >>> check_model_frequency([900, 1800])
    >>> check_model_frequency(3500)
    Traceback (most recent call last):
    ...
    geotel.errors.ValueRangeError: column 'freq_mhz': frequency 3500 MHz is outside every \
path-loss model (Okumura-Hata 150–1500 MHz, COST-231 1500–2000 MHz, extrapolated to 2700 MHz)\
 Fix: use a carrier between 150 and 2700 MHz (900, 1800, 2100, 2600), or leave this \
technology out
    """
    f = np.atleast_1d(np.asarray(freq_mhz, dtype=float))
    bad = ~np.isfinite(f) | (f < HATA_MIN_MHZ) | (f > HATA_MAX_EXTRAPOLATED_MHZ)
    if bad.any():
        raise ValueRangeError(
            f"frequency {f[bad][0]:g} MHz is outside every path-loss model (Okumura-Hata "
            f"150–1500 MHz, COST-231 1500–2000 MHz, extrapolated to "
            f"{HATA_MAX_EXTRAPOLATED_MHZ:g} MHz)",
            feature=where, column="freq_mhz",
            fix="use a carrier between 150 and 2700 MHz (900, 1800, 2100, 2600), "
                "or leave this technology out",
        )
    extra = f > COST231_MAX_MHZ
    if extra.any():
        _warn(f"{f[extra][0]:g} MHz is above COST-231 Hata's 2000 MHz: the model is "
              "extrapolated (expect a few dB of extra uncertainty)")


def hata_coefficients_db(
    freq_mhz: float, tx_height_m: float, rx_height_m: float, environment: Environment
) -> tuple[float, float]:
    """``(A, B)`` such that the Hata loss is ``A + B * log10(distance_km)``.

    No range checks: :func:`hata_path_loss_db` does them. The coverage kernel uses
    these coefficients so that it computes exactly the published formula.

    Examples
    --------
    >>> a, b = hata_coefficients_db(900, 30, 1.5, "urban")
    >>> round(a, 2), round(b, 2)
    (126.4, 35.22)
    """
    lf = math.log10(freq_mhz)
    lhb = math.log10(tx_height_m)
    # mobile antenna correction, small/medium-sized city (also used by COST-231)
    a_hm = (1.1 * lf - 0.7) * rx_height_m - (1.56 * lf - 0.8)
    if freq_mhz <= HATA_MAX_MHZ:
        urban = 69.55 + 26.16 * lf - 13.82 * lhb - a_hm
    else:  # COST-231 Hata, C_m = 0 dB (medium-sized city and suburban centres)
        urban = 46.3 + 33.9 * lf - 13.82 * lhb - a_hm
    if environment == "urban":
        a = urban
    elif environment == "suburban":
        a = urban - 2.0 * math.log10(freq_mhz / 28.0) ** 2 - 5.4
    elif environment == "open":
        a = urban - 4.78 * lf**2 + 18.33 * lf - 40.94
    else:
        raise ValueRangeError(f"unknown environment '{environment}'", column="environment",
                              fix="use one of: urban, suburban, open")
    return a, 44.9 - 6.55 * lhb


def hata_path_loss_db(
    freq_mhz: ArrayLike,
    distance_km: ArrayLike,
    tx_height_m: ArrayLike,
    rx_height_m: ArrayLike,
    environment: Environment = "open",
) -> np.ndarray:
    """Median path loss by Okumura-Hata (≤ 1500 MHz) or COST-231 Hata (> 1500 MHz), dB.

    Urban uses the small/medium-city mobile-antenna correction ``a(h_m)``; suburban and
    open areas apply Hata's corrections to it (also above 1500 MHz, as is common
    practice). COST-231 uses ``C_m = 0 dB``.

    Parameters
    ----------
    freq_mhz
        150–2000 MHz; 2000–2700 MHz is extrapolated with a :class:`ModelRangeWarning`;
        anything else raises.
    distance_km
        Valid 1–20 km (warning outside); must be > 0.
    tx_height_m
        Base-station antenna height, valid 30–200 m (warning outside); must be > 0.
    rx_height_m
        Mobile antenna height, valid 1–10 m (warning outside); must be > 0.
    environment
        ``"urban"``, ``"suburban"`` or ``"open"`` (open/rural).

    Returns
    -------
    numpy.ndarray
        Loss in dB, broadcast over the array inputs.

    Raises
    ------
    ValueRangeError
        Non-positive or non-finite heights or distances, a frequency outside every
        model, an unknown environment.

    Examples
    --------
    >>> round(float(hata_path_loss_db(900, 1.0, 30, 1.5, "urban")), 1)
    126.4
    >>> hata_path_loss_db(900, [1.0, 10.0], 30, 1.5, "open").round(1).tolist()
    [97.9, 133.1]
    """
    if environment not in _ENVIRONMENTS:
        raise ValueRangeError(f"unknown environment '{environment}'", column="environment",
                              fix="use one of: urban, suburban, open")
    f, d, hb, hm = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in
                                         (freq_mhz, distance_km, tx_height_m, rx_height_m)))
    check_model_frequency(f)
    for arr, name, unit in ((d, "distance_km", "km"), (hb, "tx_height_m", "m"),
                            (hm, "rx_height_m", "m")):
        _require(np.isfinite(arr) & (arr > 0), f"{name} must be a positive number of {unit}",
                 column=name, fix=f"give {name} in {unit}; heights are above ground and > 0")
    for arr, (lo, hi), name in ((d, _HATA_D_KM, "distance_km"), (hb, _HATA_HB_M, "tx_height_m"),
                                (hm, _HATA_HM_M, "rx_height_m")):
        outside = (arr < lo) | (arr > hi)
        if outside.any():
            _warn(f"Hata model: {name} = {arr[outside].flat[0]:g} is outside its validity "
                  f"range {lo:g}–{hi:g}; the result is extrapolated")
    lf = np.log10(f)
    lhb = np.log10(hb)
    a_hm = (1.1 * lf - 0.7) * hm - (1.56 * lf - 0.8)
    urban = np.where(f <= HATA_MAX_MHZ, 69.55 + 26.16 * lf, 46.3 + 33.9 * lf) - 13.82 * lhb \
        - a_hm + (44.9 - 6.55 * lhb) * np.log10(d)
    if environment == "suburban":
        return urban - 2.0 * np.log10(f / 28.0) ** 2 - 5.4
    if environment == "open":
        return urban - 4.78 * lf**2 + 18.33 * lf - 40.94
    return urban


def knife_edge_loss_db(v: ArrayLike) -> np.ndarray:
    """Single knife-edge diffraction loss ``J(v)`` of ITU-R P.526 (eq. 31), dB.

    ``J(v) = 6.9 + 20 log10(sqrt((v - 0.1)^2 + 1) + v - 0.1)`` for ``v > -0.78``, else 0.

    Examples
    --------
    >>> round(float(knife_edge_loss_db(0.0)), 2)
    6.03
    >>> knife_edge_loss_db([-1.0, 1.0, 2.4]).round(1).tolist()
    [0.0, 13.9, 20.5]
    """
    v = np.asarray(v, dtype=float)
    t = v - 0.1
    with np.errstate(invalid="ignore", divide="ignore"):
        j = 6.9 + 20.0 * np.log10(np.sqrt(t * t + 1.0) + t)
    return np.where(v > -0.78, j, 0.0)


def fresnel_parameter(
    clearance_m: ArrayLike, d1_m: ArrayLike, d2_m: ArrayLike, freq_mhz: ArrayLike
) -> np.ndarray:
    """Fresnel-Kirchhoff parameter ``v = h sqrt(2 (d1 + d2) / (λ d1 d2))`` (P.526 eq. 26).

    ``clearance_m`` is the height of the edge above the direct path (negative below).

    Examples
    --------
    >>> round(float(fresnel_parameter(10.0, 1000.0, 1000.0, 900.0)), 3)
    1.096
    """
    lam = SPEED_OF_LIGHT_M_S / (np.asarray(freq_mhz, dtype=float) * 1e6)
    d1 = np.asarray(d1_m, dtype=float)
    d2 = np.asarray(d2_m, dtype=float)
    return np.asarray(clearance_m, dtype=float) * np.sqrt(2.0 * (d1 + d2) / (lam * d1 * d2))


def radio_horizon_m(height_m: ArrayLike, *, refraction_k: float = REFRACTION_K) -> np.ndarray:
    """Distance to the radio horizon over a smooth Earth, ``sqrt(2 k R h)`` (m).

    Examples
    --------
    >>> round(float(radio_horizon_m(30.0)) / 1000, 1)
    22.6
    """
    return np.sqrt(2.0 * refraction_k * EARTH_RADIUS_M * np.asarray(height_m, dtype=float))


def _profile(
    distance_m: ArrayLike, height_m: ArrayLike, tx_height_m: float, rx_height_m: float,
    refraction_k: float, curvature: bool,
) -> tuple[np.ndarray, np.ndarray, float, float]:
    d = np.asarray(distance_m, dtype=float)
    z = np.asarray(height_m, dtype=float)
    if d.ndim != 1 or d.shape != z.shape or d.size < 2:
        raise ValueRangeError("a profile needs matching 1-D distance and height arrays "
                              "of at least 2 points", column="distance_m",
                              fix="give the terrain from transmitter to receiver")
    if not (np.all(np.isfinite(d)) and np.all(np.isfinite(z))):
        raise ValueRangeError("the profile has missing (NaN) values", column="height_m",
                              fix="fill the DEM voids first")
    if np.any(np.diff(d) <= 0) or d[0] != 0:
        raise ValueRangeError("profile distances must start at 0 and increase",
                              column="distance_m", fix="sort the profile by distance")
    if tx_height_m < 0 or rx_height_m < 0:
        raise ValueRangeError("antenna heights must be >= 0 m above ground",
                              column="tx_height_m", fix="give heights above ground in metres")
    if curvature:
        # terrain raised by the Earth bulge d1 d2 / (2 k R): same as the P.526 profile
        z = z + d * (d[-1] - d) / (2.0 * refraction_k * EARTH_RADIUS_M)
    return d, z, float(z[0] + tx_height_m), float(z[-1] + rx_height_m)


def _max_v(d: np.ndarray, z: np.ndarray, i0: int, i1: int, h0: float, h1: float,
           lam: float) -> tuple[int, float]:
    """Edge of largest v strictly between profile points i0 and i1 (ends at h0, h1)."""
    if i1 - i0 < 2:
        return -1, -np.inf
    idx = np.arange(i0 + 1, i1)
    length = d[i1] - d[i0]
    d1 = d[idx] - d[i0]
    d2 = d[i1] - d[idx]
    h = z[idx] - (h0 + (h1 - h0) * d1 / length)
    v = h * np.sqrt(2.0 * length / (lam * d1 * d2))
    k = int(np.argmax(v))
    return int(idx[k]), float(v[k])


def deygout_loss_db(
    distance_m: ArrayLike,
    height_m: ArrayLike,
    *,
    freq_mhz: float,
    tx_height_m: float,
    rx_height_m: float,
    refraction_k: float = REFRACTION_K,
    curvature: bool = True,
) -> float:
    """Diffraction loss over a terrain profile by Deygout with up to 3 edges (ITU-R P.526).

    The principal edge is the profile point of largest ``v``; the sub-paths on each side
    of it give at most one more edge each. With ``L_p = J(v_p)``:
    ``L = L_p + T (J(v_t) + J(v_r) + C)``, ``T = 1 - exp(-L_p / 6)``,
    ``C = 10 + 0.04 D_km`` (P.526's empirical correction). An isolated edge (neither
    sub-path has ``v > -0.78``) gives ``J(v_p)``, the single knife-edge loss.

    Parameters
    ----------
    distance_m, height_m
        The terrain profile from the transmitter (distance 0) to the receiver.
    freq_mhz
        Carrier frequency (MHz).
    tx_height_m, rx_height_m
        Antenna heights above the first and last profile points.
    refraction_k, curvature
        Effective Earth-radius factor, and whether the Earth bulge is added.

    Examples
    --------
    >>> d = [0.0, 5000.0, 10000.0]
    >>> round(deygout_loss_db(d, [0.0, 30.0, 0.0], freq_mhz=900, tx_height_m=30,
    ...                       rx_height_m=1.5, curvature=False), 2)
    11.83
    """
    d, z, h_tx, h_rx = _profile(distance_m, height_m, tx_height_m, rx_height_m,
                                refraction_k, curvature)
    lam = SPEED_OF_LIGHT_M_S / (freq_mhz * 1e6)
    n = d.size - 1
    ip, vp = _max_v(d, z, 0, n, h_tx, h_rx, lam)
    lp = float(knife_edge_loss_db(vp)) if ip >= 0 else 0.0
    if lp <= 0.0:
        return 0.0
    _, vt = _max_v(d, z, 0, ip, h_tx, z[ip], lam)
    _, vr = _max_v(d, z, ip, n, z[ip], h_rx, lam)
    lt, lr = float(knife_edge_loss_db(vt)), float(knife_edge_loss_db(vr))
    if lt <= 0.0 and lr <= 0.0:
        return lp
    t = 1.0 - math.exp(-lp / 6.0)
    return lp + t * (lt + lr + 10.0 + 0.04 * d[-1] / 1000.0)


def bullington_loss_db(
    distance_m: ArrayLike,
    height_m: ArrayLike,
    *,
    freq_mhz: float,
    tx_height_m: float,
    rx_height_m: float,
    refraction_k: float = REFRACTION_K,
    curvature: bool = True,
) -> float:
    """Diffraction loss over a terrain profile by the Bullington construction (P.526 §4.5).

    Line-of-sight path: ``J`` of the point of largest ``v``. Obstructed path: ``J`` of
    the equivalent knife edge where the transmitter's and the receiver's horizon
    rays cross.

    Examples
    --------
    >>> d = [0.0, 5000.0, 10000.0]
    >>> round(bullington_loss_db(d, [0.0, 30.0, 0.0], freq_mhz=900, tx_height_m=30,
    ...                          rx_height_m=1.5, curvature=False), 2)
    11.83
    """
    d, z, h_tx, h_rx = _profile(distance_m, height_m, tx_height_m, rx_height_m,
                                refraction_k, curvature)
    lam = SPEED_OF_LIGHT_M_S / (freq_mhz * 1e6)
    total = d[-1]
    if d.size < 3:
        return 0.0
    di, zi = d[1:-1], z[1:-1]
    s_tim = float(np.max((zi - h_tx) / di))
    s_tr = (h_rx - h_tx) / total
    if s_tim < s_tr:  # line of sight
        _, v = _max_v(d, z, 0, d.size - 1, h_tx, h_rx, lam)
        return float(knife_edge_loss_db(v))
    s_rim = float(np.max((zi - h_rx) / (total - di)))
    d_b = (h_rx - h_tx + s_rim * total) / (s_tim + s_rim)
    v_b = (h_tx + s_tim * d_b - (h_tx * (total - d_b) + h_rx * d_b) / total) * math.sqrt(
        2.0 * total / (lam * d_b * (total - d_b)))
    return float(knife_edge_loss_db(v_b))
