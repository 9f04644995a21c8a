"""Registry of the path-loss models of the coverage sweep, with their validity ranges.

Every model turns the terrain profile of each cell along the rays of the one radial
sweep (:mod:`geotel.coverage._ray`) into a path loss. A model is registered by name
with the ranges it was fitted or validated on: inputs outside them give a
:class:`~geotel.propagation.ModelRangeWarning` (the result is extrapolated), inputs
outside its hard limits a :class:`~geotel.errors.ValueRangeError`.

Models
------
hata_deygout
    Okumura-Hata (≤ 1500 MHz) / COST-231 Hata (≤ 2000 MHz, extrapolated to 2700 MHz),
    at least free space, plus terrain diffraction by Deygout (up to 3 edges) or
    Bullington per ``coverage.diffraction`` (:mod:`geotel.propagation`).
itm
    Longley-Rice Irregular Terrain Model 1.2.2, point-to-point mode over each profile
    (:mod:`geotel.coverage.itm`), with the ``coverage.itm_*`` parameters.

Examples
--------
>>> sorted(MODELS)
['hata_deygout', 'itm']
>>> get_model("itm").freq_mhz
(40.0, 10000.0)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from geotel.coverage import _sweep
from geotel.coverage.itm import ItmParameters
from geotel.errors import ValueRangeError
from geotel.propagation import (
    EARTH_RADIUS_M,
    REFRACTION_K,
    Environment,
    ModelRangeWarning,
    check_model_frequency,
    hata_coefficients_db,
)

__all__ = [
    "MODELS",
    "ModelName",
    "ModelSettings",
    "PropagationModel",
    "get_model",
    "register_model",
]

ModelName = Literal["hata_deygout", "itm"]
_METHODS = {"none": 0, "deygout": 1, "bullington": 2}


@dataclass(frozen=True)
class ModelSettings:
    """The options a model may read: Hata environment, diffraction method, ITM parameters."""

    environment: Environment = "open"
    diffraction: Literal["deygout", "bullington", "none"] = "deygout"
    itm: ItmParameters = field(default_factory=ItmParameters)


#: ``window(z, r0, c0, n, dx, dy, tx_heights_m, rx_height_m, radius_m, combo_height,
#: combo_freq_mhz, settings, wr0, wc0, out)`` fills ``out[c]`` with the loss (dB) of
#: combination c (antenna height ``tx_heights_m[combo_height[c]]``, frequency
#: ``combo_freq_mhz[c]``) over the site's window whose top-left cell is (wr0, wc0).
WindowFunction = Callable[..., None]


@dataclass(frozen=True)
class PropagationModel:
    """A registered path-loss model.

    Attributes
    ----------
    name, description
        Registry key (``coverage.model``) and a one-line description.
    freq_mhz, distance_km, tx_height_m, rx_height_m
        Validity ranges: outside them the model is extrapolated (warning).
    freq_limits_mhz, height_limits_m
        Hard limits: outside them the model refuses (error).
    window
        The sweep kernel (see :data:`WindowFunction`).
    """

    name: str
    description: str
    freq_mhz: tuple[float, float]
    distance_km: tuple[float, float]
    tx_height_m: tuple[float, float]
    rx_height_m: tuple[float, float]
    freq_limits_mhz: tuple[float, float]
    height_limits_m: tuple[float, float]
    window: WindowFunction = field(repr=False, compare=False)

    def check_frequency(self, freq_mhz: float, *, where: str | None = None) -> None:
        """Raise outside the hard limits; warn outside the validity range."""
        if self.name == "hata_deygout":
            check_model_frequency(freq_mhz, where=where)  # its historical messages
            return
        lo, hi = self.freq_limits_mhz
        if not (math.isfinite(freq_mhz) and lo <= freq_mhz <= hi):
            raise ValueRangeError(
                f"frequency {freq_mhz:g} MHz is outside the {self.name} model's "
                f"{lo:g}–{hi:g} MHz", feature=where, column="freq_mhz",
                fix=f"use a carrier between {lo:g} and {hi:g} MHz, or another coverage.model")
        self._range("freq_mhz", np.array([freq_mhz]), self.freq_mhz, "MHz")

    def check_inputs(self, *, tx_height_m: np.ndarray, rx_height_m: float,
                     max_distance_km: float) -> None:
        """Check antenna heights and the coverage radius against the model's ranges."""
        hb = np.asarray(tx_height_m, dtype=float)
        lo, hi = self.height_limits_m
        for name, arr in (("height_m", hb), ("rx_height_m", np.array([rx_height_m]))):
            bad = ~((arr >= lo) & (arr <= hi)) if lo > 0 else ~(arr > 0)
            if bad.any():
                raise ValueRangeError(
                    f"antenna {name} = {arr[bad][0]:g} m is outside the {self.name} model's "
                    f"{'> 0' if lo <= 0 else f'{lo:g}–{hi:g}'} m", column=name,
                    fix="give the antenna height above ground in metres")
        self._range("tx_height_m", hb, self.tx_height_m, "m", what="sector(s) have an "
                    "antenna height_m")
        self._range("rx_height_m", np.array([rx_height_m]), self.rx_height_m, "m")
        if max_distance_km > self.distance_km[1]:
            self._range("max_radius_m", np.array([max_distance_km]), self.distance_km, "km",
                        what="coverage radius (km)")

    def _range(self, name: str, arr: np.ndarray, rng: tuple[float, float], unit: str,
               what: str | None = None) -> None:
        out = (arr < rng[0]) | (arr > rng[1])
        if not out.any():
            return
        label = "Hata model" if self.name == "hata_deygout" else f"{self.name} model"
        if what and arr.size > 1:
            msg = (f"{label}: {int(out.sum())} {what} outside {rng[0]:g}–{rng[1]:g} {unit} "
                   f"(e.g. {arr[out][0]:g}); extrapolated")
        else:
            msg = (f"{label}: {name} = {arr[out][0]:g} is outside {rng[0]:g}–{rng[1]:g} "
                   f"{unit}; extrapolated")
        warnings.warn(msg, ModelRangeWarning, stacklevel=4)


