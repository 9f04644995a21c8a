"""map.html rendered in a real browser: Debian's Chromium driven by playwright, headless.

Never skipped: CI installs chromium (.ci/run). The offline map is opened with every
non-local request blocked; the online map with its CDN requests answered from the same
pip-installed Leaflet files (the test machine has no Internet) and tiles with a blank PNG.
A planner's session is replayed: switch the language, search a commune without its
diacritics, read its card, filter the proposals by year; after each step the test reads
what the page shows.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from affine import Affine
from PIL import Image

from geotel.outputs import _offline
from geotel.outputs.maps import make_map, map_layer_names, raster_to_png
from geotel.raster import Raster
from tests._layers import C8_FACTS, card_layers, small_layers

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


def _blank_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (256, 256), (230, 230, 230)).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def coverage():
    # a signal field around a tower near the middle of the toy area, in UTM 48N
    x0, y0, cell = 805_000.0, 1_538_000.0, 250.0
    yy, xx = np.mgrid[0:120, 0:140]
    d_km = np.hypot(xx - 70, yy - 60) * cell / 1000
    dbm = (-50 - 25 * np.log10(np.maximum(d_km, 0.1) * 10)).astype("float32")
    return raster_to_png(Raster(dbm, Affine(cell, 0, x0, 0, -cell, y0), "EPSG:32648",
                                units="dBm"), max_size_px=256)


def _open(browser, html: Path, *, offline: bool, tmp_path: Path, name: str):
    page = browser.new_page(viewport={"width": 1400, "height": 950})
    errors: list[str] = []
    external: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    blank = _blank_png()
    local = {
        _offline._cdn_url(p, n): _offline._base(p) / n
        for p, n in (*_offline._CSS, *_offline._JS)
    }

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:", "blob:")):
            return r.continue_()
        external.append(url)
        if offline:
            return r.abort()
        if url in local:
            ctype = "text/css" if url.endswith(".css") else "application/javascript"
            return r.fulfill(status=200, body=local[url].read_bytes(), content_type=ctype)
        if "tile.openstreetmap.org" in url:
            return r.fulfill(status=200, body=blank, content_type="image/png")
        return r.abort()

    page.route("**/*", route)
    page.goto(html.as_uri(), wait_until="load")
    page.wait_for_function("document.querySelectorAll('.gt-layers label.gt-entry').length > 0",
                           timeout=20_000)
    page.wait_for_timeout(300)
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot))
    return page, errors, external, shot


def _overlay_names(page) -> list[str]:
    texts = page.eval_on_selector_all(".gt-layers label.gt-entry .gt-name",
                                      "els => els.map(e => e.textContent)")
    return [s.strip() for s in texts if s.strip()]


def _search(page, query: str) -> list[str]:
    """Type into the commune search; the names it lists."""
    page.fill("#gt-search", query)
    return [t.strip() for t in page.eval_on_selector_all(
        "#gt-search-list li[data-i] b", "els => els.map(e => e.textContent)")]


def _choose(page, name: str) -> None:
    """Choose a listed commune: the map zooms to it and opens its card."""
    page.locator("#gt-search-list li[data-i]", has_text=name).first.click()
    page.locator(".leaflet-popup .gt-card-head b", has_text=name).wait_for()
    # the card opened before fades out in 200 ms
    page.wait_for_function("document.querySelectorAll('.leaflet-popup').length === 1")


def _view(page) -> dict:
    return page.evaluate("({zoom: gt.map.getZoom(), center: gt.map.getCenter(), "
                         "bounds: gt.map.getBounds().toBBoxString()})")


def _card_row(page, column: str) -> str:
    return page.inner_text(f".leaflet-popup .gt-card tr[data-col='{column}'] td:last-child")


def _ranks_shown(page) -> list[int]:
    return sorted(int(t) for t in page.eval_on_selector_all(
        ".leaflet-marker-pane .gt-rank", "els => els.map(e => e.textContent.trim())"))


def _proposed_fiber_shown(page) -> int:
    return page.locator("path.leaflet-interactive[stroke-dasharray='10 6']").count()


def test_offline_map_in_chromium(browser, coverage, tmp_path):
    layers = small_layers()
    html = make_map(layers, tmp_path / "map_offline.html", offline=True, coverage_png=coverage)
    text = html.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\ssrc=", text)
    assert not re.search(r"<link[^>]*\shref=", text)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?https?:""", text.replace(
        'href="https://leafletjs.com"', ""))  # Leaflet's own attribution link is not loaded
    page, errors, external, shot = _open(browser, html, offline=True, tmp_path=tmp_path,
                                         name="offline")
    try:
        assert errors == []
        assert external == []  # nothing was even attempted off the machine
        names = _overlay_names(page)
        assert names == map_layer_names(layers, coverage=True)
        assert "Trạm BTS đề xuất – 2021 (2)" in names
        # every layer is drawn: commune and zone paths, clusters or dots, ranked markers,
        # the coverage image, no tile layer
        assert page.locator("path.leaflet-interactive").count() >= 6 + 3 + 2 + 2 + 1
        assert page.locator(".marker-cluster, .gt-dot").count() >= 1
        assert page.locator(".gt-rank").count() >= 4 + 1  # 4 markers + legend sample
        # the coverage overlay starts hidden; ticking it in the layer control shows it
        assert page.locator("img.leaflet-image-layer").count() == 0
        page.get_by_label("Cường độ tín hiệu").check()
        page.wait_for_function("document.querySelector('img.leaflet-image-layer') && "
                               "document.querySelector('img.leaflet-image-layer').complete")
        assert page.evaluate("document.querySelector('img.leaflet-image-layer').naturalWidth") > 0
        page.screenshot(path=str(tmp_path / "offline_coverage.png"))
        assert page.locator(".leaflet-tile").count() == 0
        assert page.locator(".leaflet-control-scale-line").count() == 1
        assert "Quy hoạch" in page.inner_text(".gt-title")
        assert shot.stat().st_size > 20_000
    finally:
        page.close()


