"""map.html: contents, languages, phases, errors, size; raster_to_png geometry."""

from __future__ import annotations

import io
import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from affine import Affine
from PIL import Image
from pyproj import Transformer

from geotel.errors import CRSError, SchemaError, ValueRangeError
from geotel.outputs.layers import OUTPUT_LAYERS
from geotel.outputs.maps import make_map, map_layer_names, raster_to_png
from geotel.raster import Raster
from tests._layers import card_layers, province_layers, real_communes, small_layers

MB = 1_000_000


def _geojson_blocks(html: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(r"L\.geoJSON\((\{.*?\]\})\s*,\s*\{", html, re.S)]


def _config(html: str) -> dict:
    """The page's configuration (``gt.init``): texts in both languages, classes, styles."""
    return json.loads(re.search(r"gt\.init\((\{.*?\})\);</script>", html, re.S).group(1))


def _entries(html: str) -> list[tuple[str, dict]]:
    """The layer list as the page builds it: (layer variable, meta) in drawing order."""
    args = re.search(r"gt\.controls\(\w+, \w+, \[(.*)\]\);", html, re.S).group(1)
    return [(var, json.loads(meta))
            for var, meta in re.findall(r"\[(\w+),(\{.*?\})\](?=,\[|$)", args, re.S)]


def test_online_and_offline_contents(tmp_path):
    layers = small_layers()
    online = make_map(layers, tmp_path / "a" / "map.html").read_text(encoding="utf-8")
    offline = make_map(layers, tmp_path / "b" / "map.html", offline=True).read_text(
        encoding="utf-8")
    assert "cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js" in online
    assert "tile.openstreetmap.org" in online
    for text in (online, offline):
        # none of folium's default jQuery / Bootstrap / awesome-markers assets
        assert "jquery" not in text.lower()
        assert "bootstrap" not in text.lower()
        assert "awesome-markers" not in text
    assert "tile.openstreetmap.org" not in offline
    assert not re.search(r"<(?:script|link|img)[^>]*\s(?:src|href)=", offline)
    assert "L.markerClusterGroup=" in offline.replace(" ", "") or \
        "markerClusterGroup" in offline
    assert offline.count("<script>") >= 3  # leaflet, markercluster, geotel inline
    assert not list((tmp_path / "b").glob(".tmp-*"))


def test_layers_phases_and_language(tmp_path):
    layers = small_layers()
    html = make_map(layers, tmp_path / "map.html", lang="en", title="Gia Lai test").read_text(
        encoding="utf-8")
    names = map_layer_names(layers, lang="en")
    assert names == ["Communes", "Districts (2)", "Exclusion zones (1)", "Dead zones (3)",
                     "Existing fiber (2)", "Proposed fiber – 2021 (1)",
                     "Proposed fiber – 2022 (1)", "Existing towers (12)",
                     "Proposed towers – 2021 (2)", "Proposed towers – 2022 (1)",
                     "Proposed towers – 2023 (1)"]
    # the page's layer list holds both languages' names, in the same order
    entries = _entries(html)
    assert [meta["names"]["en"] for _, meta in entries] == names
    vi = map_layer_names(layers)
    assert [meta["names"]["vi"] for _, meta in entries] == vi
    assert vi[0] == "Xã / phường / thị trấn"
    assert "Trạm BTS đề xuất – 2021 (2)" in vi
    assert [meta["year"] for _, meta in entries] == [None] * 5 + [2021, 2022, None,
                                                               2021, 2022, 2023]
    assert [meta["phased"] for _, meta in entries].count(True) == 5
    assert "<title>Gia Lai test</title>" in html
    # the proposed towers of 2021 are exactly ranks 1 and 2
    blocks = _geojson_blocks(html)
    ranks = [sorted(f["properties"]["rank"] for f in b["features"]) for b in blocks
             if b["features"] and "rank" in b["features"][0]["properties"]]
    assert ranks == [[1, 2], [3], [4]]


def test_without_phase_year_one_layer(tmp_path):
    layers = small_layers()
    layers["towers_proposed"] = layers["towers_proposed"].drop(columns="phase_year")
    names = map_layer_names(layers, lang="en")
    assert "Proposed towers (4)" in names


