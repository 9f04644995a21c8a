"""Commune and district indicators, Criterion 8 and the province summary."""

from __future__ import annotations

import itertools
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geotel.config import IndicatorsConfig, ProjectConfig
from geotel.deadzones import dead_zones
from geotel.errors import ValueRangeError
from geotel.indicators import (
    commune_indicators,
    criterion8,
    district_indicators,
    province_summary,
)
from geotel.population import population_surface
from tests._kpi_data import (
    UTM,
    X0,
    Y0,
    disc_coverage,
    flat_population,
    grid_over,
    make_coverage,
    make_grid,
    real_communes,
)

# --------------------------------------------------------------------------- Criterion 8

# 8.2 by hand: (share of people covered, fixed Internet, fixed Internet required) -> pass
C82_TRUTH = [
    (95.0, True, True, True),
    (95.0, False, True, False),
    (94.9, True, True, False),
    (94.9, False, True, False),
    (95.0, True, False, True),
    (95.0, False, False, True),
    (94.9, True, False, False),
    (94.9, False, False, False),
    (100.0, True, True, True),
    # Unknowns (None): unknown population or Internet leave 8.2 undecided unless a
    # known failure decides it.
    (np.nan, True, True, None),
    (np.nan, False, True, False),
    (np.nan, True, False, None),
    (95.0, None, True, None),
    (94.9, None, True, False),
    (95.0, None, False, True),
]


def _value(v: object) -> bool | None:
    return None if pd.isna(v) else bool(v)


@pytest.mark.parametrize(("pct", "internet", "required", "expected"), C82_TRUTH)
def test_c8_2_truth_table(pct: float, internet: bool | None, required: bool,
                          expected: bool | None) -> None:
    cfg = IndicatorsConfig(c8_requires_fixed_internet=required)
    out = criterion8(has_postal_point=[True], pop_covered_pct=[pct],
                     has_fixed_internet=[internet], has_radio_station=[True],
                     has_it_admin=[True], config=cfg)
    assert _value(out["c8_2_telecom_internet"].iloc[0]) is expected
    assert _value(out["c8_met"].iloc[0]) is expected


def test_c8_three_valued_logic_against_brute_force() -> None:
    """All 3^4 combinations of pass / fail / unknown: one known failure decides
    'not met', all four passing decide 'met', anything else stays unknown."""
    rows = list(itertools.product([True, False, None], repeat=4))
    postal, mobile, radio, it = (list(c) for c in zip(*rows, strict=True))
    pct = [np.nan if m is None else (99.0 if m else 10.0) for m in mobile]
    out = criterion8(has_postal_point=postal, pop_covered_pct=pct,
                     has_fixed_internet=[True] * len(rows), has_radio_station=radio,
                     has_it_admin=it)
    for i, row in enumerate(rows):
        want = False if False in row else (None if None in row else True)
        assert _value(out["c8_met"].iloc[i]) is want, row
        names = ["has_postal_point", "population", "has_radio_station", "has_it_admin"]
        missing = [n for n, v in zip(names, row, strict=True) if v is None]
        assert out["c8_missing"].iloc[i] == ",".join(missing), row


def test_c8_met_only_when_all_four_pass() -> None:
    rows = list(itertools.product([False, True], repeat=4))
    postal, mobile_ok, radio, it = (np.array(c) for c in zip(*rows, strict=True))
    out = criterion8(has_postal_point=postal, pop_covered_pct=np.where(mobile_ok, 99.0, 10.0),
                     has_fixed_internet=np.ones(16, bool), has_radio_station=radio,
                     has_it_admin=it)
    assert out["c8_1_postal"].tolist() == postal.tolist()
    assert out["c8_2_telecom_internet"].tolist() == mobile_ok.tolist()
    assert out["c8_3_radio"].tolist() == radio.tolist()
    assert out["c8_4_it_admin"].tolist() == it.tolist()
    assert out["c8_met"].tolist() == [r == (True, True, True, True) for r in rows]
    assert out["c8_met"].sum() == 1


def test_c8_threshold_is_configurable() -> None:
    kw = {"has_postal_point": [True], "pop_covered_pct": [90.0], "has_fixed_internet": [True],
              "has_radio_station": [True], "has_it_admin": [True]}
    assert not criterion8(**kw)["c8_met"].iloc[0]
    assert criterion8(**kw, config=IndicatorsConfig(c8_min_pop_covered_pct=90.0))[
        "c8_met"].iloc[0]


