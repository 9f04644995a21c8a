"""Atomic writes: build outputs in a temporary place, then move them into place.

An output folder ``out`` is built in a hidden temporary folder beside it
(``.<name>.tmp-XXXXXXXX``) and moved into place in one step at the end. The rules:

- ``out`` may never be, or hold, a protected path: the project's config, inputs and
  folder (passed by the caller), the current folder or the home folder; ``force``
  does not change this.
- Whether ``out`` already exists is decided at the final move, under a lock
  (``.<name>.lock`` beside it, held for milliseconds). Without ``force`` a run that
  finds one keeps its result beside it as ``<name>.result-<time>`` and raises
  :class:`~geotel.errors.OutputError` naming that folder.
- With ``force`` the new and the old folder swap places in one atomic
  ``renameat2(RENAME_EXCHANGE)`` (Linux); where that is unsupported, in two renames
  with SIGINT/SIGTERM/SIGHUP held back between them. An interruption at any point
  leaves the old or the new output at ``out``.
- A run holds an ``flock`` on its temporary folder. At the next start a stale one (its
  run was killed) is removed, and a stale ``.<name>.old-*`` (killed between the two
  renames) is moved back to ``out`` when ``out`` is missing; both are logged.
- Temporary folders get the usual permissions (umask), not ``mkdtemp``'s 0700.

Test-only hook: with ``GEOTEL_TEST_PAUSE_AT=<stage>`` and ``GEOTEL_TEST_PAUSE_FLAG=<file>``
in the environment, the run writes ``<file>`` on reaching ``<stage>`` and waits (at most
two minutes) until the file is deleted. Stages, in order: ``checked`` (up-front check
done, before any computation), ``writing`` (temporary folder made, nothing written),
``before_swap`` (result complete), ``decided`` (lock held, existence of ``out`` checked),
``mid_swap`` (only without ``RENAME_EXCHANGE``: old output moved aside, new not yet in
place), ``after_swap`` (new output in place, old one not yet deleted).
tests/test_faults.py kills runs there.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import logging
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from geotel._ioerrors import ENOSPC_FIX, describe_io_error, is_io_error, says_disk_full
from geotel.errors import OutputError

try:
    import fcntl
except ImportError:  # not POSIX: no locks, stale folders are never judged unused
    fcntl = None  # type: ignore[assignment]

__all__ = ["atomic_dir", "atomic_file", "check_output_dir"]

log = logging.getLogger(__name__)

_MIB = 2**20


def check_output_dir(out: str | os.PathLike, *, force: bool = False,
                     protect: Mapping[Path, str] | None = None,
                     needed_bytes: int = 0) -> None:
    """Check, before any computation, that ``out`` can take a new output.

    Also removes (or, for a lost old output, restores) what killed runs left beside
    ``out``, and logs it.

    Parameters
    ----------
    out
        The output folder.
    force
        Whether an existing ``out`` may be replaced.
    protect
        ``{path: what it is}``: paths ``out`` may not be or hold (inputs, config).
    needed_bytes
        Estimated size of the output; the disk must have that much free.

    Raises
    ------
    OutputError
        ``out`` is or holds a protected path, is a file or lies under one, exists
        (without ``force``), is not writable, or its disk has too little free space.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> project = pathlib.Path(tempfile.mkdtemp())
    >>> check_output_dir(project / "out", protect={project: "the project folder"})
    >>> check_output_dir(project, force=True, protect={project: "the project folder"})
    Traceback (most recent call last):
    ...
    geotel.errors.OutputError: ...: the output folder is the project folder (...)...
    """
    _check(Path(out), refuse_existing=not force, protect=protect or {},
           needed_bytes=needed_bytes)
    _pause("checked")


@contextlib.contextmanager
def atomic_dir(out: str | os.PathLike, *, force: bool = False,
               protect: Mapping[Path, str] | None = None,
               needed_bytes: int = 0) -> Iterator[Path]:
    """Yield a temporary folder beside ``out``; on success it becomes ``out``.

    ``out`` is left untouched when the work fails or is interrupted (Ctrl-C, SIGTERM).
    Whether ``out`` exists is decided at the end, under a lock: without ``force`` the
    result is then kept as ``<out>.result-<time>`` and :class:`OutputError` names it;
    with ``force`` the old folder is swapped out atomically and deleted. OSError and
    GDAL errors raised inside become :class:`OutputError` (a full disk is named so).

    Parameters
    ----------
    out
        The output folder.
    force
        Replace an existing ``out``.
    protect, needed_bytes
        As in :func:`check_output_dir`, checked on entry.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out"
    >>> with atomic_dir(target) as tmp:
    ...     _ = (tmp / "a.txt").write_text("done")
    >>> (target / "a.txt").read_text()
    'done'
    """
    out = _check(Path(out), refuse_existing=False, protect=protect or {},
                 needed_bytes=needed_bytes)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with _locked(out):
            tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
            try:
                os.chmod(tmp, 0o777 & ~_umask())
                held = _hold(tmp)
            except BaseException:
                _remove(tmp)
                raise
    except OSError as exc:
        raise _output_error(exc, out) from None
    try:
        _pause("writing")
        try:
            yield tmp
        except Exception as exc:
            err = _write_error(exc, out, tmp, needed_bytes)
            if err is None:
                raise
            raise err from exc
        _pause("before_swap")
        try:
            _move_into_place(tmp, out, force=force)
        except OSError as exc:
            raise _output_error(exc, out) from None
    finally:
        if held is not None:
            os.close(held)
        if os.path.lexists(tmp):
            with _signals_held():  # a SIGTERM now waits until the folder is gone
                _remove(tmp)


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike, *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it is renamed to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.tmp-", suffix=suffix or path.suffix,
                                dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            if tmp.is_dir():
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                tmp.unlink()


def _check(out: Path, *, refuse_existing: bool, protect: Mapping[Path, str],
           needed_bytes: int) -> Path:
    out = Path(os.path.abspath(out))
    real = out.resolve()
    guarded = dict(protect)
    guarded.setdefault(Path.cwd(), "the current folder")
    with contextlib.suppress(RuntimeError, KeyError):
        guarded.setdefault(Path.home(), "your home folder")
    for path, what in guarded.items():
        p = Path(path).resolve()
        if real == p or real in p.parents:
            raise OutputError(
                f"the output folder {'is' if real == p else 'holds'} {what} ({p}): "
                "writing the output there would delete it",
                file=str(out), fix="choose an --out folder outside the project folder, "
                "e.g. a new folder beside it (--force does not change this)")
    if os.path.lexists(out) and not out.is_dir():
        raise OutputError("this is a file, not a folder", file=str(out),
                          fix="choose a folder path for --out")
    base = out.parent
    while not os.path.lexists(base) and base != base.parent:
        base = base.parent
    if not base.is_dir():
        raise OutputError(f"{base} is a file, so no folder can be made under it",
                          file=str(out), fix="choose an --out folder under a folder, "
                          "not under a file")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=f".{out.name}.probe-", dir=base))
        if out.parent.is_dir():  # first tidy up: this may bring back a lost output
            with _locked(out):
                _clean_stale(out)
        free = shutil.disk_usage(base).free
    except OSError as exc:
        raise _output_error(exc, out, path=base) from None
    if refuse_existing and os.path.lexists(out):
        raise OutputError("output folder already exists", file=str(out),
                          fix="choose another --out folder, or pass --force to replace it")
    if needed_bytes and free < needed_bytes:
        raise OutputError(
            f"not enough free space: the output needs about {_mb(needed_bytes)}, "
            f"and the disk holding {base} has {_mb(free)} free", file=str(out),
            fix="free some space on that disk, or choose an --out folder on another disk")
    return out


def _move_into_place(tmp: Path, out: Path, *, force: bool) -> None:
    with _locked(out):
        exists = os.path.lexists(out)
        _pause("decided")
        if exists and not force:
            raise _conflict(tmp, out)
        if not exists:
            try:
                os.rename(tmp, out)  # replaces nothing but an empty folder
            except OSError as exc:
                if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
                    raise _conflict(tmp, out) from None  # made by a program not locking
                raise
            return
        if _exchange(tmp, out):
            _pause("after_swap")
            _remove(tmp)  # now the previous output
            return
        # Two renames: signals wait until the old output is gone; a SIGKILL between
        # them is repaired by the next start (_clean_stale restores the old output).
        old = out.with_name(f".{out.name}.old-{secrets.token_hex(4)}")
        with _signals_held():
            os.rename(out, old)
            _pause("mid_swap")
            try:
                os.rename(tmp, out)
            except BaseException:
                os.rename(old, out)
                raise
            _pause("after_swap")
            _remove(old)


def _conflict(tmp: Path, out: Path) -> OutputError:
    """Keep this run's result beside ``out`` (visible), and the error that says where."""
    if not any(tmp.iterdir()):
        return OutputError("output folder already exists", file=str(out),
                           fix="choose another --out folder, or pass --force to replace it")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    kept = out.with_name(f"{out.name}.result-{stamp}")
    if os.path.lexists(kept):
        kept = out.with_name(f"{out.name}.result-{stamp}-{os.getpid()}")
    os.rename(tmp, kept)
    return OutputError(
        "output folder already exists (another run may have written it while this one "
        f"was working), so this run's result was kept in {kept}", file=str(out),
        fix=f"compare the two folders and keep one (rename or delete the other), or run "
        f"again with --force to replace {out}")


