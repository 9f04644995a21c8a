"""plan.qgz, the QGIS project beside plan.gpkg (issue #13, part 2): written without QGIS,
checked in real QGIS 3.22 (system python3 + python3-qgis, headless) by
tests/qgis_project_check.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio.features
import shapely
from affine import Affine
from pypdf import PdfReader
from shapely.geometry import box

from geotel.errors import FileFormatError, ValueRangeError
from geotel.outputs import layers as registry
from geotel.outputs.gpkg import write_geopackage
from geotel.outputs.qgis_project import write_qgis_project
from geotel.raster import Raster
from tests._layers import LAT0, LON0, small_layers
from tests.test_qgis import _qgis_env, system_qgis  # noqa: F401 (fixture)

CHECK = Path(__file__).with_name("qgis_project_check.py")
UTM = "EPSG:32649"
ANY_4G = "4G – tất cả nhà mạng"
DEAD = "Vùng lõm sóng"
ITEMS = ["map", "legend", "scalebar", "north_arrow", "title", "date", "source"]
#: The layers panel as the issue writes it: groups in reading order, what is ticked.
TREE = [
    ["Hiện trạng", [["Xã / phường / thị trấn", False], ["Huyện / thị xã / thành phố", True],
                    ["Trạm BTS hiện có", True], ["Cáp quang hiện có", True],
                    ["Vùng hạn chế xây trạm", False]]],
    ["Quy hoạch", [["Trạm BTS đề xuất", [["Năm 2021", True], ["Năm 2023", True],
                                         ["Chưa xếp năm", True]]],
                   ["Cáp quang đề xuất", True]]],
    ["Vùng phủ sóng", [["Cường độ tín hiệu 4G", [[ANY_4G, True], ["4G – Viettel", False]]],
                       ["Cường độ tín hiệu 3G", [["3G – tất cả nhà mạng", False]]],
                       [DEAD, True]]],
]
RULES = {DEAD: {"Không nhà mạng nào phủ sóng": True, "Viettel không phủ sóng": False,
                "VinaPhone không phủ sóng": False, "MobiFone không phủ sóng": False,
                "Vietnamobile không phủ sóng": False}}


def _dead_zones() -> gpd.GeoDataFrame:
    """Small 'any' zones (nobody covers) and large zones of each operator, as a plan has."""
    x, y = LON0, LAT0
    zones = [("any", box(x + 0.02, y + 0.02, x + 0.06, y + 0.06)),
             ("any", box(x + 0.20, y + 0.12, x + 0.26, y + 0.17)),
             ("Viettel", box(x, y, x + 0.15, y + 0.2)),
             ("VinaPhone", box(x + 0.15, y, x + 0.3, y + 0.2)),
             ("MobiFone", box(x, y, x + 0.3, y + 0.1))]
    return gpd.GeoDataFrame({
        "zone_id": [f"D{i}" for i in range(len(zones))], "commune_code": "23500",
        "district_code": "622", "technology": "4G", "operator": [op for op, _ in zones],
        "area_km2": 1.0, "population": 10, "nearest_tower_km": 3.0,
        "nearest_fiber_km": 2.0}, geometry=[g for _, g in zones], crs=4326)


def _cogs(folder: Path, dead: gpd.GeoDataFrame) -> list[Path]:
    """Signal COGs over the communes (UTM 49N, 100 m): -104 to -60 dBm from west to east,
    -120 (not covered) in the 'any' dead zones; a server and a mask COG beside."""
    any_zones = dead[dead["operator"] == "any"].to_crs(UTM)
    x0, y0, x1, y1 = gpd.GeoSeries([box(LON0, LAT0, LON0 + 0.3, LAT0 + 0.2)],
                                   crs=4326).to_crs(UTM).total_bounds
    transform = Affine(100.0, 0, np.floor(x0 / 100) * 100, 0, -100.0, np.ceil(y1 / 100) * 100)
    shape = (int(np.ceil((y1 - y0) / 100)) + 1, int(np.ceil((x1 - x0) / 100)) + 1)
    signal = np.broadcast_to(np.linspace(-104, -60, shape[1], dtype=np.float32), shape).copy()
    inside = rasterio.features.geometry_mask(any_zones.geometry, shape, transform, invert=True)
    signal[inside] = -120.0
    out = []
    for tech, op in (("4G", "any"), ("4G", "Viettel"), ("3G", "any")):
        tag = f"{tech}_{op}".lower()
        out.append(Raster(signal, transform, UTM, units="dBm", name=f"signal_{tech}_{op}")
                   .write_cog(folder / f"coverage_{tag}_signal.tif"))
    out.append(Raster((signal >= -105).astype(np.uint8), transform, UTM, nodata=255,
                      name="covered_4g_any").write_cog(folder / "coverage_4g_any_mask.tif"))
    out.append(Raster(np.zeros(shape, np.int16), transform, UTM, nodata=-1,
                      name="server_4G_any").write_cog(folder / "coverage_4g_any_server.tif"))
    return out


def _write_plan(folder: Path, **kwargs) -> Path:
    layers = small_layers()
    layers["dead_zones"] = _dead_zones()
    proposed = layers["towers_proposed"].copy()
    proposed["phase_year"] = [2021, 2021, 2023, np.nan]
    layers["towers_proposed"] = proposed
    folder.mkdir(parents=True, exist_ok=True)
    gpkg = write_geopackage(layers, folder / "plan.gpkg")
    rasters = _cogs(folder, layers["dead_zones"])
    return write_qgis_project(gpkg, folder / "plan.qgz", rasters=rasters, title="Thử nghiệm",
                              date=dt.date(2024, 5, 1), **kwargs)


def _qgs(qgz: Path) -> ET.Element:
    with zipfile.ZipFile(qgz) as zf:
        return ET.fromstring(zf.read(qgz.stem + ".qgs").decode("utf-8").split("\n", 1)[1])


def _check(qgis: str, qgz: Path, expected: dict, tmp_path: Path, *,
           pdf: Path | None = None, png: Path | None = None) -> tuple[int, dict]:
    exp = tmp_path / "expected.json"
    exp.write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")
    args = [qgis, str(CHECK), str(qgz), str(exp)]
    args += ["--pdf", str(pdf)] if pdf else []
    args += ["--render", str(png)] if png else []
    proc = subprocess.run(args, capture_output=True, text=True, env=_qgis_env(), timeout=600)
    assert proc.stdout.strip(), f"the checker printed nothing; stderr:\n{proc.stderr[-2000:]}"
    return proc.returncode, json.loads(proc.stdout.strip().splitlines()[-1])


def _area_share(gpkg: Path, extent: list[float]) -> float:
    """The 'any' dead zones' share of a view (UTM 49N), by shapely: the known answer."""
    dead = gpd.read_file(gpkg, layer="dead_zones")
    zones = shapely.union_all(dead.loc[dead["operator"] == "any"].to_crs(UTM).geometry.array)
    view = box(*extent)
    return zones.intersection(view).area / view.area


