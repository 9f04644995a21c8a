"""Fault tests of the output folder: each data-loss case of issue #11, for real.

Real ``geotel`` processes are killed (SIGTERM, SIGKILL) at each stage of the write,
two runs race for the same ``--out``, ``--out`` points at the project, under a file,
at a read-only disk and at a full one (a small tmpfs when running as root, as in CI;
an injected error otherwise). Runs stop at a stage through the test-only hook of
geotel._atomic (``GEOTEL_TEST_PAUSE_AT`` / ``GEOTEL_TEST_PAUSE_FLAG``).
The subprocess runs use ``geotel fiber`` on the four-commune project of
tests/badinputs.py (about 5 s each, mostly imports).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from pyogrio.errors import DataSourceError

from geotel import _atomic
from geotel.cli import cli
from tests.badinputs import write_good_project

ROOT = Path(__file__).resolve().parents[1]
WAIT_S = 180


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A tiny valid project with two configs that differ only in their name."""
    folder = tmp_path_factory.mktemp("faults") / "project"
    config = write_good_project(folder)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    for tag in ("a", "b"):
        data["name"] = f"run {tag}"
        (folder / f"config_{tag}.yml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return folder


def env(pause_at: str | None = None, flag: Path | None = None) -> dict[str, str]:
    e = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    e.pop("GEOTEL_TEST_PAUSE_AT", None)
    if pause_at:
        e.update(GEOTEL_TEST_PAUSE_AT=pause_at, GEOTEL_TEST_PAUSE_FLAG=str(flag))
    return e


def start(args: list[str], *, pause_at: str | None = None, flag: Path | None = None
          ) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "geotel.cli", *args], env=env(pause_at, flag),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_paused(proc: subprocess.Popen, flag: Path) -> None:
    deadline = time.monotonic() + WAIT_S
    while not flag.exists():
        if proc.poll() is not None:
            pytest.fail(f"exited {proc.returncode} before pausing:\n{proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("never reached the pause")
        time.sleep(0.05)


def finish(proc: subprocess.Popen) -> tuple[int, str]:
    out, err = proc.communicate(timeout=WAIT_S)
    return proc.returncode, out + err


def fiber(project: Path, out: Path, *extra: str, config: str = "config_a.yml") -> list[str]:
    return ["fiber", str(project / config), "--out", str(out), *extra]


def previous_output(out: Path) -> None:
    out.mkdir(parents=True)
    (out / "previous.txt").write_text("the previous output")


def state(out: Path) -> str:
    """'old', 'new' (a run's whole output, named by its config) or what is there."""
    if not out.exists():
        return "missing"
    names = sorted(p.name for p in out.iterdir())
    if names == ["previous.txt"]:
        return "old"
    if {"config.yml", "plan.gpkg", "map.html"} <= set(names):
        return "new " + yaml.safe_load((out / "config.yml").read_text(encoding="utf-8"))["name"]
    return f"mixed {names}"


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


# --- kill at each stage ---------------------------------------------------------------

#: Stage -> what ``out`` holds after a SIGTERM there (--force over a previous output).
SIGTERM_AT = {"checked": "old", "writing": "old", "before_swap": "old", "decided": "old",
              "after_swap": "new run a"}


@pytest.mark.slow
@pytest.mark.parametrize("stage", list(SIGTERM_AT))
def test_sigterm_at_each_stage_cleans_up_like_ctrl_c(tmp_path, project, stage):
    runs = tmp_path / "runs"
    out = runs / "out"
    previous_output(out)
    flag = tmp_path / "flag"
    proc = start(fiber(project, out, "--force"), pause_at=stage, flag=flag)
    wait_paused(proc, flag)
    if stage in ("writing", "before_swap", "decided", "after_swap"):
        assert hidden(runs), "the run should have a temporary folder by now"
    proc.send_signal(signal.SIGTERM)
    flag.unlink()
    code, text = finish(proc)
    assert code == 128 + signal.SIGTERM, text
    assert "Traceback" not in text
    assert "SIGTERM" in text
    assert state(out) == SIGTERM_AT[stage]
    assert hidden(runs) == []  # no temporary, old or lock left behind


#: Stage -> what ``out`` holds right after a SIGKILL there (never missing).
SIGKILL_AT = {"writing": "old", "before_swap": "old", "decided": "old",
              "after_swap": "new run a"}


@pytest.mark.slow
@pytest.mark.parametrize("stage", list(SIGKILL_AT))
def test_sigkill_at_each_stage_keeps_an_output_and_the_next_start_cleans(
        tmp_path, project, stage, caplog):
    runs = tmp_path / "runs"
    out = runs / "out"
    previous_output(out)
    flag = tmp_path / "flag"
    proc = start(fiber(project, out, "--force"), pause_at=stage, flag=flag)
    wait_paused(proc, flag)
    proc.kill()
    proc.communicate(timeout=WAIT_S)
    assert state(out) == SIGKILL_AT[stage]
    (left,) = [n for n in hidden(runs) if ".tmp-" in n]  # what a kill leaves
    # The next start cleans it and says so, before computing anything.
    with caplog.at_level(logging.WARNING, logger="geotel._atomic"):
        r = invoke(*fiber(project, out, "--force", config="config_b.yml"))
    assert r.exit_code == 0, r.output
    assert f"removed {runs / left}" in caplog.text
    assert state(out) == "new run b"
    assert hidden(runs) == []


# Without RENAME_EXCHANGE (old kernels, some file systems) the swap is two renames.
# A small real process drives geotel._atomic through the CLI's signal handling.
FALLBACK = textwrap.dedent("""
    import sys
    from pathlib import Path
    import click
    from geotel import _atomic
    from geotel.cli import _handle_errors

    _atomic._exchange = lambda a, b: False

    @click.command()
    @_handle_errors
    def main():
        with _atomic.atomic_dir(Path(sys.argv[1]), force=True) as tmp:
            (tmp / "config.yml").write_text("name: run a")
            (tmp / "plan.gpkg").write_text("")
            (tmp / "map.html").write_text("")

    main([])
""")


@pytest.mark.parametrize(("stage", "sig", "expected"), [
    ("mid_swap", signal.SIGTERM, "new run a"),  # held back until the swap is done
    ("after_swap", signal.SIGTERM, "new run a"),
    ("mid_swap", signal.SIGKILL, "missing"),  # only the next start can repair this
    ("after_swap", signal.SIGKILL, "new run a"),
])
def test_kill_during_a_two_rename_swap(tmp_path, stage, sig, expected, caplog):
    runs = tmp_path / "runs"
    out = runs / "out"
    previous_output(out)
    flag = tmp_path / "flag"
    proc = subprocess.Popen([sys.executable, "-c", FALLBACK, str(out)], env=env(stage, flag),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_paused(proc, flag)
    proc.send_signal(sig)
    flag.unlink()
    code, text = finish(proc)
    assert code == (143 if sig == signal.SIGTERM else -9), text
    assert state(out) == expected
    if sig == signal.SIGTERM:
        assert hidden(runs) == []
        return
    assert any(".old-" in n for n in hidden(runs))
    with caplog.at_level(logging.WARNING, logger="geotel._atomic"):
        _atomic.check_output_dir(out, force=True)  # what the next start does
    assert state(out) == ("old" if expected == "missing" else expected)
    assert ("restored" if expected == "missing" else "removed") in caplog.text
    assert hidden(runs) == []


# --- concurrent runs ------------------------------------------------------------------

@pytest.mark.slow
def test_two_runs_to_the_same_out_neither_loses_its_result(tmp_path, project):
    out = tmp_path / "runs" / "out"
    flag = tmp_path / "flag"
    a = start(fiber(project, out, config="config_a.yml"), pause_at="before_swap", flag=flag)
    wait_paused(a, flag)  # a has its whole result, b starts while out does not exist
    code_b, text_b = finish(start(fiber(project, out, config="config_b.yml")))
    assert code_b == 0, text_b
    flag.unlink()
    code_a, text_a = finish(a)
    assert code_a == 2, text_a
    assert "Traceback" not in text_a
    assert "already exists" in text_a
    kept = [p for p in out.parent.iterdir() if p.name.startswith("out.result-")]
    assert len(kept) == 1
    assert str(kept[0]) in " ".join(text_a.split())
    assert state(out) == "new run b"
    assert state(kept[0]) == "new run a"  # visible, complete
    assert hidden(out.parent) == []


@pytest.mark.slow
def test_the_final_check_and_move_are_under_a_lock(tmp_path, project):
    out = tmp_path / "runs" / "out"
    flag_a, flag_b = tmp_path / "flag_a", tmp_path / "flag_b"
    # b first: a run's start takes the lock too (to tidy stale folders).
    b = start(fiber(project, out, config="config_b.yml"), pause_at="before_swap", flag=flag_b)
    wait_paused(b, flag_b)
    a = start(fiber(project, out, config="config_a.yml"), pause_at="decided", flag=flag_a)
    wait_paused(a, flag_a)  # a holds the lock and has found no out
    flag_b.unlink()
    time.sleep(2)
    assert b.poll() is None, ("b must wait for a's lock", finish(b))
    assert not out.exists()
    flag_a.unlink()
    code_a, text_a = finish(a)
    code_b, text_b = finish(b)
    assert code_a == 0, text_a
    assert code_b == 2, text_b
    assert "kept in" in text_b, text_b
    assert state(out) == "new run a"
    (kept,) = [p for p in out.parent.iterdir() if p.name.startswith("out.result-")]
    assert state(kept) == "new run b"
    assert hidden(out.parent) == []


# --- --out over the project, under a file ---------------------------------------------

@pytest.mark.parametrize("force", [[], ["--force"]], ids=["", "force"])
def test_out_over_the_project_is_refused_before_any_work(project, force):
    before = snapshot(project.parent)
    for out, word in ((project, "is the project folder"), (project.parent, "holds"),
                      (project / "config_a.yml", "is the project's config file"),
                      (project / "dem.tif", "is the input file inputs.dem")):
        r = invoke(*fiber(project, out, *force))
        assert r.exit_code == 2, r.output
        assert word in r.output
        assert "Traceback" not in r.output
        assert "Fix:" in r.output
        assert "step" not in r.output
    assert snapshot(project.parent) == before


def test_out_under_a_file_is_a_message(tmp_path, project):
    (tmp_path / "notes.txt").write_text("x")
    r = invoke(*fiber(project, tmp_path / "notes.txt" / "out"))
    assert r.exit_code == 2
    assert "Traceback" not in r.output
    assert f"{tmp_path / 'notes.txt'} is a file" in r.output


# --- read-only and full disks ---------------------------------------------------------

@contextlib.contextmanager
def tmpfs(path: Path, *, size: str, read_only: bool = False) -> Iterator[bool]:
    """Mount a small tmpfs at ``path`` (root only); yields whether it is mounted."""
    path.mkdir()
    opts = f"size={size}" + (",ro" if read_only else "")
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)], capture_output=True
    ).returncode == 0
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], check=True)


