"""`geotel demo` end to end, as a planner meets it: the output folder, plan.gpkg opened
in real QGIS, the offline map in a real Chromium, the summary and the phased plan."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from geotel.outputs._qml import renderer_kind
from geotel.outputs.layers import OUTPUT_LAYERS, output_layer
from geotel.outputs.maps import map_layer_names
from tests.conftest import ROOT
from tests.test_browser import (  # noqa: F401 (browser: fixture)
    _card_row,
    _choose,
    _open,
    _overlay_names,
    _ranks_shown,
    _search,
    _view,
    browser,
)
from tests.test_qgis import _qgis_env, system_qgis  # noqa: F401 (fixture)
from tests.test_qgis_project import ANY_4G, DEAD, ITEMS, RULES, _area_share, _check

CONTRACT = ["communes", "districts", "towers_existing", "towers_proposed", "dead_zones",
            "fiber_existing", "fiber_proposed", "exclusion_zones"]


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("e2e") / "demo"
    env = dict(os.environ, GEOTEL_CACHE_DIR=str(ROOT / "data" / "processed"))
    r = subprocess.run([sys.executable, "-m", "geotel.cli", "demo", "--out", str(out)],
                       capture_output=True, text=True, env=env, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "communes without fixed Internet" in r.stdout  # the closing summary
    return out


def test_output_folder_holds_the_contract(demo_out):
    names = {p.name for p in demo_out.iterdir()}
    for f in ["plan.gpkg", "plan.qgz", "map.html", "map_offline.html", "summary.json",
              "phases.csv", "communes_kpi.csv", "communes_kpi.xlsx", "districts_kpi.csv",
              "print_map.png", "print_map.pdf", "config.yml", "coverage_4g_any_signal.tif"]:
        assert f in names, f
    assert not [n for n in names if n.startswith(".")]  # no temporary left
    layers = [n for n, _ in pyogrio.list_layers(demo_out / "plan.gpkg")]
    assert set(CONTRACT) <= set(layers)
    assert "layer_styles" in layers
    # every layer holds the contract columns the registry (and the README) promise
    for name, spec in OUTPUT_LAYERS.items():
        if name in layers:
            fields = set(pyogrio.read_info(demo_out / "plan.gpkg", layer=name)["fields"])
            assert set(spec.columns) <= fields, (name, set(spec.columns) - fields)
    for f in ("map.html", "map_offline.html"):
        assert (demo_out / f).stat().st_size <= 10 * 1024 * 1024


def test_plan_content_is_consistent(demo_out):
    gpkg = demo_out / "plan.gpkg"
    communes = gpd.read_file(gpkg, layer="communes")
    proposed = gpd.read_file(gpkg, layer="towers_proposed")
    fiber = gpd.read_file(gpkg, layer="fiber_proposed")
    summary = json.loads((demo_out / "summary.json").read_text(encoding="utf-8"))
    assert len(communes) == 222
    assert communes.crs.to_epsg() == 4326
    assert communes["fiber_distance_km"].notna().all()
    kon_pne = communes.set_index("commune_code").loc["23641"]
    assert not kon_pne["has_fiber"]
    assert kon_pne["pop_covered_pct_3g"] < 5
    assert (~communes["has_fixed_internet"]).sum() == 10
    assert communes["has_radio_station"].sum() == 149
    assert len(proposed) > 0
    assert proposed["rank"].tolist() == list(range(1, len(proposed) + 1))
    assert proposed["pop_gain"].gt(0).all()
    served = {c for s in fiber["communes_served"] for c in s.split(",") if c}
    assert served == set(communes.loc[~communes["has_fixed_internet"], "commune_code"])
    phases = pd.read_csv(demo_out / "phases.csv")
    assert phases["year"].tolist() == list(range(2020, 2026))
    assert phases["towers_built"].sum() == proposed["phase_year"].notna().sum()
    assert phases["pop_covered_pct_4g"].is_monotonic_increasing
    # summary.json agrees with the layers it sums up; the demo's data give every fact
    assert summary["communes"] == 222
    assert summary["population"] == pytest.approx(communes["population"].sum(), abs=1)
    assert summary["communes_without_fixed_internet"] == 10
    assert summary["communes_with_radio_station"] == 149
    assert summary["communes_c8_met"] == int(communes["c8_met"].sum())
    assert summary["dead_zone_pop"] == pytest.approx(communes["dead_zone_pop"].sum(), abs=111)
    assert summary["towers"] == int(communes["towers"].sum())
    assert summary["unknowns"] == []
    assert summary["shortfalls"] == []
    assert summary["population_source"] == "raster population.tif"
    assert {a["key"] for a in summary["assumptions"]} >= {"coverage.thresholds_dbm",
                                                           "fiber.cost_per_km_vnd"}


def test_plan_gpkg_opens_styled_in_qgis(demo_out, system_qgis, tmp_path):  # noqa: F811
    gpkg = demo_out / "plan.gpkg"
    expected = {"layers": {}}
    for name in CONTRACT:
        info = pyogrio.read_info(gpkg, layer=name)
        expected["layers"][name] = {
            "count": int(info["features"]), "crs": "EPSG:4326",
            "renderer": renderer_kind(name, list(info["fields"])),
            # as the registry says: communes by name, towers by site id, proposals by rank
            "labels": output_layer(name).labels is not None}
    exp = tmp_path / "expected.json"
    exp.write_text(json.dumps(expected))
    r = subprocess.run([system_qgis, str(ROOT / "tests" / "qgis_check.py"), str(gpkg),
                        str(exp), "--render", str(tmp_path / "qgis.png")],
                       capture_output=True, text=True, timeout=300, env=_qgis_env())
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert (tmp_path / "qgis.png").stat().st_size > 20_000


def test_plan_qgz_opens_ready_in_qgis(demo_out, system_qgis, tmp_path):  # noqa: F811
    # the QGIS project beside plan.gpkg: every layer valid, only 4G 'any' ticked among the
    # rasters, the A3 layout exports, and the default view is not a red province: the
    # dead zones take the share of the picture they take of the ground
    expected = {"visible_rasters": [ANY_4G], "rules_active": RULES,
                "layout": {"name": "A3", "items": ITEMS},
                "dead_zones": {"layer": DEAD, "expression": "\"operator\" = 'any'",
                               "tolerance": 0.03}}
    code, report = _check(system_qgis, demo_out / "plan.qgz", expected, tmp_path,
                          pdf=tmp_path / "layout.pdf")
    assert report["ok"], "\n".join(report["errors"])
    assert code == 0, "\n".join(report["errors"])
    assert all(info["valid"] for info in report["layers"].values())
    assert [group for group, _ in report["tree"]] == ["Hiện trạng", "Quy hoạch",
                                                       "Vùng phủ sóng"]
    dz = report["dead_zones"]
    assert dz["red_share"] < 0.2
    assert dz["area_share"] == pytest.approx(
        _area_share(demo_out / "plan.gpkg", dz["visible_extent"]), abs=0.002)
    assert (tmp_path / "layout.pdf").stat().st_size > 100_000


def test_offline_map_of_the_demo_in_chromium(demo_out, browser, tmp_path):  # noqa: F811
    page, errors, external, shot = _open(browser, demo_out / "map_offline.html", offline=True,
                                         tmp_path=tmp_path, name="demo_offline")
    try:
        assert errors == []
        assert external == []
        names = _overlay_names(page)
        layers = {n: gpd.read_file(demo_out / "plan.gpkg", layer=n) for n in CONTRACT}
        layers["dead_zones"] = layers["dead_zones"].query("operator == 'any'")
        assert names == map_layer_names(layers, coverage=True)
        assert page.locator(".gt-rank").count() >= 2
        assert shot.stat().st_size > 50_000
        # in English, "kon pne" finds Xã Kon Pne; its card tells what plan.gpkg says
        page.click(".gt-lang button[data-lang='en']")
        assert _overlay_names(page) == map_layer_names(layers, lang="en", coverage=True)
        start = _view(page)
        assert _search(page, "kon pne") == ["Xã Kon Pne"]
        _choose(page, "Xã Kon Pne")
        page.screenshot(path=str(tmp_path / "demo_kon_pne.png"))
        assert _view(page)["zoom"] > start["zoom"]
        kon_pne = layers["communes"].set_index("commune_code").loc["23641"]
        assert page.locator(".gt-card").get_attribute("data-code") == "23641"
        marks = {True: "✓", False: "✗"}
        for col in ("c8_1_postal", "c8_2_telecom_internet", "c8_3_radio", "c8_4_it_admin"):
            assert _card_row(page, col) == marks[bool(kon_pne[col])], col
        assert _card_row(page, "c8_met").startswith(marks[bool(kon_pne["c8_met"])])
        assert _card_row(page, "dead_zone_pop").startswith(f"{kon_pne['dead_zone_pop']:,.0f}")
        assert f"{kon_pne['pop_covered_pct_4g']:.1f} %" in page.inner_text(
            ".gt-card tr[data-col='pop_covered_pct_4g']")
        proposed = layers["towers_proposed"]
        ranks = page.eval_on_selector_all(
            ".gt-card table[data-layer='towers_proposed'] tr td:first-child",
            "els => els.map(e => Number(e.textContent))")
        assert ranks == sorted(proposed.loc[proposed["commune_code"] == "23641", "rank"])
        routes = [r for r, s in zip(layers["fiber_proposed"]["route_id"],
                                    layers["fiber_proposed"]["communes_served"], strict=True)
                  if "23641" in s.split(",")]
        fiber = page.inner_text(".gt-card").split("Proposed fiber")[-1]
        assert routes
        assert all(r in fiber for r in routes)
        # the year filter: only the towers of the first year of the plan
        first = int(proposed["phase_year"].min())
        page.select_option("#gt-year", str(first))
        assert _ranks_shown(page) == sorted(proposed.loc[proposed["phase_year"] <= first, "rank"])
        assert errors == []
    finally:
        page.close()


def test_report_of_the_demo(demo_out):
    from tests.test_report import _docx_text, _intact, _pdf_text, _table, _vi

    s = json.loads((demo_out / "summary.json").read_text(encoding="utf-8"))
    docx_text, d = _docx_text(demo_out / "report.docx")
    pdf_text, reader = _pdf_text(demo_out / "report.pdf")
    for text in (docx_text, pdf_text):
        _intact(text)
        assert "Còn 10 xã/222 xã chưa có kết nối Internet hữu tuyến đến trung tâm xã" in text
        assert f"Còn {_vi(s['dead_zone_pop'])} người sống trong" in text
    rows = _table(d, "theo huyện")
    assert len(rows) == 1 + 17 + 1
    assert rows[-1][:3] == ["Toàn tỉnh", "222",
                                                        _vi(s["population"])]
    assert len(_table(d, "nhiều người trong vùng lõm")) == 1 + 20
    annex = d.tables[-17:]
    assert sum(len(t.rows) - 1 for t in annex) == 222  # one table of communes per district
    assert 10 <= len(reader.pages) <= 30
