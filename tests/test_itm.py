"""Longley-Rice ITM point-to-point against an independent implementation and published values.

Oracle: ``itmlogic`` (PyPI, the Python port of NTIA's ITM 1.2.2 Fortran; dev extra),
called as its own point-to-point script does (qlrps, qlrpfl, avar). Our kernels are a
separate numba implementation; itmlogic is never used at run time.

One known defect of the oracle is neutralised: itmlogic 1.2's ``qlrpfl`` takes the
receiver's ground height from the second-to-last profile point (``pfl[np + 1]``) on
line-of-sight paths, where the NTIA code uses the last one (``PFL(NP+3)``). The test
profiles therefore end on two equal heights (a receiver on a flat cell), which makes
the two readings the same.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from itmlogic.misc.qerfi import qerfi
from itmlogic.preparatory_subroutines.qlrpfl import qlrpfl
from itmlogic.preparatory_subroutines.qlrps import qlrps
from itmlogic.statistics.avar import avar
from scipy import ndimage

from geotel.coverage.itm import ItmParameters, itm_point_to_point
from geotel.errors import ValueRangeError

# The profile of the ITM's own point-to-point test case (qkpfl): Crystal Palace to
# Mursley, England, 77.8 km, 157 points (as in itmlogic's scripts/p2p.py).
CRYSTAL_PALACE_MURSLEY_M = [
    96, 84, 65, 46, 46, 46, 61, 41, 33, 27, 23, 19, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
    15, 15, 17, 19, 21, 23, 25, 27, 29, 35, 46, 41, 35, 30, 33, 35, 37, 40, 35, 30, 51, 62,
    76, 46, 46, 46, 46, 46, 46, 50, 56, 67, 106, 83, 95, 112, 137, 137, 76, 103, 122, 122,
    83, 71, 61, 64, 67, 71, 74, 77, 79, 86, 91, 83, 76, 68, 63, 76, 107, 107, 107, 119, 127,
    133, 135, 137, 142, 148, 152, 152, 107, 137, 104, 91, 99, 120, 152, 152, 137, 168, 168,
    122, 137, 137, 170, 183, 183, 187, 194, 201, 192, 152, 152, 166, 177, 198, 156, 127, 116,
    107, 104, 101, 98, 95, 103, 91, 97, 102, 107, 107, 107, 103, 98, 94, 91, 105, 122, 122,
    122, 122, 122, 137, 137, 137, 137, 137, 137, 137, 137, 140, 144, 147, 150, 152, 159,
]
_MDVAR = {"accidental": 11, "mobile": 12}
_CLIMATE = {"continental_subtropical": 2, "continental_temperate": 5}


def _itmlogic_loss_db(z: np.ndarray, step_m: float, freq_mhz: float, hg: tuple[float, float],
                      p: ItmParameters) -> float:
    """The oracle: itmlogic's point-to-point run (its scripts/p2p.py, one quantile)."""
    vertical = int(p.polarization == "vertical")
    wn, gme, ens, zgnd = qlrps(freq_mhz, 0, p.refractivity_n_units, vertical,
                               p.ground_permittivity, p.ground_conductivity_s_m)
    prop = {"fmhz": freq_mhz, "hg": list(hg), "ipol": vertical, "eps": p.ground_permittivity,
            "sgm": p.ground_conductivity_s_m, "klim": _CLIMATE[p.climate], "ens0": ens,
            "ens": ens, "wn": wn, "gme": gme, "zgnd": zgnd, "lvar": 5, "gma": 157e-9,
            "kwx": 0, "klimx": 0, "mdvarx": _MDVAR[p.variability],
            "pfl": [len(z) - 1, step_m, *map(float, z)]}
    prop = qlrpfl(prop)
    fs = 8.685890 * math.log(2 * prop["wn"] * prop["dist"])
    a, _ = avar(qerfi([p.reliability_pct / 100])[0], 0, qerfi([p.confidence_pct / 100])[0],
                prop)
    return fs + a


def _profiles(step_m: float) -> list[tuple[str, float, np.ndarray]]:
    rng = np.random.default_rng(0)
    out = []
    for d_km in (1, 2, 5, 10, 20, 35, 50):
        n = round(d_km * 1000 / step_m)
        x = np.arange(n + 1) * step_m
        rough = np.zeros(n + 1)
        for scale_m, amp in ((8000, 150.0), (2000, 40.0), (300, 8.0)):
            noise = ndimage.gaussian_filter1d(rng.standard_normal(n + 1), scale_m / step_m)
            rough += amp * noise / noise.std()
        measured = np.interp(np.linspace(0, len(CRYSTAL_PALACE_MURSLEY_M) - 1, n + 1),
                             np.arange(len(CRYSTAL_PALACE_MURSLEY_M)), CRYSTAL_PALACE_MURSLEY_M)
        for kind, z in (("flat", np.full(n + 1, 200.0)),
                        ("ridge", 200 + 80 * np.exp(-((x - 0.6 * x[-1]) / 300) ** 2)),
                        ("rough", rough - rough.min() + 300),
                        ("measured", measured)):
            z = z.copy()
            z[-1] = z[-2]  # see the module docstring
            out.append((kind, float(d_km), z))
    return out


