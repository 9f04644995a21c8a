"""Synthetic roads and fiber of the demo province.

Roads
    The main roads (QL14, QL19, QL25, QL14C and provincial roads) are smooth random
    curves through their real waypoints (the towns they serve). District and commune
    roads then join every commune office to the network, nearest first (a Prim-style
    spanning tree), each ending exactly on a vertex of the road it joins, so the
    network is connected without any snapping.
Fiber
    The union of the road paths from Pleiku to every commune office, except that the
    communes without fixed Internet get a route that stops short of their office and
    Kon Pne gets none.
"""

from __future__ import annotations

import dataclasses
import itertools

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely
from scipy.spatial import cKDTree

from geotel.datasets._facts import ANALYSIS_CRS, KON_PNE_CODE, districts, road_waypoints
from geotel.datasets._noise import rng

__all__ = ["RoadGraph", "make_fiber", "make_roads", "road_graph"]

_STEP_M = 400.0


def _curve(x0: float, y0: float, x1: float, y1: float, *, name: str, wiggle: float
           ) -> np.ndarray:
    """Points from (x0, y0) to (x1, y1) about every 400 m, bent by a smooth random
    lateral offset that vanishes at both ends (the ends are kept exactly)."""
    length = float(np.hypot(x1 - x0, y1 - y0))
    n = max(2, int(np.ceil(length / _STEP_M)) + 1)
    t = np.linspace(0.0, 1.0, n)
    g = rng(name)
    amp = g.normal(0.0, 1.0, 3) * np.array([1.0, 0.45, 0.2]) * wiggle * length
    phase = g.uniform(0, 2 * np.pi, 3)
    off = sum(a * np.sin(np.pi * (k + 1) * t + p * k)
              for k, (a, p) in enumerate(zip(amp, phase, strict=True)))
    off = off * np.sin(np.pi * t)
    nx_, ny_ = -(y1 - y0) / max(length, 1.0), (x1 - x0) / max(length, 1.0)
    pts = np.c_[x0 + (x1 - x0) * t + off * nx_, y0 + (y1 - y0) * t + off * ny_]
    pts[0] = (x0, y0)
    pts[-1] = (x1, y1)
    return pts


def _main_roads() -> list[tuple[str, str, str, np.ndarray]]:
    wp = road_waypoints()
    seats = districts()[["seat_x", "seat_y"]].to_numpy()
    out = []
    for road_id, grp in wp.groupby("road_id", sort=False):
        grp = grp.sort_values("seq")
        xy = grp[["x", "y"]].to_numpy(float).copy()
        # A waypoint within 1.5 km of a district seat is the seat itself.
        d = np.hypot(xy[:, None, 0] - seats[None, :, 0], xy[:, None, 1] - seats[None, :, 1])
        near = d.min(axis=1) < 1_500.0
        xy[near] = seats[d.argmin(axis=1)[near]]
        parts = [
            _curve(*xy[i], *xy[i + 1], name=f"road-{road_id}-{i}", wiggle=0.05)[: -1]
            for i in range(len(xy) - 1)
        ]
        coords = np.vstack([*parts, xy[-1:]])
        out.append((str(road_id), str(grp["name"].iloc[0]), str(grp["road_class"].iloc[0]),
                    coords))
    return out