def test_indicator_selector_restyles_communes(browser, tmp_path):
    html = make_map(small_layers(), tmp_path / "map.html", offline=True, lang="en")
    page, errors, _, _ = _open(browser, html, offline=True, tmp_path=tmp_path, name="select")
    try:
        fills = "Array.from(document.querySelectorAll('path.leaflet-interactive'))" \
                ".map(p => p.getAttribute('fill'))"
        before = page.evaluate(fills)
        # default indicator is 4G population coverage: 5 %, 25 %, ... in the RdYlGn classes
        assert {"#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641"} <= set(before)
        page.select_option("#gt-indicator", "c8_met")
        after = page.evaluate(fills)
        assert after != before
        assert {"#d7191c", "#1a9641"} >= set(after[:6])
        assert "Yes" in page.inner_text("#gt-classes")
        assert errors == []
        assert "Existing towers (12)" in _overlay_names(page)
    finally:
        page.close()


def test_online_map_in_chromium(browser, coverage, tmp_path):
    layers = small_layers()
    html = make_map(layers, tmp_path / "map.html", offline=False, coverage_png=coverage,
                    lang="en")
    page, errors, external, shot = _open(browser, html, offline=False, tmp_path=tmp_path,
                                         name="online")
    try:
        assert errors == []
        assert any("leaflet@" in u for u in external)  # assets came from the CDN links
        assert page.locator(".leaflet-tile").count() > 0
        assert _overlay_names(page) == map_layer_names(layers, lang="en", coverage=True)
        page.locator(".gt-rank").first.click()
        assert "Rank" in page.inner_text(".leaflet-popup-content")
    finally:
        page.close()
    assert shot.stat().st_size > 20_000


def test_language_switch_keeps_the_map_state(browser, tmp_path):
    layers = card_layers()
    html = make_map(layers, tmp_path / "map.html", offline=True)  # opens in Vietnamese
    page, errors, external, _ = _open(browser, html, offline=True, tmp_path=tmp_path,
                                      name="lang")
    try:
        assert "Chú giải" in page.inner_text(".gt-legend")
        assert _overlay_names(page) == map_layer_names(layers)
        # a planner's state: an indicator, a year, a zoom, a commune's card open
        page.select_option("#gt-indicator", "dead_zone_pop")
        page.select_option("#gt-year", "2022")
        _search(page, "ia pech")
        _choose(page, "Ia Pếch")
        before = _view(page)
        assert "Tiêu chí 8" in page.inner_text(".leaflet-popup-content")
        page.click(".gt-lang button[data-lang='en']")
        page.wait_for_function("document.documentElement.lang === 'en'")
        # everything reads English...
        legend = page.inner_text(".gt-legend")
        assert "Legend" in legend
        assert "Existing towers" in legend
        assert "Chú giải" not in legend
        assert page.inner_text("#gt-indicator option:checked") == "People in dead zones"
        assert _overlay_names(page) == map_layer_names(layers, lang="en")
        assert page.inner_text(".gt-layers .gt-year").startswith(
            "Proposals built up to and including")
        assert "Telecom infrastructure plan" in page.inner_text(".gt-title")
        assert page.get_attribute("#gt-search", "placeholder") == "Find a commune…"
        card = page.inner_text(".leaflet-popup-content")  # the open card, redrawn
        assert "Criterion 8 (information and communications)" in card
        assert "Tiêu chí 8" not in card
        assert "People in dead zones" in card
        assert _card_row(page, "c8_3_radio") == "No data"  # Ia Pếch: radio station unknown
        # ...and nothing else moved: view, indicator, year, layers, the card
        assert _view(page) == before
        assert page.input_value("#gt-indicator") == "dead_zone_pop"
        assert page.input_value("#gt-year") == "2022"
        assert _ranks_shown(page) == [1, 2, 3]
        # and back
        page.click(".gt-lang button[data-lang='vi']")
        page.wait_for_function("document.documentElement.lang === 'vi'")
        assert "Chú giải" in page.inner_text(".gt-legend")
        assert _overlay_names(page) == map_layer_names(layers)
        assert _card_row(page, "c8_3_radio") == "Không có số liệu"
        assert _view(page) == before
        assert errors == []
        assert external == []
    finally:
        page.close()


