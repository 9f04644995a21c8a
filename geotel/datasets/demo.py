"""The embedded demo province: a synthetic, clearly labelled stand-in for Gia Lai.

It is deterministic (two runs give the same bytes), offline, and generated in
seconds. Real public facts (district centres, commune names and codes, census totals,
road numbers, a few relief figures, the 2017 service counts) shape it; every geometry,
raster value, tower and fiber route is invented.

Examples
--------
>>> from geotel.datasets import demo_project
>>> config_path = demo_project()          # generated once, then cached  # doctest: +SKIP
>>> config_path.name                                                    # doctest: +SKIP
'config.yml'
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from geotel._atomic import atomic_dir

if TYPE_CHECKING:
    from geotel.province import ProvinceData

__all__ = [
    "DemoResolution",
    "default_cache_dir",
    "demo_project",
    "demo_province",
    "write_demo_project",
]

log = logging.getLogger(__name__)

DemoResolution = Literal[90, 30]


def _check_resolution(resolution_m: int) -> int:
    from geotel.errors import InputError

    if resolution_m not in (90, 30):
        raise InputError(f"the demo DEM comes at 90 or 30 m, not {resolution_m!r}",
                         column="resolution_m", fix="pass resolution_m=90 or resolution_m=30")
    return int(resolution_m)


def write_demo_project(directory: str | os.PathLike[str], *, resolution_m: DemoResolution = 90,
                       force: bool = False) -> Path:
    """Generate the demo province and write its input files and ``config.yml``.

    The folder is built beside ``directory`` and renamed into place, so a failure
    never leaves a partial project.

    Parameters
    ----------
    directory
        Folder to create (its parent is created when missing).
    resolution_m
        DEM cell size: 90 (default) or 30 m. The population raster is always 90 m.
    force
        Replace an existing ``directory``.

    Returns
    -------
    Path
        The ``config.yml`` inside ``directory`` (a valid :class:`geotel.ProjectConfig`
        with relative paths).

    Raises
    ------
    InputError
        ``directory`` exists and ``force`` is false, or the resolution is not 90/30.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from geotel.config import load_config
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "demo"
    >>> cfg = load_config(write_demo_project(out))
    >>> cfg.name, sorted(p.name for p in out.iterdir())[:3]
    ('DEMO (synthetic) Gia Lai', ['README.txt', 'communes.gpkg', 'config.yml'])
    """
    from geotel.datasets._build import build_demo
    from geotel.datasets._write import write_layers

    res = _check_resolution(resolution_m)
    layers = build_demo(res)
    with atomic_dir(directory, force=force) as tmp:
        write_layers(layers, tmp)
    return Path(directory) / "config.yml"


def default_cache_dir() -> Path:
    """``$GEOTEL_CACHE_DIR``, else ``./data/processed``."""
    return Path(os.environ.get("GEOTEL_CACHE_DIR") or Path("data") / "processed")


def demo_project(*, resolution_m: DemoResolution = 90,
                 cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The demo project's ``config.yml``, generated once into a cache folder.

    The folder is ``<cache_dir>/demo-<geotel version>-<res>m``; ``cache_dir`` defaults
    to :func:`default_cache_dir`. Concurrent first calls are safe: each builds its own
    temporary folder and the first to finish wins.

    Examples
    --------
    >>> import tempfile
    >>> p = demo_project(cache_dir=tempfile.mkdtemp())
    >>> p.parent.name.startswith("demo-"), p.parent.name.endswith("-90m")
    (True, True)
    """
    from geotel import __version__
    from geotel.datasets._build import build_demo
    from geotel.datasets._write import write_layers

    res = _check_resolution(resolution_m)
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    folder = root / f"demo-{__version__}-{res}m"
    config = folder / "config.yml"
    if _current(config):
        return config
    root.mkdir(parents=True, exist_ok=True)
    log.info("generating the demo province (%d m) into %s", res, folder)
    layers = build_demo(res)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=root))
    old = None
    try:
        write_layers(layers, tmp)
        if folder.exists() and not _current(config):  # an older generator's output
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=root))
            os.replace(folder, old / folder.name)
        try:
            os.rename(tmp, folder)
        except OSError:
            if not _current(config):  # not a lost race: a real failure
                raise
    finally:
        for p in (tmp, old):
            if p is not None and p.exists():
                shutil.rmtree(p, ignore_errors=True)
    return config


def _current(config: Path) -> bool:
    """Whether a cached project exists and comes from this generator revision."""
    from geotel.datasets._write import REVISION_LINE

    try:
        return REVISION_LINE in config.read_text(encoding="utf-8").splitlines()
    except OSError:
        return False


def demo_province(*, resolution_m: DemoResolution = 90,
                  cache_dir: str | os.PathLike[str] | None = None) -> ProvinceData:
    """The demo province read and validated like any project
    (:func:`geotel.province.load_province` on :func:`demo_project`).

    Examples
    --------
    >>> import tempfile
    >>> prov = demo_province(cache_dir=tempfile.mkdtemp())
    >>> len(prov.communes), prov.analysis_crs.to_epsg()
    (222, 32649)
    """
    from geotel.config import load_config
    from geotel.province import load_province

    return load_province(load_config(demo_project(resolution_m=resolution_m,
                                                  cache_dir=cache_dir)))
