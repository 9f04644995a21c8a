"""Known answers for the path-loss models (geotel.propagation)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from geotel.errors import InputError, ValueRangeError
from geotel.propagation import (
    EARTH_RADIUS_M,
    ModelRangeWarning,
    bullington_loss_db,
    deygout_loss_db,
    free_space_path_loss_db,
    fresnel_parameter,
    hata_coefficients_db,
    hata_path_loss_db,
    knife_edge_loss_db,
    radio_horizon_m,
)

LOG = math.log10


def _hata_by_hand(f: float, d: float, hb: float, hm: float, env: str) -> float:
    """Okumura-Hata / COST-231 written out from the published formulas."""
    a_hm = (1.1 * LOG(f) - 0.7) * hm - (1.56 * LOG(f) - 0.8)
    if f <= 1500:
        lu = 69.55 + 26.16 * LOG(f) - 13.82 * LOG(hb) - a_hm + (44.9 - 6.55 * LOG(hb)) * LOG(d)
    else:
        lu = 46.3 + 33.9 * LOG(f) - 13.82 * LOG(hb) - a_hm + (44.9 - 6.55 * LOG(hb)) * LOG(d)
    if env == "suburban":
        return lu - 2 * LOG(f / 28) ** 2 - 5.4
    if env == "open":
        return lu - 4.78 * LOG(f) ** 2 + 18.33 * LOG(f) - 40.94
    return lu


def test_free_space_known_answer() -> None:
    assert float(free_space_path_loss_db(900, 1.0)) == pytest.approx(91.5, abs=0.05)
    # doubling the distance adds 6.02 dB
    a, b = free_space_path_loss_db(900, [1.0, 2.0])
    assert b - a == pytest.approx(20 * LOG(2), abs=1e-9)


@pytest.mark.parametrize(("f", "d", "hb", "hm", "env"), [
    (900, 1.0, 30, 1.5, "urban"), (900, 10.0, 50, 1.5, "urban"), (450, 5.0, 100, 3.0, "urban"),
    (900, 5.0, 30, 1.5, "suburban"), (900, 5.0, 30, 1.5, "open"), (1800, 2.0, 30, 1.5, "urban"),
    (1800, 8.0, 40, 1.5, "open"), (1900, 3.0, 60, 2.0, "suburban"),
])
def test_hata_matches_published_formula(f, d, hb, hm, env) -> None:
    assert float(hata_path_loss_db(f, d, hb, hm, env)) == pytest.approx(
        _hata_by_hand(f, d, hb, hm, env), abs=1e-9)
    a, b = hata_coefficients_db(f, hb, hm, env)
    assert a + b * LOG(d) == pytest.approx(_hata_by_hand(f, d, hb, hm, env), abs=1e-9)


def test_hata_published_table_values() -> None:
    # Widely tabulated: urban, 900 MHz, hb = 30 m, hm = 1.5 m, 1 km -> 126.4 dB,
    # slope 35.2 dB/decade; open area at 900 MHz is 28.5 dB below urban.
    assert float(hata_path_loss_db(900, 1.0, 30, 1.5, "urban")) == pytest.approx(126.4, abs=0.05)
    l1, l10 = hata_path_loss_db(900, [1.0, 10.0], 30, 1.5, "urban")
    assert l10 - l1 == pytest.approx(35.2, abs=0.05)
    diff = hata_path_loss_db(900, 1.0, 30, 1.5, "urban") - hata_path_loss_db(
        900, 1.0, 30, 1.5, "open")
    assert float(diff) == pytest.approx(28.5, abs=0.05)
    # COST-231 at 1800 MHz, hb 30 m, hm 1.5 m, 1 km (C_m = 0): 136.2 dB
    assert float(hata_path_loss_db(1800, 1.0, 30, 1.5, "urban")) == pytest.approx(136.2, abs=0.05)


def test_hata_ranges_warn_and_refuse() -> None:
    with pytest.warns(ModelRangeWarning, match="extrapolated"):
        hata_path_loss_db(2100, 5.0, 30, 1.5, "urban")
    with pytest.warns(ModelRangeWarning, match="distance_km"):
        hata_path_loss_db(900, 0.5, 30, 1.5, "urban")
    with pytest.warns(ModelRangeWarning, match="tx_height_m"):
        hata_path_loss_db(900, 5.0, 15, 1.5, "urban")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hata_path_loss_db(1800, 5.0, 30, 1.5, "urban")  # in range: silent
    for bad in (3500, 100, float("nan")):
        with pytest.raises(ValueRangeError, match="outside every path-loss model"):
            hata_path_loss_db(bad, 5.0, 30, 1.5, "urban")
    with pytest.raises(ValueRangeError, match="tx_height_m"):
        hata_path_loss_db(900, 5.0, -30, 1.5, "urban")
    with pytest.raises(ValueRangeError, match="distance_km"):
        hata_path_loss_db(900, 0.0, 30, 1.5, "urban")
    with pytest.raises(ValueRangeError, match="environment"):
        hata_path_loss_db(900, 5.0, 30, 1.5, "jungle")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        free_space_path_loss_db(-900, 1.0)


def test_knife_edge_known_answers() -> None:
    assert float(knife_edge_loss_db(0.0)) == pytest.approx(6.0, abs=0.05)
    assert knife_edge_loss_db([-0.78, -2.0]).tolist() == [0.0, 0.0]
    v = np.linspace(-0.7, 10, 50)
    j = knife_edge_loss_db(v)
    assert np.all(np.diff(j) > 0)
    # P.526's approximation for large v: J(v) ~ 13 + 20 log10(v)
    assert float(knife_edge_loss_db(10.0)) == pytest.approx(13 + 20 * LOG(10), abs=0.2)


def test_radio_horizon_formula() -> None:
    assert float(radio_horizon_m(30.0)) == pytest.approx(
        math.sqrt(2 * 4 / 3 * EARTH_RADIUS_M * 30.0))


def test_single_edge_profiles_give_j_of_v() -> None:
    d = np.array([0.0, 2000.0, 3000.0, 7000.0])
    z = np.array([100.0, 105.0, 190.0, 110.0])
    f, hb, hm = 900.0, 30.0, 1.5
    lam = 299_792_458.0 / 900e6
    # by hand: edge at 3 km, with the Earth bulge d1 d2 / (2 k R)
    bulge = 3000.0 * 4000.0 / (2 * 4 / 3 * EARTH_RADIUS_M)
    h = 190.0 + bulge - (130.0 + (111.5 - 130.0) * 3000.0 / 7000.0)
    v = h * math.sqrt(2 * 7000.0 / (lam * 3000.0 * 4000.0))
    assert float(fresnel_parameter(h, 3000.0, 4000.0, f)) == pytest.approx(v)
    expected = float(knife_edge_loss_db(v))
    assert deygout_loss_db(d, z, freq_mhz=f, tx_height_m=hb, rx_height_m=hm) == \
        pytest.approx(expected, abs=1e-9)
    assert bullington_loss_db(d, z, freq_mhz=f, tx_height_m=hb, rx_height_m=hm) == \
        pytest.approx(expected, abs=1e-9)


def test_deygout_three_edges_by_hand() -> None:
    d = np.array([0.0, 3000.0, 5000.0, 7000.0, 10000.0])
    z = np.array([0.0, 60.0, 80.0, 60.0, 0.0])
    lam = 299_792_458.0 / 900e6

    def v(h, d1, d2):
        return h * math.sqrt(2 * (d1 + d2) / (lam * d1 * d2))

    hp = 80.0 - (30.0 + (1.5 - 30.0) * 0.5)
    vp = v(hp, 5000, 5000)
    vt = v(60.0 - (30.0 + (80.0 - 30.0) * 0.6), 3000, 2000)
    vr = v(60.0 - (80.0 + (1.5 - 80.0) * 0.4), 2000, 3000)
    jp, jt, jr = (float(knife_edge_loss_db(x)) for x in (vp, vt, vr))
    assert jt > 0
    assert jr > 0
    expected = jp + (1 - math.exp(-jp / 6)) * (jt + jr + 10 + 0.04 * 10)
    got = deygout_loss_db(d, z, freq_mhz=900, tx_height_m=30, rx_height_m=1.5, curvature=False)
    assert got == pytest.approx(expected, abs=1e-9)
    # Bullington: crossing of the horizon rays (here at the middle edge, by symmetry-free
    # construction); it is one edge, so below Deygout's sum
    b = bullington_loss_db(d, z, freq_mhz=900, tx_height_m=30, rx_height_m=1.5,
                           curvature=False)
    assert 0 < b < got


def test_profile_bad_input() -> None:
    with pytest.raises(ValueRangeError):
        deygout_loss_db([0, 10, 5], [0, 0, 0], freq_mhz=900, tx_height_m=30, rx_height_m=1.5)
    with pytest.raises(ValueRangeError, match="NaN"):
        deygout_loss_db([0, 5, 10], [0, np.nan, 0], freq_mhz=900, tx_height_m=30,
                        rx_height_m=1.5)
    with pytest.raises(ValueRangeError, match="heights"):
        bullington_loss_db([0, 5, 10], [0, 0, 0], freq_mhz=900, tx_height_m=-1,
                           rx_height_m=1.5)
