"""The fiber extension plan: the cheapest routes along roads that connect target commune
centres to the existing fiber network.

Targets are the commune centres without fixed Internet (or all of them). Every existing
fiber access point acts as one super-terminal: reaching any of them connects a target.
The routes follow a Steiner tree (Mehlhorn's 2-approximation, improved by key-path
exchange; see :mod:`geotel.fiber._steiner`) or, alternatively, the union of each target's
own shortest path. Routing minimises cost: road length times the road-class weight of
the graph, plus off-road legs (a commune centre away from the road, or a straight line
to the fiber when that is cheaper) times the off-road penalty and the terrain factor.

The tree is cut into routes at junctions, targets and access points. Each route lists
the communes it serves (those whose connection runs through it).

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import LineString, box
>>> roads = gpd.GeoDataFrame({"road_id": ["a", "b", "c"]}, crs=32649, geometry=[
...     LineString([(0, 0), (10000, 0)]), LineString([(10000, 0), (10000, 5000)]),
...     LineString([(10000, 0), (15000, 0)])])
>>> fiber = gpd.GeoDataFrame({"route_id": ["F"]}, crs=32649,
...                          geometry=[LineString([(0, 0), (0, 1000)])])
>>> com = gpd.GeoDataFrame({"commune_code": ["1", "2"], "district_code": ["A", "A"],
...                         "has_fixed_internet": [False, False]}, crs=32649,
...                        geometry=[box(9000, 4000, 11000, 6000), box(14000, -1000, 16000, 1000)])
>>> plan = plan_extension(build_road_graph(roads), fiber, com, cost_per_km_vnd=1e8)
>>> # 20 km of local road (class weight 1.2) at 100 million VND per km
>>> round(plan.total_length_km, 1), round(plan.total_cost_vnd / 1e9, 2), plan.n_connected
(20.0, 2.4, 2)
>>> plan.routes[["length_km", "communes_served"]].round(1).values.tolist()
[[10.0, '1,2'], [5.0, '1'], [5.0, '2']]
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from geotel._crs import reproject
from geotel._zonal import bool_column
from geotel.config import FiberConfig
from geotel.errors import SchemaError, ValueRangeError
from geotel.fiber._network import Network, attach, locate
from geotel.fiber._steiner import shortest_path_forest, steiner_tree
from geotel.fiber._terrain import terrain_factor
from geotel.fiber.graph import RoadGraph, build_road_graph  # noqa: F401 (doctests)
from geotel.fiber.reach import commune_centres, fiber_access_points
from geotel.raster import Raster

__all__ = ["ROUTE_COLUMNS", "FiberPlan", "plan_extension", "select_targets"]

log = logging.getLogger(__name__)

#: Columns of the ``fiber_proposed`` layer (plus geometry).
ROUTE_COLUMNS: tuple[str, ...] = (
    "route_id", "length_km", "offroad_km", "method", "build", "cost_vnd", "communes_served",
    "n_communes",
)


@dataclass(frozen=True, eq=False)
class FiberPlan:
    """Proposed fiber routes and their costs.

    Attributes
    ----------
    routes
        The ``fiber_proposed`` layer: :data:`ROUTE_COLUMNS`, lines in the graph's CRS.
    district_totals
        Per ``district_code``: ``targets``, ``connected``, ``length_km``, ``cost_vnd``
        (a route's length and cost go to the districts its pieces lie in).
    targets
        Per target commune (the communes' index): ``commune_code``, ``district_code``,
        ``connected``, ``route_ids`` (the routes on its way to the fiber).
    """

    routes: gpd.GeoDataFrame
    district_totals: pd.DataFrame
    targets: pd.DataFrame
    method: str
    build: str
    cost_per_km_vnd: float
    total_length_km: float
    total_cost_vnd: float
    n_targets: int
    n_connected: int


def select_targets(
    communes: gpd.GeoDataFrame, targets: Literal["unconnected", "all"]
) -> gpd.GeoDataFrame:
    """The target communes: those without fixed Internet, or all of them."""
    if targets == "all":
        return communes
    if targets != "unconnected":
        raise ValueRangeError(f"targets = {targets!r} is not 'unconnected' or 'all'",
                              column="targets", fix="use 'unconnected' or 'all'")
    if "has_fixed_internet" not in communes.columns:
        raise SchemaError("the communes layer has no 'has_fixed_internet' column",
                          column="has_fixed_internet",
                          fix="add it (true/false per commune) or plan with targets='all'")
    # Known to lack fixed Internet; an unknown value is not a target (nor connected).
    unconnected = (bool_column(communes, "has_fixed_internet") == False).fillna(False)  # noqa: E712
    return communes[unconnected.to_numpy(bool)]


def _cost_per_km(cost: float | Mapping[str, float] | None, build: str) -> float:
    table = FiberConfig().cost_per_km_vnd if cost is None else cost
    if isinstance(table, Mapping):
        if build not in table:
            raise ValueRangeError(f"no cost per km given for build method '{build}'",
                                  column="cost_per_km_vnd",
                                  fix=f"add '{build}: <VND per km>' to fiber.cost_per_km_vnd")
        value = float(table[build])
    else:
        value = float(table)
    if not np.isfinite(value) or value < 0:
        raise ValueRangeError(f"cost per km {value} must be a non-negative number",
                              column="cost_per_km_vnd", fix="give VND per km, e.g. 60000000")
    return value


def _plan_network(
    graph: RoadGraph, aps: gpd.GeoDataFrame, target_xy: np.ndarray, *,
    offroad_penalty: float, dem: Raster | None,
) -> tuple[Network, np.ndarray, np.ndarray]:
    """Network with access points and targets attached, plus straight target→AP links."""
    ap_xy = shapely.get_coordinates(aps.geometry.array).reshape(-1, 2)
    xy = np.concatenate([ap_xy, target_xy])
    loc = locate(graph, xy)
    pend = loc.offroad_m * offroad_penalty * terrain_factor(xy, loc.snap_xy, graph.crs, dem)
    net = attach(graph, loc, xy, pendant_dist_m=pend, pendant_weight=pend)
    n_ap = len(ap_xy)
    ap_nodes, t_nodes = net.point_node[:n_ap], net.point_node[n_ap:]
    # straight off-road links from each target to its nearest access point
    d, k = cKDTree(ap_xy).query(target_xy)
    k = np.asarray(k, np.int64)
    straight = np.asarray(d, np.float64)
    cost = straight * offroad_penalty * terrain_factor(target_xy, ap_xy[k], graph.crs, dem)
    m = t_nodes.size
    net = dataclasses.replace(
        net,
        u=np.r_[net.u, t_nodes], v=np.r_[net.v, ap_nodes[k]],
        length_m=np.r_[net.length_m, straight], dist_m=np.r_[net.dist_m, cost],
        weight=np.r_[net.weight, cost], parent=np.r_[net.parent, np.full(m, -2)],
        off0=np.r_[net.off0, np.zeros(m)], off1=np.r_[net.off1, straight], _cache={},
    )
    return net, ap_nodes, t_nodes


def _routes(
    a: np.ndarray, b: np.ndarray, key_nodes: set[int]
) -> list[list[tuple[int, int]]]:
    """Cut a forest (edges a–b) into chains between key nodes and nodes of degree ≠ 2."""
    adj: dict[int, list[int]] = {}
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        adj.setdefault(x, []).append(y)
        adj.setdefault(y, []).append(x)
    stops = {x for x, nb in adj.items() if len(nb) != 2} | (key_nodes & adj.keys())
    seen: set[tuple[int, int]] = set()
    out: list[list[tuple[int, int]]] = []

    def walk(start: int, nb: int) -> None:
        chain = [(start, nb)]
        seen.add((min(start, nb), max(start, nb)))
        prev, cur = start, nb
        while cur not in stops:
            nxt = adj[cur][0] if adj[cur][0] != prev else adj[cur][1]
            e = (min(cur, nxt), max(cur, nxt))
            if e in seen:
                break
            seen.add(e)
            chain.append((cur, nxt))
            prev, cur = cur, nxt
        out.append(chain)

    for s in sorted(stops):
        for nb in adj[s]:
            if (min(s, nb), max(s, nb)) not in seen:
                walk(s, nb)
    for x in sorted(adj):  # cycles without any stop (cannot happen in a forest)
        for nb in adj[x]:
            if (min(x, nb), max(x, nb)) not in seen:
                walk(x, nb)
    return out


def _empty_routes(crs: object) -> gpd.GeoDataFrame:
    cols: dict[str, pd.Series] = {c: pd.Series(dtype="float64") for c in ROUTE_COLUMNS}
    for c in ("route_id", "method", "build", "communes_served"):
        cols[c] = pd.Series(dtype="object")
    cols["n_communes"] = pd.Series(dtype="int64")
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def plan_extension(
    graph: RoadGraph,
    fiber: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    *,
    targets: Literal["unconnected", "all"] = "unconnected",
    method: Literal["steiner", "shortest_paths"] = "steiner",
    build: Literal["aerial", "underground"] = "aerial",
    cost_per_km_vnd: float | Mapping[str, float] | None = None,
    spacing_m: float = 500.0,
    offroad_penalty: float = 1.5,
    pops: gpd.GeoDataFrame | None = None,
    dem: Raster | None = None,
    access_points: gpd.GeoDataFrame | None = None,
) -> FiberPlan:
    """Plan the cheapest fiber routes from the target communes to the existing network.

    Parameters
    ----------
    graph
        Road graph (:func:`~geotel.fiber.graph.build_road_graph`); its class weights
        scale the cost per km by road class.
    fiber
        Existing fiber routes (lines, any CRS).
    communes
        Communes layer (``commune_code``; ``district_code``, ``has_fixed_internet`` and
        office points used when present); not modified.
    targets
        ``unconnected``: communes whose ``has_fixed_internet`` is false; ``all``.
    method
        ``steiner`` (one shared tree) or ``shortest_paths`` (each target's own path).
    build
        ``aerial`` (on existing poles) or ``underground`` (duct).
    cost_per_km_vnd
        VND per km: one number, or a mapping by build method; the default is
        :attr:`geotel.config.FiberConfig.cost_per_km_vnd`.
    spacing_m, offroad_penalty, pops, dem, access_points
        As in :func:`~geotel.fiber.reach.fiber_reach`.

    Returns
    -------
    FiberPlan

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString, Point, box
    >>> roads = gpd.GeoDataFrame({"road_id": ["a"]}, crs=32649,
    ...                          geometry=[LineString([(0, 0), (8000, 0)])])
    >>> fiber = gpd.GeoDataFrame({"route_id": ["F"]}, crs=32649,
    ...                          geometry=[LineString([(0, 0), (0, 500)])])
    >>> com = gpd.GeoDataFrame({"commune_code": ["1"]}, crs=32649,
    ...                        geometry=[box(7000, -1000, 9000, 1000)])
    >>> p = plan_extension(build_road_graph(roads), fiber, com, targets="all",
    ...                    method="shortest_paths", cost_per_km_vnd=1e8)
    >>> p.routes[["route_id", "length_km", "cost_vnd", "communes_served"]].values.tolist()
    [['FP001', 8.0, 960000000.0, '1']]
    """
    if method not in ("steiner", "shortest_paths"):
        raise ValueRangeError(f"method = {method!r} is not 'steiner' or 'shortest_paths'",
                              column="method", fix="use 'steiner' or 'shortest_paths'")
    if build not in ("aerial", "underground"):
        raise ValueRangeError(f"build = {build!r} is not 'aerial' or 'underground'",
                              column="build", fix="use 'aerial' or 'underground'")
    if "commune_code" not in communes.columns:
        raise SchemaError("the communes layer has no 'commune_code' column",
                          column="commune_code", fix="add the 5-digit GSO commune code")
    per_km = _cost_per_km(cost_per_km_vnd, build)
    com = reproject(communes, graph.crs, "communes layer")
    tgt = select_targets(com, targets)
    codes = tgt["commune_code"].astype(str).to_numpy(dtype=object)
    dcol = (tgt["district_code"].astype(str) if "district_code" in tgt.columns
            else pd.Series("", index=tgt.index)).to_numpy(dtype=object)
    table = pd.DataFrame({"commune_code": codes, "district_code": dcol,
                          "connected": False, "route_ids": ""}, index=tgt.index)
    aps = (access_points if access_points is not None
           else fiber_access_points(graph, fiber, spacing_m=spacing_m, pops=pops))
    routes = _empty_routes(graph.crs)
    if len(tgt) == 0 or len(aps) == 0:
        if len(tgt) and len(aps) == 0:
            log.warning("fiber plan: no existing fiber to connect %d target(s) to", len(tgt))
        else:
            log.info("fiber plan: no target communes (targets=%s)", targets)
        return _finish(routes, table, com, method, build, per_km)
    txy = shapely.get_coordinates(commune_centres(tgt).array).reshape(-1, 2)
    net, ap_nodes, t_nodes = _plan_network(graph, aps, txy, offroad_penalty=offroad_penalty,
                                           dem=dem)
    matrix = net.matrix("weight")
    if method == "steiner":
        a, b, reached = steiner_tree(matrix, [ap_nodes] + [np.array([t]) for t in t_nodes])
        reached = reached[1:]
    else:
        a, b, reached = shortest_path_forest(matrix, ap_nodes, t_nodes)
    table["connected"] = reached
    if a.size == 0:
        return _finish(routes, table, com, method, build, per_km)
    edges = net.pair_edges(a, b, "weight")
    chains = _routes(a, b, set(t_nodes.tolist()) | set(ap_nodes.tolist()))
    # root the forest at the access points; each target's way up names its routes
    route_of: dict[tuple[int, int], int] = {}
    for r, chain in enumerate(chains):
        for x, y in chain:
            route_of[(min(x, y), max(x, y))] = r
    parent = _parents(a, b, ap_nodes)
    served: list[list[str]] = [[] for _ in chains]
    route_ids = []
    for t, code, ok in zip(t_nodes.tolist(), codes, reached, strict=True):
        ids: list[int] = []
        x = t
        while ok and x in parent:
            y = parent[x]
            r = route_of[(min(x, y), max(x, y))]
            if not ids or ids[-1] != r:
                ids.append(r)
            x = y
        for r in ids:
            served[r].append(str(code))
        route_ids.append(ids)
    emap = {(min(x, y), max(x, y)): int(e) for x, y, e in zip(a.tolist(), b.tolist(),
                                                               edges.tolist(), strict=True)}
    geoms, length, offroad, cost = [], [], [], []
    for chain in chains:
        es = np.array([emap[(min(x, y), max(x, y))] for x, y in chain], np.int64)
        parts = net.geometries(es)
        parts = parts[(shapely.get_type_id(parts) == 1) & (shapely.length(parts) > 0)]
        g = (shapely.line_merge(shapely.multilinestrings(list(parts))) if parts.size
             else shapely.LineString())
        geoms.append(g)
        length.append(net.length_m[es].sum() / 1000.0)
        offroad.append(net.length_m[es][net.parent[es] < 0].sum() / 1000.0)
        cost.append(net.weight[es].sum() / 1000.0 * per_km)
    # zero-length pieces (a centre right at the fiber) are no route
    order = sorted((r for r in range(len(chains)) if length[r] > 1e-6),
                   key=lambda r: (-len(served[r]), -length[r]))
    rid = {r: f"FP{i + 1:03d}" for i, r in enumerate(order)}
    routes = gpd.GeoDataFrame({
        "route_id": [rid[r] for r in order],
        "length_km": [length[r] for r in order],
        "offroad_km": [offroad[r] for r in order], "method": method, "build": build,
        "cost_vnd": [cost[r] for r in order],
        "communes_served": [",".join(sorted(served[r])) for r in order],
        "n_communes": [len(served[r]) for r in order],
    }, geometry=[geoms[r] for r in order], crs=graph.crs)
    if routes.empty:
        routes = _empty_routes(graph.crs)
    table["route_ids"] = [",".join(rid[r] for r in ids if r in rid) for ids in route_ids]
    return _finish(routes, table, com, method, build, per_km)


def _parents(a: np.ndarray, b: np.ndarray, roots: np.ndarray) -> dict[int, int]:
    """Parent of every forest node, walking outwards from the root nodes present."""
    adj: dict[int, list[int]] = {}
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        adj.setdefault(x, []).append(y)
        adj.setdefault(y, []).append(x)
    parent: dict[int, int] = {}
    frontier = [int(r) for r in roots if int(r) in adj]
    seen = set(frontier)
    while frontier:
        nxt = []
        for x in frontier:
            for y in adj[x]:
                if y not in seen:
                    seen.add(y)
                    parent[y] = x
                    nxt.append(y)
        frontier = nxt
    return parent


def _finish(
    routes: gpd.GeoDataFrame, table: pd.DataFrame, communes: gpd.GeoDataFrame, method: str,
    build: str, per_km: float,
) -> FiberPlan:
    totals = _district_totals(routes, table, communes)
    plan = FiberPlan(
        routes=routes, district_totals=totals, targets=table, method=method, build=build,
        cost_per_km_vnd=per_km, total_length_km=float(routes["length_km"].sum()),
        total_cost_vnd=float(routes["cost_vnd"].sum()), n_targets=len(table),
        n_connected=int(table["connected"].sum()),
    )
    log.info("fiber plan (%s, %s): %d/%d targets connected, %.1f km, %.3g VND", method, build,
             plan.n_connected, plan.n_targets, plan.total_length_km, plan.total_cost_vnd)
    return plan


def _district_totals(
    routes: gpd.GeoDataFrame, table: pd.DataFrame, communes: gpd.GeoDataFrame
) -> pd.DataFrame:
    cols = ["targets", "connected", "length_km", "cost_vnd"]
    by_target = table.groupby("district_code").agg(targets=("commune_code", "size"),
                                                   connected=("connected", "sum"))
    if len(routes) and "district_code" in communes.columns:
        pieces = routes.geometry.explode(index_parts=False)
        xy, idx = shapely.get_coordinates(pieces.array, return_index=True)
        same = idx[1:] == idx[:-1]
        a, b = xy[:-1][same], xy[1:][same]
        row = pieces.index.to_numpy()[idx[:-1][same]]  # the route of each segment
        seglen = np.hypot(*(b - a).T)
        share = seglen / np.maximum(np.bincount(row, weights=seglen)[row], 1e-9)
        hit = communes.sindex.query(shapely.points((a + b) / 2), predicate="within")
        dist = np.full(len(a), "", dtype=object)
        dist[hit[0]] = communes["district_code"].astype(str).to_numpy(dtype=object)[hit[1]]
        df = pd.DataFrame({
            "district_code": dist,
            "length_km": routes["length_km"].to_numpy()[row] * share,
            "cost_vnd": routes["cost_vnd"].to_numpy()[row] * share,
        })
        by_route = df.groupby("district_code")[["length_km", "cost_vnd"]].sum()
    else:
        by_route = pd.DataFrame(columns=["length_km", "cost_vnd"], dtype=float)
    out = by_target.join(by_route, how="outer")
    for c in cols:
        if c not in out:
            out[c] = 0.0
    out = out[cols].fillna(0.0)
    out["targets"] = out["targets"].astype(int)
    out["connected"] = out["connected"].astype(int)
    out.index.name = "district_code"
    return out.sort_index()
