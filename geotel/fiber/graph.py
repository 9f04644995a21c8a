"""The road graph: road centre-lines repaired into a routable network in a metric CRS.

:func:`build_road_graph` snaps dangling ends within a tolerance, splits lines where they
cross or touch, drops short isolated fragments (with a warning) and returns a
:class:`RoadGraph` of plain arrays: nodes, edges with lengths in metres, cost weights per
road class, and each edge's shape.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import LineString
>>> roads = gpd.GeoDataFrame(
...     {"road_id": ["a", "b"], "road_class": ["national", "local"]},
...     geometry=[LineString([(0, 0), (2000, 0)]), LineString([(1000, -500), (1000, 500)])],
...     crs="EPSG:32649")
>>> g = build_road_graph(roads)
>>> g.n_nodes, g.n_edges, round(g.length_m.sum())
(5, 4, 3000)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from geotel._crs import reproject, require_metric_crs
from geotel.errors import CRSError, GeometryError, SchemaError, ValueRangeError
from geotel.fiber._topology import node_lines

__all__ = ["DEFAULT_CLASS_WEIGHTS", "ROAD_CLASSES", "RoadGraph", "build_road_graph"]

log = logging.getLogger(__name__)

#: Canonical road classes (see :data:`geotel.schema.LAYERS` ``roads``).
ROAD_CLASSES: tuple[str, ...] = ("national", "provincial", "district", "commune", "local", "track")

#: Relative cost of building one km of fiber along each road class (1 = along a national
#: road). An assumption, not a published figure: main roads carry power-line poles and a
#: road reserve for ducts; commune roads and tracks have fewer poles and harder access.
DEFAULT_CLASS_WEIGHTS: dict[str, float] = {
    "national": 1.0,
    "provincial": 1.0,
    "district": 1.0,
    "commune": 1.1,
    "local": 1.2,
    "track": 1.5,
}


@dataclass(frozen=True, eq=False)
class RoadGraph:
    """A routable road network: arrays of nodes and undirected edges in a metric CRS.

    Edge ``e`` joins nodes ``edge_u[e]`` and ``edge_v[e]``; its shape is
    ``vertex_xy[vertex_start[e]:vertex_stop[e]]`` (from u to v). Parallel edges may
    exist; routing uses the cheapest of them.
    """

    node_xy: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    length_m: np.ndarray
    #: Routing cost: ``length_m`` times the weight of the edge's road class.
    weight: np.ndarray
    road_class: np.ndarray
    #: Row position of the source road in the roads layer given to :func:`build_road_graph`.
    road_index: np.ndarray
    road_id: np.ndarray
    vertex_xy: np.ndarray
    vertex_start: np.ndarray
    vertex_stop: np.ndarray
    crs: CRS
    class_weights: Mapping[str, float] = field(default_factory=dict)
    n_snapped: int = 0
    n_crossings: int = 0
    n_fragments_dropped: int = 0
    length_dropped_m: float = 0.0
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def n_nodes(self) -> int:
        return int(self.node_xy.shape[0])

    @property
    def n_edges(self) -> int:
        return int(self.edge_u.shape[0])

    @property
    def total_length_km(self) -> float:
        return float(self.length_m.sum() / 1000.0)

    def edge_geometries(self, edges: np.ndarray | None = None) -> np.ndarray:
        """LineStrings of the given edges (all by default), from u to v."""
        e = np.arange(self.n_edges) if edges is None else np.asarray(edges, np.int64)
        if e.size == 0:
            return np.empty(0, dtype=object)
        start, stop = self.vertex_start[e], self.vertex_stop[e]
        n = stop - start
        idx = np.repeat(start - np.r_[0, np.cumsum(n)[:-1]], n) + np.arange(n.sum())
        return shapely.linestrings(self.vertex_xy[idx], indices=np.repeat(np.arange(e.size), n))

    def segments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Straight pieces of all edges: ``(edge, a_xy, b_xy, offset_m)``.

        ``offset_m`` is the distance along the edge (from u) where the piece starts.
        """
        if "segments" not in self._cache:
            n = self.vertex_stop - self.vertex_start - 1
            edge = np.repeat(np.arange(self.n_edges), n)
            first = np.repeat(self.vertex_start - np.r_[0, np.cumsum(n)[:-1]], n)
            k = first + np.arange(n.sum())
            a, b = self.vertex_xy[k], self.vertex_xy[k + 1]
            seglen = np.hypot(*(b - a).T)
            csum = np.cumsum(seglen)
            offset = csum - seglen
            offset -= np.repeat(offset[np.r_[0, np.cumsum(n)[:-1]]], n) if n.size else 0.0
            self._cache["segments"] = (edge, a, b, offset)
        return self._cache["segments"]

    def matrix(self, kind: Literal["length", "weight"] = "length") -> csr_matrix:
        """Symmetric sparse adjacency of edge lengths (or weights); parallel edges → min."""
        key = f"matrix_{kind}"
        if key not in self._cache:
            w = self.length_m if kind == "length" else self.weight
            self._cache[key] = adjacency(self.edge_u, self.edge_v, w, self.n_nodes)
        return self._cache[key]

    def to_networkx(self) -> nx.Graph:
        """An undirected :class:`networkx.Graph`; nodes carry ``x``, ``y``.

        Edges carry ``length_m``, ``weight``, ``road_class``, ``road_id`` and ``edge``
        (the edge index); of parallel edges the one of least weight is kept.
        """
        g = nx.Graph(crs=self.crs.to_string())
        g.add_nodes_from((i, {"x": float(x), "y": float(y)})
                         for i, (x, y) in enumerate(self.node_xy))
        order = np.argsort(-self.weight, kind="stable")  # heaviest first, lightest wins
        g.add_edges_from(
            (int(self.edge_u[e]), int(self.edge_v[e]),
             {"length_m": float(self.length_m[e]), "weight": float(self.weight[e]),
              "road_class": str(self.road_class[e]), "road_id": str(self.road_id[e]),
              "edge": int(e)})
            for e in order
        )
        return g

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """The edges as a GeoDataFrame (``u``, ``v``, ``length_m``, ``weight``, ...)."""
        return gpd.GeoDataFrame(
            {"u": self.edge_u, "v": self.edge_v, "length_m": self.length_m,
             "weight": self.weight, "road_class": self.road_class, "road_id": self.road_id},
            geometry=self.edge_geometries(), crs=self.crs,
        )


