"""Unknown is not yes: facts no input gives stay null in the layers, the summary and its
text; steps that deliver less than asked say how much and why (issue: a planner's own
data, partial and imperfect, gives a true plan)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import yaml

from geotel.config import load_config
from geotel.pipeline import run_plan, write_plan
from tests.badinputs import _communes, write_good_project


def _project(folder: Path, *, fiber: bool = True, extra: dict | None = None,
             communes: gpd.GeoDataFrame | None = None, **config: object) -> Path:
    """The small Pleiku project; ``communes`` replaces its communes layer."""
    path = write_good_project(folder, **({} if fiber else {"fiber": None}),
                              _config=config)
    if communes is not None:
        (folder / "communes.gpkg").unlink()
        communes.to_file(folder / "communes.gpkg", layer="communes", driver="GPKG")
    if extra:
        cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
        cfg["inputs"].update(extra)
        path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


#: Thresholds that leave much of the small project uncovered, so that siting has work.
_WEAK = {"thresholds_dbm": {"2G": -60.0, "3G": -60.0, "4G": -60.0}}


@pytest.fixture(scope="module")
def no_facts(tmp_path_factory: pytest.TempPathFactory):
    """No service columns and no fiber layer: every service fact is unknown."""
    folder = tmp_path_factory.mktemp("nofacts")
    cfg = load_config(_project(folder, fiber=False, siting={"new_sites": 2}, coverage=_WEAK))
    return run_plan(cfg, until="siting", progress=False)


def test_facts_nobody_gave_are_null_not_yes(no_facts) -> None:
    kpi = no_facts.layers["communes"]
    for col in ("has_fixed_internet", "has_radio_station", "has_postal_point", "has_it_admin",
                "c8_1_postal", "c8_3_radio", "c8_4_it_admin"):
        assert kpi[col].isna().all(), col
    # Criterion 8 is never met on unknowns; it is null unless a known failure decides it.
    assert not (kpi["c8_met"] == True).any()  # noqa: E712 - nullable booleans
    assert kpi["fixed_internet_source"].isna().all()
    assert all("has_radio_station" in m and "has_postal_point" in m for m in kpi["c8_missing"])


def test_summary_says_no_data_with_the_fix(no_facts, tmp_path: Path) -> None:
    s = no_facts.summary
    assert s.communes_with_radio_station is None
    assert s.communes_with_postal_point is None
    assert s.communes_without_fixed_internet is None
    # Where the (known) weak coverage fails 8.2, Criterion 8 is decided "not met" although
    # the other three are unknown; elsewhere it stays undecided. Never "met".
    kpi = no_facts.layers["communes"]
    failed = (kpi["c8_pop_covered_pct"] < 95).sum()
    assert failed >= 1
    assert s.communes_c8_met == 0
    assert s.no_data["c8_met"] == 4 - failed == kpi["c8_met"].isna().sum()
    assert s.no_data["has_radio_station"] == 4
    en, vi = s.text("en"), s.text("vi")
    assert ("radio stations: no data (give `has_radio_station` in the communes layer)"
            in en)
    assert "đài truyền thanh: không có số liệu" in vi
    assert "4/4" not in en  # no invented "4/4 with a radio station"
    path = s.to_json(tmp_path / "summary.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["communes_with_radio_station"] is None
    facts = {u["fact"] for u in data["unknowns"]}
    assert {"has_radio_station", "has_postal_point", "has_fixed_internet"} <= facts


def test_siting_without_fiber_costs_an_unknown_backhaul(no_facts) -> None:
    run = no_facts.results["siting"]
    proposed = no_facts.layers["towers_proposed"]
    assert len(proposed) == 2
    assert run.shortfall is None
    assert (proposed["backhaul"] == "unknown").all()
    assert proposed["backhaul_km"].isna().all()
    cfg = no_facts.config.siting
    assert (proposed["backhaul_cost_vnd"] == cfg.unknown_backhaul_cost_vnd).all()
    keys = {a["key"]: a for a in no_facts.summary.assumptions}
    assert keys["siting.unknown_backhaul_cost_vnd"]["stands_in_for_data"]
    assert "Assumed: backhaul of 2 proposed site(s) unknown" in no_facts.summary.text("en")
    # the fiber plan cannot run without a fiber layer: said, not silent
    fiber = next(sf for sf in no_facts.summary.shortfalls if sf["step"] == "fiber")
    assert "no existing fiber layer" in fiber["reason"]


def test_fixed_internet_from_the_fiber_reach(tmp_path: Path) -> None:
    com = _communes()
    com["co_internet"] = [True, None, False, None]  # two given, two left blank
    cfg = load_config(_project(tmp_path, communes=com))
    plan = run_plan(cfg, until="indicators", progress=False)
    kpi = plan.layers["communes"]
    src = kpi["fixed_internet_source"].tolist()
    assert src == ["given", "fiber reach", "given", "fiber reach"]
    assert kpi["has_fixed_internet"].iloc[0] == True  # noqa: E712
    assert kpi["has_fixed_internet"].iloc[2] == False  # noqa: E712 - given wins
    near = kpi["fiber_distance_km"] <= cfg.fiber.connected_max_km
    for i in (1, 3):
        assert kpi["has_fixed_internet"].iloc[i] == near.iloc[i]
    assert plan.summary.no_data["has_fixed_internet"] == 0


def test_siting_says_why_it_delivers_fewer_sites(tmp_path: Path) -> None:
    cfg = load_config(_project(tmp_path, siting={"new_sites": 500}, coverage=_WEAK))
    plan = run_plan(cfg, until="siting", progress=False)
    n = len(plan.layers["towers_proposed"])
    assert 0 < n < 500
    sf = plan.results["siting"].shortfall
    assert sf["asked"] == "500 sites"
    assert sf["delivered"] == f"{n} sites"
    assert "add uncovered people" in sf["reason"]
    assert plan.summary.shortfalls[-1]["step"] == "siting"
    assert "siting: asked 500 sites, delivered" in plan.summary.text("en")


def test_area_only_plan_when_population_none(tmp_path: Path) -> None:
    com = _communes().drop(columns="dan_so")
    cfg = load_config(_project(tmp_path, communes=com, extra={"population": "none"},
                               siting={"new_sites": 2}, coverage=_WEAK))
    plan = run_plan(cfg, progress=False)
    kpi = plan.layers["communes"]
    assert kpi["population"].isna().all()
    assert kpi["pop_covered_pct_4g"].isna().all()
    assert kpi["area_covered_pct_4g"].notna().all()
    proposed = plan.layers["towers_proposed"]
    assert len(proposed) == 2
    assert proposed["pop_gain"].isna().all()
    assert (proposed["area_gain_km2"] > 0).all()
    assert plan.layers["dead_zones"]["population"].isna().all()
    assert "area_covered_pct_4g" in plan.phases.columns
    s = plan.summary
    assert s.population is None
    assert s.population_source == "none"
    assert "an area-only plan" in s.text("en")
    out = write_plan(plan, tmp_path / "out")
    data = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert data["population"] is None
    assert data["pop_covered_pct_4g"] is None
    assert any(p.name == "print_map.png" for p in out)
    assert any(p.name == "plan.qgz" for p in out)


def test_districts_keep_unknown_counts_apart(no_facts) -> None:
    d = no_facts.layers["districts"]
    assert pd.isna(d["communes_with_radio_station"]).all()
    assert (d["has_radio_station_no_data"] == 4).all()
    # the share meeting Criterion 8 is over the decided communes only
    decided = 4 - int(d["c8_met_no_data"].iloc[0])
    assert d["c8_met_pct"].iloc[0] == (0.0 if decided else np.nan)
