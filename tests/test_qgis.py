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
    expected["towers_existing"] |= {"renderer": "categorizedSymbol", "attr": "operator",
                                    "classes": 5, "aliases": {"operator": "Nhà mạng"}}
    # proposed sites by backhaul: fiber, microwave, unknown (no fiber layer)
    expected["towers_proposed"] |= {"labels": True, "aliases": {"rank": "Thứ tự ưu tiên"},
                                    "renderer": "categorizedSymbol", "attr": "backhaul",
                                    "classes": 3}
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
        "count": 7, "crs": "EPSG:32649", "renderer": "categorizedSymbol"}}}), encoding="utf-8")
    proc = subprocess.run([system_qgis, str(CHECK), str(gpkg), str(exp_path)],
                          capture_output=True, text=True, env=_qgis_env(), timeout=300)
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert proc.returncode == 1 and not report["ok"]
    joined = "\n".join(report["errors"])
    assert "6 features, expected 7" in joined
    assert "CRS EPSG:4326, expected EPSG:32649" in joined
    assert "renderer RuleRenderer" in joined
