"""Propagation-model registry, ITM through the sweep, and per-sector antenna patterns."""

from __future__ import annotations

import math
import typing
import warnings
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pytest
from affine import Affine
from scipy import ndimage
from shapely.geometry import Point

from geotel.config import CoverageConfig, ProjectConfig
from geotel.coverage import (
    MODELS,
    AntennaPattern,
    ItmParameters,
    antenna_gain_db,
    get_model,
    iter_site_signals,
    itm_point_to_point,
    predict,
    run_coverage,
)
from geotel.coverage.itm import CLIMATES
from geotel.errors import InputError, ValueRangeError
from geotel.propagation import ModelRangeWarning
from geotel.raster import Raster

UTM = "EPSG:32649"


def _dem(values: np.ndarray, cell_m: float = 90.0) -> Raster:
    return Raster(values.astype("float32"), Affine(cell_m, 0, 500_000, 0, -cell_m, 1_500_000),
                  UTM, units="m")


def _towers(dem: Raster, cells: list[tuple[int, int]], **cols) -> gpd.GeoDataFrame:
    xs, ys = dem.xy(np.array([r for r, _ in cells]), np.array([c for _, c in cells]))
    n = len(cells)
    data = {"site_id": [f"S{i}" for i in range(n)], "operator": ["Viettel"] * n,
            "technologies": ["4G"] * n, "height_m": [30.0] * n, "tilt_deg": [0.0] * n,
            "eirp_dbm": [60.0] * n}
    data.update(cols)
    return gpd.GeoDataFrame(data, geometry=[Point(x, y) for x, y in zip(xs, ys, strict=True)],
                            crs=UTM)


