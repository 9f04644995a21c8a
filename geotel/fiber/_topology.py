"""Topology repair of road centre-lines: snap dangling ends, split at crossings, find nodes.

Works on one flat array of vertices (``xy``) with the line each vertex belongs to
(``line``, non-decreasing, each line's vertices contiguous and in order).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from geotel.fiber._kernels import SegmentGrid, build_grid, find_crossings, nearest_segments

__all__ = ["NodedLines", "node_lines", "vertex_keys"]

_EPS_M = 1e-3


@dataclass(frozen=True, eq=False)
class NodedLines:
    """Repaired vertices and the graph nodes among them."""

    xy: np.ndarray
    line: np.ndarray
    #: Node id of each vertex, -1 where the vertex is only a shape point.
    node: np.ndarray
    node_xy: np.ndarray
    n_snapped: int
    n_crossings: int
    n_lines_dropped: int


def vertex_keys(xy: np.ndarray) -> np.ndarray:
    """Integer codes equal for vertices that coincide to the millimetre."""
    if len(xy) == 0:
        return np.zeros(0, np.int64)
    q = np.round(xy * 1000.0).astype(np.int64)
    qx = q[:, 0] - q[:, 0].min()
    qy = q[:, 1] - q[:, 1].min()
    span_y = int(qy.max()) + 1
    if (int(qx.max()) + 1) * span_y < 2**62:
        codes, _ = pd.factorize(qx * span_y + qy)
        return codes.astype(np.int64)
    _, inv = np.unique(q, axis=0, return_inverse=True)
    return inv.ravel().astype(np.int64)


@numba.njit(cache=True)
def _dedupe_mask(xy, line, tiny):
    n = line.shape[0]
    keep = np.ones(n, np.bool_)
    for i in range(1, n):
        if (line[i] == line[i - 1] and abs(xy[i, 0] - xy[i - 1, 0]) < tiny
                and abs(xy[i, 1] - xy[i - 1, 1]) < tiny):
            keep[i] = False
    # drop lines left with fewer than two vertices
    i = 0
    while i < n:
        j = i
        count = 0
        while j < n and line[j] == line[i]:
            if keep[j]:
                count += 1
            j += 1
        if count < 2:
            keep[i:j] = False
        i = j
    return keep


@numba.njit(cache=True)
def along(xy, line):
    """Distance of each vertex from the start of its line."""
    n = line.shape[0]
    out = np.zeros(n)
    for i in range(1, n):
        if line[i] == line[i - 1]:
            out[i] = out[i - 1] + np.hypot(xy[i, 0] - xy[i - 1, 0], xy[i, 1] - xy[i - 1, 1])
    return out


def _dedupe(xy: np.ndarray, line: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop consecutive repeated vertices, then lines left with fewer than 2 vertices."""
    keep = _dedupe_mask(xy, line, _EPS_M / 10)
    return xy[keep], line[keep]


def _segments(xy: np.ndarray, line: np.ndarray) -> np.ndarray:
    """Flat index k of each segment (k, k+1)."""
    return np.flatnonzero(line[1:] == line[:-1])


