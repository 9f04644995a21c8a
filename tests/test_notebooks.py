"""The notebooks: each ``notebooks/NN_*.ipynb`` is paired with a jupytext percent ``.py``
(the same cells), committed without outputs, written in Vietnamese (NFC), and runs end
to end from the ``.ipynb`` with nbmake, showing the map inline, its charts and tables."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import jupytext
import nbformat
import pytest

from tests.conftest import ROOT

NOTEBOOK_DIR = ROOT / "notebooks"
NAMES = ["01_quickstart", "02_coverage_and_dead_zones", "03_siting_and_fiber",
         "04_your_own_data", "05_bao_cao_nam"]
#: Notebooks that read the real Gia Lai data (../shared/data/gialai).
REAL_DATA = {"04_your_own_data"}
#: Charts (PNG outputs) each notebook shows: 01 the three of the plan; 03 the gain curve
#: and coverage per district before/after; 05 coverage per district now.
CHARTS = {"01_quickstart": 3, "02_coverage_and_dead_zones": 0, "03_siting_and_fiber": 2,
          "04_your_own_data": 0, "05_bao_cao_nam": 1}
#: Helper modules the notebooks import (copied beside them when they run).
HELPERS = ["_display.py"]
FORMATS = "ipynb,py:percent"
#: Letters only Vietnamese writes (tone marks, ă â đ ê ô ơ ư).
_VIETNAMESE = re.compile("[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữ"
                         "ỳýỵỷỹđ]", re.IGNORECASE)


def _cells(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source) for c in nb.cells]


def test_every_notebook_is_listed():
    assert [p.stem for p in sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.py"))] == NAMES
    assert [p.stem for p in sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))] == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_pair_is_in_sync(name):
    """The .ipynb holds the cells of the .py as jupytext reads them; both say they are
    paired."""
    text = jupytext.read(NOTEBOOK_DIR / f"{name}.py")
    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    assert _cells(nb) == _cells(text), (
        f"{name}.ipynb and {name}.py differ: run `jupytext --sync notebooks/{name}.py` "
        "(or save the notebook in JupyterLab with jupytext)")
    assert nb.metadata["jupytext"]["formats"] == FORMATS
    assert text.metadata["jupytext"]["formats"] == FORMATS
    assert nb.metadata["kernelspec"] == text.metadata["kernelspec"]


@pytest.mark.parametrize("name", NAMES)
def test_ipynb_has_no_outputs(name):
    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.execution_count is None, f"{name}.ipynb cell {i} was run"
            assert cell.outputs == [], (
                f"{name}.ipynb cell {i} has outputs: clear them before committing "
                f"(`jupytext --to ipynb notebooks/{name}.py` writes it without outputs)")


@pytest.mark.parametrize("name", NAMES)
def test_text_is_vietnamese(name):
    """Every text cell is Vietnamese (code stays English), and the files are NFC."""
    for suffix in (".py", ".ipynb"):
        raw = (NOTEBOOK_DIR / f"{name}{suffix}").read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", raw), f"{name}{suffix} is not NFC"
    nb = jupytext.read(NOTEBOOK_DIR / f"{name}.py")
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert markdown
    english = [s for s in markdown if not _VIETNAMESE.search(s)]
    assert not english, f"{name}: text cells without Vietnamese: {english}"


def _outputs(nb: dict, mime: str) -> list[str]:
    out = []
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            data = o.get("data", {}).get(mime)
            if data is not None:
                out.append("".join(data) if isinstance(data, list) else data)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in NAMES if n not in REAL_DATA])
def test_notebook_runs(tmp_path: Path, name: str) -> None:
    """The committed .ipynb runs with nbmake (a copy, beside its helpers; outputs go to
    ../maps of the copy) and shows the map inline, its charts and readable tables."""
    _run_notebook(tmp_path, name, real_data=None)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REAL_DATA))
def test_real_data_notebook_runs(tmp_path: Path, name: str, real_data: Path) -> None:
    """The notebooks that read the real Gia Lai data, the same way."""
    _run_notebook(tmp_path, name, real_data=real_data)


def _run_notebook(tmp_path: Path, name: str, *, real_data: Path | None) -> None:
    work = tmp_path / "notebooks"
    work.mkdir()
    ipynb = work / f"{name}.ipynb"
    shutil.copy(NOTEBOOK_DIR / ipynb.name, ipynb)
    for helper in HELPERS:
        shutil.copy(NOTEBOOK_DIR / helper, work / helper)
    env = dict(os.environ, GEOTEL_CACHE_DIR=str(ROOT / "data" / "processed"))
    if real_data is not None:
        env["GEOTEL_REAL_DATA"] = str(real_data)
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        "--nbmake", "--nbmake-timeout=1800", "--overwrite", str(ipynb)],
                       cwd=work, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    nb = json.loads(ipynb.read_text(encoding="utf-8"))
    html = _outputs(nb, "text/html")
    maps = [h for h in html if "<iframe srcdoc=" in h and "leaflet" in h.lower()]
    assert len(maps) == 1, f"{name}: {len(maps)} inline maps"
    tables = [h for h in html if "<table" in h]
    assert tables, f"{name}: no table"
    for t in tables:  # unknowns read "không có số liệu", never nan or <NA>
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", t)
        assert cells, f"{name}: an empty table"
        unreadable = {"nan", "NaN", "&lt;NA&gt;", "None", "True", "False"}
        assert not unreadable & {c.strip() for c in cells}, f"{name}: unreadable cells"
    assert len(_outputs(nb, "image/png")) == CHARTS[name], f"{name}: charts"
