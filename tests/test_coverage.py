"""Coverage engine: line of sight, diffraction, best server, contracts and bad input."""

from __future__ import annotations

import math
import warnings
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from shapely.geometry import Point

from geotel.config import CoverageConfig
from geotel.coverage import (
    CoverageResult,
    antenna_gain_db,
    iter_site_signals,
    line_of_sight,
    predict,
    run_coverage,
)
from geotel.errors import CRSError, StudyAreaError, ValueRangeError
from geotel.propagation import (
    EARTH_RADIUS_M,
    ModelRangeWarning,
    deygout_loss_db,
    free_space_path_loss_db,
    hata_path_loss_db,
    knife_edge_loss_db,
    radio_horizon_m,
)
from geotel.raster import Raster

UTM = "EPSG:32649"
KR = 4 / 3 * EARTH_RADIUS_M


def _dem(values: np.ndarray, cell_m: float = 90.0, crs: str = UTM) -> Raster:
    return Raster(values.astype("float32"), Affine(cell_m, 0, 500_000, 0, -cell_m, 1_500_000),
                  crs, units="m")


def _centre(dem: Raster, row: int, col: int) -> tuple[float, float]:
    x, y = dem.xy(np.array([row]), np.array([col]))
    return float(x[0]), float(y[0])


def _towers(points, crs=UTM, **cols) -> gpd.GeoDataFrame:
    n = len(points)
    data = {"site_id": [f"S{i}" for i in range(n)], "operator": ["Viettel"] * n,
            "technologies": ["4G"] * n, "height_m": [30.0] * n, "tilt_deg": [0.0] * n}
    data.update(cols)
    return gpd.GeoDataFrame(data, geometry=[Point(p) for p in points], crs=crs)


def _rough(n: int, seed: int = 0) -> np.ndarray:
    from scipy import ndimage

    rng = np.random.default_rng(seed)
    z = np.zeros((n, n))
    for s, a in ((12, 150.0), (4, 40.0), (1, 8.0)):
        noise = ndimage.gaussian_filter(rng.standard_normal((n, n)), s)
        z += a * noise / noise.std()
    return z - z.min() + 300.0


# ------------------------------------------------------------------------ line of sight


def test_flat_dem_visible_to_the_radio_horizon() -> None:
    cell, n = 200.0, 321
    dem = _dem(np.full((n, n), 250.0), cell)
    obs, tgt = 30.0, 1.5
    horizon = float(radio_horizon_m(obs) + radio_horizon_m(tgt))  # 27.6 km for k = 4/3
    vis = line_of_sight(dem, _centre(dem, 160, 160), observer_height_m=obs,
                        target_height_m=tgt, max_distance_m=31_000).values
    rr, cc = np.mgrid[0:n, 0:n]
    d = np.hypot(rr - 160, cc - 160) * cell
    assert vis[d < horizon - 2 * cell].all()
    assert not vis[d > horizon + 2 * cell].any()
    # without curvature the flat Earth is visible everywhere within the distance
    flat = line_of_sight(dem, _centre(dem, 160, 160), observer_height_m=obs,
                         target_height_m=tgt, max_distance_m=31_000, curvature=False).values
    assert flat[d <= 31_000].all()
    assert not flat[d > 31_000].any()


def test_los_matches_brute_force_on_a_straight_ray() -> None:
    z = _rough(121, seed=4)
    dem = _dem(z, 30.0)
    vis = line_of_sight(dem, _centre(dem, 60, 60), observer_height_m=20, target_height_m=2,
                        max_distance_m=1e9).values
    # north along the column: samples are exact cell centres, so brute force is exact
    col = z[:61, 60][::-1]  # from the observer northwards
    dist = np.arange(61) * 30.0
    zc = col - dist**2 / (2 * KR)
    for k in range(2, 61):
        slopes = (zc[1:k] - (col[0] + 20)) / dist[1:k]
        expected = (zc[k] + 2 - (col[0] + 20)) / dist[k] >= slopes.max()
        assert vis[60 - k, 60] == expected