def test_indicator_config_reads_from_yaml_mapping() -> None:
    cfg = ProjectConfig.from_dict({"indicators": {"c8_min_pop_covered_pct": 80,
                                                  "tech_present_min_pop_pct": 30,
                                                  "dead_zone_technology": "3G"}})
    assert cfg.indicators.c8_min_pop_covered_pct == 80.0
    assert cfg.indicators.dead_zone_technology == "3G"


# --------------------------------------------------------------------------- communes


def _communes() -> gpd.GeoDataFrame:
    """Two 1 km x 1 km communes on a 100 m grid (10 x 20 cells), with service flags."""
    return gpd.GeoDataFrame(
        {"commune_code": ["10001", "10002"], "commune_name": ["A", "B"],
         "district_code": ["101", "101"], "district_name": ["D", "D"],
         "population": [0, 0], "has_fixed_internet": [True, False],
         "has_radio_station": ["có", "không"], "fiber_distance_km": [1.5, 7.0]},
        geometry=[box(X0, Y0 - 1000, X0 + 1000, Y0), box(X0 + 1000, Y0 - 1000, X0 + 2000, Y0)],
        crs=UTM,
        index=pd.Index([7, 3], name="fid"),
    )


def _coverage():
    grid = make_grid(10, 20)
    cols = np.arange(20)[None, :].repeat(10, axis=0)
    cov = {
        ("2G", "Viettel"): np.ones(grid.shape, bool),
        ("3G", "Viettel"): cols < 10,  # all of A, nothing of B
        ("4G", "Viettel"): cols < 5,  # west half of A
        ("4G", "VinaPhone"): (cols >= 8) & (cols < 12),  # 2 columns of A, 2 of B
    }
    values = np.ones(grid.shape, np.float32)
    values[:, 0:5] = 3.0  # A: 150 people west, 50 east
    return grid, make_coverage(grid, cov), values


def test_commune_indicators_known_answers() -> None:
    from geotel.raster import Raster

    grid, cov, values = _coverage()
    communes = _communes()
    before = communes.copy()
    pop = Raster(values, grid.transform, UTM)
    k = commune_indicators(communes, cov, pop)
    pd.testing.assert_frame_equal(communes, before)
    assert k.crs == communes.crs
    assert k.index.tolist() == [7, 3]
    a, b = k.loc[7], k.loc[3]
    assert (a["population"], b["population"]) == (200, 100)
    assert a["area_km2"] == pytest.approx(1.0, rel=2e-3)
    assert (a["pop_covered_pct_2g"], a["pop_covered_pct_3g"]) == (100.0, 100.0)
    # 4G any operator in A: Viettel columns 0-4 (150 people) + VinaPhone 8-9 (20 people).
    assert a["pop_covered_pct_4g"] == pytest.approx(85.0)
    assert a["area_covered_pct_4g"] == pytest.approx(70.0)
    assert b["pop_covered_pct_4g"] == pytest.approx(20.0)
    assert b["pop_covered_pct_3g"] == 0.0
    assert a["pop_covered_4g_viettel"] == 150
    assert a["pop_covered_4g_vinaphone"] == 20
    assert b["pop_covered_4g_vinaphone"] == 20
    assert a["pop_covered_4g_mobifone"] == 0
    assert a["mobile_covered_technologies"] == "2G,3G,4G"
    assert b["mobile_covered_technologies"] == "2G"
    # C8.2 with 3G: 4G counts as newer; B has 20 % from 4G only.
    assert a["c8_pop_covered_pct"] == 100.0
    assert b["c8_pop_covered_pct"] == pytest.approx(20.0)
    # No postal or IT-admin column: A passes what is known, so its verdict is unknown;
    # B fails 8.2 and 8.3, which decides it. Nothing is assumed to be yes.
    assert pd.isna(a["c8_met"])
    assert not pd.isna(b["c8_met"])
    assert b["c8_met"] == False  # noqa: E712 - a nullable boolean
    assert pd.isna(a["c8_1_postal"])
    assert pd.isna(b["c8_1_postal"])
    assert b["c8_3_radio"] == False  # noqa: E712 - a nullable boolean
    assert a["c8_missing"] == "has_postal_point,has_it_admin"
    assert pd.isna(a["has_postal_point"])
    assert pd.isna(a["has_it_admin"])
    assert k["fiber_distance_km"].tolist() == [1.5, 7.0]
    assert np.isnan(a["dead_zone_km2"])
    assert pd.isna(a["towers"])


