"""Private: the meeting map's data as compact JSON (features, tower rows), with
geometries simplified and coordinates rounded so that a province stays well under 10 MB."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geotel.outputs import _labels as L
from geotel.outputs._geoms import dominant_parts

__all__ = ["DECIMALS", "feature_collection", "to_json", "tower_rows"]

DECIMALS = 5  # ~1 m


def to_json(obj: object) -> str:
    """Compact JSON safe inside a <script> element."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("</", "<\\/")


def _py(v: object) -> object:
    """A JSON-able Python scalar (NaN/NA -> None, numpy -> Python, floats rounded)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return None
        return round(v, 2)
    if isinstance(v, bool | int | str):
        return v
    return str(v)


def _simplified(gdf: gpd.GeoDataFrame, tolerance_m: float, metric_epsg: int) -> np.ndarray:
    """Geometries (EPSG:4326) simplified by ``tolerance_m`` metres and rounded to ~1 m."""
    geoms = dominant_parts(np.asarray(gdf.geometry.array, dtype=object))
    if tolerance_m > 0 and len(gdf):
        g = gpd.GeoSeries(geoms, crs=gdf.crs).to_crs(metric_epsg)
        g = g.simplify(tolerance_m, preserve_topology=True)
        geoms = g.to_crs(4326).array
    return shapely.transform(np.asarray(geoms, dtype=object),
                             lambda c: np.round(c, DECIMALS))


def feature_collection(gdf: gpd.GeoDataFrame, columns: Sequence[str], *,
                       tolerance_m: float = 0.0, metric_epsg: int = 32649,
                       anchor: bool = False) -> str:
    """A GeoJSON FeatureCollection (text) of ``gdf`` (EPSG:4326) with the ``columns``
    present; ``anchor`` adds ``_pt``, a [lat, lon] inside each feature (where the map
    opens its popup when it is opened from the search box).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"name": ["A"], "x": [float("nan")]},
    ...                      geometry=[box(108, 14, 108.2, 14.1)], crs=4326)
    >>> fc = json.loads(feature_collection(g, ["name", "x", "y"], anchor=True))
    >>> fc["features"][0]["properties"]
    {'name': 'A', 'x': None, '_pt': [14.05, 108.1]}
    """
    cols = list(dict.fromkeys(c for c in columns if c in gdf.columns))
    geoms = _simplified(gdf, tolerance_m, metric_epsg)
    props = gdf[cols].astype(object).to_numpy() if cols else np.empty((len(gdf), 0))
    parts = []
    for geom, row in zip(geoms, props, strict=True):
        if geom is None or shapely.is_empty(geom):
            continue
        p = {c: _py(v) for c, v in zip(cols, row, strict=True)}
        if anchor:
            pt = shapely.point_on_surface(geom)
            p["_pt"] = [round(pt.y, DECIMALS), round(pt.x, DECIMALS)]
        parts.append('{"type":"Feature","properties":' + to_json(p) + ',"geometry":'
                     + shapely.to_geojson(geom) + "}")
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"


def tower_rows(towers: gpd.GeoDataFrame) -> str:
    """One row per site: [lat, lon, operator index, site id, technologies, height, sectors,
    shared by]."""
    t = towers[~(towers.geometry.is_empty | towers.geometry.isna())]
    n = len(t)
    df = pd.DataFrame({
        "site": t["site_id"].astype(str).to_numpy() if "site_id" in t.columns
        else np.array([f"#{i + 1}" for i in range(n)], dtype=object),
        "lat": np.round(t.geometry.y.to_numpy(), DECIMALS),
        "lon": np.round(t.geometry.x.to_numpy(), DECIMALS),
        "op": t["operator"].to_numpy() if "operator" in t.columns else np.full(n, None),
        "tech": t["technologies"].fillna("").astype(str).to_numpy()
        if "technologies" in t.columns else np.full(n, ""),
        "height": pd.to_numeric(t["height_m"], errors="coerce").to_numpy()
        if "height_m" in t.columns else np.full(n, np.nan),
        "shared": t["shared_by"].fillna("").astype(str).to_numpy()
        if "shared_by" in t.columns else np.full(n, ""),
    })
    g = df.groupby("site", sort=False)
    sites = g.agg(lat=("lat", "first"), lon=("lon", "first"), op=("op", "first"),
                  tech=("tech", lambda s: ",".join(sorted({x.strip() for v in s
                                                           for x in v.split(",") if x.strip()}))),
                  height=("height", "max"), sectors=("lat", "size"), shared=("shared", "first"))
    ops = {op: i for i, op in enumerate(L.OPERATOR_COLORS)}
    rows = [[la, lo, ops.get(op, -1), site, te, _py(h), int(k), sh]
            for site, la, lo, op, te, h, k, sh in zip(
                sites.index, sites["lat"], sites["lon"], sites["op"], sites["tech"],
                sites["height"], sites["sectors"], sites["shared"], strict=True)]
    return to_json(rows)
