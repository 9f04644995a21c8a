"""plan.gpkg opened in real QGIS (system python3 + python3-qgis, headless).

Never skipped: CI installs Debian's qgis and python3-qgis (see .ci/run). When the
system python cannot import qgis the test fails and says how to install it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from geotel.outputs._labels import FIBER_PROPOSED_COLOR
from geotel.outputs.gpkg import write_geopackage
from tests._layers import small_layers

SYSTEM_PYTHON = "/usr/bin/python3"
CHECK = Path(__file__).with_name("qgis_check.py")


def _qgis_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="qgis-runtime-")  # mode 0700
    return env


@pytest.fixture(scope="module")
def system_qgis() -> str:
    if not Path(SYSTEM_PYTHON).exists():
        pytest.fail(f"{SYSTEM_PYTHON} not found: install Debian's python3 and python3-qgis")
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True,
                           text=True, env=_qgis_env(), timeout=120)
    if probe.returncode != 0:
        pytest.fail(f"{SYSTEM_PYTHON} cannot import qgis ({probe.stderr.strip()[-300:]}); "
                    "install it with: apt-get install qgis python3-qgis")
    return SYSTEM_PYTHON


def test_plan_gpkg_in_qgis(system_qgis, tmp_path):
    layers = small_layers()
    gpkg = write_geopackage(layers, tmp_path / "plan.gpkg")
    expected = {name: {"count": len(gdf), "crs": "EPSG:4326", "renderer": "singleSymbol"}
                for name, gdf in layers.items()}
    # One commune per 20 % class and one without a value: drawn as "no data", not left
    # out as a graduated renderer would.
    expected["communes"] |= {"renderer": "RuleRenderer", "attr": "pop_covered_pct_4g",
                             "classes": 6, "labels": True,
                             "rule_counts": {"0 – 20 %": 1, "20 – 40 %": 1, "40 – 60 %": 1,
                                             "60 – 80 %": 1, "80 – 100 %": 1,
                                             "Không có số liệu": 1},
                             "aliases": {"commune_name": "Tên xã",
                                         "pop_covered_pct_4g": "Dân số phủ sóng 4G (%)"}}
    # towers by operator (three of each), labelled by site at large scales
    expected["towers_existing"] |= {"renderer": "RuleRenderer", "attr": "operator",
                                    "classes": 5, "aliases": {"operator": "Nhà mạng"},
                                    "labels": True,
                                    "rule_counts": {"Viettel": 3, "VinaPhone": 3, "MobiFone": 3,
                                                    "Vietnamobile": 3, "Khác": 0}}
    # proposed sites by backhaul: fiber, microwave, unknown (no fiber layer)
    expected["towers_proposed"] |= {"labels": True, "aliases": {"rank": "Thứ tự ưu tiên"},
                                    "renderer": "RuleRenderer", "attr": "backhaul",
                                    "classes": 3,
                                    "rule_counts": {"Truyền dẫn: Cáp quang": 2,
                                                    "Truyền dẫn: Viba": 1,
                                                    "Truyền dẫn: Chưa rõ (không có số liệu "
                                                    "cáp quang)": 1}}
    # dead zones: 'any' drawn, each operator's own zones listed but off
    expected["dead_zones"] |= {"renderer": "RuleRenderer", "attr": "operator", "classes": 5,
                               "rules_active": {"Không nhà mạng nào phủ sóng": True,
                                                "Viettel không phủ sóng": False}}
    expected["fiber_proposed"] |= {"symbol": {"color": FIBER_PROPOSED_COLOR, "width_mm": 1.6}}
    exp_path = tmp_path / "expected.json"
    exp_path.write_text(json.dumps({"layers": expected}), encoding="utf-8")
    png = tmp_path / "qgis.png"
    proc = subprocess.run([system_qgis, str(CHECK), str(gpkg), str(exp_path), "--render",
                           str(png)], capture_output=True, text=True, env=_qgis_env(),
                          timeout=300)
    assert proc.stdout.strip(), f"qgis_check printed nothing; stderr:\n{proc.stderr[-2000:]}"
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["ok"], "\n".join(report["errors"])
    assert proc.returncode == 0
    assert set(report["layers"]) == set(layers) | {"_render"}
    assert png.stat().st_size > 5_000
    print(f"QGIS rendering: {png}", file=sys.stderr)


def test_qgis_check_detects_wrong_expectations(system_qgis, tmp_path):
    # the checker must fail when QGIS sees something else than expected
    layers = {"communes": small_layers()["communes"]}
    gpkg = write_geopackage(layers, tmp_path / "plan.gpkg")
    exp_path = tmp_path / "expected.json"
    exp_path.write_text(json.dumps({"layers": {"communes": {
        "count": 7, "crs": "EPSG:32649", "renderer": "singleSymbol"}}}), encoding="utf-8")
    proc = subprocess.run([system_qgis, str(CHECK), str(gpkg), str(exp_path)],
                          capture_output=True, text=True, env=_qgis_env(), timeout=300)
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert proc.returncode == 1
    assert not report["ok"]
    joined = "\n".join(report["errors"])
    assert "6 features, expected 7" in joined
    assert "CRS EPSG:4326, expected EPSG:32649" in joined
    assert "renderer RuleRenderer" in joined


_SYMBOLS = """
import json, sys
from qgis.core import (QgsApplication, QgsExpressionContext, QgsExpressionContextUtils,
                       QgsRenderContext, QgsVectorLayer)
app = QgsApplication([], False)
app.initQgis()
lyr = QgsVectorLayer(sys.argv[1] + "|layername=towers_existing", "t", "ogr")
lyr.loadDefaultStyle()
r = lyr.renderer()
ctx = QgsRenderContext()
ctx.setExpressionContext(QgsExpressionContext(
    QgsExpressionContextUtils.globalProjectLayerScopes(lyr)))
r.startRender(ctx, lyr.fields())
out = {}
for f in lyr.getFeatures():
    ctx.expressionContext().setFeature(f)
    s = r.symbolsForFeature(f, ctx)  # the rule-based renderer: every matching rule
    out[f["site_id"]] = [[x.color().name(), x.color().alpha()] for x in s]
r.stopRender(ctx)
print(json.dumps(out))
"""


def test_towers_outside_the_province_drawn_apart_in_qgis(system_qgis, tmp_path):
    from geotel.outputs._labels import OPERATOR_COLORS

    towers = small_layers()["towers_existing"].copy()
    towers["in_province"] = [i >= 3 for i in range(len(towers))]
    gpkg = write_geopackage({"towers_existing": towers}, tmp_path / "plan.gpkg")
    script = tmp_path / "symbols.py"
    script.write_text(_SYMBOLS, encoding="utf-8")
    proc = subprocess.run([system_qgis, str(script), str(gpkg)], capture_output=True,
                          text=True, env=_qgis_env(), timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    for site, op, inside in zip(towers["site_id"], towers["operator"], towers["in_province"],
                                strict=True):
        if inside:
            assert got[site] == [[OPERATOR_COLORS[op], 255]], site
        else:  # the hollow ring only, whatever the operator
            assert len(got[site]) == 1, site
            assert got[site][0][1] == 0, site
