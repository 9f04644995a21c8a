"""Candidates (rules), coverage matrix (stub engine), costs, and the siting step."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
from affine import Affine
from shapely.geometry import LineString, Point, box

from geotel.config import CoverageConfig, SitingConfig
from geotel.coverage.predict import SiteSignal
from geotel.coverage.result import CoverageResult
from geotel.errors import CRSError, InputError, ValueRangeError
from geotel.raster import Raster
from geotel.siting import (
    TOWERS_PROPOSED_COLUMNS,
    candidate_costs,
    candidate_sites,
    coverage_matrix,
    run_siting,
)
from geotel.siting.costs import microwave_reach_km, profile_clear

CRS = "EPSG:32649"


def _communes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"commune_code": ["00001", "00002"], "commune_name": ["Xã Ia A", "Phường Hoa Lư"],
         "population": [1000, 2000]},
        geometry=[box(0, 0, 6000, 6000), box(6000, 0, 9000, 6000)], crs=CRS)


def _towers() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"site_id": ["T1", "T2"], "sector_id": [1, 1], "operator": ["Viettel", "MobiFone"],
         "height_m": [30.0, 35.0]},
        geometry=[Point(1600, 1400), Point(7550, 4550)], crs=CRS)


def _zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"zone_id": ["NP", "AP", "A1"], "kind": ["national_park", "airport", "a1_only_urban"]},
        geometry=[box(3000, 3000, 6000, 6000), box(500, 4900, 600, 5000),
                  box(8000, 0, 9000, 2000)], crs=CRS)


# ------------------------------------------------------------------ candidates


def test_candidates_sources_and_rules() -> None:
    communes, towers, zones = _communes(), _towers(), _zones()
    before = (communes.copy(), towers.copy(), zones.copy())
    user = gpd.GeoDataFrame(geometry=[Point(2000, 500), Point(4500, 4500)], crs=CRS)
    c = candidate_sites(communes=communes, towers=towers, exclusion_zones=zones, dem=None,
                        grid_spacing_m=500, user_candidates=user, airport_radius_m=1000,
                        min_spacing_rural_m=400, min_spacing_urban_m=100)
    assert set(c["source"]) == {"grid", "centre", "user", "colocation"}
    assert c.crs == communes.crs
    new = c[~c["colocated"]]
    pts = new.geometry
    # national park core and A1-only zone: no new tower inside
    assert not pts.intersects(zones.geometry.iloc[0]).any()
    assert not pts.intersects(zones.geometry.iloc[2]).any()
    # airport approach: none within 1 km of the airport zone
    assert (pts.distance(zones.geometry.iloc[1]) > 1000).all()
    # min spacing: 400 m from T1 (rural), 100 m from T2 (urban ward)
    assert (pts.distance(towers.geometry.iloc[0]) >= 400).all()
    assert (pts.distance(towers.geometry.iloc[1]) >= 100).all()
    # new towers closer than 400 m to T2 remain: it stands in an urban ward (100 m rule)
    assert (pts.distance(towers.geometry.iloc[1]) < 400).any()
    # the user point inside the park is dropped, the other kept
    assert (c["source"] == "user").sum() == 1
    # co-locations keep the host and its operator
    co = c[c["colocated"]].set_index("host_site_id")
    assert co.loc["T2", "operator"] == "MobiFone"
    assert co.loc["T2", "height_m"] == 35.0
    assert (new["operator"] == "shared").all()
    assert (new["height_m"] == 40.0).all()
    assert set(c.loc[c.geometry.x < 6000, "commune_code"]) <= {"00001"}
    for a, b in zip(before, (communes, towers, zones), strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_candidates_dem_peaks_and_airport_height() -> None:
    z = np.zeros((60, 60), "float32")
    z[20, 20] = 150.0
    dem = Raster(z, Affine(100, 0, 0, 0, -100, 6000), CRS)
    communes = _communes().iloc[:1]
    c = candidate_sites(communes=communes, dem=dem, grid_spacing_m=2000, commune_centres=False)
    peaks = c[c["source"] == "peak"]
    assert len(peaks) == 1
    assert peaks.geometry.iloc[0].distance(Point(2050, 3950)) < 1
    zones = _zones().iloc[[1]]
    allowed = candidate_sites(communes=communes, exclusion_zones=zones, grid_spacing_m=500,
                              airport_radius_m=1000, airport_max_height_m=45.0)
    banned = candidate_sites(communes=communes, exclusion_zones=zones, grid_spacing_m=500,
                             airport_radius_m=1000)
    assert len(allowed) > len(banned)


def test_candidates_need_metric_crs() -> None:
    with pytest.raises(CRSError):
        candidate_sites(communes=_communes().to_crs(4326), grid_spacing_m=500)


# ------------------------------------------------------------------ matrix (stub engine)


def _stub_signals(towers, dem, *, technology, max_radius_m, rx_height_m, environment,
                  diffraction, progress):
    """Test stub of geotel.coverage.iter_site_signals: -60 dBm within 2 cells, else -120."""
    h, w = dem.shape
    rows, cols = dem.rowcol(towers.geometry.x.to_numpy(), towers.geometry.y.to_numpy())
    for i, (r, c) in enumerate(zip(rows, cols, strict=True)):
        rs, cs = slice(max(r - 3, 0), min(r + 4, h)), slice(max(c - 3, 0), min(c + 4, w))
        rr, cc = np.mgrid[rs, cs]
        sig = np.where(np.hypot(rr - r, cc - c) <= 2, -60.0, -120.0).astype("float32")
        yield SiteSignal(i, rs, cs, sig)


def test_coverage_matrix_against_hand_count() -> None:
    dem = Raster(np.zeros((20, 20), "float32"), Affine(100, 0, 0, 0, -100, 2000), CRS)
    pop = Raster(np.ones((20, 20), "float32"), dem.transform, CRS)
    covered = np.zeros((20, 20), bool)
    covered[:, :5] = True
    cands = gpd.GeoDataFrame({"candidate_id": ["A", "B"], "height_m": [40.0, 40.0]},
                             geometry=[Point(550, 1450), Point(1550, 450)], crs=CRS)
    cm = coverage_matrix(cands, dem, pop, technology="4G", threshold_dbm=-100,
                         covered=covered, signals=_stub_signals, progress=False)
    # disc of radius 2 cells = 13 cells; A sits at column 5: columns 3,4 are covered
    # already → 13 - (1 + 3) = 9 uncovered cells
    assert cm.matrix[0].nnz == 9
    assert cm.matrix[1].nnz == 13
    assert cm.already_covered == 100
    assert cm.total_population == 400
    assert cm.demand.sum() == 300
    agg = coverage_matrix(cands, dem, pop, technology="4G", threshold_dbm=-100,
                          covered=covered, factor=2, signals=_stub_signals, progress=False)
    assert agg.demand.sum() == 300
    assert agg.matrix.shape[1] < cm.matrix.shape[1]
    with pytest.raises(InputError):
        coverage_matrix(cands, dem, Raster(np.ones((5, 5)), dem.transform, CRS),
                        technology="4G", threshold_dbm=-100, signals=_stub_signals)


# ------------------------------------------------------------------ costs


def test_costs_choose_cheaper_backhaul() -> None:
    c = gpd.GeoDataFrame({"colocated": [False, False, True]},
                         geometry=[Point(0, 0)] * 3, crs=CRS)
    t = candidate_costs(c, fiber_km=[1.0, 10.0, np.inf], microwave_km=[3.0, 3.0, np.inf],
                        tower_capex_vnd=1.2e9, colocation_capex_vnd=3e8,
                        fiber_cost_per_km_vnd=6e7, microwave_capex_vnd=2.5e8)
    assert t["backhaul"].tolist() == ["fiber", "microwave", "none"]
    assert t["total_cost_vnd"].tolist()[:2] == [1.26e9, 1.45e9]
    assert np.isinf(t["total_cost_vnd"].iloc[2])


def test_microwave_line_of_sight() -> None:
    z = np.zeros((10, 300), "float32")
    z[:, 150] = 200.0  # a ridge between the candidate and the far hub
    dem = Raster(z, Affine(100, 0, 0, 0, -100, 1000), CRS)
    cand = gpd.GeoDataFrame({"height_m": [40.0]}, geometry=[Point(100, 500)], crs=CRS)
    hubs = gpd.GeoDataFrame({"height_m": [30.0, 30.0]},
                            geometry=[Point(25000, 500), Point(5000, 500)], crs=CRS)
    assert microwave_reach_km(cand, hubs, dem, max_km=30)[0] == pytest.approx(4.9)
    assert np.isinf(microwave_reach_km(cand, hubs.iloc[[0]], dem, max_km=30)[0])
    assert microwave_reach_km(cand, hubs.iloc[[0]], None, max_km=30)[0] == pytest.approx(24.9)
    # Earth bulge alone at 60 km blocks 10 m masts (bulge ≈ 53 m at mid-path)
    flat = Raster(np.zeros((1, 700), "float32"), Affine(100, 0, 0, 0, -100, 100), CRS)
    assert not profile_clear(flat, (50, 50), (60050, 50), a_height_m=10, b_height_m=10)


# ------------------------------------------------------------------ the step


def _e2e_case() -> tuple[SimpleNamespace, CoverageResult]:
    h, w = 60, 90
    tr = Affine(100, 0, 0, 0, -100, 6000)
    dem = Raster(np.zeros((h, w), "float32"), tr, CRS)
    pop = np.zeros((h, w), "float32")
    pop[5:15, 5:15] = 10.0  # village far from T1
    pop[40:50, 60:70] = 20.0  # town near T2
    pop[12:16, 40:44] = 5.0  # inside the national park: no new tower can serve it
    pop[25:30, 20:25] = 5.0  # hamlet
    towers = _towers()
    fiber = gpd.GeoDataFrame({"route_id": ["F"]},
                             geometry=[LineString([(0, 100), (9000, 100)])], crs=CRS)
    province = SimpleNamespace(
        communes=_communes(), towers=towers, fiber=fiber, roads=None,
        exclusion_zones=_zones().iloc[:2], dem=dem,
        population=Raster(pop, tr, CRS), analysis_crs=pyproj.CRS(CRS))
    sig = np.full((h, w), np.nan, "float32")
    sig[35:, 55:] = -80.0  # T2 covers the town
    coverage = CoverageResult(tr, dem.crs, (h, w), {("4G", "MobiFone"): sig},
                              {("4G", "MobiFone"): np.zeros((h, w), "int32")},
                              pd.DataFrame({"site_id": ["T2"]}))
    return province, coverage


def test_run_siting_end_to_end() -> None:
    province, coverage = _e2e_case()
    cfg = SitingConfig(new_sites=3, grid_spacing_m=1500, dem_peaks=False, time_limit_s=20,
                       airport_radius_m=300)
    run = run_siting(province, coverage, cfg, coverage_config=CoverageConfig(
        max_radius_m=1500), progress=False)
    tp = run.towers_proposed
    assert list(tp.columns) == [*TOWERS_PROPOSED_COLUMNS, "geometry"]
    assert 2 <= len(tp) <= 3
    assert tp["rank"].tolist() == list(range(1, len(tp) + 1))
    assert tp["pop_gain"].is_monotonic_decreasing
    assert tp.crs == province.communes.crs
    assert (tp["pop_gain"] > 0).all()
    assert tp["cum_pop_covered_pct"].is_monotonic_increasing
    assert (tp["total_cost_vnd"] == tp["capex_vnd"] + tp["backhaul_cost_vnd"]).all()
    assert set(tp["backhaul"]) <= {"fiber", "microwave"}
    # the village (1000 people) is the first gain
    assert tp.geometry.iloc[0].distance(Point(1000, 5000)) < 3000
    # no proposal inside the park core (no existing tower stands in it to co-locate on)
    assert not tp.geometry.intersects(_zones().geometry.iloc[0]).any()
    t = run.commune_coverage
    assert (t["pop_covered_after"] >= t["pop_covered_before"]).all()
    assert t["pop_gain"].sum() == pytest.approx(t["pop_covered_after"].sum()
                                                - t["pop_covered_before"].sum())
    assert t["new_sites"].sum() == len(tp)
    # the gains agree with the matrix: cumulative % from the already covered people
    cm = run.matrix
    assert tp["cum_pop_covered_pct"].iloc[-1] == pytest.approx(
        100 * (cm.already_covered + tp["pop_gain"].sum()) / cm.total_population, abs=0.01)
    assert run.result.status in ("optimal", "within_gap", "time_limit")
    assert run.screening is None
    assert run.candidates["shortlisted"].sum() == \
        run.candidates["in_model"].sum()


def test_run_siting_when_everyone_is_covered() -> None:
    h, w = 30, 30
    tr = Affine(100, 0, 0, 0, -100, 3000)
    dem = Raster(np.zeros((h, w), "float32"), tr, CRS)
    pop = np.full((h, w), 2.0, "float32")
    province = SimpleNamespace(
        communes=_communes(), towers=_towers(), fiber=None, roads=None,
        exclusion_zones=_zones().iloc[:0], dem=dem, population=Raster(pop, tr, CRS),
        analysis_crs=pyproj.CRS(CRS))
    sig = np.full((h, w), -70.0, "float32")  # everything above the 4G threshold
    coverage = CoverageResult(tr, dem.crs, (h, w), {("4G", "Viettel"): sig},
                              {("4G", "Viettel"): np.zeros((h, w), "int32")},
                              pd.DataFrame({"site_id": ["T1"]}))
    run = run_siting(province, coverage, SitingConfig(new_sites=3, dem_peaks=False),
                     coverage_config=CoverageConfig(max_radius_m=1500), progress=False)
    assert len(run.towers_proposed) == 0
    assert list(run.towers_proposed.columns) == [*TOWERS_PROPOSED_COLUMNS, "geometry"]
    assert run.result.selected == ()
    assert run.result.gap == 0.0
    assert (run.commune_coverage["pop_gain"] == 0).all()


# ------------------------------------------------------------------ coarse screening


def test_block_aggregation_against_hand_values() -> None:
    from geotel.siting._blocks import block_mean_dem, block_sum, grid_factor

    z = np.arange(20, dtype="float32").reshape(4, 5)
    z[0, 0] = np.nan
    z[2:, 3:] = np.nan  # a whole block of the 2 × 2 grid is nodata (bottom right)
    dem = Raster(z, Affine(90, 0, 1000, 0, -90, 5000), CRS)
    out = block_mean_dem(dem, 2)
    # blocks: rows 0-1 × cols 0-1, 2-3, 4 (partial), rows 2-3 likewise
    expect = np.array([[(1 + 5 + 6) / 3, (2 + 3 + 7 + 8) / 4, (4 + 9) / 2],
                       [(10 + 11 + 15 + 16) / 4, (12 + 17) / 2, np.nan]])
    np.testing.assert_allclose(out.values, expect, rtol=1e-6)
    assert out.transform == Affine(180, 0, 1000, 0, -180, 5000)
    assert out.crs == dem.crs
    np.testing.assert_allclose(block_sum(z, 2), np.nan_to_num(expect * [[3, 4, 2], [4, 2, 0]]),
                               rtol=1e-6)
    assert grid_factor(270, 90) == 3
    assert grid_factor(None, 90) == 1
    assert grid_factor(60, 90) == 1
    assert grid_factor(250, 100) == 2
    # a nodata block enclosed on the coarse grid is filled (the radio engine rejects voids)
    z2 = np.full((9, 9), 100.0, "float32")
    z2[3:6, 3:6] = np.nan
    z2[0:3, 4] = np.nan  # a 1-cell channel to the edge: not a hole at full resolution
    filled = block_mean_dem(Raster(z2, dem.transform, CRS), 3)
    assert np.isfinite(filled.values).all()
    assert filled.values[1, 1] == 100.0


def _hills(amplitude_m: float) -> tuple[Raster, Raster, np.ndarray, gpd.GeoDataFrame]:
    h = w = 120
    tr = Affine(90, 0, 500000, 0, -90, 1500000)
    yy, xx = np.mgrid[0:h, 0:w] * 90.0
    z = 300 + amplitude_m * np.sin(xx / 1500) * np.cos(yy / 2100)
    pop = np.random.default_rng(0).gamma(0.5, 2.0, (h, w))
    covered = np.zeros((h, w), bool)
    covered[:40, :40] = True
    xy = [(2000, 2000), (5400, 5400), (8000, 3000), (3000, 8500), (9000, 9000)]
    cands = gpd.GeoDataFrame({"candidate_id": list("ABCDE"), "height_m": 40.0},
                             geometry=[Point(500000 + x, 1500000 - y) for x, y in xy],
                             crs=CRS)
    return (Raster(z.astype("float32"), tr, CRS), Raster(pop.astype("float32"), tr, CRS),
            covered, cands)


@pytest.mark.parametrize("amplitude_m", [0.0, 80.0])
def test_coarse_matrix_agrees_with_full_resolution(amplitude_m: float) -> None:
    """Real radio engine, terrain smooth at the block scale (hills ~10 km across).

    Stated tolerance: each candidate's people within 10 % of the full-resolution count
    (measured: at most 6.5 %, on flat ground where a coarse disc edge is the error).
    On rough terrain the coarse grid is optimistic (about +30 % on the demo province),
    which is why run_siting uses it only to screen candidates.
    """
    dem, pop, covered, cands = _hills(amplitude_m)
    kw = {"technology": "4G", "threshold_dbm": -80.0, "covered": covered, "max_radius_m": 3000,
              "environment": "suburban", "progress": False}
    full = coverage_matrix(cands, dem, pop, **kw)
    coarse = coverage_matrix(cands, dem, pop, grid_factor=3, **kw)
    people_full = full.matrix.astype(float) @ full.demand
    people_coarse = coarse.matrix.astype(float) @ coarse.demand
    assert (people_full > 500).all()
    np.testing.assert_allclose(people_coarse, people_full, rtol=0.10)
    # the people outside the matrix are those of the full-resolution grid
    assert coarse.already_covered == pytest.approx(full.already_covered)
    assert coarse.total_population == pytest.approx(full.total_population)
    assert coarse.already_covered == pytest.approx(float(pop.values[covered].sum()), rel=1e-6)
    assert coarse.demand.sum() == pytest.approx(full.demand.sum())
    assert coarse.grid_factor == 3
    assert full.grid_factor == 1
    assert coarse.transform.a == 270
    assert coarse.matrix.shape[1] < full.matrix.shape[1]
    # demand cells sit on the coarse grid: their people are the blocks' uncovered people
    need = np.where(covered, 0.0, pop.values)
    r, c = coarse.cell_rows[0], coarse.cell_cols[0]
    assert coarse.demand[0] == pytest.approx(need[3 * r:3 * r + 3, 3 * c:3 * c + 3].sum())
    with pytest.raises(ValueRangeError):
        coverage_matrix(cands, dem, pop, grid_factor=0, **kw)


def test_run_siting_with_screening() -> None:
    province, coverage = _e2e_case()
    cfg = SitingConfig(new_sites=3, grid_spacing_m=600, dem_peaks=False, time_limit_s=20,
                       airport_radius_m=300, matrix_resolution_m=300, max_shortlist=6)
    ccfg = CoverageConfig(max_radius_m=1500)
    run = run_siting(province, coverage, cfg, coverage_config=ccfg, progress=False)
    unscreened = run_siting(province, coverage, dataclasses.replace(
        cfg, matrix_resolution_m=None), coverage_config=ccfg, progress=False)
    assert unscreened.screening is None
    cands = run.candidates
    assert run.screening is not None
    assert run.screening.grid_factor == 3
    assert run.screening.matrix.shape[0] == cands["in_model"].sum() > 6
    assert 0 < cands["shortlisted"].sum() <= 6
    assert not (cands["shortlisted"] & ~cands["in_model"]).any()
    # the solved matrix is at the DEM's resolution, over the shortlist only
    cm = run.matrix
    assert cm.grid_factor == 1
    assert cm.matrix.shape[0] == cands["shortlisted"].sum()
    tp = run.towers_proposed
    short_ids = set(cands.loc[cands["shortlisted"], "candidate_id"])
    assert set(tp["candidate_id"]) <= short_ids
    assert len(tp) >= 2
    # pop_gain: people at full resolution, consistent with the commune table and with a
    # brute-force prediction of the chosen sites
    chosen = cands.set_index("candidate_id").loc[tp["candidate_id"]].reset_index()
    pop = province.population
    covered = coverage.covered("4G")
    check = coverage_matrix(chosen, province.dem, pop, technology="4G",
                            threshold_dbm=coverage.thresholds_dbm["4G"], covered=covered,
                            max_radius_m=1500, progress=False)
    hit = np.unique(check.matrix.indices)
    assert tp["pop_gain"].sum() == pytest.approx(check.demand[hit].sum(), abs=len(tp))
    assert run.commune_coverage["pop_gain"].sum() == pytest.approx(check.demand[hit].sum())
    assert tp["pop_gain"].is_monotonic_decreasing
    # the percentages use the full population, as without screening
    assert cm.total_population == pytest.approx(unscreened.matrix.total_population)
    assert cm.already_covered == pytest.approx(unscreened.matrix.already_covered)
    assert tp["cum_pop_covered_pct"].iloc[-1] == pytest.approx(
        100 * (cm.already_covered + check.demand[hit].sum()) / cm.total_population, abs=0.05)
    # the village (1000 people) still comes first
    assert tp.geometry.iloc[0].distance(Point(1000, 5000)) < 3000


def test_siting_config_new_keys() -> None:
    from geotel.config import ProjectConfig

    cfg = SitingConfig()
    assert cfg.matrix_resolution_m == 270.0
    assert cfg.max_shortlist == 400
    assert cfg.mip_gap_pct == 1.0
    p = ProjectConfig.from_dict({"siting": {"matrix_resolution_m": None, "max_shortlist": 50,
                                            "mip_gap_pct": 0.5}})
    assert p.siting.matrix_resolution_m is None
    assert p.siting.max_shortlist == 50
    assert p.siting.mip_gap_pct == 0.5
    province, coverage = _e2e_case()
    for bad in ({"matrix_resolution_m": 0.0}, {"max_shortlist": 0}, {"mip_gap_pct": -1.0}):
        with pytest.raises(ValueRangeError):
            run_siting(province, coverage, dataclasses.replace(cfg, dem_peaks=False, **bad),
                       coverage_config=CoverageConfig(max_radius_m=1500), progress=False)
