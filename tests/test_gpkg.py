"""plan.gpkg: layers, CRS, GeoPackage version, layer_styles, atomic writes, errors."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import MultiPolygon, Point, box

from geotel.errors import CRSError, GeometryError, SchemaError
from geotel.outputs import gpkg as gpkg_mod
from geotel.outputs.gpkg import GPKG_LAYERS, write_geopackage
from tests._layers import small_layers

QGIS_STYLE_COLUMNS = ["f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column",
                      "styleName", "styleQML", "styleSLD", "useAsDefault", "description", "owner",
                      "ui", "update_time"]


@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    return small_layers()


@pytest.fixture(scope="module")
def written(layers, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gpkg") / "plan.gpkg"
    return write_geopackage(layers, path, rasters=[path.parent / "coverage_4g.tif"])


def test_layers_counts_and_crs(layers, written):
    listed = dict(pyogrio.list_layers(written))
    assert set(listed) == set(GPKG_LAYERS) | {"layer_styles"}
    for name, gdf in layers.items():
        info = pyogrio.read_info(written, layer=name)
        assert info["features"] == len(gdf), name
        assert info["crs"] == "EPSG:4326", name
        assert listed[name] == GPKG_LAYERS[name], name


def test_geopackage_1_2_header(written):
    with sqlite3.connect(written) as con:
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
        version = con.execute("PRAGMA user_version").fetchone()[0]
        srs = {r[0] for r in con.execute(
            "SELECT srs_id FROM gpkg_contents WHERE data_type = 'features'")}
    assert app_id == 0x47504B47  # 'GPKG'
    assert version == 10200
    assert srs == {4326}


def test_reprojected_coordinates_and_values(layers, written):
    # towers were given in UTM 49N; written in lon/lat they must match the source points
    got = gpd.read_file(written, layer="towers_existing")
    expected = layers["towers_existing"].to_crs(4326)
    assert np.allclose(got.geometry.x, expected.geometry.x, atol=1e-9)
    assert np.allclose(got.geometry.y, expected.geometry.y, atol=1e-9)
    assert got["operator"].tolist() == expected["operator"].tolist()
    communes = gpd.read_file(written, layer="communes")
    src = layers["communes"]
    assert communes["commune_name"].tolist() == src["commune_name"].tolist()  # Vietnamese kept
    np.testing.assert_array_equal(communes["pop_covered_pct_4g"].isna(),
                                  src["pop_covered_pct_4g"].isna())
    assert communes["pop_covered_pct_4g"].iloc[:5].tolist() == [5.0, 25.0, 45.0, 65.0, 85.0]
    assert communes["c8_met"].tolist() == src["c8_met"].tolist()
    # polygon areas survive (boxes become MultiPolygons, same shapes)
    assert np.allclose(communes.to_crs(32649).area, src.to_crs(32649).area)


def test_inputs_unchanged(tmp_path):
    layers = small_layers()
    before = {k: v.copy() for k, v in layers.items()}
    write_geopackage(layers, tmp_path / "p.gpkg")
    for k, v in layers.items():
        pd.testing.assert_frame_equal(v, before[k])
        assert v.crs == before[k].crs


def test_layer_styles_table(layers, written):
    with sqlite3.connect(written) as con:
        cols = [r[1] for r in con.execute("PRAGMA table_info(layer_styles)")]
        rows = con.execute("SELECT f_table_name, f_geometry_column, useAsDefault, styleQML, "
                           "f_table_schema FROM layer_styles").fetchall()
        geom_cols = dict(con.execute(
            "SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall())
        registered = con.execute("SELECT data_type FROM gpkg_contents "
                                 "WHERE table_name = 'layer_styles'").fetchone()
    assert cols == ["id", *QGIS_STYLE_COLUMNS]
    assert registered == ("attributes",)
    assert sorted(r[0] for r in rows) == sorted(layers)
    for name, geom_col, default, qml, schema in rows:
        assert geom_col == geom_cols[name]
        assert default == 1
        assert schema == ""
        root = ET.fromstring(qml.split("\n", 1)[1])  # drop the DOCTYPE line
        assert root.tag == "qgis"
        renderer = root.find("renderer-v2")
        if name == "communes":
            assert renderer.get("type") == "RuleRenderer"
            rules = [(r.get("label"), r.get("filter")) for r in renderer.iter("rule")]
            assert rules[0] == ("0 – 20 %", '"pop_covered_pct_4g" >= 0 AND '
                                '"pop_covered_pct_4g" <= 20')
            assert rules[-1] == ("Không có số liệu", '"pop_covered_pct_4g" IS NULL')
            assert len(rules) == 6
        elif name == "towers_existing":
            assert renderer.get("type") == "RuleRenderer"
            labels = [r.get("label") for r in renderer.iter("rule")]
            assert labels == ["Viettel", "VinaPhone", "MobiFone", "Vietnamobile", "Khác"]
        elif name == "towers_proposed":
            assert renderer.get("type") == "RuleRenderer"
            filters = [r.get("filter") for r in renderer.iter("rule")]
            assert filters == [f"\"backhaul\" = '{k}'" for k in ("fiber", "microwave",
                                                                  "unknown")]
        elif name == "dead_zones":
            assert renderer.get("type") == "RuleRenderer"
            rules = list(renderer.iter("rule"))
            assert rules[0].get("filter") == "\"operator\" = 'any'"
            assert rules[0].get("checkstate") is None  # drawn
            assert all(r.get("checkstate") == "0" for r in rules[1:])  # off
        else:
            assert renderer.get("type") == "singleSymbol"
        aliases = {a.get("field"): a.get("name") for a in root.iter("alias")}
        if "commune_code" in aliases:
            assert aliases["commune_code"] == "Mã xã"
        if name == "towers_proposed":
            props = {p.get("k"): p.get("v") for p in root.iter("prop")}
            assert float(props["size"]) >= 5
            assert props["name"] == "star"
        if name == "fiber_proposed":
            props = {p.get("k"): p.get("v") for p in root.iter("prop")}
            assert float(props["line_width"]) >= 1.2


def test_rasters_recorded_in_metadata(written):
    meta = pyogrio.read_info(written, layer="communes")["dataset_metadata"] or {}
    assert any("coverage_4g.tif" in v for v in meta.values())
    assert not list(written.parent.glob("*.aux.xml"))


def test_empty_layer_and_mixed_polygons(tmp_path):
    empty = gpd.GeoDataFrame({"zone_id": pd.Series([], dtype=str)},
                             geometry=gpd.GeoSeries([], crs=4326))
    mixed = gpd.GeoDataFrame(
        {"zone_id": ["a", "b"]},
        geometry=[box(108, 14, 108.1, 14.1),
                  MultiPolygon([box(108.2, 14, 108.3, 14.1), box(108.4, 14, 108.5, 14.1)])],
        crs=4326)
    out = write_geopackage({"exclusion_zones": empty, "dead_zones": mixed}, tmp_path / "e.gpkg")
    listed = dict(pyogrio.list_layers(out))
    assert listed == {"exclusion_zones": "MultiPolygon", "dead_zones": "MultiPolygon",
                      "layer_styles": None}
    assert pyogrio.read_info(out, layer="exclusion_zones")["features"] == 0
    back = gpd.read_file(out, layer="dead_zones")
    assert np.allclose(back.to_crs(32649).area / mixed.to_crs(32649).area, 1.0)


def test_missing_crs_is_crs_error(tmp_path):
    g = gpd.GeoDataFrame({"site_id": ["A"]}, geometry=[Point(108, 14)])
    with pytest.raises(CRSError, match=r"towers_existing.*no CRS"):
        write_geopackage({"towers_existing": g}, tmp_path / "x.gpkg")
    assert not (tmp_path / "x.gpkg").exists()


def test_mixed_geometry_and_bad_input(tmp_path):
    g = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[Point(108, 14), box(108, 14, 109, 15)],
                         crs=4326)
    with pytest.raises(GeometryError, match="mixes geometry types"):
        write_geopackage({"communes": g}, tmp_path / "x.gpkg")
    with pytest.raises(SchemaError, match="not a GeoDataFrame"):
        write_geopackage({"communes": pd.DataFrame({"a": [1]})}, tmp_path / "x.gpkg")
    with pytest.raises(SchemaError, match="not allowed"):
        write_geopackage({"layer_styles": g.iloc[:1]}, tmp_path / "x.gpkg")
    with pytest.raises(SchemaError, match="no layers"):
        write_geopackage({}, tmp_path / "x.gpkg")


def test_failed_write_keeps_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "plan.gpkg"
    layers = small_layers()
    write_geopackage(layers, path)
    before = path.read_bytes()
    real = pyogrio.write_dataframe
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(gpkg_mod.pyogrio, "write_dataframe", failing)
    with pytest.raises(OSError, match="disk full"):
        write_geopackage(layers, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["plan.gpkg"]  # no temp left behind


def test_towers_outside_the_province_get_their_own_category(tmp_path):
    towers = small_layers()["towers_existing"].copy()
    towers["in_province"] = [i >= 3 for i in range(len(towers))]
    path = write_geopackage({"towers_existing": towers}, tmp_path / "plan.gpkg")
    with sqlite3.connect(path) as con:
        qml = con.execute("SELECT styleQML FROM layer_styles").fetchone()[0]
    renderer = ET.fromstring(qml.split("\n", 1)[1]).find("renderer-v2")
    assert renderer.get("type") == "RuleRenderer"
    rules = {r.get("label"): r for r in renderer.iter("rule")}
    assert list(rules) == ["Viettel", "VinaPhone", "MobiFone", "Vietnamobile", "Khác",
                           "Trạm ngoài tỉnh"]
    assert rules["Viettel"].get("filter") == '"in_province" AND "operator" = \'Viettel\''
    assert rules["Trạm ngoài tỉnh"].get("filter") == 'NOT "in_province"'
    symbol = next(s for s in renderer.iter("symbol")
                  if s.get("name") == rules["Trạm ngoài tỉnh"].get("symbol"))
    props = {p.get("k"): p.get("v") for p in symbol.iter("prop")}
    assert props["color"].endswith(",0")  # hollow
    assert props["outline_color"] == "127,127,127,255"
    read = gpd.read_file(path, layer="towers_existing")
    assert read["in_province"].tolist() == towers["in_province"].tolist()