def test_5g_absent_and_missing_technology_give_nan() -> None:
    grid = make_grid(10, 20)
    cov = make_coverage(grid, {("4G", "Viettel"): np.ones(grid.shape, bool)})
    k = commune_indicators(_communes(), cov, flat_population(grid))
    assert k["pop_covered_pct_2g"].isna().all()
    assert k["pop_covered_2g_viettel"].isna().all()
    assert "pop_covered_pct_5g" not in k.columns
    # C8.2 with 3G falls back to 4G coverage (newer technology).
    assert (k["c8_pop_covered_pct"] == 100.0).all()


def test_towers_and_dead_zones_are_attributed_by_location() -> None:
    grid, cov, values = _coverage()
    communes = _communes()
    towers = gpd.GeoDataFrame(
        {"site_id": ["S1", "S1", "S2", "S3"], "sector_id": [1, 2, 1, 1],
         "operator": ["Viettel", "MobiFone", "VinaPhone", "Viettel"],
         "shared_by": ["", "", "", "VinaPhone"]},
        geometry=[Point(X0 + 100, Y0 - 100), Point(X0 + 100, Y0 - 100),
                  Point(X0 + 300, Y0 - 300), Point(X0 + 1500, Y0 - 500)],
        crs=UTM,
    ).to_crs(4326)
    from geotel.raster import Raster

    pop = Raster(values, grid.transform, UTM)
    dz = dead_zones(communes, cov, pop, min_area_km2=0.0)
    k = commune_indicators(communes, cov, pop, dead_zones=dz, towers=towers)
    assert k["towers"].tolist() == [2, 1]
    assert k["shared_tower_pct"].tolist() == [50.0, 100.0]
    assert k["towers_per_km2"].iloc[0] == pytest.approx(2.0, rel=2e-3)
    # A: columns 5-7 uncovered by 4G (30 people); B: columns 12-19 (80 people).
    assert k["dead_zone_pop"].tolist() == [30.0, 80.0]
    assert k["dead_zone_km2"].tolist() == pytest.approx([0.3, 0.8], rel=2e-3)


def test_districts_roll_up_population_weighted() -> None:
    grid, cov, values = _coverage()
    from geotel.raster import Raster

    k = commune_indicators(_communes(), cov, Raster(values, grid.transform, UTM))
    d = district_indicators(k)
    assert len(d) == 1
    assert d.crs == k.crs
    row = d.iloc[0]
    assert row["communes"] == 2
    assert row["population"] == 300
    # (85 % of 200 + 20 % of 100) / 300 = 190 / 300
    assert row["pop_covered_pct_4g"] == pytest.approx(100 * 190 / 300)
    assert row["area_covered_pct_4g"] == pytest.approx((70.0 + 20.0) / 2, rel=1e-3)
    assert row["pop_covered_4g_vinaphone"] == 40
    assert row["communes_without_fixed_internet"] == 1
    assert row["communes_with_radio_station"] == 1
    assert row["communes_2g_only"] == 1
    # A undecided (no postal data), B known to fail.
    assert row["communes_c8_met"] == 0
    assert row["c8_met_no_data"] == 1
    assert pd.isna(row["communes_with_postal_point"])
    assert row["has_postal_point_no_data"] == 2
    assert row["fiber_distance_km_max"] == 7.0
    assert row.geometry.area == pytest.approx(2e6, rel=1e-9)