def test_read_only_out_is_refused_before_any_work(tmp_path, project, monkeypatch):
    with tmpfs(tmp_path / "ro", size="4m", read_only=True) as mounted:
        if not mounted:  # not root: inject what a read-only mount answers
            def read_only(*args, **kwargs):
                raise OSError(errno.EROFS, "Read-only file system", kwargs.get("dir"))
            monkeypatch.setattr(_atomic.tempfile, "mkdtemp", read_only)
        r = invoke(*fiber(project, tmp_path / "ro" / "out"))
    assert r.exit_code == 2, r.output
    assert "read-only" in r.output
    assert "writable disk" in r.output
    assert "Traceback" not in r.output
    assert "step" not in r.output


def test_too_little_free_space_is_refused_before_any_work(tmp_path, project, monkeypatch):
    with tmpfs(tmp_path / "small", size="2m") as mounted:
        if not mounted:
            real = _atomic.shutil.disk_usage
            monkeypatch.setattr(_atomic.shutil, "disk_usage",
                                lambda p: real(p)._replace(free=2 * 2**20))
        r = invoke(*fiber(project, tmp_path / "small" / "out"))
    assert r.exit_code == 2, r.output
    assert "not enough free space" in r.output
    assert "2.0 MB free" in r.output
    assert "Traceback" not in r.output
    assert "step" not in r.output


