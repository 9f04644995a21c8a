"""Geometry clean-up shared by the output writers."""

from __future__ import annotations

import numpy as np
import shapely

__all__ = ["dominant_parts", "local_tm", "utm_epsg"]

_FAMILY = {"Point": "point", "MultiPoint": "point", "LineString": "line",
           "MultiLineString": "line", "LinearRing": "line", "Polygon": "polygon",
           "MultiPolygon": "polygon"}


def dominant_parts(geoms: np.ndarray) -> np.ndarray:
    """Replace geometry collections (e.g. from ``make_valid``) by their parts of the
    layer's dominant family (polygon > line > point); other geometries are unchanged.

    Examples
    --------
    >>> from shapely.geometry import GeometryCollection, Point, box
    >>> out = dominant_parts(np.array([box(0, 0, 1, 1),
    ...                                GeometryCollection([box(2, 0, 3, 1), Point(5, 5)])]))
    >>> [g.geom_type for g in out]
    ['Polygon', 'Polygon']
    """
    geoms = np.asarray(geoms, dtype=object)
    kinds = [g.geom_type if g is not None else None for g in geoms]
    if "GeometryCollection" not in kinds:
        return geoms
    fams = {_FAMILY[k] for k in kinds if k in _FAMILY}
    if not fams:
        fams = {_FAMILY[p.geom_type] for g in geoms if g is not None
                for p in shapely.get_parts(g) if p.geom_type in _FAMILY}
    keep = next((f for f in ("polygon", "line", "point") if f in fams), "polygon")
    out = geoms.copy()
    for i, (g, k) in enumerate(zip(geoms, kinds, strict=True)):
        if k == "GeometryCollection":
            parts = [p for p in shapely.get_parts(g) if _FAMILY.get(p.geom_type) == keep]
            out[i] = shapely.union_all(parts) if parts else shapely.from_wkt(
                "GEOMETRYCOLLECTION EMPTY")
    return out


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the WGS 84 UTM zone of a point.

    Examples
    --------
    >>> utm_epsg(108.2, 13.9), utm_epsg(105.0, -1.0)
    (32649, 32748)
    """
    zone = min(60, max(1, int((lon + 180.0) // 6.0) + 1))
    return (32600 if lat >= 0 else 32700) + zone


def local_tm(lon0: float) -> str:
    """A transverse Mercator CRS (WGS 84, scale 1) on the meridian ``lon0``: metres are
    true to within 0.02 % over a province, for scale bars and simplification.

    Examples
    --------
    >>> local_tm(108.25)
    '+proj=tmerc +lat_0=0 +lon_0=108.25 +k=1 +x_0=500000 +y_0=0 +datum=WGS84 +units=m +no_defs'
    """
    return (f"+proj=tmerc +lat_0=0 +lon_0={round(lon0, 2):g} +k=1 +x_0=500000 +y_0=0 "
            "+datum=WGS84 +units=m +no_defs")
