"""Longley-Rice Irregular Terrain Model (ITM 1.2.2), point-to-point mode over a profile.

The model SPLAT! and Signal-Server use: for a terrain profile between two antennas it
finds the horizons, the terrain irregularity ``Δh`` and the effective heights, then the
reference attenuation below free space from its line-of-sight, diffraction (knife edges
blended with smooth-Earth diffraction) and troposcatter ranges, and finally the quantile
of the loss for the climate and the requested reliability and confidence. The numba
kernels are in :mod:`geotel.coverage._itm`; the coverage sweep calls them for every
cell's profile (``coverage.model: itm``). They are checked against ``itmlogic``
(a Python port of the NTIA code) in the tests.

Parameters and their defaults (``coverage.itm_*`` in the project config):

- surface refractivity ``N_s`` = 301 N-units: ITM's standard atmosphere, whose
  effective Earth radius (k = 4/3) is the one the Hata + Deygout model uses. NTIA's
  area-mode guide (Hufford, Longley and Kissick 1982, NTIA Report 82-100) suggests
  320 for a continental subtropical climate; set it for a site-specific study.
- ground: relative permittivity 15, conductivity 0.005 S/m, ITM's "average ground".
- climate: 2, continental subtropical (ITM's Sudan-type savanna climate). Gia Lai is
  an inland plateau (300–800 m) at 13–15° N with a tropical monsoon climate and a
  marked dry season (Köppen Aw): closer to the continental subtropical class than to
  the equatorial one (1, Congo-type, humid all year) or the maritime ones.
  The climate enters only through the time variability, a few tenths of a dB at
  15 km and 50 %.
- polarisation vertical (mobile base stations); variability mode "mobile" in the
  point-to-point sense (ITM ``MDVAR = 12``, as SPLAT!'s point-to-point call), with
  reliability and confidence 50 %: the median loss.

Examples
--------
>>> r = itm_point_to_point([0.0] * 101, step_m=100.0, freq_mhz=900.0, tx_height_m=30.0,
...                        rx_height_m=1.5)
>>> r.path, round(r.free_space_db, 1), round(r.loss_db, 1)
('line_of_sight', 111.5, 127.4)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import ArrayLike

from geotel.coverage import _itm
from geotel.errors import ValueRangeError

if TYPE_CHECKING:
    from geotel.config import CoverageConfig

__all__ = [
    "CLIMATES",
    "Climate",
    "ItmLoss",
    "ItmParameters",
    "Variability",
    "itm_point_to_point",
]

Climate = Literal["equatorial", "continental_subtropical", "maritime_subtropical", "desert",
                  "continental_temperate", "maritime_temperate_land", "maritime_temperate_sea"]
#: ITM climate codes.
CLIMATES: dict[str, int] = {
    "equatorial": 1, "continental_subtropical": 2, "maritime_subtropical": 3, "desert": 4,
    "continental_temperate": 5, "maritime_temperate_land": 6, "maritime_temperate_sea": 7,
}
Variability = Literal["single_message", "accidental", "mobile", "broadcast"]
# ITM MDVAR: the mode plus 10 for the point-to-point mode (no location variability)
_MDVAR = {"single_message": 10, "accidental": 11, "mobile": 12, "broadcast": 13}
_RANGES: tuple[Literal["line_of_sight", "diffraction", "scatter"], ...] = (
    "line_of_sight", "diffraction", "scatter")
_GAMMA_A = 157e-9  # ITM's actual Earth curvature (1/m)


def _qerfi(q: float) -> float:
    """Standard normal deviate exceeded with probability q (ITM's qerfi, Hastings)."""
    x = 0.5 - q
    t = max(0.5 - abs(x), 1e-6)
    t = math.sqrt(-2.0 * math.log(t))
    v = t - ((0.010328 * t + 0.802853) * t + 2.515516698) / (
        ((0.001308 * t + 0.189269) * t + 1.432788) * t + 1.0)
    return -v if x < 0 else v


@dataclass(frozen=True)
class ItmParameters:
    """Environment and statistics of the ITM (defaults: see the module docstring).

    Parameters
    ----------
    refractivity_n_units
        Surface refractivity ``N_s`` (250–400 N-units).
    ground_permittivity
        Relative permittivity of the ground (> 1).
    ground_conductivity_s_m
        Conductivity of the ground (S/m, > 0).
    climate
        One of :data:`CLIMATES`.
    polarization
        "vertical" or "horizontal".
    variability
        ITM mode of variability, point-to-point.
    reliability_pct, confidence_pct
        Quantiles (0–100, exclusive): the loss is not exceeded for ``reliability_pct``
        of the time (and locations) with confidence ``confidence_pct``; 50, 50 = median.

    Examples
    --------
    >>> round(1 / (ItmParameters().effective_curvature_per_m * 6_371_000), 3)  # k factor
    1.333
    """

    refractivity_n_units: float = 301.0
    ground_permittivity: float = 15.0
    ground_conductivity_s_m: float = 0.005
    climate: Climate = "continental_subtropical"
    polarization: Literal["vertical", "horizontal"] = "vertical"
    variability: Variability = "mobile"
    reliability_pct: float = 50.0
    confidence_pct: float = 50.0

    def __post_init__(self) -> None:
        checks = (
            ("itm_refractivity_n_units", 250.0 <= self.refractivity_n_units <= 400.0,
             "250–400 N-units (301 is the standard atmosphere)"),
            ("itm_ground_permittivity", self.ground_permittivity > 1.0,
             "a relative permittivity > 1 (15 average ground, 80 sea water)"),
            ("itm_ground_conductivity_s_m", self.ground_conductivity_s_m > 0.0,
             "a conductivity > 0 S/m (0.005 average ground)"),
            ("itm_reliability_pct", 0.0 < self.reliability_pct < 100.0, "a share 0–100 %"),
            ("itm_confidence_pct", 0.0 < self.confidence_pct < 100.0, "a share 0–100 %"),
            ("itm_climate", self.climate in CLIMATES, "one of " + ", ".join(CLIMATES)),
            ("itm_polarization", self.polarization in ("vertical", "horizontal"),
             "vertical or horizontal"),
            ("itm_variability", self.variability in _MDVAR, "one of " + ", ".join(_MDVAR)),
        )
        for key, ok, what in checks:
            if not ok:
                raise ValueRangeError(f"coverage.{key} is out of range", column=f"coverage.{key}",
                                      fix=f"give {what}")

    @classmethod
    def from_config(cls, config: CoverageConfig) -> ItmParameters:
        """The ``coverage.itm_*`` keys of a project config."""
        return cls(config.itm_refractivity_n_units, config.itm_ground_permittivity,
                   config.itm_ground_conductivity_s_m, config.itm_climate,
                   config.itm_polarization, config.itm_variability,
                   config.itm_reliability_pct, config.itm_confidence_pct)

    @property
    def effective_curvature_per_m(self) -> float:
        """ITM's effective Earth curvature ``γ_e = γ_a (1 - 0.04665 exp(N_s / 179.3))``."""
        return _GAMMA_A * (1.0 - 0.04665 * math.exp(self.refractivity_n_units / 179.3))

    def kernel_array(self) -> np.ndarray:
        """The parameter vector of :func:`geotel.coverage._itm.loss_db`."""
        zt = _qerfi(self.reliability_pct / 100.0)
        zc = _qerfi(self.confidence_pct / 100.0)
        return np.array([self.refractivity_n_units, self.effective_curvature_per_m,
                         self.ground_permittivity, self.ground_conductivity_s_m,
                         1.0 if self.polarization == "vertical" else 0.0,
                         float(CLIMATES[self.climate]), float(_MDVAR[self.variability]),
                         zt, zt, zc])


@dataclass(frozen=True)
class ItmLoss:
    """Result of :func:`itm_point_to_point` (distances in m, angles in radians).

    ``path`` is the geometry from the horizons (the sum of the horizon distances against
    the path length, as ITM's qkpfl reports it); ``reference_range`` is the ITM range
    whose formula gave the reference attenuation: line of sight up to the smooth-Earth
    horizon distance of the effective heights (which an obstructed short path can still
    be in, its obstacle then acting through the diffraction line), diffraction, or
    troposcatter beyond.
    """

    loss_db: float
    free_space_db: float
    reference_db: float
    path: Literal["line_of_sight", "single_horizon", "double_horizon"]
    reference_range: Literal["line_of_sight", "diffraction", "scatter"]
    warning_level: int
    delta_h_m: float
    effective_heights_m: tuple[float, float]
    horizon_distances_m: tuple[float, float]
    horizon_angles_rad: tuple[float, float]


def itm_point_to_point(
    height_m: ArrayLike | Sequence[float],
    *,
    step_m: float,
    freq_mhz: float,
    tx_height_m: float,
    rx_height_m: float,
    params: ItmParameters = ItmParameters(),
) -> ItmLoss:
    """Basic transmission loss over a terrain profile by the ITM, point-to-point mode.

    Parameters
    ----------
    height_m
        Terrain heights at equal steps from the transmitter (first) to the receiver
        (last), at least 2 points.
    step_m
        Distance between profile points (m); the path is ``(len - 1) * step_m``.
    freq_mhz
        Carrier frequency, 20–20,000 MHz.
    tx_height_m, rx_height_m
        Antenna heights above the first and last profile points, 0.5–3000 m.
    params
        Environment and statistics.

    Returns
    -------
    ItmLoss
        ``loss_db`` (free space + the ITM's attenuation quantile), the free-space loss,
        the reference attenuation (before variability), the path geometry and the range
        the reference came from, ITM's warning level (0 none, 1 caution, 3 internal
        range, 4 out of range), and the path parameters.

    Raises
    ------
    ValueRangeError
        Too short or non-finite profile, non-positive step, frequency or heights
        outside the ITM's limits.

    Examples
    --------
    >>> ridge = [0.0] * 50 + [120.0] + [0.0] * 50
    >>> r = itm_point_to_point(ridge, step_m=100.0, freq_mhz=1800.0, tx_height_m=30.0,
    ...                        rx_height_m=1.5)
    >>> r.path, r.horizon_distances_m, round(r.loss_db - r.free_space_db, 1)
    ('single_horizon', (5000.0, 5000.0), 38.6)
    """
    z = np.ascontiguousarray(height_m, dtype=np.float64)
    if z.ndim != 1 or z.size < 2 or not np.isfinite(z).all():
        raise ValueRangeError("the profile needs at least 2 finite heights", column="height_m",
                              fix="give the terrain from transmitter to receiver, no NaN")
    if not (math.isfinite(step_m) and step_m > 0):
        raise ValueRangeError(f"step_m = {step_m!r} must be > 0", column="step_m",
                              fix="give the distance between profile points in metres")
    if not 20.0 <= freq_mhz <= 20_000.0:
        raise ValueRangeError(f"frequency {freq_mhz:g} MHz is outside the ITM's 20–20,000 MHz",
                              column="freq_mhz", fix="use a carrier frequency in MHz")
    for name, h in (("tx_height_m", tx_height_m), ("rx_height_m", rx_height_m)):
        if not 0.5 <= h <= 3000.0:
            raise ValueRangeError(f"{name} = {h:g} is outside the ITM's 0.5–3000 m",
                                  column=name, fix="give the antenna height above ground")
    work = np.empty(256)
    par = params.kernel_array()
    n = z.size - 1
    loss, aref, mode, kwx = _itm.loss_db(z, n, float(step_m), float(tx_height_m),
                                         float(rx_height_m), float(freq_mhz), par, work)
    dh, he0, he1, dl0, dl1, the0, the1 = _itm.prepare(z, n, float(step_m), float(tx_height_m),
                                                      float(rx_height_m), par[1], work)
    fs = 20.0 * math.log10(2.0 * freq_mhz / 47.7 * n * step_m)
    q = n * step_m - dl0 - dl1
    q = max(q - 0.5 * step_m, 0.0) - max(-q - 0.5 * step_m, 0.0)
    path: Literal["line_of_sight", "single_horizon", "double_horizon"] = (
        "line_of_sight" if q < 0 else "single_horizon" if q == 0 else "double_horizon")
    return ItmLoss(float(loss), fs, float(aref), path, _RANGES[mode], int(kwx), float(dh),
                   (float(he0), float(he1)), (float(dl0), float(dl1)),
                   (float(the0), float(the1)))