def test_los_inputs_path_dataset_and_errors(tmp_path) -> None:
    dem = _dem(_rough(41, seed=1), 30.0)
    path = dem.write_cog(tmp_path / "dem.tif")
    kw = {"observer_height_m": 10, "target_height_m": 1.5, "max_distance_m": 500}
    a = line_of_sight(dem, _centre(dem, 20, 20), **kw)
    b = line_of_sight(path, _centre(dem, 20, 20), **kw)
    with rasterio.open(path) as ds:
        c = line_of_sight(ds, _centre(dem, 20, 20), **kw)
    assert a.values.dtype == bool
    assert a.shape == dem.shape
    assert a.transform == dem.transform
    assert np.array_equal(a.values, b.values)
    assert np.array_equal(a.values, c.values)
    with pytest.raises(StudyAreaError):
        line_of_sight(dem, (0.0, 0.0), **kw)
    with pytest.raises(ValueRangeError):
        line_of_sight(dem, _centre(dem, 20, 20), observer_height_m=-5, target_height_m=1.5,
                      max_distance_m=500)
    with pytest.raises(CRSError):
        line_of_sight(Raster(dem.values, Affine(0.001, 0, 108, 0, -0.001, 14), "EPSG:4326"),
                      (108.01, 13.99), **kw)
    holed = dem.values.copy()
    holed[10:12, 30:32] = np.nan
    with pytest.raises(ValueRangeError, match="nodata hole"):
        line_of_sight(_dem(holed, 30.0), _centre(dem, 20, 20), **kw)
    # nodata at the edge (a DEM clipped to the province) is accepted
    edged = dem.values.copy()
    edged[:, :3] = np.nan
    out = line_of_sight(_dem(edged, 30.0), _centre(dem, 20, 20), **kw)
    assert not out.values[:, :3].any()


# -------------------------------------------------------------------------- diffraction


def test_single_ridge_gives_the_knife_edge_loss() -> None:
    cell = 90.0
    z = np.zeros((61, 21))
    z[30, :] = 60.0  # a ridge across the path, 20 cells north of the site
    dem = _dem(z, cell)
    towers = _towers([_centre(dem, 50, 10)], eirp_dbm=[60.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelRangeWarning)  # Hata outside its ranges
        sig = next(iter_site_signals(towers, dem, technology="4G", max_radius_m=4000,
                                     environment="open", progress=False))
    d1, d = 20 * cell, 40 * cell  # receiver 40 cells north, behind the ridge
    value = sig.signal_dbm[10 - sig.rows.start, 10 - sig.cols.start]
    lam = 299_792_458.0 / 1800e6
    h = 60.0 + d1 * (d - d1) / (2 * KR) - (30.0 + (1.5 - 30.0) * d1 / d)
    v = h * math.sqrt(2 * d / (lam * d1 * (d - d1)))
    base = max(float(hata_path_loss_db(1800, d / 1000, 30, 1.5, "open")),
               float(free_space_path_loss_db(1800, d / 1000)))
    gain = float(antenna_gain_db(0.0, math.degrees(math.atan2(28.5, d)), beamwidth_deg=360,
                                 tilt_deg=0.0))
    expected = 60.0 + gain - base - float(knife_edge_loss_db(v))
    assert float(knife_edge_loss_db(v)) > 10
    assert value == pytest.approx(expected, abs=0.01)
    # in front of the ridge (clear line of sight and Fresnel zone): no diffraction loss
    d_f = 10 * cell
    front = sig.signal_dbm[40 - sig.rows.start, 10 - sig.cols.start]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelRangeWarning)  # Hata below 1 km
        base_f = max(float(hata_path_loss_db(1800, d_f / 1000, 30, 1.5, "open")),
                     float(free_space_path_loss_db(1800, d_f / 1000)))
    gain_f = float(antenna_gain_db(0.0, math.degrees(math.atan2(28.5, d_f)),
                                   beamwidth_deg=360, tilt_deg=0.0))
    assert front == pytest.approx(60.0 + gain_f - base_f, abs=0.01)