def test_search_ignores_diacritics_and_opens_the_card(browser, tmp_path):
    layers = card_layers()
    html = make_map(layers, tmp_path / "map.html", offline=True, lang="en")
    page, errors, external, _ = _open(browser, html, offline=True, tmp_path=tmp_path,
                                      name="search")
    try:
        start = _view(page)
        assert _search(page, "dak doa") == ["Đăk Đoa"]
        assert _search(page, "huyen dak doa") == []  # a district is not a commune
        assert _search(page, "  IA  ") == ["Ia Băng", "Ia Kla", "Ia Pếch"]
        assert _search(page, "kong htok") == ["Kông Htok"]
        assert _search(page, "zz") == []
        assert "No commune found" in page.inner_text(
            "#gt-search-list")
        _search(page, "ĐĂK đoa")
        _choose(page, "Đăk Đoa")
        page.screenshot(path=str(tmp_path / "search_card.png"))
        # the map zoomed to the commune: closer than the whole area, the commune in view
        commune = layers["communes"].set_index("commune_code").loc["23502"]
        view = _view(page)
        assert view["zoom"] > start["zoom"]
        w, s, e, n = (float(v) for v in view["bounds"].split(","))
        x0, y0, x1, y1 = commune.geometry.bounds
        assert w <= x0 + 0.02
        assert e >= x1 - 0.02
        assert s <= y0 + 0.02
        assert n >= y1 - 0.02
        # the card: name, district, coverage now and after the plan, dead zones, fiber
        card = page.locator(".leaflet-popup .gt-card")
        assert card.get_attribute("data-code") == "23502"
        assert page.inner_text(".gt-card-head b") == "Đăk Đoa"
        assert page.inner_text(".gt-card-head small") == f"{commune['district_name']} · 23502"
        cells = page.eval_on_selector_all(
            ".gt-card table.gt-cov tr[data-col]",
            "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent.trim()))")
        planned = commune["pop_covered_pct_4g_planned"]
        assert cells == [[t.upper(), f"{commune[f'pop_covered_pct_{t}']:g} %",
                          f"{planned:g} %" if t == "4g" else ""] for t in ("2g", "3g", "4g")]
        assert cells[2][1:] == ["45 %", "80 %"]  # now, after the plan
        assert _card_row(page, "dead_zone_pop") == f"{commune['dead_zone_pop']} (6 km²)"
        assert _card_row(page, "fiber_distance_km") == f"{commune['fiber_distance_km']:g}"
        assert _card_row(page, "population") == "4,000"
        # Criterion 8: ✓ / ✗ / no data, as the data say (index 2 is Đăk Đoa)
        marks = {True: "✓", False: "✗", None: "No data"}
        for col in ("c8_1_postal", "c8_2_telecom_internet", "c8_3_radio", "c8_4_it_admin"):
            assert _card_row(page, col) == marks[C8_FACTS[col][2]], col
        assert _card_row(page, "c8_met") == "✗ Not met"
        assert _card_row(page, "c8_missing") == "Postal point"
        # the proposals that serve it: the tower in the commune, the fiber route listing it
        towers = page.eval_on_selector_all(
            ".gt-card table[data-layer='towers_proposed'] tr td:first-child",
            "els => els.map(e => e.textContent)")
        proposed = layers["towers_proposed"]
        assert towers == [str(r) for r in proposed.loc[proposed["commune_code"] == "23502",
                                                       "rank"]] == ["2"]
        fiber = page.inner_text(".gt-card table[data-layer='fiber_proposed']")
        assert "R1" in fiber
        assert "2021" in fiber
        assert "540 million VND" in fiber
        assert "R2" not in fiber
        assert "Proposals serving the commune (2)" in page.inner_text(".gt-card")
        # a commune none serves says so
        _search(page, "chu a")
        _choose(page, "Chư Á")
        assert "No proposal serves this commune" in page.inner_text(".gt-card")
        assert errors == []
        assert external == []
    finally:
        page.close()