@pytest.fixture(scope="module")
def plan_qgz(tmp_path_factory) -> Path:
    return _write_plan(tmp_path_factory.mktemp("qgz") / "plan")


def test_project_is_a_qgz_with_relative_paths(plan_qgz, tmp_path):
    with zipfile.ZipFile(plan_qgz) as zf:
        assert zf.namelist() == ["plan.qgs"]
    root = _qgs(plan_qgz)
    sources = sorted(e.text for e in root.iter("datasource"))
    assert sources
    assert all(s.startswith("./") for s in sources)
    assert str(plan_qgz.parent) not in ET.tostring(root, encoding="unicode")
    assert root.find("properties/Paths/Absolute").text == "false"
    assert "./plan.gpkg|layername=communes" in sources
    assert './plan.gpkg|layername=towers_proposed|subset="phase_year" IS NULL' in sources
    # the signal rasters only: the mask is the classes' threshold, the server index
    # needs the sectors table
    rasters = [s for s in sources if s.endswith(".tif")]
    assert rasters == ["./coverage_3g_any_signal.tif", "./coverage_4g_any_signal.tif",
                       "./coverage_4g_viettel_signal.tif"]
    # the same inputs give the same bytes (stable ids, no clock)
    again = _write_plan(tmp_path / "plan")
    assert again.read_bytes() == plan_qgz.read_bytes()


def test_styles_are_the_geopackage_qml(plan_qgz):
    root = _qgs(plan_qgz)
    layer = next(m for m in root.iter("maplayer") if m.findtext("layername") == DEAD)
    rules = {r.get("label"): r.get("checkstate", "1") for r in layer.iter("rule")}
    assert rules["Không nhà mạng nào phủ sóng"] == "1"
    assert rules["Viettel không phủ sóng"] == "0"
    raster = next(m for m in root.iter("maplayer") if m.findtext("layername") == ANY_4G)
    items = [(i.get("value"), i.get("alpha")) for i in raster.iter("item")]
    assert items == [("-105", "0"), ("-95", "255"), ("-85", "255"), ("-75", "255"),
                     ("inf", "255")]
    assert "dưới ngưỡng phủ sóng 4G" in raster.find(".//item").get("label")


def test_english_project(tmp_path):
    root = _qgs(_write_plan(tmp_path / "plan", lang="en"))
    groups = [g.get("name") for g in root.find("layer-tree-group").findall("layer-tree-group")]
    assert groups == ["Current state", "Plan", "Coverage"]
    names = {m.findtext("layername") for m in root.iter("maplayer")}
    assert {"Dead zones", "4G – any operator", "Year 2021", "Not scheduled"} <= names
    assert any(r.get("label") == "No operator covers" for r in root.iter("rule"))
    layout = root.find("Layouts/Layout")
    texts = {i.get("id"): i.get("labelText") for i in layout.iter("LayoutItem")}
    assert texts["date"] == "Date: 2024-05-01"
    assert texts["source"].startswith("Source: geotel")


