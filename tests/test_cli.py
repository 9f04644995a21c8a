"""The `geotel` command line: exit codes, messages, help, atomic outputs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from geotel import __version__
from geotel.cli import cli
from tests.badinputs import CASES, write_good_project


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_version_and_help_on_every_command():
    r = run("--version")
    assert r.exit_code == 0
    assert __version__ in r.output
    for name, command in cli.commands.items():
        r = run(name, "--help")
        assert r.exit_code == 0, name
        first_line = (command.help or "").splitlines()[0]
        assert first_line, name
        assert first_line in " ".join(r.output.split()), name


def test_console_script_is_installed():
    """The `geotel` script pip installed beside this Python (what a user types), not the
    module: its entry point must resolve, print the version and exit 2 on bad input."""
    script = Path(sys.executable).with_name("geotel")
    assert script.is_file(), f"{script} is missing: pip install -e . installs it"
    r = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=True)
    assert f"geotel, version {__version__}" in r.stdout
    r = subprocess.run([str(script), "validate", "no-such-config.yml"], capture_output=True,
                       text=True)
    assert r.returncode == 2
    assert "config file not found" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(("case_id", "build"), CASES, ids=[c for c, _ in CASES])
def test_validate_exits_2_naming_file_and_fix(tmp_path, case_id, build):
    config, _cls, _text = build(tmp_path)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    r = run("validate", str(config))
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    text = r.output.replace("\n", " ")
    assert "Fix:" in text
    assert str(tmp_path) in text  # names a file of the project
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_validate_good_project_exits_0(tmp_path):
    config = write_good_project(tmp_path)
    r = run("validate", str(config))
    assert r.exit_code == 0, r.output
    assert "valid" in r.output


def test_plan_refuses_an_existing_output_folder_without_force(tmp_path):
    config = write_good_project(tmp_path / "project")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("earlier results")
    r = run("plan", str(config), "--out", str(out))
    assert r.exit_code == 2
    assert "--force" in r.output
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def _csv_rows(path):
    import csv

    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_validate_report_writes_every_problem(tmp_path):
    from tests.badinputs import _TOWERS, _TOWERS_HEADER

    # 8 towers of unknown operators (one problem each) and one far-away site
    rows = [f"GL1{k:02d};FPT;108,0{k};14,01;30;4G;1800" for k in range(8)]
    rows.append("HN001;Viettel;105,84;21,02;30;4G;1800")
    (tmp_path / "bad.csv").write_text("\n".join([_TOWERS_HEADER, *_TOWERS, *rows]) + "\n",
                                      encoding="utf-8")
    config = write_good_project(tmp_path, towers="bad.csv")
    report = tmp_path / "out" / "problems.csv"
    r = run("validate", str(config), "--report", str(report))
    assert r.exit_code == 2
    # on screen: the eight unknown operators are one line, the far site another
    operator_lines = [ln for ln in r.output.splitlines() if "unknown operator" in ln]
    assert len(operator_lines) == 1
    assert "8 features (GL100, GL101, GL102, …)" in \
        operator_lines[0]
    rows_csv = _csv_rows(report)
    assert list(rows_csv[0]) == ["level", "file", "feature", "row", "column", "message", "fix"]
    ops = [x for x in rows_csv if "unknown operator" in x["message"]]
    assert [x["feature"] for x in ops] == [f"GL1{k:02d}" for k in range(8)]
    assert [x["row"] for x in ops] == [str(5 + k) for k in range(8)]  # lines in bad.csv
    assert all(x["level"] == "error" and x["column"] == "operator" and x["fix"] for x in ops)
    assert all(x["file"] == str(tmp_path / "bad.csv") for x in ops)
    far = [x for x in rows_csv if x["feature"] == "HN001"]
    assert len(far) == 1
    assert far[0]["row"] == "13"
    assert far[0]["level"] == "error"


def test_validate_report_of_a_valid_project(tmp_path):
    config = write_good_project(tmp_path)
    r = run("validate", str(config), "--report", str(tmp_path / "r.csv"))
    assert r.exit_code == 0, r.output
    assert len(_csv_rows(tmp_path / "r.csv")) == len(
        __import__("geotel.province", fromlist=["x"]).validate_project(
            __import__("geotel.config", fromlist=["x"]).load_config(config)))


def test_plan_writes_validation_csv(tmp_path):
    from geotel.config import load_config
    from geotel.pipeline import run_plan, write_plan
    from tests.badinputs import _TOWERS, _TOWERS_HEADER

    rows = [*_TOWERS, "NB001;Viettel;108,0800;14,0100;40;4G;1800"]  # across the border
    (tmp_path / "t.csv").write_text("\n".join([_TOWERS_HEADER, *rows]) + "\n",
                                    encoding="utf-8")
    config = load_config(write_good_project(tmp_path / "p", towers=str(tmp_path / "t.csv")))
    plan = run_plan(config, until="validate", progress=False)
    assert plan.validation is not None
    assert plan.validation.ok
    written = write_plan(plan, tmp_path / "out")
    assert tmp_path / "out" / "validation.csv" in written
    rows_csv = _csv_rows(tmp_path / "out" / "validation.csv")
    assert len(rows_csv) == len(plan.validation) >= 1
    border = [x for x in rows_csv if "cross-border" in x["message"]]
    assert len(border) == 1
    assert border[0]["level"] == "warning"
    assert border[0]["file"] == str(tmp_path / "t.csv")


@pytest.mark.realdata
def test_validate_real_inputs_fits_on_one_screen(tmp_path, real_data):
    """The real communes and roads, a VN-2000 tower list (X = northing) with towers across
    the border, a DEM and no fiber: every line `geotel validate` prints, counted."""

    from tests.realproject import write_real_project

    # population from the real 2009 district census, spread over the communes
    config = write_real_project(tmp_path / "gialai", real_data, border_sites=6)
    proc = subprocess.run([sys.executable, "-m", "geotel.cli", "validate", str(config),
                           "--report", str(tmp_path / "all.csv")],
                          capture_output=True, text=True, timeout=600)
    lines = (proc.stdout + proc.stderr).splitlines()
    print("\n".join(lines))
    assert proc.returncode == 0, proc.stderr
    assert len(lines) <= 25
    text = "\n".join(lines)
    assert "invalid geometry repaired" in text
    assert "142 features" in text
    assert "6 site(s) across the provincial border" in text
    assert "Fix: swap" not in text  # the VN-2000 list is right
    assert "Vietnamese surveying convention" in text
    every = _csv_rows(tmp_path / "all.csv")
    assert sum("invalid geometry repaired" in x["message"] for x in every) == 142


def test_a_python_warning_is_one_line_without_its_source(
        caplog: pytest.LogCaptureFixture) -> None:
    from geotel.cli import _show_warning
    from geotel.propagation import ModelRangeWarning

    with caplog.at_level("WARNING", logger="py.warnings"):
        _show_warning(ModelRangeWarning("2100 MHz is above COST-231 Hata's 2000 MHz"),
                      ModelRangeWarning, "/x/geotel/coverage/models.py", 107,
                      line="check_model_frequency(freq_mhz, where=where)")
    assert caplog.messages == ["ModelRangeWarning: 2100 MHz is above COST-231 Hata's 2000 MHz"]