@pytest.mark.slow
@pytest.mark.parametrize("command", ["coverage", "fiber"], ids=["cog", "geopackage"])
def test_disk_full_while_writing(tmp_path, project, monkeypatch, command):
    """A real ENOSPC in GDAL's COG writer (``coverage`` writes the COGs first) and in its
    GeoPackage driver (``fiber`` writes no COG): the run passes the up-front check, then
    the disk fills up (another program) before it writes. Without mount (not root): the
    error GDAL raises then, injected, on a disk reported full."""
    disk = tmp_path / "disk"
    with tmpfs(disk, size="24m") as mounted:
        if not mounted:
            import rasterio._err

            import geotel.outputs.gpkg
            from geotel.raster import Raster

            def full(*args, **kwargs):
                real = _atomic.shutil.disk_usage
                monkeypatch.setattr(_atomic.shutil, "disk_usage",
                                    lambda p: real(p)._replace(free=0))
                raise rasterio._err.CPLE_AppDefinedError(1, 1, "TIFFAppendToStrip:Seek error")

            monkeypatch.setattr(Raster, "write_cog", full)
            monkeypatch.setattr(geotel.outputs.gpkg, "write_geopackage", full)
            r = invoke(command, str(project / "config_a.yml"), "--out", str(disk / "out"))
            assert r.exit_code == 2, r.output
            assert "no space left on the disk" in r.output
            assert "Traceback" not in r.output
            assert list(disk.iterdir()) == []
            return
        flag = tmp_path / "flag"
        out = disk / "out"
        proc = start([command, str(project / "config_a.yml"), "--out", str(out)],
                     pause_at="writing", flag=flag)
        wait_paused(proc, flag)
        filler = disk / "filler"
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        with open(filler, "wb") as f:
            f.write(b"\0" * (free - 60_000))
        flag.unlink()
        code, text = finish(proc)
        assert code == 2, text
        assert "no space left on the disk" in text
        assert "Traceback" not in text
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]  # cleaned up


