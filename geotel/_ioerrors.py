"""OSError and GDAL errors, told as messages a planner can act on (no traceback).

GDAL's errors reach Python through rasterio (``CPLE_*``), pyogrio and fiona, often
without an errno: a full disk may show up as "Unknown GDAL Error" or a TIFF seek error.
"""

from __future__ import annotations

import errno
import os

__all__ = ["ENOSPC_FIX", "describe_io_error", "is_io_error", "says_disk_full"]

#: Libraries whose exceptions are I/O errors (GDAL through rasterio, pyogrio, fiona).
_IO_MODULES = frozenset({"rasterio", "pyogrio", "fiona", "osgeo", "sqlite3"})
_FULL_WORDS = ("no space left", "disk is full", "disk full", "free disk space available",
               "quota exceeded")
_ERRNO_TEXT: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("no space left on the disk",
                   "free some space on that disk, or choose an --out folder on another disk"),
    errno.EDQUOT: ("disk quota exceeded",
                   "free some space, or choose an --out folder on another disk"),
    errno.EROFS: ("the file system is read-only",
                  "choose an --out folder on a writable disk"),
    errno.EACCES: ("permission denied",
                   "choose a folder you may write to, or change its permissions"),
    errno.EPERM: ("operation not permitted",
                  "choose a folder you may write to, or change its permissions"),
    errno.ENOTDIR: ("a part of this path is a file, not a folder",
                    "choose a path whose parent folders are folders, not files"),
    errno.EISDIR: ("this is a folder, not a file", "check the path"),
    errno.ENOENT: ("no such file or folder", "check the path"),
    errno.EBUSY: ("the folder is in use or is a mount point",
                  "choose a new folder inside it, not the mount point itself"),
    errno.EXDEV: ("the folder is a mount point", "choose a new folder inside it"),
    errno.ENAMETOOLONG: ("the path is too long", "choose a shorter path"),
}


def is_io_error(exc: BaseException) -> bool:
    """Whether ``exc`` is an ``OSError`` or an error of GDAL (rasterio, pyogrio, fiona).

    Examples
    --------
    >>> is_io_error(PermissionError()), is_io_error(ValueError())
    (True, False)
    """
    return isinstance(exc, OSError) or _from_gdal(exc)


def _from_gdal(exc: BaseException) -> bool:
    return any(c.__module__.split(".")[0] in _IO_MODULES for c in type(exc).__mro__)


def describe_io_error(exc: BaseException, *, path: str | os.PathLike | None = None
                      ) -> tuple[str, str, str | None]:
    """``(message, fix, path)`` for an OSError or GDAL error; ``path`` if it names none.

    Examples
    --------
    >>> describe_io_error(OSError(errno.EROFS, "Read-only file system", "/mnt/x"))
    ('the file system is read-only', 'choose an --out folder on a writable disk', '/mnt/x')
    """
    where = getattr(exc, "filename", None) if isinstance(exc, OSError) else None
    where = str(where or path) if (where or path) else None
    code = exc.errno if isinstance(exc, OSError) else None
    if code in _ERRNO_TEXT:
        return (*_ERRNO_TEXT[code], where)
    text = str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror, "check the path, the disk and the permissions", where
    gdal = not isinstance(exc, OSError) or _from_gdal(exc)
    if says_disk_full(exc):
        return (f"GDAL: {text}" if gdal else text), _ERRNO_TEXT[errno.ENOSPC][1], where
    if not gdal:
        return text, "check the path, the disk and the permissions", where
    fix = ("GDAL often gives no detail: check that the disk is not full and that no other "
           "program holds the file; for an input, run `geotel validate CONFIG`")
    return f"GDAL error: {text}", fix, where

ENOSPC_FIX = _ERRNO_TEXT[errno.ENOSPC][1]


def says_disk_full(exc: BaseException) -> bool:
    """Whether the error itself says the disk is full (errno or GDAL's words).

    Examples
    --------
    >>> says_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    True
    >>> says_disk_full(RuntimeError("Unknown GDAL Error"))
    False
    """
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return any(w in str(exc).lower() for w in _FULL_WORDS)
