"""Atomic writes: build outputs in a temporary place, then move them into place."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from geotel._errors import InputError

__all__ = ["atomic_dir", "atomic_file"]


@contextlib.contextmanager
def atomic_dir(out: str | os.PathLike, *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary folder beside ``out``; on success it replaces ``out``.

    An existing ``out`` is an error unless ``force``; it is left untouched when the
    work fails or is interrupted (Ctrl-C), and replaced only once the new folder is
    complete.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out"
    >>> with atomic_dir(target) as tmp:
    ...     _ = (tmp / "a.txt").write_text("done")
    >>> (target / "a.txt").read_text()
    'done'
    """
    out = Path(out)
    if out.exists() and not force:
        raise InputError(
            "output folder already exists",
            file=str(out),
            fix="choose another --out folder, or pass --force to replace it",
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        yield tmp
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, old / out.name)
        os.replace(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


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
