"""map.html rendered in a real browser: Debian's Chromium driven by playwright, headless.

Never skipped: CI installs chromium (.ci/run). The offline map is opened with every
non-local request blocked; the online map with its CDN requests answered from the same
pip-installed Leaflet files (the test machine has no Internet) and tiles with a blank PNG.
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
from tests._layers import small_layers

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
    page.wait_for_function("document.querySelectorAll('.leaflet-control-layers-overlays label')"
                           ".length > 0", timeout=20_000)
    page.wait_for_timeout(300)
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot))
    return page, errors, external, shot


def _overlay_names(page) -> list[str]:
    texts = page.eval_on_selector_all(".leaflet-control-layers-overlays label > span > span",
                                      "els => els.map(e => e.textContent)")
    return [s.strip() for s in texts if s.strip()]


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
        assert {"#d7191c", "#1a9641"} >= {f for f in after[:6]}
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