@pytest.mark.parametrize("error", [
    OSError(errno.ENOSPC, "No space left on device"),
    DataSourceError("Unknown GDAL Error"),
], ids=["ENOSPC", "unknown-gdal-error"])
def test_disk_full_injected(tmp_path, project, monkeypatch, error):
    """Full disk while writing the GeoPackage, as GDAL reports it: by errno, or only as
    "Unknown GDAL Error" on a disk with (nearly) nothing free."""
    import geotel.outputs.gpkg

    calls = []

    def full(*args, **kwargs):
        calls.append(1)
        real = _atomic.shutil.disk_usage
        monkeypatch.setattr(_atomic.shutil, "disk_usage",
                            lambda p: real(p)._replace(free=50_000))
        raise error

    monkeypatch.setattr(geotel.outputs.gpkg, "write_geopackage", full)
    r = invoke(*fiber(project, tmp_path / "out"))
    assert calls, r.output
    assert r.exit_code == 2, r.output
    assert "no space left on the disk" in r.output
    assert "another disk" in r.output
    assert "Traceback" not in r.output
    assert list(tmp_path.iterdir()) == []


def test_other_gdal_error_at_the_edge_is_a_message(tmp_path, project, monkeypatch):
    import geotel.outputs.gpkg

    def broken(*args, **kwargs):
        raise DataSourceError("sqlite3_exec(CREATE TABLE) failed")

    monkeypatch.setattr(geotel.outputs.gpkg, "write_geopackage", broken)
    r = invoke(*fiber(project, tmp_path / "out"))
    assert r.exit_code == 2, r.output
    assert "GDAL error: sqlite3_exec" in r.output
    assert "no space" not in r.output
    assert "Traceback" not in r.output