def _insert(
    xy: np.ndarray, line: np.ndarray, at: np.ndarray, t: np.ndarray, pts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Insert points after flat vertex ``at`` (segment at→at+1), ordered by ``t``."""
    if at.size == 0:
        return xy, line
    k = np.concatenate([np.arange(len(xy)), at])
    flag = np.concatenate([np.zeros(len(xy), np.int8), np.ones(at.size, np.int8)])
    tt = np.concatenate([np.zeros(len(xy)), t])
    order = np.lexsort((tt, flag, k))
    xy2 = np.concatenate([xy, pts])[order]
    line2 = np.concatenate([line, line[at]])[order]
    return xy2, line2


def _snap_dangling(
    xy: np.ndarray, line: np.ndarray, seg: np.ndarray, grid: SegmentGrid, tol_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Moves for dangling line ends: onto each other, else onto the nearest other segment.

    A line end is dangling when no other segment lies within a millimetre of it (the
    segments of its own line count only beyond twice the tolerance along the line).

    Returns ``(vertex, new_xy, insert_at, insert_t, insert_xy)``: the ends to move and
    where, and the vertices to insert into the segments they land on.
    """
    none = (np.zeros(0, np.int64), np.zeros((0, 2)), np.zeros(0, np.int64), np.zeros(0),
            np.zeros((0, 2)))
    first = np.flatnonzero(np.r_[True, line[1:] != line[:-1]])
    last = np.r_[first[1:] - 1, len(line) - 1]
    ends = np.concatenate([first, last])
    a, b = xy[seg], xy[seg + 1]
    cum = along(xy, line)
    # nearest other segment within the tolerance (own line: only beyond 2 tol along it)
    s_all, t_all, d_all = nearest_segments(
        xy[ends, 0], xy[ends, 1], np.full(ends.size, tol_m),
        a[:, 0], a[:, 1], b[:, 0], b[:, 1], grid,
        seg_line=line[seg], seg_s0=cum[seg], seg_s1=cum[seg + 1],
        q_line=line[ends], q_s=cum[ends], exclude_m=2.0 * tol_m,
    )
    # dangling = nothing within a millimetre; fixable = something within the tolerance
    fix = (s_all >= 0) & (d_all > _EPS_M)
    dangling = ends[fix]
    s_all, t_all = s_all[fix], t_all[fix]
    if dangling.size == 0:
        return none
    move_v: list[np.ndarray] = []
    move_xy: list[np.ndarray] = []
    # 1. dangling ends close to each other (on different lines) meet at one of them
    tree = cKDTree(xy[dangling])
    pairs = tree.query_pairs(tol_m, output_type="ndarray")
    if len(pairs):
        pairs = pairs[line[dangling[pairs[:, 0]]] != line[dangling[pairs[:, 1]]]]
    clustered = np.zeros(dangling.size, bool)
    if len(pairs):
        m = dangling.size
        adj = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(m, m))
        _, comp = connected_components(adj, directed=False)
        clustered = np.bincount(comp)[comp] > 1
        rep = np.full(comp.max() + 1, m)
        np.minimum.at(rep, comp, np.arange(m))  # the lowest index of each cluster
        idx = np.flatnonzero(clustered)
        src = dangling[rep[comp[idx]]]
        change = dangling[idx] != src
        move_v.append(dangling[idx[change]])
        move_xy.append(xy[src[change]])
    # 2. the other dangling ends onto the nearest segment within the tolerance
    single = ~clustered
    ins = (np.zeros(0, np.int64), np.zeros(0), np.zeros((0, 2)))
    if single.any():
        s, t, pts = s_all[single], t_all[single], dangling[single]
        seglen = np.hypot(*(b[s] - a[s]).T)
        tgt = a[s] + (b[s] - a[s]) * t[:, None]
        at_start = t * seglen <= _EPS_M
        at_end = (1.0 - t) * seglen <= _EPS_M
        tgt[at_start] = a[s][at_start]
        tgt[at_end] = b[s][at_end]
        move_v.append(pts)
        move_xy.append(tgt)
        inner = ~(at_start | at_end)
        ins = (seg[s[inner]], t[inner], tgt[inner])
    if not move_v:
        return none
    return (np.concatenate(move_v), np.concatenate(move_xy), *ins)


def node_lines(
    xy: np.ndarray, line: np.ndarray, *, snap_tolerance_m: float, split_crossings: bool = True
) -> NodedLines:
    """Repair the lines and mark the vertices that are graph nodes.

    Both repairs look at the lines as given: crossings (and vertices lying on another
    line) become shared vertices; dangling ends within the tolerance of another end or
    line are moved onto it. Nodes are then the line ends and every vertex shared by two
    lines (or met twice by one).
    """
    n_lines = int(line.max()) + 1 if line.size else 0
    xy, line = _dedupe(np.asarray(xy, np.float64), np.asarray(line, np.int64))
    n_snapped = n_cross = 0
    if (split_crossings or snap_tolerance_m > 0) and len(xy):
        seg = _segments(xy, line)
        a, b = xy[seg], xy[seg + 1]
        grid = build_grid(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
        at = [np.zeros(0, np.int64)]
        tt = [np.zeros(0)]
        pts = [np.zeros((0, 2))]
        if split_crossings:
            s, t, x, y = find_crossings(a[:, 0], a[:, 1], b[:, 0], b[:, 1], line[seg], grid)
            n_cross = int(s.size)
            at.append(seg[s])
            tt.append(t)
            pts.append(np.column_stack([x, y]))
        if snap_tolerance_m > 0:
            mv, mxy, s_at, s_t, s_xy = _snap_dangling(xy, line, seg, grid, snap_tolerance_m)
            n_snapped = int(mv.size)
            if mv.size:
                xy = xy.copy()
                xy[mv] = mxy
            at.append(s_at)
            tt.append(s_t)
            pts.append(s_xy)
        xy, line = _insert(xy, line, np.concatenate(at), np.concatenate(tt),
                           np.concatenate(pts))
        xy, line = _dedupe(xy, line)
    keys = vertex_keys(xy)
    counts = np.bincount(keys) if len(keys) else np.zeros(0, np.int64)
    is_node = counts[keys] >= 2
    if len(line):
        is_node[0] = is_node[-1] = True
        change = np.flatnonzero(line[1:] != line[:-1])
        is_node[change] = True
        is_node[change + 1] = True
    node_codes, node_keys = pd.factorize(keys[is_node])
    node = np.full(len(xy), -1, np.int64)
    node[is_node] = node_codes
    node_xy = np.zeros((len(node_keys), 2))
    node_xy[node_codes] = xy[is_node]
    kept = len(np.unique(line)) if len(line) else 0
    return NodedLines(xy, line, node, node_xy, n_snapped, n_cross, n_lines - kept)