def test_year_filter_shows_proposals_up_to_the_year(browser, tmp_path):
    layers = card_layers()
    html = make_map(layers, tmp_path / "map.html", offline=True, lang="en")
    page, errors, external, _ = _open(browser, html, offline=True, tmp_path=tmp_path,
                                      name="years")
    proposed = layers["towers_proposed"]
    fiber = layers["fiber_proposed"]
    try:
        assert page.eval_on_selector_all("#gt-year option", "els => els.map(e => e.value)") \
            == ["", "2021", "2022", "2023"]
        assert _ranks_shown(page) == [1, 2, 3, 4]
        assert _proposed_fiber_shown(page) == 2
        for year in (2021, 2022, 2023):
            page.select_option("#gt-year", str(year))
            assert _ranks_shown(page) == sorted(proposed.loc[proposed["phase_year"] <= year,
                                                             "rank"])
            assert _proposed_fiber_shown(page) == int((fiber["phase_year"] <= year).sum())
        page.select_option("#gt-year", "2021")
        disabled = page.eval_on_selector_all(
            ".gt-layers label.gt-entry:has(input:disabled) .gt-name",
            "els => els.map(e => e.textContent)")
        assert disabled == ["Proposed fiber – 2022 (1)", "Proposed towers – 2022 (1)",
                            "Proposed towers – 2023 (1)"]
        # a card marks the proposals built after the year chosen
        _search(page, "ia pech")
        _choose(page, "Ia Pếch")
        later = page.locator(".gt-card table[data-layer='towers_proposed'] tr.gt-later")
        assert later.count() == 1
        assert later.inner_text().startswith("3")
        # the filter and the layer list are independent: an unticked year stays unticked
        page.select_option("#gt-year", "")
        page.get_by_label("Proposed towers – 2021 (2)").uncheck()
        assert _ranks_shown(page) == [3, 4]
        page.select_option("#gt-year", "2022")
        assert _ranks_shown(page) == [3]
        page.select_option("#gt-year", "")
        page.get_by_label("Proposed towers – 2021 (2)").check()
        assert _ranks_shown(page) == [1, 2, 3, 4]
        assert errors == []
        assert external == []
    finally:
        page.close()


def test_card_of_an_area_only_plan(browser, tmp_path):
    # no population: people covered are unknown, the card shows the area covered and
    # what each tower adds in km²
    layers = card_layers()
    c = layers["communes"]
    pop_cols = [col for col in c.columns if col.startswith("pop_covered_pct")]
    c = c.assign(**dict.fromkeys(pop_cols, np.nan), population=np.nan, dead_zone_pop=np.nan,
                 area_covered_pct_4g_planned=[70.0, 75.0, 88.0, 90.0, 95.0, 99.0])
    layers["communes"] = c
    layers["towers_proposed"] = layers["towers_proposed"].assign(
        pop_gain=np.nan, area_gain_km2=[12.5, 8.0, 4.25, 1.0])
    html = make_map(layers, tmp_path / "map.html", offline=True, lang="en")
    page, errors, _, _ = _open(browser, html, offline=True, tmp_path=tmp_path, name="area")
    try:
        _search(page, "dak doa")
        _choose(page, "Đăk Đoa")
        assert _card_row(page, "population") == "No data"
        assert _card_row(page, "dead_zone_pop") == "No data"
        assert page.inner_text(".gt-cov[data-share='pop_covered_pct_'] "
                               "tr[data-col='pop_covered_pct_4g'] td:nth-child(2)") == "No data"
        area = page.inner_text(".gt-cov[data-share='area_covered_pct_'] "
                               "tr[data-col='area_covered_pct_4g']")
        assert "42 %" in area
        assert "88 %" in area
        heads = page.inner_text(".gt-card table[data-layer='towers_proposed'] tr:first-child")
        assert "Area newly covered (km²)" in heads
        assert "People newly covered" not in heads
        cells = page.eval_on_selector_all(
            ".gt-card table[data-layer='towers_proposed'] tr:nth-child(2) td",
            "els => els.map(e => e.textContent)")
        assert cells == ["2", "2021", "8", "Microwave", "1.35 billion VND"]
        assert errors == []
    finally:
        page.close()