def _rough(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    z = np.zeros((n, n))
    for s, a in ((12, 150.0), (4, 40.0), (1, 8.0)):
        noise = ndimage.gaussian_filter(rng.standard_normal((n, n)), s)
        z += a * noise / noise.std()
    return z - z.min() + 300.0


# --------------------------------------------------------------------------- registry


def test_registry_names_ranges_and_unknown_name() -> None:
    assert sorted(MODELS) == ["hata_deygout", "itm"]
    hata, itm = get_model("hata_deygout"), get_model("itm")
    assert hata.freq_mhz == (150.0, 2000.0)
    assert hata.distance_km == (1.0, 20.0)
    assert itm.freq_limits_mhz == (20.0, 20_000.0)
    assert itm.tx_height_m == (1.0, 1000.0)
    assert all(m.description for m in MODELS.values())
    with pytest.raises(ValueRangeError, match=r"coverage\.model") as err:
        get_model("cost231")
    assert "hata_deygout, itm" in str(err.value)
    assert err.value.column == "coverage.model"
    # the config names the same models, and the ITM climates
    hints = typing.get_type_hints(CoverageConfig)
    assert set(typing.get_args(hints["model"])) == set(MODELS)
    assert typing.get_args(hints["itm_climate"]) == tuple(CLIMATES)
    dem = _dem(np.zeros((21, 21)))
    with pytest.raises(ValueRangeError, match=r"coverage\.model"):
        predict(_towers(dem, [(10, 10)]), dem, model="okumura", progress=False)  # type: ignore


def test_validity_warnings_and_limits_per_model() -> None:
    dem = _dem(np.zeros((41, 41)))
    kw = {"max_radius_m": 1000.0, "progress": False}
    low = _towers(dem, [(20, 20)], height_m=[20.0])
    with pytest.warns(ModelRangeWarning, match="Hata model: .*height_m"):
        predict(low, dem, **kw)
    with pytest.warns(ModelRangeWarning, match="Hata model: rx_height_m = 12"):
        predict(_towers(dem, [(20, 20)]), dem, rx_height_m=12.0, **kw)
    with pytest.warns(ModelRangeWarning, match="Hata model: max_radius_m = 25"):
        predict(_towers(dem, [(20, 20)]), dem, max_radius_m=25_000.0, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # all inside the ITM's ranges: no warning
        predict(low, dem, model="itm", rx_height_m=12.0, **kw)
        predict(_towers(dem, [(20, 20)]), dem, model="itm", max_radius_m=25_000.0,
                progress=False)
    # 3500 MHz (5G n78): outside every Hata model, inside the ITM
    n78 = _towers(dem, [(20, 20)], freq_mhz=[3500.0])
    with pytest.raises(ValueRangeError, match="outside every path-loss model"):
        predict(n78, dem, **kw)
    res = predict(n78, dem, model="itm", **kw)
    assert np.isfinite(res.signal("4G").values).sum() > 300
    # a receiver below the ITM's 0.5 m (a tower below 1 m is refused by the schema first)
    with pytest.raises(ValueRangeError, match=r"itm model's 0\.5–3000 m"):
        predict(_towers(dem, [(20, 20)]), dem, model="itm", rx_height_m=0.2, **kw)
    with pytest.raises(ValueRangeError, match=r"height_m = 0\.2 is outside 1–200"):
        predict(_towers(dem, [(20, 20)], height_m=[0.2]), dem, model="itm", **kw)


# ------------------------------------------------------------------------ ITM coverage


def test_run_coverage_with_itm_matches_the_profile_model() -> None:
    z = _rough(81, seed=3)
    dem = _dem(z)
    towers = _towers(dem, [(40, 40)], beamwidth_deg=[360.0])
    cfg = CoverageConfig(max_radius_m=3000.0, model="itm", itm_climate="equatorial")
    res = run_coverage(SimpleNamespace(towers=towers, dem=dem), cfg)
    hata = run_coverage(SimpleNamespace(towers=towers, dem=dem),
                        CoverageConfig(max_radius_m=3000.0))
    sig = res.signal("4G").values
    assert res.sites["freq_mhz"].tolist() == [1800.0]
    assert np.array_equal(np.isfinite(sig), np.isfinite(hata.signal("4G").values))
    params = ItmParameters(climate="equatorial")
    for k in (3, 12, 30):  # receivers north of the site: the ray samples are cell centres
        profile = z[40 - k:41, 40][::-1]
        loss = itm_point_to_point(profile, step_m=90.0, freq_mhz=1800.0, tx_height_m=30.0,
                                  rx_height_m=1.5, params=params).loss_db
        theta = math.degrees(math.atan2(z[40, 40] + 30.0 - z[40 - k, 40] - 1.5, k * 90.0))
        gain = float(antenna_gain_db(0.0, theta, beamwidth_deg=360.0, tilt_deg=0.0))
        assert sig[40 - k, 40] == pytest.approx(60.0 + gain - loss, abs=1e-3)
    diff = (sig - hata.signal("4G").values)[np.isfinite(sig)]
    assert 0.5 < np.abs(np.median(diff)) < 30  # two different models, same order


def test_itm_config_keys_reach_the_model() -> None:
    cfg = ProjectConfig.from_dict({"coverage": {
        "model": "itm", "itm_climate": "maritime_subtropical", "itm_refractivity_n_units": 320,
        "itm_polarization": "horizontal", "itm_reliability_pct": 90}}).coverage
    p = ItmParameters.from_config(cfg)
    assert (p.climate, p.refractivity_n_units, p.polarization, p.reliability_pct) == \
        ("maritime_subtropical", 320.0, "horizontal", 90.0)
    z = np.zeros(101)
    kw = {"step_m": 100.0, "freq_mhz": 900.0, "tx_height_m": 30.0, "rx_height_m": 1.5}
    median = itm_point_to_point(z, **kw).loss_db
    assert itm_point_to_point(z, **kw, params=p).loss_db > median  # 90 % reliability
    bad = CoverageConfig(model="itm", itm_ground_conductivity_s_m=-1.0)
    dem = _dem(np.zeros((21, 21)))
    with pytest.raises(ValueRangeError, match=r"coverage\.itm_ground_conductivity_s_m"):
        run_coverage(SimpleNamespace(towers=_towers(dem, [(10, 10)]), dem=dem), bad)


# ---------------------------------------------------------------- per-sector patterns


@pytest.mark.parametrize("model", ["hata_deygout", "itm"])
def test_per_sector_front_to_back_ratio(model) -> None:
    dem = _dem(np.full((61, 61), 400.0))
    towers = _towers(dem, [(30, 30), (30, 30)], azimuth_deg=[0.0, 0.0],
                     beamwidth_deg=[65.0, 65.0], front_to_back_db=[np.nan, 35.0])
    towers["sector_id"] = [1, 2]
    sigs = {s.index: s for s in iter_site_signals(towers, dem, technology="4G",
                                                  max_radius_m=2500, model=model,
                                                  progress=False)}
    back = (30 + 20 - sigs[0].rows.start, 30 - sigs[0].cols.start)  # 1.8 km south
    front = (30 - 20 - sigs[0].rows.start, 30 - sigs[0].cols.start)  # 1.8 km north
    # behind the antenna the gain is -front_to_back_db: 25 dB (empty = 3GPP) vs 35 dB
    assert sigs[0].signal_dbm[back] - sigs[1].signal_dbm[back] == pytest.approx(10.0, abs=1e-4)
    assert sigs[0].signal_dbm[front] == sigs[1].signal_dbm[front]
    # an empty column takes the run's pattern
    wide = {s.index: s for s in iter_site_signals(towers, dem, technology="4G",
                                                  max_radius_m=2500, model=model,
                                                  pattern=AntennaPattern(front_to_back_db=35.0),
                                                  progress=False)}
    assert np.array_equal(wide[0].signal_dbm, sigs[1].signal_dbm, equal_nan=True)
    # the best server sees the same per-sector patterns
    res = predict(towers, dem, max_radius_m=2500, model=model, progress=False)
    assert res.signal("4G").values[30 + 20, 30] == pytest.approx(sigs[0].signal_dbm[back])


def test_pattern_columns_are_checked() -> None:
    dem = _dem(np.full((21, 21), 400.0))
    towers = _towers(dem, [(10, 10)], vertical_beamwidth_deg=[0.0])
    with pytest.raises(InputError, match="vertical_beamwidth_deg"):
        predict(towers, dem, max_radius_m=500, progress=False)