def test_coordinates_rounded_and_values_clean(tmp_path):
    html = make_map(small_layers(), tmp_path / "map.html").read_text(encoding="utf-8")
    blocks = _geojson_blocks(html)
    assert len(blocks) >= 8
    coords = re.findall(r'"coordinates":(\[[^a-z]*?\]{2,4})', html)
    decimals = [len(x.split(".")[1]) for c in coords for x in re.findall(r"-?\d+\.\d+", c)]
    assert decimals
    assert max(decimals) <= 5
    communes = next(b for b in blocks if "commune_name" in b["features"][0]["properties"])
    props = [f["properties"] for f in communes["features"]]
    assert props[5]["pop_covered_pct_4g"] is None  # NaN -> null, not NaN (invalid JSON)
    assert props[0]["commune_name"] == "Ia Kla"
    assert props[0]["c8_met"] is True


def test_inputs_unchanged_and_errors(tmp_path):
    layers = small_layers()
    before = {k: v.copy() for k, v in layers.items()}
    make_map(layers, tmp_path / "m.html")
    for k, v in layers.items():
        pd.testing.assert_frame_equal(v, before[k])
    no_crs = layers["communes"].set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match="communes"):
        make_map({"communes": no_crs}, tmp_path / "x.html")
    with pytest.raises(SchemaError, match="not_a_column"):
        make_map(layers, tmp_path / "x.html", indicators=["not_a_column"])
    with pytest.raises(ValueRangeError, match="lang = 'fr' is not supported"):
        make_map(layers, tmp_path / "x.html", lang="fr")  # type: ignore[arg-type]
    empty = gpd.GeoDataFrame({"a": []}, geometry=gpd.GeoSeries([], crs=4326))
    with pytest.raises(SchemaError, match="no layer has features"):
        make_map({"communes": empty}, tmp_path / "x.html")
    assert not (tmp_path / "x.html").exists()


def test_empty_and_missing_layers_tolerated(tmp_path):
    layers = small_layers()
    layers["dead_zones"] = layers["dead_zones"].iloc[:0]
    del layers["fiber_existing"]
    layers["communes"] = layers["communes"].drop(columns=["pop_covered_pct_4g", "c8_met"])
    html = make_map(layers, tmp_path / "m.html", lang="en").read_text(encoding="utf-8")
    cfg = _config(html)
    # an empty layer is listed with its count; a missing one is neither a layer nor a
    # legend entry, in either language
    assert "Dead zones (0)" in [meta["names"]["en"] for _, meta in _entries(html)]
    assert "Existing fiber" not in map_layer_names(layers, lang="en")
    for lang, title in (("en", "Existing fiber"), ("vi", "Cáp quang hiện có")):
        labels = [i.get("label") for i in cfg["i18n"][lang]["legend"]]
        assert title not in labels
        assert {"en": "Proposed fiber", "vi": "Cáp quang đề xuất"}[lang] in labels
    assert cfg["defaultIndicator"] == "pop_covered_pct_3g"
    assert "c8_met" not in cfg["indicators"]