def test_plan_qgz_in_qgis(system_qgis, plan_qgz, tmp_path):  # noqa: F811
    # moved as a whole, the folder still opens: every path is relative
    moved = tmp_path / "elsewhere" / "plan"
    shutil.copytree(plan_qgz.parent, moved)
    expected = {"tree": TREE, "visible_rasters": [ANY_4G], "rules_active": RULES,
                "labels": {"Trạm BTS hiện có": {"field": "site_id", "max_scale": 50_000},
                           "Năm 2021": {"field": "rank", "max_scale": 1_000_000}},
                "layout": {"name": "A3", "items": ITEMS},
                "dead_zones": {"layer": DEAD, "expression": "\"operator\" = 'any'",
                               "tolerance": 0.03}}
    pdf, png = tmp_path / "layout.pdf", tmp_path / "view.png"
    code, report = _check(system_qgis, moved / "plan.qgz", expected, tmp_path, pdf=pdf,
                          png=png)
    assert report["ok"], "\n".join(report["errors"])
    assert code == 0
    assert report["crs"] == UTM
    assert report["custom_order"]
    assert all(info["valid"] for info in report["layers"].values())
    assert all(str(moved) in info["source"] for info in report["layers"].values())
    assert len(report["layers"]) == 8 + 2 + 3  # proposed towers in 3 parts, 3 rasters
    assert report["raster_renderers"] == ["singlebandpseudocolor"]
    # the layout: one A3 landscape page, exported
    assert report["layout"]["pages"] == 1
    assert report["layout"]["page_mm"] == [420, 297]
    assert ANY_4G in report["layout"]["map_layers"]
    pages = PdfReader(pdf).pages
    assert len(pages) == 1
    assert pdf.stat().st_size > 50_000
    box_pt = pages[0].mediabox
    assert float(box_pt.width) == pytest.approx(420 / 25.4 * 72, abs=1)
    assert float(box_pt.height) == pytest.approx(297 / 25.4 * 72, abs=1)
    # the default view: the dead zones drawn where they are, not a red province
    dz = report["dead_zones"]
    known = _area_share(moved / "plan.gpkg", dz["visible_extent"])
    assert 0.03 < known < 0.15
    assert dz["area_share"] == pytest.approx(known, abs=0.002)
    assert dz["drawn_share"] == pytest.approx(known, abs=0.03)
    assert dz["red_share"] == pytest.approx(known, abs=0.03)
    assert png.stat().st_size > 10_000


def test_checker_sees_a_red_province(system_qgis, tmp_path, monkeypatch):  # noqa: F811
    # every operator's dead zones drawn at once: the province goes red, the check fails
    entry = registry.OUTPUT_LAYERS["dead_zones"]
    rules = entry.rules

    def all_on(columns, field):
        return [dataclasses.replace(r, active=True) for r in rules(columns, field)]

    monkeypatch.setitem(registry.OUTPUT_LAYERS, "dead_zones",
                        dataclasses.replace(entry, rules=all_on))
    qgz = _write_plan(tmp_path / "plan")
    code, report = _check(system_qgis, qgz, {"dead_zones": {
        "layer": DEAD, "expression": "\"operator\" = 'any'", "tolerance": 0.03}}, tmp_path)
    assert code == 1
    assert not report["ok"]
    dz = report["dead_zones"]
    assert dz["drawn_share"] > 0.5 > dz["area_share"]
    assert any("drawn_share" in e for e in report["errors"])


def test_errors(tmp_path):
    folder = tmp_path / "plan"
    with pytest.raises(FileFormatError, match="does not exist"):
        write_qgis_project(folder / "plan.gpkg", folder / "plan.qgz", title="x")
    _write_plan(folder)
    gpkg = folder / "plan.gpkg"
    bad = folder / "dem.tif"
    shutil.copy(folder / "coverage_4g_any_signal.tif", bad)
    with pytest.raises(FileFormatError, match="not a coverage raster") as err:
        write_qgis_project(gpkg, folder / "x.qgz", rasters=[bad], title="x")
    assert "dem.tif" in str(err.value)
    with pytest.raises(ValueRangeError, match="no coverage threshold for 3G"):
        write_qgis_project(gpkg, folder / "x.qgz", title="x",
                           rasters=[folder / "coverage_3g_any_signal.tif"],
                           thresholds_dbm={"4G": -105.0})
    with pytest.raises(ValueRangeError, match="lang"):
        write_qgis_project(gpkg, folder / "x.qgz", title="x", lang="fr")
    assert not (folder / "x.qgz").exists()
