"""The A3 print map: files, page size, colours, scale, errors."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from pyproj import Geod, Transformer

from geotel.errors import CRSError, SchemaError, ValueRangeError
from geotel.outputs._geoms import local_tm
from geotel.outputs._labels import NO_DATA_COLOR, PCT_COLORS
from geotel.outputs.printmap import print_map, scale_bar_length_m
from tests._layers import real_communes, small_layers


def _mediabox(pdf: bytes) -> tuple[float, float]:
    m = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert m, "no MediaBox in the PDF"
    return float(m.group(1)), float(m.group(2))


def _hex_counts(png) -> dict[str, int]:
    rgb = np.asarray(Image.open(png).convert("RGB")).reshape(-1, 3)
    codes, counts = np.unique(rgb, axis=0, return_counts=True)
    return {"#" + bytes(int(v) for v in c).hex(): int(n)
            for c, n in zip(codes, counts, strict=True)}


def test_png_and_a3_pdf_landscape_colours(tmp_path):
    communes = small_layers()["communes"]  # 3 x 2 boxes: wider than tall -> landscape
    before = communes.copy()
    out = print_map(communes, tmp_path / "p.png", out_pdf=tmp_path / "p.pdf", dpi=60,
                    lang="en")
    assert out == [tmp_path / "p.png", tmp_path / "p.pdf"]
    pd.testing.assert_frame_equal(communes, before)
    w_pt, h_pt = _mediabox((tmp_path / "p.pdf").read_bytes())
    assert (round(w_pt), round(h_pt)) == (1191, 842)
    img = Image.open(tmp_path / "p.png")
    assert abs(img.size[0] - 420 / 25.4 * 60) <= 1
    assert abs(img.size[1] - 297 / 25.4 * 60) <= 1
    # six equal squares, one per class (5, 25, 45, 65, 85 %) and one without data:
    # each colour covers about the same number of pixels
    counts = _hex_counts(tmp_path / "p.png")
    areas = [counts.get(c, 0) for c in (*PCT_COLORS, NO_DATA_COLOR)]
    assert min(areas) > 2000
    assert max(areas) / min(areas) < 1.25
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.pdf", "p.png"]


@pytest.mark.realdata
def test_province_a3_portrait(real_data, tmp_path):
    communes = real_communes(real_data)
    rng = np.random.default_rng(3)
    communes["dead_zone_pop"] = rng.integers(0, 3000, len(communes))
    out = print_map(communes, tmp_path / "gl.png", column="dead_zone_pop",
                    out_pdf=tmp_path / "gl.pdf", dpi=100)
    w_pt, h_pt = _mediabox(out[1].read_bytes())
    assert (round(w_pt), round(h_pt)) == (842, 1191)  # Gia Lai is taller than wide
    w, h = Image.open(out[0]).size
    assert abs(w - 297 / 25.4 * 100) <= 1
    assert abs(h - 420 / 25.4 * 100) <= 1
    counts = _hex_counts(out[0])
    assert counts.get("#ffffff", 0) < 0.8 * sum(counts.values())  # something was drawn


def test_scale_bar_lengths():
    assert scale_bar_length_m(150_000) == 20_000
    assert scale_bar_length_m(100_000) == 20_000
    assert scale_bar_length_m(99_999) == 10_000
    assert scale_bar_length_m(4_000) == 500
    assert scale_bar_length_m(1_000_000) == 200_000
    with pytest.raises(ValueRangeError):
        scale_bar_length_m(0)


def test_local_tm_metres_are_true():
    # 100 km east-west and north-south across Gia Lai: TM distances vs the ellipsoid
    tm = Transformer.from_crs(4326, local_tm(108.2), always_xy=True)
    geod = Geod(ellps="WGS84")
    for (lon1, lat1), (lon2, lat2) in [((107.5, 13.5), (108.42, 13.5)),
                                       ((108.9, 13.0), (108.9, 13.9))]:
        (x1, x2), (y1, y2) = tm.transform([lon1, lon2], [lat1, lat2])
        d_tm = float(np.hypot(x2 - x1, y2 - y1))
        d_true = geod.inv(lon1, lat1, lon2, lat2)[2]
        assert abs(d_tm / d_true - 1) < 5e-4


def test_errors(tmp_path):
    communes = small_layers()["communes"]
    with pytest.raises(SchemaError, match="nope"):
        print_map(communes, tmp_path / "x.png", column="nope")
    with pytest.raises(CRSError):
        print_map(communes.set_crs(None, allow_override=True), tmp_path / "x.png")
    with pytest.raises(ValueRangeError, match="lang = 'de' is not supported"):
        print_map(communes, tmp_path / "x.png", lang="de")  # type: ignore[arg-type]
    assert not list(tmp_path.iterdir())
