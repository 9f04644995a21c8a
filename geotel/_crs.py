"""Private: the one home of CRS rules every step shares.

- :func:`to_crs`: any CRS description as a :class:`pyproj.CRS` (CRSError when unknown);
- :func:`is_metric` / :func:`require_metric_crs` / :func:`require_metric`: "metric" means
  projected with every axis in metres (US feet or degrees are not);
- :func:`reproject`: a layer in a CRS, as a new object (CRSError without a CRS);
- :func:`equal_area_crs`: the Lambert azimuthal equal-area CRS centred on an extent, used
  for every area in km².

:mod:`geotel.io.crs` re-exports the first three with the VN-2000 helpers.
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import pyproj
from pyproj import CRS

from geotel.errors import CRSError

__all__ = [
    "equal_area_crs",
    "is_metric",
    "reproject",
    "require_metric",
    "require_metric_crs",
    "to_crs",
]

_METRE = ("metre", "meter", "m")
Layer = TypeVar("Layer")


def to_crs(crs: object) -> CRS:
    """``crs`` as a :class:`pyproj.CRS`, raising :class:`CRSError` when it is unknown.

    Examples
    --------
    >>> to_crs("EPSG:32649").name
    'WGS 84 / UTM zone 49N'
    """
    if isinstance(crs, CRS):
        return crs
    try:
        return CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        raise CRSError(f"unknown CRS {crs!r}: {exc}",
                       fix="give an EPSG code such as 'EPSG:32649' (UTM 49N)") from None


def is_metric(crs: object) -> bool:
    """Whether a CRS is projected with metre units on every axis.

    Examples
    --------
    >>> is_metric("EPSG:32649"), is_metric("EPSG:4326"), is_metric("EPSG:2227")
    (True, False, False)
    """
    if crs is None:
        return False
    c = to_crs(crs)
    if not c.is_projected:
        return False
    units = [a.unit_name.lower() for a in c.axis_info]
    return bool(units) and all(u in _METRE for u in units)


def require_metric_crs(crs: object, *, what: str = "the analysis CRS",
                       file: str | None = None, column: str | None = None) -> CRS:
    """``crs`` as a :class:`pyproj.CRS`; :class:`CRSError` unless projected in metres.

    Examples
    --------
    >>> require_metric_crs("EPSG:9218").to_epsg()
    9218
    """
    if crs is None:
        raise CRSError(f"{what} has no CRS", file=file, column=column,
                       fix="set its CRS (e.g. gdf.set_crs('EPSG:4326')) before use")
    c = to_crs(crs)
    if not is_metric(c):
        raise CRSError(
            f"{what} {c.to_string()} ({c.name}) is not a metric projected CRS", file=file,
            column=column,
            fix="use a projected CRS in metres, e.g. EPSG:32649 (UTM 49N) for Gia Lai")
    return c


def require_metric(layer: Any, what: str, *, column: str | None = None) -> CRS:
    """The metric CRS of a GeoDataFrame/GeoSeries/Raster; :class:`CRSError` otherwise."""
    return require_metric_crs(getattr(layer, "crs", None), what=what, column=column)


def reproject(layer: Layer, crs: object, what: str) -> Layer:
    """``layer`` (GeoDataFrame or GeoSeries) in ``crs``, as a new object.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> g = gpd.GeoSeries([Point(108, 14)], crs=4326)
    >>> round(reproject(g, "EPSG:32649", "points").x.iloc[0])
    175896
    """
    src = getattr(layer, "crs", None)
    if src is None:
        raise CRSError(f"{what} has no CRS", column="geometry",
                       fix="set the layer's CRS before use, e.g. gdf.set_crs('EPSG:4326')")
    target = to_crs(crs)
    if to_crs(src) == target:
        return layer.copy()  # type: ignore[attr-defined]
    return layer.to_crs(target)  # type: ignore[attr-defined]


def equal_area_crs(crs: object, bounds: tuple[float, float, float, float] | np.ndarray
                   ) -> CRS:
    """A Lambert azimuthal equal-area CRS centred on ``bounds`` (given in ``crs``).

    Examples
    --------
    >>> equal_area_crs("EPSG:4326", (107.5, 13.0, 108.5, 14.0)).to_dict()["proj"]
    'laea'
    """
    src = to_crs(crs)
    x0, y0, x1, y1 = (float(v) for v in bounds)
    if not all(np.isfinite([x0, y0, x1, y1])):
        return CRS.from_epsg(6933)  # no extent: a world equal-area CRS
    if src.is_geographic:
        lon, lat = (x0 + x1) / 2, (y0 + y1) / 2
    else:
        t = pyproj.Transformer.from_crs(src, 4326, always_xy=True)
        lon, lat = t.transform((x0 + x1) / 2, (y0 + y1) / 2)
    return CRS.from_proj4(f"+proj=laea +lat_0={lat:.4f} +lon_0={lon:.4f} +ellps=WGS84 "
                          "+units=m +no_defs +type=crs")
