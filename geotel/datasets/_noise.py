"""Deterministic random fields for the demo: seeded spectral (FFT) synthesis.

Every generator takes a *name*; the seed is derived from the name, so adding a new
field never changes the others and two runs give the same numbers.
"""

from __future__ import annotations

import zlib

import numpy as np
import scipy.fft

__all__ = ["periodic_tile", "rng", "spectral_field"]

_BASE_SEED = 20_240_615


def rng(name: str) -> np.random.Generator:
    """A generator seeded from ``name`` (stable across runs and platforms)."""
    return np.random.default_rng([_BASE_SEED, zlib.crc32(name.encode("utf-8"))])


def spectral_field(
    shape: tuple[int, int],
    cell_m: float,
    *,
    name: str,
    beta: float = 3.4,
    min_wavelength_m: float = 0.0,
    max_wavelength_m: float = np.inf,
) -> np.ndarray:
    """Gaussian random field with power spectrum ``k**-beta`` in a wavelength band.

    The field is periodic over ``shape``, has zero mean and unit standard deviation,
    and is returned as float32. ``beta`` ≈ 3–3.6 looks like terrain (fractional
    Brownian surface); smaller values are rougher.

    Examples
    --------
    >>> f = spectral_field((64, 80), 100.0, name="doc", max_wavelength_m=2_000)
    >>> f.shape, f.dtype.name, round(float(f.std()), 3)
    ((64, 80), 'float32', 1.0)
    """
    h, w = shape
    ky = scipy.fft.fftfreq(h, d=cell_m).astype(np.float32)[:, None]
    kx = scipy.fft.rfftfreq(w, d=cell_m).astype(np.float32)[None, :]
    k = np.sqrt(kx * kx + ky * ky)
    band = (k >= 1.0 / max_wavelength_m) & (k > 0)
    if min_wavelength_m > 0:
        band &= k <= 1.0 / min_wavelength_m
    amp = np.zeros_like(k)
    amp[band] = k[band] ** (-beta / 2.0)
    g = rng(name)
    spec = (g.standard_normal(k.shape, dtype=np.float32)
            + 1j * g.standard_normal(k.shape, dtype=np.float32)).astype(np.complex64)
    spec *= amp
    field = scipy.fft.irfft2(spec, s=shape, workers=-1).astype(np.float32, copy=False)
    field -= field.mean(dtype=np.float64)
    std = float(field.std(dtype=np.float64))
    if std > 0:
        field /= std
    return field


def periodic_tile(shape: tuple[int, int], tile: np.ndarray) -> np.ndarray:
    """Cover ``shape`` with copies of a periodic ``tile`` (no seams for spectral fields)."""
    th, tw = tile.shape
    reps = (-(-shape[0] // th), -(-shape[1] // tw))
    return np.tile(tile, reps)[: shape[0], : shape[1]]
