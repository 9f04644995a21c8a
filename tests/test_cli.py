"""The `geotel` command line: exit codes, messages, help, atomic outputs."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from geotel import __version__
from geotel.cli import cli
from tests.badinputs import CASES, write_good_project


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_version_and_help_on_every_command():
    r = run("--version")
    assert r.exit_code == 0 and __version__ in r.output
    for name, command in cli.commands.items():
        r = run(name, "--help")
        assert r.exit_code == 0, name
        first_line = (command.help or "").splitlines()[0]
        assert first_line and first_line in " ".join(r.output.split()), name


def test_console_script_is_installed():
    r = subprocess.run([sys.executable, "-m", "geotel.cli", "--version"],
                       capture_output=True, text=True, check=True)
    assert __version__ in r.stdout


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