def test_itm_agrees_with_itmlogic_on_many_profiles() -> None:
    step = 90.0
    params = ItmParameters()  # the coverage defaults: climate 2, N_s 301, vertical, 50/50
    errors = []
    paths = set()
    for (kind, d_km, z), f, hg in itertools.product(
            _profiles(step), (900.0, 1800.0, 2100.0), ((30.0, 1.5), (15.0, 1.5), (60.0, 3.0))):
        ours = itm_point_to_point(z, step_m=step, freq_mhz=f, tx_height_m=hg[0],
                                  rx_height_m=hg[1], params=params)
        ref = _itmlogic_loss_db(z, step, f, hg, params)
        errors.append(ours.loss_db - ref)
        paths.add(ours.path)
        assert 60 < ours.loss_db < 260, (kind, d_km, f, hg)
    err = np.abs(np.array(errors))
    assert len(err) == 4 * 7 * 3 * 3
    # measured: median 5e-6 dB, max 6e-6 dB (itmlogic's dB factor 8.685890 vs 20/ln 10)
    assert np.median(err) < 1e-4
    assert err.max() < 1e-3
    assert paths == {"line_of_sight", "single_horizon", "double_horizon"}


@pytest.mark.parametrize(("variability", "reliability", "climate"), [
    ("accidental", 10.0, "continental_temperate"),
    ("mobile", 90.0, "continental_subtropical"),
])
def test_itm_quantiles_agree_with_itmlogic(variability, reliability, climate) -> None:
    z = np.array(CRYSTAL_PALACE_MURSLEY_M, float)
    z[-1] = z[-2]
    p = ItmParameters(variability=variability, reliability_pct=reliability, climate=climate,
                      confidence_pct=90.0)
    ours = itm_point_to_point(z, step_m=500.0, freq_mhz=900.0, tx_height_m=40.0,
                              rx_height_m=2.0, params=p).loss_db
    # itmlogic rounds its normal deviates to 4 decimals: a few thousandths of a dB
    assert ours == pytest.approx(_itmlogic_loss_db(z, 500.0, 900.0, (40.0, 2.0), p), abs=0.01)


def test_itm_published_crystal_palace_to_mursley() -> None:
    """ITM's qkpfl test case, values as published in itmlogic's tests/test_p2p.py."""
    p = {"refractivity_n_units": 314.0, "climate": "continental_temperate",
             "polarization": "horizontal", "variability": "accidental", "confidence_pct": 50.0}
    kw = {"step_m": 77_800.0 / 156, "freq_mhz": 41.5, "tx_height_m": 143.9, "rx_height_m": 8.5}
    low = itm_point_to_point(CRYSTAL_PALACE_MURSLEY_M, **kw,
                             params=ItmParameters(**p, reliability_pct=1.0))
    high = itm_point_to_point(CRYSTAL_PALACE_MURSLEY_M, **kw,
                              params=ItmParameters(**p, reliability_pct=99.0))
    assert low.loss_db == pytest.approx(128.5969, abs=0.01)
    assert high.loss_db == pytest.approx(139.7413, abs=0.01)
    assert low.delta_h_m == pytest.approx(89.2126, abs=1e-3)
    assert low.path == "double_horizon"


def test_itm_physics_and_bad_input() -> None:
    flat = np.zeros(201)
    kw = {"step_m": 100.0, "tx_height_m": 30.0, "rx_height_m": 1.5}
    a = itm_point_to_point(flat, freq_mhz=900.0, **kw)
    b = itm_point_to_point(flat, freq_mhz=1800.0, **kw)
    assert a.free_space_db == pytest.approx(32.45 + 20 * math.log10(900 * 20), abs=0.01)
    assert b.loss_db > a.loss_db
    assert a.loss_db > a.free_space_db
    ridge = flat.copy()
    ridge[100] = 150.0
    c = itm_point_to_point(ridge, freq_mhz=900.0, **kw)
    assert c.loss_db > a.loss_db + 10
    assert c.horizon_distances_m == (10_000.0, 10_000.0)
    with pytest.raises(ValueRangeError, match="20–20,000 MHz"):
        itm_point_to_point(flat, freq_mhz=10.0, **kw)
    with pytest.raises(ValueRangeError, match="tx_height_m"):
        itm_point_to_point(flat, freq_mhz=900.0, step_m=100.0, tx_height_m=0.1,
                           rx_height_m=1.5)
    with pytest.raises(ValueRangeError, match="2 finite heights"):
        itm_point_to_point([1.0, np.nan, 2.0], freq_mhz=900.0, **kw)
    with pytest.raises(ValueRangeError, match=r"coverage\.itm_refractivity_n_units"):
        ItmParameters(refractivity_n_units=500.0)
