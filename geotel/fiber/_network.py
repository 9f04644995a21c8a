"""Points attached to the road graph: snapped onto the nearest edge, which is split there,
and joined to the snap point by a straight off-road "pendant" edge.

The result, :class:`Network`, is the graph that reach and the extension plan route on.
It keeps three measures per edge: ``length_m`` (physical), ``dist_m`` (what reach counts:
road length, or the off-road leg times its penalty) and ``weight`` (routing cost: road
length times the class weight, or the penalised off-road leg).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import shapely
import shapely.ops
from scipy.sparse import csr_matrix

from geotel.fiber._kernels import build_grid, nearest_segments_any
from geotel.fiber.graph import RoadGraph, adjacency

__all__ = ["Located", "Network", "attach", "locate"]


@dataclass(frozen=True, eq=False)
class Located:
    """Where points meet the road graph: edge, distance along it from u, snap point."""

    edge: np.ndarray
    offset_m: np.ndarray
    snap_xy: np.ndarray
    offroad_m: np.ndarray


def locate(graph: RoadGraph, xy: np.ndarray) -> Located:
    """Snap each point onto the nearest point of the nearest edge (exact, any distance)."""
    xy = np.asarray(xy, np.float64).reshape(-1, 2)
    edge, a, b, offset = graph.segments()
    if "segment_grid" not in graph._cache:
        graph._cache["segment_grid"] = build_grid(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    grid = graph._cache["segment_grid"]
    s, t, d = nearest_segments_any(xy[:, 0], xy[:, 1], a[:, 0], a[:, 1], b[:, 0], b[:, 1], grid)
    found = s >= 0
    s = np.where(found, s, 0)
    seglen = np.hypot(*(b[s] - a[s]).T)
    snap = a[s] + (b[s] - a[s]) * t[:, None]
    off = offset[s] + t * seglen
    e = np.where(found, edge[s], -1)
    off = np.clip(off, 0.0, graph.length_m[np.maximum(e, 0)]) if e.size else off
    return Located(e, np.where(found, off, np.nan), np.where(found[:, None], snap, np.nan),
                   np.where(found, d, np.inf))


@dataclass(frozen=True, eq=False)
class Network:
    """The road graph with attached points (see the module docstring)."""

    graph: RoadGraph
    n_nodes: int
    u: np.ndarray
    v: np.ndarray
    length_m: np.ndarray
    dist_m: np.ndarray
    weight: np.ndarray
    #: Road graph edge the piece belongs to; -1 for an off-road pendant.
    parent: np.ndarray
    off0: np.ndarray
    off1: np.ndarray
    #: Node of each attached point, and of its snap point on the road.
    point_node: np.ndarray
    snap_node: np.ndarray
    point_xy: np.ndarray
    snap_xy: np.ndarray
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def matrix(self, kind: Literal["dist", "weight"]) -> csr_matrix:
        if kind not in self._cache:
            w = self.dist_m if kind == "dist" else self.weight
            self._cache[kind] = adjacency(self.u, self.v, w, self.n_nodes)
        return self._cache[kind]

    def edge_lookup(self) -> dict[tuple[int, int], int]:
        """(min node, max node) → the cheapest edge between them (by weight)."""
        if "lookup" not in self._cache:
            a = np.minimum(self.u, self.v)
            b = np.maximum(self.u, self.v)
            order = np.lexsort((self.weight, b, a))[::-1]  # cheapest written last, wins
            self._cache["lookup"] = {(int(a[e]), int(b[e])): int(e) for e in order}
        return self._cache["lookup"]

    def pair_edges(
        self, a: np.ndarray, b: np.ndarray, kind: Literal["dist", "weight"]
    ) -> np.ndarray:
        """For node pairs (a, b), the edge of least ``kind`` between them (vectorised)."""
        key = f"pairs_{kind}"
        if key not in self._cache:
            w = self.dist_m if kind == "dist" else self.weight
            lo = np.minimum(self.u, self.v)
            hi = np.maximum(self.u, self.v)
            order = np.lexsort((w, hi, lo))
            lo, hi = lo[order], hi[order]
            first = np.r_[True, (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])]
            self._cache[key] = (lo[first] * self.n_nodes + hi[first], order[first])
        keys, edges = self._cache[key]
        q = np.minimum(a, b).astype(np.int64) * self.n_nodes + np.maximum(a, b)
        j = np.searchsorted(keys, q)
        return edges[np.minimum(j, keys.size - 1)]

    def geometries(self, edges: np.ndarray) -> np.ndarray:
        """LineStrings of network edges: parts of road edges, or straight pendants."""
        edges = np.asarray(edges, np.int64)
        out = np.empty(edges.size, dtype=object)
        par = self.parent[edges]
        pend = par < 0
        if pend.any():
            pe = edges[pend]
            a = self._node_xy(self.u[pe])
            b = self._node_xy(self.v[pe])
            out[pend] = shapely.linestrings(np.stack([a, b], axis=1))
        road = ~pend
        if road.any():
            full = self.graph.edge_geometries(par[road])
            o0, o1 = self.off0[edges[road]], self.off1[edges[road]]
            whole = (o0 <= 1e-9) & (o1 >= self.graph.length_m[par[road]] - 1e-9)
            parts = np.array(full, dtype=object)
            for i in np.flatnonzero(~whole):
                parts[i] = shapely.ops.substring(full[i], o0[i], o1[i])
            out[road] = parts
        return out

    def _node_xy(self, nodes: np.ndarray) -> np.ndarray:
        if "node_xy" not in self._cache:
            xy = np.full((self.n_nodes, 2), np.nan)
            n0 = self.graph.n_nodes
            xy[:n0] = self.graph.node_xy
            xy[self.snap_node] = self.snap_xy
            xy[self.point_node] = self.point_xy
            self._cache["node_xy"] = xy
        return self._cache["node_xy"][nodes]

    def node_xy(self, nodes: np.ndarray) -> np.ndarray:
        """Coordinates of network nodes (road nodes, snap points, attached points)."""
        return self._node_xy(np.asarray(nodes, np.int64))


def attach(
    graph: RoadGraph,
    loc: Located,
    point_xy: np.ndarray,
    *,
    pendant_dist_m: np.ndarray,
    pendant_weight: np.ndarray,
) -> Network:
    """Split the located edges at the snap points and hang each point off its snap point."""
    n0 = graph.n_nodes
    k = loc.edge.size
    snap_node = n0 + np.arange(k)
    point_node = n0 + k + np.arange(k)
    order = np.lexsort((loc.offset_m, loc.edge))
    e_s, o_s, node_s = loc.edge[order], loc.offset_m[order], snap_node[order]
    new_group = np.r_[True, e_s[1:] != e_s[:-1]] if k else np.zeros(0, bool)
    prev_node = np.where(new_group, graph.edge_u[e_s] if k else 0, np.r_[0, node_s[:-1]][:k])
    prev_off = np.where(new_group, 0.0, np.r_[0.0, o_s[:-1]][:k])
    last = np.r_[new_group[1:], True] if k else np.zeros(0, bool)  # last snap on its edge
    pu = np.r_[prev_node, node_s[last]]
    pv = np.r_[node_s, graph.edge_v[e_s[last]]]
    pe = np.r_[e_s, e_s[last]]
    p0 = np.r_[prev_off, o_s[last]]
    p1 = np.r_[o_s, graph.length_m[e_s[last]]]
    split = np.zeros(graph.n_edges, bool)
    split[loc.edge] = True
    keep = np.flatnonzero(~split)
    plen = p1 - p0
    ratio = graph.weight / graph.length_m
    u = np.r_[graph.edge_u[keep], pu, point_node]
    v = np.r_[graph.edge_v[keep], pv, snap_node]
    length = np.r_[graph.length_m[keep], plen, loc.offroad_m]
    dist = np.r_[graph.length_m[keep], plen, pendant_dist_m]
    weight = np.r_[graph.weight[keep], plen * ratio[pe], pendant_weight]
    parent = np.r_[keep, pe, np.full(k, -1)]
    off0 = np.r_[np.zeros(keep.size), p0, np.zeros(k)]
    off1 = np.r_[graph.length_m[keep], p1, loc.offroad_m]
    return Network(graph, n0 + 2 * k, u.astype(np.int64), v.astype(np.int64), length, dist,
                   weight, parent.astype(np.int64), off0, off1, point_node, snap_node,
                   np.asarray(point_xy, np.float64).reshape(-1, 2), loc.snap_xy)