def _hata_deygout_window(z: np.ndarray, r0: int, c0: int, n: int, dx: float, dy: float,
                         heights: np.ndarray, rx_h: float, radius_m: float, c_t: np.ndarray,
                         freqs: np.ndarray, settings: ModelSettings, wr0: int, wc0: int,
                         out: np.ndarray) -> None:
    curv = 1.0 / (2.0 * REFRACTION_K * EARTH_RADIUS_M)
    coef = [hata_coefficients_db(float(f), float(heights[t]), rx_h, settings.environment)
            for t, f in zip(c_t, freqs, strict=True)]
    _sweep.path_loss(z, r0, c0, n, dx, dy, heights, rx_h, radius_m, curv, c_t, freqs,
                     np.array([a for a, _ in coef]), np.array([b for _, b in coef]),
                     _METHODS[settings.diffraction], wr0, wc0, out)


def _itm_window(z: np.ndarray, r0: int, c0: int, n: int, dx: float, dy: float,
                heights: np.ndarray, rx_h: float, radius_m: float, c_t: np.ndarray,
                freqs: np.ndarray, settings: ModelSettings, wr0: int, wc0: int,
                out: np.ndarray) -> None:
    _sweep.path_loss_itm(z, r0, c0, n, dx, dy, heights, rx_h, radius_m, c_t, freqs,
                         settings.itm.kernel_array(), wr0, wc0, out)


#: The registered models, by name.
MODELS: dict[str, PropagationModel] = {}


def register_model(model: PropagationModel) -> PropagationModel:
    """Add (or replace) a model in :data:`MODELS`; returns it."""
    MODELS[model.name] = model
    return model


register_model(PropagationModel(
    name="hata_deygout",
    description="Okumura-Hata / COST-231 Hata (at least free space) plus terrain "
                "diffraction by Deygout or Bullington (coverage.diffraction)",
    freq_mhz=(150.0, 2000.0), distance_km=(1.0, 20.0), tx_height_m=(30.0, 200.0),
    rx_height_m=(1.0, 10.0), freq_limits_mhz=(150.0, 2700.0), height_limits_m=(0.0, math.inf),
    window=_hata_deygout_window,
))
register_model(PropagationModel(
    name="itm",
    description="Longley-Rice Irregular Terrain Model 1.2.2, point-to-point over each "
                "profile (coverage.itm_*)",
    # ITM's caution limits (KWX = 1): wave number 0.838–210, heights 1–1000 m; its hard
    # limits (KWX = 4): 0.419–420, i.e. 20–20,000 MHz, heights 0.5–3000 m; distance 1 km+
    freq_mhz=(40.0, 10_000.0), distance_km=(1.0, 2000.0), tx_height_m=(1.0, 1000.0),
    rx_height_m=(1.0, 1000.0), freq_limits_mhz=(20.0, 20_000.0),
    height_limits_m=(0.5, 3000.0), window=_itm_window,
))


def get_model(name: str) -> PropagationModel:
    """The registered model called ``name``.

    Raises
    ------
    ValueRangeError
        Unknown name; the message names ``coverage.model`` and lists the valid names.

    Examples
    --------
    >>> get_model("hata_deygout").distance_km
    (1.0, 20.0)
    >>> get_model("okumura")
    Traceback (most recent call last):
    ...
    geotel.errors.ValueRangeError: column 'coverage.model': unknown propagation model \
'okumura' Fix: use one of: hata_deygout, itm
    """
    try:
        return MODELS[name]
    except (KeyError, TypeError):
        raise ValueRangeError(f"unknown propagation model {name!r}", column="coverage.model",
                              fix="use one of: " + ", ".join(sorted(MODELS))) from None