def _clean_stale(out: Path) -> list[str]:
    """Tidy what killed runs left beside ``out``; call it holding :func:`_locked`."""
    pattern = re.compile(re.escape(f".{out.name}.") + r"(tmp|old)-[a-z0-9_]{8}")
    tmps: list[Path] = []
    olds: list[Path] = []
    for entry in out.parent.iterdir():
        m = pattern.fullmatch(entry.name)
        if m:
            (olds if m[1] == "old" else tmps).append(entry)
    done: list[str] = []
    for tmp in sorted(tmps):
        if not _in_use(tmp):
            _remove(tmp)
            done.append(f"removed {tmp}: the unfinished output of a run that was killed")
    if olds and not os.path.lexists(out):
        newest = max(olds, key=lambda p: p.lstat().st_mtime)
        os.rename(newest, out)
        olds.remove(newest)
        done.append(f"restored {out} from {newest.name}: a run was killed while replacing it")
    for old in sorted(olds):
        _remove(old)
        done.append(f"removed {old}: an earlier output that a killed run had replaced")
    for line in done:
        log.warning(line)
    return done


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold ``.<name>.lock`` beside ``out`` (flock); the file is removed on release."""
    if fcntl is None:
        yield
        return
    path = out.with_name(f".{out.name}.lock")
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            st = os.fstat(fd)
            try:
                now = os.stat(path)
            except FileNotFoundError:
                now = None
        except BaseException:
            os.close(fd)
            raise
        if now is not None and (now.st_ino, now.st_dev) == (st.st_ino, st.st_dev):
            break
        os.close(fd)  # the holder before us removed the file: lock the new one
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


def _hold(folder: Path) -> int | None:
    """Lock ``folder`` for the life of this run, so others see it is not stale."""
    if fcntl is None:
        return None
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _in_use(folder: Path) -> bool:
    if fcntl is None:
        return True
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``RENAME_EXCHANGE``); False when unsupported."""
    fn = _renameat2()
    if fn is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back SIGINT, SIGTERM and SIGHUP until the block is done, then deliver them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    names = ("SIGINT", "SIGTERM", "SIGHUP")
    previous = {s: signal.signal(s, lambda n, _f: caught.append(n))
                for s in (getattr(signal, n) for n in names if hasattr(signal, n))}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for n in caught:
            handler = previous[n]
            if callable(handler):
                handler(n, None)
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), n)