def adjacency(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> csr_matrix:
    """Symmetric CSR matrix of ``w``; duplicates keep the minimum (csgraph would sum them)."""
    if u.size == 0:
        return csr_matrix((n, n))
    a = np.minimum(u, v).astype(np.int64)
    b = np.maximum(u, v).astype(np.int64)
    key = a * n + b
    order = np.argsort(key)
    key, w = key[order], w[order]
    start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    w = np.minimum.reduceat(w, start) if start.size else w
    key = key[start]
    a, b = key // n, key % n
    loop = a == b
    a, b, w = a[~loop], b[~loop], np.maximum(w[~loop], 1e-9)
    m = coo_matrix((np.r_[w, w], (np.r_[a, b], np.r_[b, a])), shape=(n, n))
    return m.tocsr()


def _road_classes(roads: gpd.GeoDataFrame, source: str) -> np.ndarray:
    if "road_class" not in roads.columns:
        return np.full(len(roads), "local", dtype=object)
    raw = roads["road_class"].astype(object).where(roads["road_class"].notna(), "local")
    cls = raw.astype(str).str.strip().str.lower().replace("", "local").to_numpy(dtype=object)
    bad = ~np.isin(cls, ROAD_CLASSES)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueRangeError(
            f"road_class '{cls[i]}' is not one of {', '.join(ROAD_CLASSES)} "
            f"({int(bad.sum())} road(s) affected)",
            file=source, feature=str(roads["road_id"].iloc[i]), column="road_class",
            fix="map the source's road categories onto the canonical classes",
        )
    return cls


def build_road_graph(
    roads: gpd.GeoDataFrame,
    *,
    crs: Any = None,
    snap_tolerance_m: float = 20.0,
    min_fragment_m: float = 1_000.0,
    class_weights: Mapping[str, float] | None = None,
    split_crossings: bool = True,
    source: str = "roads",
) -> RoadGraph:
    """Build a routable road graph from a roads layer.

    Parameters
    ----------
    roads
        Canonical roads layer (``road_id``, optional ``road_class``), lines in any CRS;
        not modified.
    crs
        Metric CRS to work in. Required when ``roads`` is in a geographic CRS.
    snap_tolerance_m
        Dangling line ends closer than this to another line end, or to another line,
        are joined to it (0 disables snapping).
    min_fragment_m
        Connected pieces of network shorter than this in total are dropped, with a
        warning (the largest piece is always kept).
    class_weights
        Cost factor per road class (missing classes use :data:`DEFAULT_CLASS_WEIGHTS`).
    split_crossings
        Split lines where they cross without a shared vertex (set False to keep
        bridges over roads apart).
    source
        Name used in messages.

    Returns
    -------
    RoadGraph

    Raises
    ------
    CRSError
        ``roads`` has no CRS, or a geographic one and no metric ``crs`` is given.
    SchemaError, ValueRangeError, GeometryError
        ``road_id`` is missing, a ``road_class`` is unknown, or no line is usable.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> roads = gpd.GeoDataFrame(
    ...     {"road_id": ["a", "b", "c"]},
    ...     geometry=[LineString([(0, 0), (1000, 0)]), LineString([(1010, 0), (2000, 0)]),
    ...               LineString([(50000, 0), (50100, 0)])], crs="EPSG:32649")
    >>> g = build_road_graph(roads, snap_tolerance_m=20, min_fragment_m=500)
    >>> g.n_edges, g.n_snapped, g.n_fragments_dropped
    (2, 1, 1)
    """
    if not isinstance(roads, gpd.GeoDataFrame):
        raise SchemaError("roads must be a GeoDataFrame of lines", file=source,
                          fix="read it with geopandas or a geotel reader")
    if "road_id" not in roads.columns:
        raise SchemaError("the roads layer has no 'road_id' column", file=source,
                          column="road_id", fix="add a unique id per road (the row number will do)")
    if roads.crs is None:
        raise CRSError(f"roads layer '{source}' has no CRS", column="geometry",
                       fix="set the layer's CRS (e.g. gdf.set_crs('EPSG:4326')) before use")
    # the target CRS when given, else the roads' own: it must be metric
    target = require_metric_crs(crs if crs is not None else roads.crs,
                                what=f"the CRS of roads layer '{source}'", column="crs")
    weights = dict(DEFAULT_CLASS_WEIGHTS)
    weights.update(class_weights or {})
    for k, w in weights.items():
        if not np.isfinite(w) or w <= 0:
            raise ValueRangeError(f"class weight {k} = {w} must be a positive number",
                                  column="class_weights", fix="give weights such as 1.0 or 1.5")
    cls = _road_classes(roads, source)
    geom = reproject(roads.geometry, target, f"roads layer '{source}'").array
    types = shapely.get_type_id(geom)
    ok = ~(shapely.is_missing(geom) | shapely.is_empty(geom))
    bad = ok & ~np.isin(types, [1, 5])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise GeometryError(f"road geometry is a {shapely.get_type_id(geom[i])} type, not a line",
                            file=source, feature=str(roads["road_id"].iloc[i]),
                            fix="save the roads layer as (Multi)LineStrings")
    if (~ok).any():
        log.warning("%s: %d road(s) with empty geometry ignored", source, int((~ok).sum()))
    if (types == 5).any():
        parts, part_row = shapely.get_parts(geom, return_index=True)
    else:
        part_row = np.flatnonzero(ok)
        parts = geom[part_row]
    xy, line = shapely.get_coordinates(parts, return_index=True)
    if len(xy) == 0:
        raise GeometryError("no usable road lines", file=source,
                            fix="check that the roads layer holds line geometries")
    noded = node_lines(xy, line, snap_tolerance_m=snap_tolerance_m,
                       split_crossings=split_crossings)
    node, vline = noded.node, noded.line
    pos = np.flatnonzero(node >= 0)
    same = vline[pos[1:]] == vline[pos[:-1]]
    start, stop = pos[:-1][same], pos[1:][same]
    seg = np.zeros(len(noded.xy))
    seg[1:] = np.hypot(*(noded.xy[1:] - noded.xy[:-1]).T) * (vline[1:] == vline[:-1])
    cum = np.cumsum(seg)
    length = cum[stop] - cum[start]
    u, v = node[start], node[stop]
    keep = (u != v) & (length > 0)
    u, v, length, start, stop = u[keep], v[keep], length[keep], start[keep], stop[keep]
    row = part_row[vline[start]]
    # drop short isolated fragments
    n_nodes = noded.node_xy.shape[0]
    n_frag, dropped_m = 0, 0.0
    if u.size:
        adj = coo_matrix((np.ones(u.size), (u, v)), shape=(n_nodes, n_nodes))
        ncomp, comp = connected_components(adj, directed=False)
        comp_len = np.bincount(comp[u], weights=length, minlength=ncomp)
        small = comp_len < min_fragment_m
        small[int(np.argmax(comp_len))] = False
        has_edge = np.bincount(comp[u], minlength=ncomp) > 0
        n_frag = int((small & has_edge).sum())
        if n_frag:
            drop = small[comp[u]]
            dropped_m = float(length[drop].sum())
            log.warning("%s: dropped %d isolated road fragment(s) shorter than %.0f m "
                        "(%.1f km in all)", source, n_frag, min_fragment_m, dropped_m / 1000)
            u, v, length, start, stop, row = (a[~drop] for a in (u, v, length, start, stop, row))
    used = np.zeros(n_nodes, bool)
    used[u] = used[v] = True
    remap = np.cumsum(used) - 1
    ecls = cls[row]
    w = length * pd.Series(ecls, dtype=object).map(weights).to_numpy(np.float64)
    ids = roads["road_id"].astype(str).to_numpy(dtype=object)
    graph = RoadGraph(
        node_xy=noded.node_xy[used], edge_u=remap[u], edge_v=remap[v], length_m=length,
        weight=w, road_class=ecls, road_index=row.astype(np.int64), road_id=ids[row],
        vertex_xy=noded.xy, vertex_start=start, vertex_stop=stop + 1, crs=target,
        class_weights=weights, n_snapped=noded.n_snapped, n_crossings=noded.n_crossings,
        n_fragments_dropped=n_frag, length_dropped_m=dropped_m,
    )
    log.info("%s: road graph of %d nodes, %d edges, %.1f km (%d ends snapped, %d crossing "
             "vertices)", source, graph.n_nodes, graph.n_edges, graph.total_length_km,
             graph.n_snapped, graph.n_crossings)
    return graph