def make_roads(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Main roads plus district/commune roads joining every commune office.

    ``communes`` carries ``office_x``/``office_y`` (analysis CRS). Returns the roads
    layer (``road_id``, ``road_class``, ``name``) in the analysis CRS.
    """
    rows = _main_roads()
    net = np.vstack([c for *_, c in rows])
    net_class = np.concatenate([[cls] * len(c) for _, _, cls, c in rows])
    office = communes[["office_x", "office_y"]].to_numpy(float)
    tree = cKDTree(net)
    dist, idx = tree.query(office)
    best = np.c_[net[idx]]
    best_class = net_class[idx]
    todo = np.ones(len(office), bool)
    k = 0
    while todo.any():
        i = int(np.flatnonzero(todo)[np.argmin(dist[todo])])
        todo[i] = False
        if dist[i] < 1.0:  # the office is a vertex of the network already
            continue
        k += 1
        code = communes["commune_code"].iloc[i]
        cls = "district" if best_class[i] in ("national", "provincial") else "commune"
        pts = _curve(*office[i], *best[i], name=f"local-{code}", wiggle=0.06)[::-1]
        name = f"Đường vào {communes['commune_name'].iloc[i]}"
        rows.append((f"DX{k:03d}", name, cls, pts))
        # The new road's vertices join the network for the offices still to do.
        d_new, j_new = cKDTree(pts).query(office)
        better = todo & (d_new < dist)
        dist[better] = d_new[better]
        best[better] = pts[j_new[better]]
        best_class[better] = cls
    return gpd.GeoDataFrame(
        {"road_id": [r[0] for r in rows], "road_class": [r[2] for r in rows],
         "name": [r[1] for r in rows]},
        geometry=[shapely.LineString(r[3]) for r in rows], crs=ANALYSIS_CRS,
    )


@dataclasses.dataclass(frozen=True)
class RoadGraph:
    """Road vertices as graph nodes (exact coordinates), edges with length and class."""

    graph: nx.Graph
    xy: np.ndarray  # node id -> (x, y)
    tree: cKDTree

    def node_of(self, x: float, y: float) -> int:
        """The node nearest (x, y)."""
        return int(self.tree.query([x, y])[1])

    def nodes_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The nodes nearest each point."""
        return self.tree.query(np.c_[x, y])[1].astype(np.int64)


def road_graph(roads: gpd.GeoDataFrame) -> RoadGraph:
    """The road network as a graph: vertices shared by exact coordinates."""
    coords, part = shapely.get_coordinates(roads.geometry.array, return_index=True)
    keys, inv = np.unique(np.round(coords, 3), axis=0, return_inverse=True)
    inv = inv.ravel()
    same = part[1:] == part[:-1]
    a, b = inv[:-1][same], inv[1:][same]
    length = np.hypot(*(coords[1:][same] - coords[:-1][same]).T)
    cls = roads["road_class"].to_numpy()[part[:-1][same]]
    rid = roads["road_id"].to_numpy()[part[:-1][same]]
    g = nx.Graph()
    g.add_nodes_from(range(len(keys)))
    g.add_edges_from(
        (int(u), int(v), {"length_m": float(w), "road_class": c, "road_id": r})
        for u, v, w, c, r in zip(a, b, length, cls, rid, strict=True) if u != v
    )
    return RoadGraph(g, keys, cKDTree(keys))


_LEVEL = {"national": "backbone", "provincial": "provincial"}


def make_fiber(
    rg: RoadGraph, communes: gpd.GeoDataFrame, no_internet: list[str]
) -> tuple[gpd.GeoDataFrame, dict[str, float]]:
    """Existing fiber along the road paths (graph ``rg``) from Pleiku to the offices.

    ``no_internet``: codes of communes whose route stops 2–5 km short of the office
    (Kon Pne: no route at all). Returns the fiber layer (``route_id``, ``operator``,
    ``level``) and, per commune, the remaining road distance (m) from the fiber end to
    the office (0 for connected communes).
    """
    seat = districts().set_index("district_code").loc["622"]
    root = rg.node_of(seat["seat_x"], seat["seat_y"])
    _, paths = nx.single_source_dijkstra(rg.graph, root, weight="length_m")
    edges: set[tuple[int, int]] = set()
    gap: dict[str, float] = {}
    g = rng("fiber-gaps")
    nodes = rg.nodes_of(communes["office_x"].to_numpy(), communes["office_y"].to_numpy())
    for code, node, poly in zip(communes["commune_code"], nodes, communes.geometry, strict=True):
        path = paths[int(node)]
        if code == KON_PNE_CODE:
            gap[code] = np.inf
            continue
        if code in no_internet:
            seg = np.hypot(*np.diff(rg.xy[path], axis=0).T)
            back = np.concatenate([np.cumsum(seg[::-1])[::-1], [0.0]])  # to the office
            inside = shapely.contains_xy(poly, rg.xy[path, 0], rg.xy[path, 1])
            want = g.uniform(2_000.0, 5_000.0)
            ok = np.flatnonzero(inside & (back >= want))
            if ok.size == 0:
                ok = np.flatnonzero(inside & (back >= 800.0))
            cut = int(ok[0]) if ok.size else max(len(path) - 2, 0)
            gap[code] = float(back[cut])
            path = path[: cut + 1]
        else:
            gap[code] = 0.0
        edges.update((min(u, v), max(u, v)) for u, v in itertools.pairwise(path))
    groups: dict[tuple[str, str], list[shapely.Geometry]] = {}
    for u, v in sorted(edges):
        data = rg.graph.edges[u, v]
        level = _LEVEL.get(data["road_class"], "district")
        groups.setdefault((level, data["road_id"]), []).append(shapely.linestrings(rg.xy[[u, v]]))
    rows = []
    for (level, road_id), segs in sorted(groups.items()):
        merged = shapely.line_merge(shapely.union_all(segs))
        for j, part in enumerate(shapely.get_parts(merged)):
            rows.append((f"VNPT-{road_id}-{j + 1}", "VNPT", level, part))
            if level == "backbone":
                rows.append((f"VTL-{road_id}-{j + 1}", "Viettel", level, part))
    fiber = gpd.GeoDataFrame(
        {"route_id": [r[0] for r in rows], "operator": [r[1] for r in rows],
         "level": [r[2] for r in rows]},
        geometry=[r[3] for r in rows], crs=ANALYSIS_CRS,
    )
    return fiber, gap
