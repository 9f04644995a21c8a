"""The output-layer registry: every writer reads it, so a layer is described once and a
new layer is one entry."""

from __future__ import annotations

import dataclasses
import re
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geotel.outputs import layers as registry
from geotel.outputs.gpkg import write_geopackage
from geotel.outputs.layers import GROUP_TITLES, OUTPUT_LAYERS, OutputLayer, Symbol
from geotel.outputs.maps import make_map, map_layer_names
from tests._layers import small_layers

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(OUTPUT_LAYERS))
def test_every_entry_is_complete(name: str) -> None:
    layer = OUTPUT_LAYERS[name]
    assert layer.name == name
    assert layer.group in GROUP_TITLES
    assert layer.title["vi"]
    assert layer.title["en"]
    assert layer.title["vi"] != layer.title["en"]
    kind = {"Point": "marker", "Line": "line", "Poly": "fill"}[
        next(k for k in ("Point", "Line", "Poly") if k in layer.geometry)]
    assert layer.symbol.kind == kind
    for rule in registry.style_rules(name, layer.columns):
        assert rule.symbol.kind == kind
        assert rule.label["vi"]
        assert rule.label["en"]


def test_readme_key_columns_are_the_registry_contract() -> None:
    """The README's 'Key columns' list and the registry agree (no second source)."""
    for name in ("communes", "dead_zones", "towers_proposed", "fiber_proposed"):
        line = next(ln for ln in README.splitlines() if ln.startswith(f"- `{name}`:"))
        listed = {c for c in re.findall(r"`([a-z0-9_]+)`", line)[1:]
                  if not c.endswith(("_2g", "_3g")) and c not in ("any", "shared")}
        missing = listed - set(OUTPUT_LAYERS[name].columns)
        assert not missing, (name, missing)


def test_a_new_layer_is_one_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pops = OutputLayer("pops", "Point", "existing", {"vi": "Điểm POP", "en": "POPs"},
                       ("pop_id",), Symbol("marker", "#123456", size_mm=3.0),
                       popup=("pop_id",))
    monkeypatch.setitem(OUTPUT_LAYERS, "pops", pops)
    layers = small_layers()
    layers["pops"] = gpd.GeoDataFrame({"pop_id": ["POP1"]},
                                      geometry=[Point(108.05, 14.05)], crs=4326)
    gpkg = write_geopackage(layers, tmp_path / "plan.gpkg")
    with sqlite3.connect(gpkg) as con:
        qml = con.execute("SELECT styleQML FROM layer_styles WHERE f_table_name = 'pops'"
                          ).fetchone()[0]
    props = {p.get("k"): p.get("v") for p in ET.fromstring(qml.split("\n", 1)[1]).iter("prop")}
    assert props["color"] == "18,52,86,255"
    assert props["size"] == "3"
    html = make_map(layers, tmp_path / "map.html", lang="en").read_text(encoding="utf-8")
    assert "POPs (1)" in map_layer_names(layers, lang="en")
    assert "POP1" in html


def test_dead_zones_default_to_any_on_the_map_and_in_qgis() -> None:
    rules = registry.style_rules("dead_zones", OUTPUT_LAYERS["dead_zones"].columns)
    assert [r.active for r in rules] == [True, False, False, False, False]
    assert OUTPUT_LAYERS["dead_zones"].map_query == "operator == 'any'"
    assert dataclasses.is_dataclass(OUTPUT_LAYERS["dead_zones"])
