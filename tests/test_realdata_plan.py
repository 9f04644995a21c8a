"""`geotel plan` end to end on the real Gia Lai communes and roads, as a planner's data
come: population only as district census totals, a VN-2000 tower list with sites across
the border, a DEM, and no fiber layer — then the same run with a fiber layer.

The unknowns must stay null (never "yes"), siting must propose the number asked with an
unknown backhaul, and the summary must name what is unknown.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest

from tests.realproject import write_real_project

pytestmark = pytest.mark.realdata

GEOTEL = Path(sys.executable).with_name("geotel")  # the installed console script
NEW_SITES = 20


def _plan(folder: Path, real_data: Path, *, fiber: bool) -> tuple[Path, str]:
    config = write_real_project(folder / "project", real_data, fiber=fiber, border_sites=6,
                                config={"siting": {"new_sites": NEW_SITES}})
    out = folder / "plan"
    r = subprocess.run([str(GEOTEL), "plan", str(config), "--out", str(out)],
                       capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return out, r.stdout


@pytest.fixture(scope="module")
def without_fiber(real_data: Path, tmp_path_factory: pytest.TempPathFactory):
    return _plan(tmp_path_factory.mktemp("nofiber"), real_data, fiber=False)


@pytest.fixture(scope="module")
def with_fiber(real_data: Path, tmp_path_factory: pytest.TempPathFactory):
    return _plan(tmp_path_factory.mktemp("fiber"), real_data, fiber=True)


def _summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def test_unknown_facts_are_null_in_every_output(without_fiber) -> None:
    out, _ = without_fiber
    communes = gpd.read_file(out / "plan.gpkg", layer="communes")
    assert len(communes) == 222
    for col in ("has_fixed_internet", "has_radio_station", "has_postal_point",
                "has_it_admin", "c8_1_postal", "c8_3_radio"):
        assert communes[col].isna().all(), col
    assert not (communes["c8_met"] == 1).any()  # never "met" on unknowns
    s = _summary(out)
    for key in ("communes_without_fixed_internet", "communes_with_radio_station",
                "communes_with_postal_point"):
        assert s[key] is None, key
    assert {u["fact"] for u in s["unknowns"]} >= {"has_fixed_internet", "has_radio_station",
                                                   "has_postal_point"}
    # population from the census: known, and kept per district
    assert s["population"] == pytest.approx(1_257_875, abs=300)
    assert s["population_source"].startswith("district totals districts_2009_census.gpkg")
    kpi = (out / "communes_kpi.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(kpi) == 223


def test_siting_proposes_what_was_asked_with_unknown_backhaul(without_fiber) -> None:
    out, _ = without_fiber
    proposed = gpd.read_file(out / "plan.gpkg", layer="towers_proposed")
    assert len(proposed) == NEW_SITES
    assert (proposed["backhaul"] == "unknown").all()
    assert proposed["pop_gain"].gt(0).all()
    s = _summary(out)
    assert [sf["step"] for sf in s["shortfalls"]] == ["fiber"]  # siting delivered
    assert any(a["key"] == "siting.unknown_backhaul_cost_vnd" and a["stands_in_for_data"]
               for a in s["assumptions"])


def test_the_printed_summary_names_what_is_unknown(without_fiber) -> None:
    out, stdout = without_fiber
    print(stdout)
    assert "radio stations: no data (give `has_radio_station` in the communes layer)" in stdout
    assert "fixed Internet: no data" in stdout
    assert "postal service points: no data" in stdout
    assert "Assumed: backhaul of 20 proposed site(s) unknown (no fiber layer)" in stdout
    assert "fiber: asked" in stdout
    assert "no existing fiber layer" in stdout
    assert (out / "validation.csv").is_file()


def test_cross_border_towers_serve_but_are_not_counted(without_fiber) -> None:
    out, _ = without_fiber
    towers = gpd.read_file(out / "plan.gpkg", layer="towers_existing")
    outside = towers.loc[~towers["in_province"].astype(bool), "site_id"].unique()
    assert len(outside) == 6
    communes = gpd.read_file(out / "plan.gpkg", layer="communes")
    inside = towers.loc[towers["in_province"].astype(bool), "site_id"].nunique()
    assert communes["towers"].sum() <= inside
    assert _summary(out)["towers"] == communes["towers"].sum()


def test_with_a_fiber_layer_the_facts_are_known_and_backhaul_costed(with_fiber) -> None:
    out, stdout = with_fiber
    communes = gpd.read_file(out / "plan.gpkg", layer="communes")
    assert communes["has_fixed_internet"].notna().all()
    assert set(communes["fixed_internet_source"]) == {"fiber reach"}
    near = communes["fiber_distance_km"] <= 1.0
    assert (communes["has_fixed_internet"].astype(bool) == near).all()
    s = _summary(out)
    assert s["communes_without_fixed_internet"] == int((~near).sum())
    assert s["communes_with_radio_station"] is None  # still not given
    proposed = gpd.read_file(out / "plan.gpkg", layer="towers_proposed")
    assert len(proposed) == NEW_SITES
    assert set(proposed["backhaul"]) <= {"fiber", "microwave"}
    assert proposed["backhaul_km"].notna().all()
    assert (proposed["total_cost_vnd"] == proposed["capex_vnd"]
            + proposed["backhaul_cost_vnd"]).all()
    assert "communes without fixed Internet" in stdout