def _write_error(exc: Exception, out: Path, tmp: Path, needed_bytes: int) -> OutputError | None:
    """The OutputError for an OSError or GDAL error while writing; None for other errors."""
    if not is_io_error(exc) or isinstance(exc, OutputError):
        return None
    full = says_disk_full(exc)
    free: int | None
    used: int | None
    try:
        free = shutil.disk_usage(tmp).free
        used = sum(p.stat().st_size for p in tmp.rglob("*") if p.is_file())
    except OSError:
        free = used = None
    if not full and free is not None and used is not None:
        # GDAL often says only "Unknown GDAL Error" or a seek error: judge by the disk.
        full = free < _MIB or (needed_bytes > 0 and free < needed_bytes - used)
    if full:
        space = "" if free is None else f"; {_mb(free)} free"
        if free is not None and used is not None and needed_bytes > used:
            space += f", about {_mb(needed_bytes - used)} more needed"
        said = str(exc) if len(str(exc)) <= 160 else str(exc)[:157] + "..."
        return OutputError(
            f"no space left on the disk while writing the output ({type(exc).__name__}: "
            f"{said}){space}. Nothing was written to {out}", file=str(out), fix=ENOSPC_FIX)
    return _output_error(exc, out)


def _output_error(exc: BaseException, out: Path, *, path: Path | None = None) -> OutputError:
    message, fix, where = describe_io_error(exc, path=out)
    if path is not None:
        where = str(path)
    if where and Path(where) != out:
        message = f"{message} ({where})"
    return OutputError(f"cannot write the output: {message}", file=str(out), fix=fix)


def _remove(path: Path) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _umask() -> int:
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mb(n_bytes: float) -> str:
    return f"{n_bytes / _MIB:,.1f} MB"


def _pause(stage: str) -> None:
    """Test-only hook (see the module docstring); a no-op unless the environment asks."""
    if os.environ.get("GEOTEL_TEST_PAUSE_AT") != stage:
        return
    flag = Path(os.environ["GEOTEL_TEST_PAUSE_FLAG"])
    flag.write_text(f"{os.getpid()} {stage}\n")
    deadline = time.monotonic() + 120
    while flag.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
