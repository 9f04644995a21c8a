"""The atomic output folder (geotel._atomic), in process: every rule on its own.

The same rules under real signals, concurrent processes and full disks are in
tests/test_faults.py.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import signal
import threading
import time

import pytest
import rasterio._err
from pyogrio.errors import DataSourceError

from geotel import _atomic
from geotel._atomic import atomic_dir, check_output_dir
from geotel.errors import InputError, OutputError


def listing(folder):
    return sorted(p.name for p in folder.iterdir())


def test_existing_folder_needs_force_and_survives_failure(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old")
    with pytest.raises(InputError, match="--force"), atomic_dir(out):
        pass
    with pytest.raises(KeyboardInterrupt), atomic_dir(out, force=True) as tmp:
        (tmp / "new.txt").write_text("half")
        raise KeyboardInterrupt
    assert [p.name for p in out.iterdir()] == ["old.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary left behind
    with atomic_dir(out, force=True) as tmp:
        (tmp / "new.txt").write_text("new")
    assert [p.name for p in out.iterdir()] == ["new.txt"]
    assert listing(tmp_path) == ["out"]  # neither the old folder nor the lock file


def test_folders_follow_the_umask_not_0700(tmp_path):
    previous = os.umask(0o027)
    try:
        with atomic_dir(tmp_path / "out") as tmp:
            assert tmp.stat().st_mode & 0o777 == 0o750
    finally:
        os.umask(previous)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o750
    with atomic_dir(tmp_path / "out2"):
        pass
    assert (tmp_path / "out2").stat().st_mode & 0o777 == 0o777 & ~previous


@pytest.mark.parametrize("force", [False, True])
def test_refuses_to_be_or_hold_a_protected_path(tmp_path, force):
    project = tmp_path / "project"
    project.mkdir()
    (project / "config.yml").write_text("name: x\n")
    protect = {project: "the project folder", project / "config.yml": "the config file"}
    for out, word in ((project, "is the project folder"), (tmp_path, "holds the project"),
                      (project / "config.yml", "is the config file")):
        with pytest.raises(OutputError, match=word) as info, \
                atomic_dir(out, force=force, protect=protect) as tmp:
            (tmp / "x").write_text("never")
        assert "--force does not change this" in str(info.value)
        with pytest.raises(OutputError, match=word):
            check_output_dir(out, force=force, protect=protect)
    assert listing(project) == ["config.yml"]
    assert listing(tmp_path) == ["project"]
    # A folder inside the project folder is fine.
    with atomic_dir(project / "maps", protect=protect) as tmp:
        (tmp / "x").write_text("ok")
    assert listing(project) == ["config.yml", "maps"]


def test_current_folder_is_protected(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path / ".")
    with pytest.raises(OutputError, match="is the current folder"):
        check_output_dir(tmp_path, force=True)
    with pytest.raises(OutputError, match="holds the current folder"):
        check_output_dir(tmp_path.parent, force=True)


def test_existence_is_decided_at_the_move_and_the_result_is_kept(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(OutputError) as info, atomic_dir(out) as tmp:
        (tmp / "mine.txt").write_text("this run")
        out.mkdir()  # another run finished first
        (out / "theirs.txt").write_text("other run")
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("out.result-")]
    assert len(kept) == 1
    assert str(kept[0]) in str(info.value)
    assert "--force" in str(info.value)
    assert listing(kept[0]) == ["mine.txt"]
    assert listing(out) == ["theirs.txt"]
    assert listing(tmp_path) == ["out", kept[0].name]  # nothing hidden left


def test_the_lock_serialises_the_final_move(tmp_path):
    out = tmp_path / "out"
    got = threading.Event()

    def other() -> None:
        with _atomic._locked(out):
            got.set()

    with _atomic._locked(out):
        assert (tmp_path / ".out.lock").exists()
        t = threading.Thread(target=other)
        t.start()
        assert not got.wait(0.5)  # blocked while we hold it
    assert got.wait(5)
    t.join()
    assert listing(tmp_path) == []  # the lock file is removed


def test_stale_folders_are_removed_or_restored_at_the_next_start(tmp_path, caplog):
    out = tmp_path / "out"
    stale = tmp_path / ".out.tmp-abcd1234"
    live = tmp_path / ".out.tmp-live5678"
    old = tmp_path / ".out.old-0badc0de"
    other = tmp_path / ".out.old-x.old-12345678"  # belongs to an output named "out.old-x"
    for d in (stale, live, old, other):
        d.mkdir()
    (old / "previous.txt").write_text("previous output")
    fd = _atomic._hold(live)  # a run still working
    try:
        # Tidied first, so the restored output counts as existing.
        with caplog.at_level(logging.WARNING, logger="geotel._atomic"), \
                pytest.raises(OutputError, match="already exists"):
            check_output_dir(out)
    finally:
        os.close(fd)
    assert listing(out) == ["previous.txt"]  # restored: out was missing
    assert listing(tmp_path) == sorted([".out.old-x.old-12345678", ".out.tmp-live5678", "out"])
    text = caplog.text
    assert "restored" in text
    assert "removed" in text
    assert str(stale) in text
    # With out present, an old folder is garbage; the now unlocked tmp is stale.
    old.mkdir()
    with atomic_dir(out, force=True) as tmp:
        (tmp / "new.txt").write_text("new")
    assert listing(tmp_path) == sorted([".out.old-x.old-12345678", "out"])
    assert listing(out) == ["new.txt"]


def test_swap_without_rename_exchange_holds_signals_between_renames(tmp_path, monkeypatch):
    monkeypatch.setattr(_atomic, "_exchange", lambda a, b: False)
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old")
    seen: list[str] = []

    def pause(stage: str) -> None:
        if stage == "mid_swap":
            seen.extend(listing(tmp_path))
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)  # the handler would run here if it were not held

    class Stop(Exception):
        pass

    def handler(signum, frame):
        raise Stop

    monkeypatch.setattr(_atomic, "_pause", pause)
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        with pytest.raises(Stop), atomic_dir(out, force=True) as tmp:
            (tmp / "new.txt").write_text("new")
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert "out" not in seen  # out was really moved aside...
    assert any(n.startswith(".out.old-") for n in seen)  # ...here
    assert listing(out) == ["new.txt"]
    assert listing(tmp_path) == ["out"]


def test_rename_exchange_swaps_in_one_step(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "1").write_text("")
    assert _atomic._exchange(a, b)  # Linux, ext4/tmpfs/xfs/btrfs
    assert listing(a) == []
    assert listing(b) == ["1"]


@pytest.mark.parametrize("make_error", [
    lambda: OSError(errno.ENOSPC, "No space left on device", "x.tif"),
    lambda: DataSourceError("Unknown GDAL Error"),
    lambda: rasterio._err.CPLE_AppDefinedError(1, 1, "TIFFAppendToStrip:Seek error"),
], ids=["ENOSPC", "pyogrio", "rasterio"])
def test_a_full_disk_while_writing_is_named(tmp_path, monkeypatch, make_error):
    real = shutil.disk_usage
    monkeypatch.setattr(_atomic.shutil, "disk_usage",
                        lambda p: real(p)._replace(free=100_000))  # 0.1 MB free
    with pytest.raises(OutputError, match="no space left on the disk") as info, \
            atomic_dir(tmp_path / "out") as tmp:
        (tmp / "a.txt").write_text("partial")
        raise make_error()
    assert "another disk" in str(info.value)
    assert listing(tmp_path) == []


def test_other_io_errors_are_named_and_others_pass_unchanged(tmp_path):
    with pytest.raises(OutputError, match="GDAL error: TIFFAppendToStrip") as info, \
            atomic_dir(tmp_path / "out"):
        raise rasterio._err.CPLE_AppDefinedError(1, 1, "TIFFAppendToStrip:Seek error")
    assert "no space" not in str(info.value)  # plenty of space here
    with pytest.raises(OutputError, match="permission denied"), atomic_dir(tmp_path / "out"):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "x"))
    with pytest.raises(ZeroDivisionError), atomic_dir(tmp_path / "out"):
        raise ZeroDivisionError
    assert listing(tmp_path) == []


def test_up_front_check(tmp_path, monkeypatch):
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(OutputError, match=r"file\.txt is a file, so no folder"):
        check_output_dir(tmp_path / "file.txt" / "sub" / "out")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        check_output_dir(tmp_path / "file.txt", force=True)
    with pytest.raises(OutputError, match=r"not enough free space.*another disk"):
        check_output_dir(tmp_path / "out", needed_bytes=2**62)
    check_output_dir(tmp_path / "new" / "deeper" / "out", needed_bytes=1000)
    assert listing(tmp_path) == ["file.txt"]  # the check creates nothing

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", kwargs.get("dir"))

    monkeypatch.setattr(_atomic.tempfile, "mkdtemp", read_only)
    with pytest.raises(OutputError, match=r"read-only.*writable disk"):
        check_output_dir(tmp_path / "out")
