"""Fiber reach: the distance along roads from commune centres and candidate sites to the
nearest point of the existing fiber network.

Existing fiber routes become access points every ``spacing_m`` along each route (plus
given splice points / POPs). Access points and origins are snapped onto the nearest road
edge; where a point lies off the road, the straight leg to the road counts
``offroad_penalty`` times its length, times a terrain factor (surface over plan length
from the DEM). One multi-source Dijkstra (:func:`scipy.sparse.csgraph.dijkstra`) from all
access points gives every origin's distance. A straight off-road line from the origin
to the nearest fiber, with the same penalty, is used instead when it is shorter.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import LineString, Point
>>> roads = gpd.GeoDataFrame({"road_id": ["r"]}, geometry=[LineString([(0, 0), (10000, 0)])],
...                          crs="EPSG:32649")
>>> fiber = gpd.GeoDataFrame({"route_id": ["F"]}, geometry=[LineString([(0, 0), (0, 5000)])],
...                          crs="EPSG:32649")
>>> g = build_road_graph(roads)
>>> origins = gpd.GeoSeries([Point(3000, 0), Point(8000, 200)], crs="EPSG:32649")
>>> r = fiber_reach(g, fiber, origins, offroad_penalty=1.5)
>>> r.table["distance_km"].round(2).tolist(), r.table["reach_class"].astype(str).tolist()
([3.0, 8.3], ['1-5 km', '5-20 km'])
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from geotel._crs import reproject
from geotel.errors import GeometryError, ValueRangeError
from geotel.fiber._kernels import build_grid, nearest_segments_any
from geotel.fiber._network import Network, attach, locate
from geotel.fiber._terrain import terrain_factor
from geotel.fiber.graph import RoadGraph, build_road_graph  # noqa: F401 (doctests)
from geotel.raster import Raster

__all__ = [
    "REACH_CLASSES",
    "FiberReach",
    "commune_centres",
    "commune_fiber_distance",
    "fiber_access_points",
    "fiber_reach",
    "reach_class",
]

log = logging.getLogger(__name__)

#: Reach classes by network distance to fiber (upper bounds 1, 5, 20 km), then no fiber.
REACH_CLASSES: tuple[str, ...] = ("<=1 km", "1-5 km", "5-20 km", ">20 km", "none")


def reach_class(distance_km: Any) -> pd.Categorical:
    """The reach class of each distance: ≤ 1, ≤ 5, ≤ 20, > 20 km, or ``none`` (no fiber).

    Examples
    --------
    >>> list(reach_class([0.5, 1.0, 4.2, 20.0, 35.0, float("inf")]))
    ['<=1 km', '<=1 km', '1-5 km', '5-20 km', '>20 km', 'none']
    """
    d = np.asarray(distance_km, dtype=np.float64)
    idx = np.searchsorted(np.array([1.0, 5.0, 20.0]), d, side="left")
    idx = np.where(np.isfinite(d), idx, 4)
    return pd.Categorical.from_codes(idx, categories=list(REACH_CLASSES), ordered=True)


@dataclass(frozen=True, eq=False)
class FiberReach:
    """Distance to fiber for each origin.

    ``table`` has one row per origin (the origins' index) and the columns
    ``distance_km`` (total, inf when no fiber can be reached), ``reach_class``,
    ``road_km`` (along roads), ``offroad_km`` (origin to road, penalised),
    ``access_offroad_km`` (road to the fiber access point, penalised), ``via``
    (``road``, ``direct`` for a straight off-road line to the fiber, or ``none``),
    ``access_id`` and ``route_id`` of the fiber point reached, and ``snap_x``/``snap_y``
    (where the origin joins the road).
    """

    table: pd.DataFrame
    access_points: gpd.GeoDataFrame
    crs: CRS
    spacing_m: float
    offroad_penalty: float


def commune_centres(communes: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Commune centres: the office point where given, else a point inside the polygon.

    Office points are read from ``office_x``/``office_y`` (in the layer's CRS) or
    ``office_lon``/``office_lat`` (WGS 84); rows without them use
    ``representative_point()``. The index is kept.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> c = gpd.GeoDataFrame({"office_x": [5.0, None], "office_y": [6.0, None]},
    ...                      geometry=[box(0, 0, 10, 10), box(20, 0, 30, 10)], crs=32649)
    >>> [(p.x, p.y) for p in commune_centres(c)]
    [(5.0, 6.0), (25.0, 5.0)]
    """
    pts = communes.geometry.representative_point()
    for xcol, ycol, crs in (("office_x", "office_y", communes.crs),
                            ("office_lon", "office_lat", "EPSG:4326")):
        if xcol in communes.columns and ycol in communes.columns:
            x = pd.to_numeric(communes[xcol], errors="coerce").to_numpy(np.float64)
            y = pd.to_numeric(communes[ycol], errors="coerce").to_numpy(np.float64)
            ok = np.isfinite(x) & np.isfinite(y)
            if ok.any():
                office = gpd.GeoSeries(shapely.points(np.where(ok, x, 0), np.where(ok, y, 0)),
                                       index=communes.index, crs=crs)
                if communes.crs is not None and crs != communes.crs:
                    office = office.to_crs(communes.crs)
                pts = gpd.GeoSeries(np.where(ok, office.array, pts.array), index=communes.index,
                                    crs=communes.crs)
            break
    return pts


def _points(origins: gpd.GeoDataFrame | gpd.GeoSeries, crs: CRS, what: str) -> np.ndarray:
    geo = origins.geometry if isinstance(origins, gpd.GeoDataFrame) else origins
    geo = reproject(geo, crs, what)
    arr = geo.array
    bad = shapely.is_missing(arr) | shapely.is_empty(arr)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise GeometryError(f"{what}: {int(bad.sum())} empty geometries",
                            feature=str(origins.index[i]), fix="give a point for every row")
    types = shapely.get_type_id(arr)
    if (types != 0).any():
        arr = shapely.centroid(arr)
    return shapely.get_coordinates(arr).reshape(-1, 2)


def fiber_access_points(
    graph: RoadGraph,
    fiber: gpd.GeoDataFrame,
    *,
    spacing_m: float = 500.0,
    pops: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Points where new fiber can join the existing network.

    One point every ``spacing_m`` along each fiber route (both ends included), plus every
    point of ``pops`` (splice points, POPs). Each is snapped to the road graph.

    Returns
    -------
    GeoDataFrame
        ``access_id`` (0..n-1), ``route_id`` (or the POP's id), ``kind`` (``route`` or
        ``pop``), ``road_edge``, ``offroad_m`` (straight distance to the road), points
        in the graph's CRS.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> roads = gpd.GeoDataFrame({"road_id": ["r"]},
    ...                          geometry=[LineString([(0, 0), (2000, 0)])], crs=32649)
    >>> fiber = gpd.GeoDataFrame({"route_id": ["F"]},
    ...                          geometry=[LineString([(0, 10), (1200, 10)])], crs=32649)
    >>> ap = fiber_access_points(build_road_graph(roads), fiber, spacing_m=500)
    >>> len(ap), ap["offroad_m"].round(1).tolist()
    (4, [10.0, 10.0, 10.0, 10.0])
    """
    if spacing_m <= 0:
        raise ValueRangeError(f"spacing_m = {spacing_m} must be positive",
                              column="access_spacing_m", fix="give e.g. 500")
    ids: list[np.ndarray] = []
    geoms: list[np.ndarray] = []
    kinds: list[np.ndarray] = []
    if fiber is not None and len(fiber):
        f = reproject(fiber.geometry, graph.crs, "fiber layer")
        rid = (fiber["route_id"].astype(str).to_numpy(dtype=object) if "route_id" in fiber
               else fiber.index.astype(str).to_numpy(dtype=object))
        arr = f.array
        ok = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
        parts, row = shapely.get_parts(arr[ok], return_index=True)
        row = np.flatnonzero(ok)[row]
        lines = np.isin(shapely.get_type_id(parts), [1, 2])
        parts, row = parts[lines], row[lines]
        length = shapely.length(parts)
        n = np.maximum(1, np.ceil(length / spacing_m).astype(np.int64))
        rep = np.repeat(np.arange(parts.size), n + 1)
        frac = (np.arange(rep.size) - np.repeat(np.cumsum(n + 1) - (n + 1), n + 1)) / n[rep]
        geoms.append(shapely.line_interpolate_point(parts[rep], frac, normalized=True))
        ids.append(rid[row[rep]])
        kinds.append(np.full(rep.size, "route", dtype=object))
    if pops is not None and len(pops):
        p = reproject(pops.geometry, graph.crs, "POP layer")
        col = next((c for c in ("pop_id", "site_id", "route_id") if c in pops.columns), None)
        pid = (pops[col].astype(str) if col else pops.index.astype(str)).to_numpy(dtype=object)
        geoms.append(shapely.centroid(p.array))
        ids.append(pid)
        kinds.append(np.full(len(pops), "pop", dtype=object))
    pts = np.concatenate(geoms) if geoms else np.empty(0, dtype=object)
    xy = shapely.get_coordinates(pts).reshape(-1, 2)
    loc = locate(graph, xy)
    return gpd.GeoDataFrame(
        {"access_id": np.arange(len(pts)),
         "route_id": np.concatenate(ids) if ids else np.empty(0, dtype=object),
         "kind": np.concatenate(kinds) if kinds else np.empty(0, dtype=object),
         "road_edge": loc.edge, "offroad_m": loc.offroad_m},
        geometry=pts, crs=graph.crs,
    )


def _network(
    graph: RoadGraph,
    access_points: gpd.GeoDataFrame,
    origin_xy: np.ndarray,
    *,
    offroad_penalty: float,
    dem: Raster | None,
) -> tuple[Network, np.ndarray, np.ndarray]:
    """Attach access points then origins; return the network and their point nodes."""
    ap_xy = shapely.get_coordinates(access_points.geometry.array).reshape(-1, 2)
    xy = np.concatenate([ap_xy, origin_xy])
    loc = locate(graph, xy)
    factor = offroad_penalty * terrain_factor(xy, loc.snap_xy, graph.crs, dem)
    pend = loc.offroad_m * factor
    net = attach(graph, loc, xy, pendant_dist_m=pend, pendant_weight=pend)
    n_ap = len(ap_xy)
    return net, net.point_node[:n_ap], net.point_node[n_ap:]


def _direct(
    origin_xy: np.ndarray,
    access_points: gpd.GeoDataFrame,
    fiber_geoms: np.ndarray,
    crs: CRS,
    *,
    offroad_penalty: float,
    dem: Raster | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Penalised straight distance from each origin to the nearest fiber; nearest AP."""
    n = len(origin_xy)
    if fiber_geoms.size == 0 or n == 0:
        return np.full(n, np.inf), np.zeros(n, np.int64)
    parts = shapely.get_parts(fiber_geoms)
    xy, idx = shapely.get_coordinates(parts, return_index=True)
    seg = np.flatnonzero(idx[1:] == idx[:-1])
    lone = np.setdiff1d(np.arange(parts.size), idx[seg])  # points (POPs): zero-length pieces
    first = np.searchsorted(idx, lone)
    a = np.concatenate([xy[seg], xy[first]])
    b = np.concatenate([xy[seg + 1], xy[first]])
    grid = build_grid(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    s, t, d = nearest_segments_any(origin_xy[:, 0], origin_xy[:, 1], a[:, 0], a[:, 1],
                                   b[:, 0], b[:, 1], grid)
    near = a[s] + (b[s] - a[s]) * t[:, None]
    d = d * offroad_penalty * terrain_factor(origin_xy, near, crs, dem)
    ap_xy = shapely.get_coordinates(access_points.geometry.array).reshape(-1, 2)
    _, k = cKDTree(ap_xy).query(near)
    return d, np.asarray(k, np.int64)

def fiber_reach(
    graph: RoadGraph,
    fiber: gpd.GeoDataFrame,
    origins: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    spacing_m: float = 500.0,
    offroad_penalty: float = 1.5,
    pops: gpd.GeoDataFrame | None = None,
    dem: Raster | None = None,
    access_points: gpd.GeoDataFrame | None = None,
) -> FiberReach:
    """Network distance from every origin to the nearest fiber access point.

    Parameters
    ----------
    graph
        Road graph from :func:`build_road_graph`.
    fiber
        Existing fiber routes (lines, any CRS).
    origins
        Points (any CRS; other geometries use their centroid): commune centres
        (:func:`commune_centres`) and/or candidate tower sites. Not modified.
    spacing_m
        Access point spacing along the routes.
    offroad_penalty
        Multiplier on straight off-road legs (≥ 1).
    pops
        Optional splice points / POPs, also access points.
    dem
        Optional DEM; off-road legs are further multiplied by surface/plan length.
    access_points
        Precomputed :func:`fiber_access_points` (then ``fiber`` only feeds the
        straight-line option).

    Returns
    -------
    FiberReach

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString, Point
    >>> roads = gpd.GeoDataFrame({"road_id": ["a", "b"]}, crs=32649, geometry=[
    ...     LineString([(0, 0), (4000, 0)]), LineString([(4000, 0), (4000, 3000)])])
    >>> fiber = gpd.GeoDataFrame({"route_id": ["F"]}, crs=32649,
    ...                          geometry=[LineString([(0, 0), (0, 1000)])])
    >>> r = fiber_reach(build_road_graph(roads), fiber, gpd.GeoSeries([Point(4100, 3000)],
    ...                 crs=32649), offroad_penalty=2.0)
    >>> r.table[["distance_km", "road_km", "offroad_km"]].round(3).iloc[0].tolist()
    [7.2, 7.0, 0.2]
    >>> r.table["via"].tolist()
    ['road']
    """
    if offroad_penalty < 1.0:
        raise ValueRangeError(f"offroad_penalty = {offroad_penalty} is below 1",
                              column="offroad_penalty", fix="give a multiplier ≥ 1, e.g. 1.5")
    index = origins.index
    oxy = _points(origins, graph.crs, "origins")
    aps = (access_points if access_points is not None
           else fiber_access_points(graph, fiber, spacing_m=spacing_m, pops=pops))
    n = len(oxy)
    table = pd.DataFrame(index=index)
    total = np.full(n, np.inf)
    road = np.zeros(n)
    off_o = np.zeros(n)
    off_a = np.zeros(n)
    ap_idx = np.full(n, -1, np.int64)
    snap = np.full((n, 2), np.nan)
    if len(aps) and n:
        net, ap_nodes, o_nodes = _network(graph, aps, oxy, offroad_penalty=offroad_penalty,
                                          dem=dem)
        dist, _, src = dijkstra(net.matrix("dist"), directed=False, indices=ap_nodes,
                                min_only=True, return_predecessors=True)
        total = dist[o_nodes]
        reach = np.isfinite(total)
        pend_dist = net.dist_m[-(len(aps) + n):]
        off_o = np.where(reach, pend_dist[len(aps):], 0.0)
        ap_of_node = np.full(net.n_nodes, -1, np.int64)
        ap_of_node[ap_nodes] = np.arange(len(aps))
        ap_idx = np.where(reach, ap_of_node[np.maximum(src[o_nodes], 0)], -1)
        off_a = np.where(reach, pend_dist[np.maximum(ap_idx, 0)], 0.0)
        road = np.where(reach, np.maximum(total - off_o - off_a, 0.0), 0.0)
        snap = net.snap_xy[len(aps):]
    via = np.where(np.isfinite(total), "road", "none").astype(object)
    fgeoms = _fiber_geoms(fiber, pops, graph.crs)
    if len(aps) and n:
        d_direct, k_direct = _direct(oxy, aps, fgeoms, graph.crs,
                                     offroad_penalty=offroad_penalty, dem=dem)
        better = d_direct < total
        total = np.where(better, d_direct, total)
        road[better] = 0.0
        off_o[better] = d_direct[better]
        off_a[better] = 0.0
        ap_idx[better] = k_direct[better]
        via[better] = "direct"
    table["distance_km"] = total / 1000.0
    table["reach_class"] = reach_class(table["distance_km"].to_numpy())
    table["road_km"] = road / 1000.0
    table["offroad_km"] = off_o / 1000.0
    table["access_offroad_km"] = off_a / 1000.0
    table["via"] = via
    table["access_id"] = ap_idx
    rid = aps["route_id"].to_numpy(dtype=object) if len(aps) else np.empty(0, dtype=object)
    none = np.array(None, dtype=object)
    table["route_id"] = np.where(ap_idx >= 0, rid[np.maximum(ap_idx, 0)] if rid.size else none,
                                 none)
    table["snap_x"] = snap[:, 0]
    table["snap_y"] = snap[:, 1]
    log.info("fiber reach: %d origins, %d access points, median %.1f km, %d unreachable",
             n, len(aps), float(np.median(table["distance_km"])) if n else float("nan"),
             int((~np.isfinite(total)).sum()))
    return FiberReach(table, aps, graph.crs, float(spacing_m), float(offroad_penalty))


def _fiber_geoms(
    fiber: gpd.GeoDataFrame | None, pops: gpd.GeoDataFrame | None, crs: CRS
) -> np.ndarray:
    out = []
    for layer, what in ((fiber, "fiber layer"), (pops, "POP layer")):
        if layer is not None and len(layer):
            arr = reproject(layer.geometry, crs, what).array
            out.append(arr[~(shapely.is_missing(arr) | shapely.is_empty(arr))])
    return np.concatenate(out) if out else np.empty(0, dtype=object)


def commune_fiber_distance(
    communes: gpd.GeoDataFrame,
    graph: RoadGraph,
    fiber: gpd.GeoDataFrame,
    *,
    spacing_m: float = 500.0,
    offroad_penalty: float = 1.5,
    pops: gpd.GeoDataFrame | None = None,
    dem: Raster | None = None,
) -> gpd.GeoDataFrame:
    """A new communes layer with ``fiber_distance_km`` and ``fiber_reach_class``.

    The centre of each commune is :func:`commune_centres`; the input is not modified,
    its index and CRS are kept.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString, box
    >>> roads = gpd.GeoDataFrame({"road_id": ["r"]}, crs=32649,
    ...                          geometry=[LineString([(0, 0), (30000, 0)])])
    >>> fiber = gpd.GeoDataFrame({"route_id": ["F"]}, crs=32649,
    ...                          geometry=[LineString([(0, 0), (0, 100)])])
    >>> com = gpd.GeoDataFrame({"commune_code": ["1", "2"]}, crs=32649,
    ...                        geometry=[box(-1000, -1000, 1000, 1000),
    ...                                  box(24000, -1000, 26000, 1000)])
    >>> out = commune_fiber_distance(com, build_road_graph(roads), fiber)
    >>> out["fiber_distance_km"].round(3).tolist(), out["fiber_reach_class"].tolist()
    ([0.0, 25.0], ['<=1 km', '>20 km'])
    """
    centres = commune_centres(communes)
    r = fiber_reach(graph, fiber, centres, spacing_m=spacing_m, offroad_penalty=offroad_penalty,
                    pops=pops, dem=dem)
    out = communes.copy()
    out["fiber_distance_km"] = r.table["distance_km"].to_numpy()
    out["fiber_reach_class"] = r.table["reach_class"].to_numpy()
    return out