def _png_rgba(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def test_raster_to_png_places_pixels_right():
    # a UTM 48N raster with one strong 2 x 2 km block at a known place; the rest weak/NaN
    cell = 500.0
    x0, y0 = 780_000.0, 1_560_000.0
    vals = np.full((200, 160), -100.0, dtype="float32")
    vals[:, :20] = np.nan
    vals[100:104, 80:84] = -45.0  # block centre at (x0 + 82 cell, y0 - 102 cell)
    r = Raster(vals, Affine(cell, 0, x0, 0, -cell, y0), "EPSG:32648", units="dBm")
    img = raster_to_png(r, vmin=-110, vmax=-50, max_size_px=160)
    rgba = _png_rgba(img.png)
    assert rgba.shape[:2] == img.shape
    assert max(img.shape) == 160
    assert img.crs == "EPSG:3857"
    # the block is the brightest (yellow end of viridis); find its centre in the image
    hot = rgba[..., 0].astype(int) + rgba[..., 1] > 400
    rows, cols = np.nonzero(hot)
    w, s, e, n = img.bounds_lonlat
    to3857 = Transformer.from_crs(4326, 3857, always_xy=True)
    (mx0, mx1), (my0, my1) = to3857.transform([w, e], [n, s])
    px = mx0 + (cols.mean() + 0.5) * (mx1 - mx0) / img.shape[1]
    py = my0 + (rows.mean() + 0.5) * (my1 - my0) / img.shape[0]
    lon, lat = Transformer.from_crs(3857, 4326, always_xy=True).transform(px, py)
    exp_lon, exp_lat = Transformer.from_crs(32648, 4326, always_xy=True).transform(
        x0 + 82 * cell, y0 - 102 * cell)
    pixel_deg = (e - w) / img.shape[1]
    assert abs(lon - exp_lon) < 1.5 * pixel_deg
    assert abs(lat - exp_lat) < 1.5 * pixel_deg
    # NaN columns on the west are transparent, the weak field is opaque
    assert rgba[img.shape[0] // 2, 2, 3] == 0
    assert rgba[img.shape[0] // 2, img.shape[1] // 2 + 20, 3] == 255
    # corners: the bounds contain the raster's own corners
    to4326 = Transformer.from_crs(32648, 4326, always_xy=True)
    lons, lats = to4326.transform([x0, x0 + 160 * cell], [y0, y0 - 200 * cell])
    assert w <= min(lons) + 1e-6
    assert e >= max(lons) - 1e-6
    assert s <= min(lats) + 1e-6
    assert n >= max(lats) - 1e-6


def test_raster_to_png_colours_and_errors():
    vals = np.array([[-120.0, -110.0, -80.0, -50.0, np.nan, -20.0]], dtype="float32")
    r = Raster(vals, Affine(0.01, 0, 108.0, 0, -0.01, 14.0), "EPSG:4326")  # identity warp
    img = raster_to_png(r, vmin=-110, vmax=-50, crs="EPSG:4326", resampling="nearest")
    rgba = _png_rgba(img.png)[0]
    assert rgba.shape[0] == 6
    assert list(rgba[:, 3]) == [0, 255, 255, 255, 0, 255]  # below vmin and NaN transparent
    import matplotlib
    top = np.round(np.array(matplotlib.colormaps["viridis"](1.0)[:3]) * 255)
    assert np.allclose(rgba[3, :3], top, atol=1)
    assert np.allclose(rgba[5, :3], top, atol=1)
    with pytest.raises(ValueRangeError):
        raster_to_png(r, vmin=-50, vmax=-110)
    with pytest.raises(CRSError):
        raster_to_png(Raster(vals, Affine.identity(), None))


@pytest.mark.realdata
def test_province_map_size(real_data, tmp_path):
    """The whole province (222 real communes, ~1,500 sectors) stays under 10 MB."""
    layers = province_layers(real_communes(real_data), n_sites=500)
    assert len(layers["towers_existing"]) == 1500
    assert len(layers["communes"]) == 222
    # a 90 m signal raster over the province in UTM 48N
    communes_utm = layers["communes"].to_crs(32648)
    xmin, ymin, xmax, ymax = communes_utm.total_bounds
    cell = 90.0
    w, h = int((xmax - xmin) / cell), int((ymax - ymin) / cell)
    rng = np.random.default_rng(0)
    field = rng.normal(-85, 12, (h // 20 + 2, w // 20 + 2)).astype("float32")
    vals = np.kron(field, np.ones((20, 20), dtype="float32"))[:h, :w]
    cov = Raster(vals, Affine(cell, 0, xmin, 0, -cell, ymax), "EPSG:32648", units="dBm")
    sizes = {}
    for offline in (False, True):
        out = make_map(layers, tmp_path / f"map_{offline}.html", offline=offline,
                       coverage_png=cov)
        sizes[offline] = out.stat().st_size
    print(f"province map size: online {sizes[False] / MB:.2f} MB, "
          f"offline {sizes[True] / MB:.2f} MB")
    assert sizes[False] <= 10 * MB
    assert sizes[True] <= 10 * MB
    assert sizes[True] > sizes[False]  # the inlined libraries are there


def test_towers_outside_the_province_are_their_own_layer(tmp_path):
    layers = small_layers()
    towers = layers["towers_existing"].copy()
    towers["in_province"] = [i >= 3 for i in range(len(towers))]  # S000–S002 outside
    layers["towers_existing"] = towers
    names = map_layer_names(layers, lang="en")
    assert "Existing towers (9)" in names
    assert "Towers outside the province (3)" in names
    assert names.index("Towers outside the province (3)") == \
        names.index("Existing towers (9)") + 1
    html = make_map(layers, tmp_path / "map.html").read_text(encoding="utf-8")
    vi = [meta["names"]["vi"] for _, meta in _entries(html)]
    assert "Trạm ngoài tỉnh (3)" in vi
    assert "Trạm BTS hiện có (9)" in vi
    # hollow rings in a plain layer group; the province's own towers stay clustered
    rows = re.findall(r"var rows = (\[\[.*?\]\]);\s*var group = (L\.\w+)", html, re.S)
    kinds = {group: [r[3] for r in json.loads(data)] for data, group in rows}
    assert sorted(kinds["L.layerGroup"]) == ["S000", "S001", "S002"]
    assert len(kinds["L.markerClusterGroup"]) == 9
    assert "gt.towerMarker(rows[i], true)" in html
    assert '"kind": "ring"' in html or '"kind":"ring"' in html
    # without the column (or all inside) there is no such layer
    assert not any("outside" in n for n in map_layer_names(small_layers(), lang="en"))


def test_the_page_holds_both_languages(tmp_path):
    layers = card_layers()
    html = make_map(layers, tmp_path / "map.html", lang="en").read_text(encoding="utf-8")
    cfg = _config(html)
    assert cfg["lang"] == "en"
    assert set(cfg["i18n"]) == {"vi", "en"}
    vi, en = cfg["i18n"]["vi"], cfg["i18n"]["en"]
    assert "<title>Telecom infrastructure plan</title>" in html  # opens in English
    assert (vi["title"], en["title"]) == ("Quy hoạch hạ tầng viễn thông thụ động",
                                          "Telecom infrastructure plan")
    assert vi["text"]["no_data"] == "Không có số liệu"
    assert en["text"]["no_data"] == "No data"
    assert vi["locale"] == "vi-VN"
    assert en["locale"] == "en-GB"
    # the legend has the same items in both, each in its language
    assert [i["kind"] for i in vi["legend"]] == [i["kind"] for i in en["legend"]]
    assert "Trạm BTS hiện có" in [i.get("label") for i in vi["legend"]]
    assert "Existing towers" in [i.get("label") for i in en["legend"]]
    assert vi["indicators"]["pop_covered_pct_4g"] == "Dân số phủ sóng 4G (%)"
    assert en["indicators"].keys() == cfg["indicators"].keys()
    assert en["values"]["backhaul"]["microwave"] == "Microwave"
    assert vi["values"]["backhaul"]["microwave"] == "Viba"
    # the Criterion 8 sub-indicators as the province's tables name them
    assert vi["columns"]["c8_1_postal"] == "TC 8.1 Điểm phục vụ bưu chính"
    assert en["columns"]["c8_4_it_admin"] == "8.4 IT in administration"
    # the year filter says what it shows: a year and the years before
    assert en["text"]["year_filter"] == "Proposals built up to and including"
    # a title given by the caller is the same in both languages
    html = make_map(layers, tmp_path / "t.html", title="Gia Lai 2025").read_text(
        encoding="utf-8")
    assert {t["title"] for t in _config(html)["i18n"].values()} == {"Gia Lai 2025"}


def test_commune_card_data_from_the_registry(tmp_path):
    layers = card_layers()
    html = make_map(layers, tmp_path / "map.html").read_text(encoding="utf-8")
    cfg = _config(html)
    assert cfg["popupKind"]["communes"] == "commune_card"
    assert cfg["card"] == {name: list(e.map_card) for name, e in OUTPUT_LAYERS.items()
                           if e.map_card}
    metas = {meta["key"]: meta for _, meta in _entries(html)}
    assert metas["communes"]["search"] == "commune_name"
    assert metas["towers_proposed:2021"]["serves"] == "commune_code"
    assert metas["fiber_proposed:2022"]["serves"] == "communes_served"
    communes = next(b for b in _geojson_blocks(html)
                    if "commune_name" in b["features"][0]["properties"])
    props = {f["properties"]["commune_code"]: f["properties"] for f in communes["features"]}
    dak_doa = props["23502"]
    # unknown facts stay unknown (null), known ones true or false
    assert dak_doa["c8_1_postal"] is None
    assert dak_doa["c8_2_telecom_internet"] is False
    assert dak_doa["c8_3_radio"] is True
    assert dak_doa["c8_met"] is False
    assert dak_doa["c8_missing"] == "has_postal_point"
    assert dak_doa["pop_covered_pct_4g"] == 45.0
    assert dak_doa["pop_covered_pct_4g_planned"] == 80
    assert props["23505"]["pop_covered_pct_4g_planned"] is None
    # the search opens the card at a point inside the commune
    box = layers["communes"].set_index("commune_code").geometry["23502"]
    lat, lon = dak_doa["_pt"]
    assert box.contains(gpd.points_from_xy([lon], [lat])[0])


def test_a_phased_layer_is_a_registry_entry(monkeypatch):
    import dataclasses

    entry = dataclasses.replace(OUTPUT_LAYERS["exclusion_zones"], map_phase="phase_year")
    monkeypatch.setitem(OUTPUT_LAYERS, "exclusion_zones", entry)
    layers = small_layers()
    layers["exclusion_zones"] = layers["exclusion_zones"].assign(phase_year=[2024])
    assert "Exclusion zones – 2024 (1)" in map_layer_names(layers, lang="en")