def test_kernel_deygout_close_to_the_exact_profile_method() -> None:
    z = _rough(201, seed=7)
    dem = _dem(z, 90.0)
    towers = _towers([_centre(dem, 100, 100)], eirp_dbm=[60.0], beamwidth_deg=[360.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelRangeWarning)  # Hata outside its ranges
        nodiff = next(iter_site_signals(towers, dem, technology="4G", max_radius_m=9000,
                                        diffraction="none", progress=False))
        deyg = next(iter_site_signals(towers, dem, technology="4G", max_radius_m=9000,
                                      progress=False))
    kernel = (nodiff.signal_dbm - deyg.signal_dbm)[:, 100 - deyg.cols.start]
    errs = []
    for k in range(2, 100):  # receivers north of the site, along the column
        row = 100 - k
        prof = z[row:101, 100][::-1]
        ref = deygout_loss_db(np.arange(k + 1) * 90.0, prof, freq_mhz=1800, tx_height_m=30,
                              rx_height_m=1.5)
        errs.append(kernel[row - deyg.rows.start] - ref)
    errs = np.abs(np.array(errs))
    assert np.median(errs) < 0.1
    assert np.mean(errs < 2.0) > 0.9


# ---------------------------------------------------------------------------- predict


def test_predict_best_server_and_contracts(tmp_path) -> None:
    z = _rough(81, seed=2)
    dem = _dem(z, 90.0)
    pts = [_centre(dem, 30, 30), _centre(dem, 50, 55)]
    towers = _towers(pts, technologies=["2G,4G", "4G"], operator=["Viettel", "MobiFone"],
                     eirp_dbm=[58.0, 61.0], azimuth_deg=[0.0, 90.0],
                     beamwidth_deg=[360.0, 65.0])
    towers.index = [10, 20]
    before = towers.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelRangeWarning)  # Hata outside its ranges
        res = predict(towers, dem, max_radius_m=3000, progress=False)
        sigs = list(iter_site_signals(towers, dem, technology="4G", max_radius_m=3000,
                                      progress=False))
    assert isinstance(res, CoverageResult)
    assert towers.equals(before)
    assert res.shape == dem.shape
    assert res.transform == dem.transform
    assert res.crs == dem.crs
    assert res.technologies == ["2G", "4G"]
    assert res.operators == ["MobiFone", "Viettel"]
    assert list(res.sites["tower_index"]) == [10, 10, 20]
    # best server of 4G = max over the per-site signals
    stack = np.full((len(sigs), *dem.shape), np.nan, np.float32)
    for i, s in enumerate(sigs):
        stack[i, s.rows, s.cols] = s.signal_dbm
    best = res.signal("4G").values
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanmax(stack, axis=0)
    assert np.allclose(best, expected, equal_nan=True)
    server = res.server("4G").values
    tower_of = res.sites["tower_index"].to_numpy()
    winner = np.array([s.index for s in sigs])[np.nanargmax(np.nan_to_num(stack, nan=-999), 0)]
    has = ~np.isnan(best)
    assert np.array_equal(towers.index.to_numpy()[winner[has]], tower_of[server[has]])
    assert (server[~has] == -1).all()
    assert res.covered("4G").sum() > 0
    # towers in lon/lat give the same result (reprojected to the DEM's CRS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelRangeWarning)  # Hata outside its ranges
        res_ll = predict(towers.to_crs(4326), dem, max_radius_m=3000, progress=False)
    assert np.allclose(res_ll.signal("4G").values, best, equal_nan=True)
    paths = res.write_cogs(tmp_path)
    # 'any' plus each operator that has the technology (Viettel 2G+4G, MobiFone 4G only),
    # three rasters each; no 2G raster for MobiFone
    expected = {f"coverage_{t}_{o}_{kind}.tif"
                for t, o in (("2g", "any"), ("2g", "viettel"), ("4g", "any"),
                             ("4g", "viettel"), ("4g", "mobifone"))
                for kind in ("signal", "server", "mask")}
    assert {p.name for p in paths} == expected
    with rasterio.open(paths[0]) as ds:
        assert ds.crs == dem.crs
        assert ds.units[0] == "dBm"


def test_predict_options_indoor_and_run_coverage() -> None:
    dem = _dem(np.full((41, 41), 500.0), 90.0)
    towers = _towers([_centre(dem, 20, 20)], technologies=["2G,3G,4G"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelRangeWarning)  # Hata outside its ranges
        out = predict(towers, dem, max_radius_m=1500, indoor="urban", progress=False,
                      thresholds_dbm={"4G": -100.0})
        res = run_coverage(SimpleNamespace(towers=towers, dem=dem),
                           CoverageConfig(max_radius_m=1500, diffraction="bullington"))
    assert out.thresholds_dbm["4G"] == -84.0
    assert out.thresholds_dbm["2G"] == -79.0
    assert res.technologies == ["2G", "3G", "4G"]
    assert set(res.sites["freq_mhz"]) == {900.0, 2100.0, 1800.0}
    with pytest.raises(ValueRangeError):
        predict(towers, dem, diffraction="magic", progress=False)  # type: ignore[arg-type]


def test_predict_bad_inputs() -> None:
    dem = _dem(_rough(41, seed=3), 90.0)
    inside = [_centre(dem, 20, 20)]
    kw = {"max_radius_m": 1000, "progress": False}
    with pytest.raises(StudyAreaError, match="outside the DEM"):
        predict(_towers([(0.0, 0.0)]), dem, **kw)
    with pytest.raises(CRSError):
        predict(_towers([(108.0, 14.0)], crs="EPSG:4326"),
                Raster(dem.values, Affine(0.001, 0, 107.98, 0, -0.001, 14.02), "EPSG:4326"),
                **kw)
    holed = dem.values.copy()
    holed[5, 5] = np.nan
    with pytest.raises(ValueRangeError, match="nodata hole"):
        predict(_towers(inside), _dem(holed, 90.0), **kw)
    with pytest.raises(ValueRangeError, match="height_m"):
        predict(_towers(inside, height_m=[-5.0]), dem, **kw)
    with pytest.raises(ValueRangeError, match="rx_height_m"):
        predict(_towers(inside), dem, rx_height_m=-1.5, progress=False)
    with pytest.raises(ValueRangeError, match="outside every path-loss model"):
        predict(_towers(inside, freq_mhz=[3500.0]), dem, **kw)
    with pytest.raises(ValueRangeError, match="outside every path-loss model"):
        predict(_towers(inside, technologies=["5G"]), dem, technologies=["5G"], **kw)
