"""Leaflet and Leaflet.markercluster for the HTML map: CDN links, or inlined for offline use.

The offline variant reads the library files from the pip-installed asset packages
``xstatic-leaflet`` and ``xstatic-leaflet-markercluster`` (nothing is vendored in the
repository) and inlines them; the images the Leaflet CSS refers to become data URLs.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from pathlib import Path

import xstatic.pkg.leaflet as xs_leaflet
import xstatic.pkg.leaflet_markercluster as xs_cluster

from geotel.errors import GeotelError

__all__ = ["LEAFLET_VERSION", "MARKERCLUSTER_VERSION", "asset_tags"]

LEAFLET_VERSION = ".".join(xs_leaflet.VERSION.split(".")[:3])
MARKERCLUSTER_VERSION = ".".join(xs_cluster.VERSION.split(".")[:3])
_CDN = "https://cdn.jsdelivr.net/npm"
_CSS = (("leaflet", "leaflet.css"), ("markercluster", "MarkerCluster.css"),
        ("markercluster", "MarkerCluster.Default.css"))
_JS = (("leaflet", "leaflet.js"), ("markercluster", "leaflet.markercluster.js"))


def _base(pkg: str) -> Path:
    return Path((xs_leaflet if pkg == "leaflet" else xs_cluster).BASE_DIR)


def _cdn_url(pkg: str, name: str) -> str:
    if pkg == "leaflet":
        return f"{_CDN}/leaflet@{LEAFLET_VERSION}/dist/{name}"
    return f"{_CDN}/leaflet.markercluster@{MARKERCLUSTER_VERSION}/dist/{name}"


def _read(pkg: str, name: str) -> str:
    path = _base(pkg) / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GeotelError(
            f"cannot read {path} for the offline map ({exc}); reinstall it with "
            "pip install --force-reinstall xstatic-leaflet xstatic-leaflet-markercluster"
        ) from None


def _inline_images(css: str, base: Path) -> str:
    def repl(m: re.Match[str]) -> str:
        img = base / m.group(2)
        if not img.is_file():
            return "none"
        data = base64.b64encode(img.read_bytes()).decode("ascii")
        mime = "image/svg+xml" if img.suffix == ".svg" else f"image/{img.suffix.lstrip('.')}"
        return f"url(data:{mime};base64,{data})"

    return re.sub(r"""url\((['"]?)(images/[\w.@-]+)\1\)""", repl, css)


def _safe_script(js: str) -> str:
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)
    return js.replace("</script", "<\\/script")


@cache
def asset_tags(offline: bool) -> tuple[str, ...]:
    """``<link>``/``<script>`` tags (online) or inline ``<style>``/``<script>`` (offline).

    Examples
    --------
    >>> any("leaflet@" in t for t in asset_tags(False))
    True
    >>> all(t.startswith(("<style>", "<script>")) for t in asset_tags(True))
    True
    """
    if not offline:
        css = [f'<link rel="stylesheet" href="{_cdn_url(p, n)}"/>' for p, n in _CSS]
        js = [f'<script src="{_cdn_url(p, n)}"></script>' for p, n in _JS]
        return (*css, *js)
    css = [f"<style>{_inline_images(_read(p, n), _base(p))}</style>" for p, n in _CSS]
    js = [f"<script>{_safe_script(_read(p, n))}</script>" for p, n in _JS]
    return (*css, *js)