def test_province_summary_text_and_json(tmp_path) -> None:
    n = 222
    polys = [box(i, 0, i + 1, 1) for i in range(n)]
    k = gpd.GeoDataFrame(
        {"commune_code": [f"{23000 + i:05d}" for i in range(n)],
         "commune_name": [f"Xã {i}" for i in range(n)],
         "population": np.full(n, 1000),
         "area_km2": np.full(n, 70.0),
         "has_fixed_internet": np.arange(n) >= 10,
         "has_radio_station": np.arange(n) < 149,
         "has_postal_point": np.ones(n, bool),
         "mobile_covered_technologies": ["2G"] * 12 + ["2G,3G,4G"] * (n - 12),
         "pop_covered_pct_4g": np.full(n, 80.0),
         "dead_zone_pop": np.r_[np.full(3, 500.0), np.zeros(n - 3)],
         "c8_met": np.arange(n) < 100},
        geometry=polys, crs=UTM,
    )
    s = province_summary(k)
    assert (s.communes, s.communes_without_fixed_internet, s.communes_with_radio_station) == (
        222, 10, 149)
    assert s.communes_2g_only == 12
    assert s.communes_c8_met == 100
    assert s.dead_zone_pop == 1500
    assert s.pop_covered_pct_4g == pytest.approx(80.0)
    assert s.pop_covered_pct_3g is None
    vi, en = s.text("vi"), s.text("en")
    assert "10/222 xã chưa có Internet cố định" in vi
    assert "149/222 xã có đài truyền thanh không dây" in vi
    assert "12 xã chỉ có sóng 2G" in vi
    assert "1.500 người sống trong vùng lõm sóng 4G" in vi
    assert "10/222 communes without fixed Internet" in en
    assert "149/222 with a wireless radio station" in en
    assert "12 communes with 2G only" in en
    assert "1,500 people in 4G dead zones" in en
    path = s.to_json(tmp_path / "out" / "summary.json")
    data = json.loads(path.read_text(encoding="utf-8"), parse_constant=lambda c: 1 / 0)
    assert data["communes_without_fixed_internet"] == 10
    assert data["pop_covered_pct_3g"] is None
    assert [p.name for p in path.parent.iterdir()] == ["summary.json"]
    with pytest.raises(ValueRangeError, match="lang = 'fr' is not supported"):
        s.text("fr")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- real communes


@pytest.fixture(scope="module")
def real_kpi(real_data):
    communes = real_communes(real_data)
    communes.index = pd.Index(np.arange(1000, 1000 + len(communes)), name="fid")  # kept?
    before = communes.copy()
    grid = grid_over(communes, 1000.0)
    pts = communes.to_crs(UTM).representative_point()
    xy = np.column_stack([pts.x, pts.y])
    cov = disc_coverage(grid, xy, {"2G": 6000.0, "3G": 3500.0, "4G": 2500.0})
    pop = population_surface(communes, grid)
    dz = dead_zones(communes, cov, pop, min_area_km2=1.0)
    kpi = commune_indicators(communes, cov, pop, dead_zones=dz)
    return communes, before, kpi, dz


@pytest.mark.realdata
def test_real_areas_add_up_to_the_province(real_kpi) -> None:
    _, _, kpi, _ = real_kpi
    assert kpi["area_km2"].sum() == pytest.approx(15_510, rel=0.01)


@pytest.mark.realdata
def test_real_population_conserved_and_inputs_unchanged(real_kpi) -> None:
    communes, before, kpi, dz = real_kpi
    pd.testing.assert_frame_equal(communes, before)
    assert kpi.crs == communes.crs
    assert kpi.index.equals(communes.index)
    total = communes["population"].sum()
    assert abs(kpi["population"].sum() - total) / total < 1e-3
    # Rounded per commune: at most half a person each.
    assert kpi["dead_zone_pop"].sum() == pytest.approx(dz["population"].sum(), abs=len(kpi) / 2)


@pytest.mark.realdata
def test_real_communes_without_code_are_handled_and_reported(real_kpi, caplog) -> None:
    _, _, kpi, dz = real_kpi
    # the reader's provisional codes (row 23 and row 79 of communes_clean)
    uncoded = kpi[kpi["commune_code"].str.startswith("NOCODE-")]
    assert sorted(uncoded["commune_code"]) == ["NOCODE-23", "NOCODE-79"]
    assert sorted(uncoded["commune_name"]) == ["Xã Chư HDrông", "Xã Chư Jôr"]
    assert (uncoded["population"] > 0).all()
    assert (uncoded["area_km2"] > 10).all()
    s = province_summary(kpi, dz)
    assert len(s.communes_without_code) == 2
    assert any("Chư HDrông" in c for c in s.communes_without_code)
    assert "2 xã chưa có mã chính thức" in s.text("vi")
    d = district_indicators(kpi)
    assert len(d) == 17
    assert (d["district_code"] != "").all()
    assert d["communes"].sum() == 222
    assert d["communes_without_code"].sum() == 2
    assert d["population"].sum() == kpi["population"].sum()
    assert d["area_km2"].sum() == pytest.approx(kpi["area_km2"].sum())


def test_nocode_convention_of_the_reader_is_reported_too() -> None:
    k = gpd.GeoDataFrame({"commune_code": ["23557", "NOCODE-23"],
                          "commune_name": ["Phường Yên Đỗ", "Xã Chư HDrông"]},
                         geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=UTM)
    assert province_summary(k).communes_without_code == ("row 2 (Xã Chư HDrông)",)
