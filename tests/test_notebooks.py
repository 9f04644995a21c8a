"""The notebooks run end to end: converted from jupytext percent, executed with nbmake."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, real_data_dir

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))


def test_every_notebook_is_listed():
    names = [p.stem for p in NOTEBOOKS]
    assert names == ["01_quickstart", "02_coverage_and_dead_zones", "03_siting_and_fiber",
                     "04_your_own_data"]


@pytest.mark.slow
@pytest.mark.parametrize("source", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(tmp_path, source, real_data):
    work = tmp_path / "notebooks"
    work.mkdir()
    ipynb = work / (source.stem + ".ipynb")
    subprocess.run([sys.executable, "-m", "jupytext", "--to", "ipynb", "-o", str(ipynb),
                    str(source)], check=True, capture_output=True)
    env = dict(os.environ,
               GEOTEL_CACHE_DIR=str(ROOT / "data" / "processed"),
               GEOTEL_REAL_DATA=str(real_data_dir()))
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        "--nbmake", "--nbmake-timeout=600", str(ipynb)],
                       cwd=work, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
