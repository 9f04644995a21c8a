"""Steiner tree by Mehlhorn's 2-approximation on :mod:`scipy.sparse.csgraph`.

Mehlhorn (1988), "A faster approximation algorithm for the Steiner problem in graphs":

1. one multi-source Dijkstra from all terminals: each node's nearest terminal (its
   Voronoi region) and the distance to it;
2. for every edge joining two regions, ``d(u) + w(u, v) + d(v)`` is a candidate distance
   between their terminals; the least per terminal pair forms the graph G1';
3. a minimum spanning tree of G1';
4. each tree edge of G1' expands into its road path (u back to its terminal, the
   bridging edge, v back to its terminal);
5. a minimum spanning tree of the union of those paths;
6. non-terminal leaves are pruned, repeatedly.

A terminal may be a *group* of nodes (all existing fiber access points form one
"super-terminal": reaching any of them connects to the network). Afterwards the tree is
improved while that helps: the minimum spanning tree of the subgraph induced by the
tree's nodes, pruned again, is never heavier.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numba
import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import dijkstra, minimum_spanning_tree

__all__ = ["edge_weights", "shortest_path_forest", "steiner_tree", "walk_to_sources"]

_EPS = 1e-9


def walk_to_sources(pred: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edges (node, pred[node]) of the paths from ``start`` nodes back to their sources."""
    seen = np.zeros(pred.shape[0], bool)
    a_out: list[np.ndarray] = []
    b_out: list[np.ndarray] = []
    nodes = np.unique(start)
    seen[nodes] = True
    while nodes.size:
        nxt = pred[nodes]
        ok = nxt >= 0
        a_out.append(nodes[ok])
        b_out.append(nxt[ok])
        nodes = np.unique(nxt[ok])
        nodes = nodes[~seen[nodes]]
        seen[nodes] = True
    if not a_out:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(a_out).astype(np.int64), np.concatenate(b_out).astype(np.int64)


@numba.njit(cache=True)
def _prune(n, a, b, terminal):
    """Keep-mask of edges after repeatedly removing non-terminal leaves."""
    m = a.shape[0]
    deg = np.zeros(n, np.int64)
    for e in range(m):
        deg[a[e]] += 1
        deg[b[e]] += 1
    start = np.zeros(n + 1, np.int64)
    for i in range(n):
        start[i + 1] = start[i] + deg[i]
    fill = start[:-1].copy()
    inc = np.empty(2 * m, np.int64)
    for e in range(m):
        inc[fill[a[e]]] = e
        fill[a[e]] += 1
        inc[fill[b[e]]] = e
        fill[b[e]] += 1
    keep = np.ones(m, np.bool_)
    stack = np.empty(n, np.int64)
    top = 0
    for i in range(n):
        if deg[i] == 1 and not terminal[i]:
            stack[top] = i
            top += 1
    while top > 0:
        top -= 1
        x = stack[top]
        if deg[x] != 1:
            continue
        for k in range(start[x], start[x + 1]):
            e = inc[k]
            if keep[e]:
                keep[e] = False
                deg[x] -= 1
                y = b[e] if a[e] == x else a[e]
                deg[y] -= 1
                if deg[y] == 1 and not terminal[y]:
                    stack[top] = y
                    top += 1
                break
    return keep


def _edges_of(m: csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Upper-triangle edges (a < b) of a symmetric CSR matrix."""
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    cols = m.indices
    up = rows < cols
    return rows[up], cols[up].astype(np.int64), m.data[up]


def _mst_prune(
    matrix: csr_matrix, a: np.ndarray, b: np.ndarray, groups: Sequence[np.ndarray],
    terminal_nodes: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """MST of the subgraph on edges (a, b) plus a virtual node per group, then prune."""
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    pair = np.unique(np.column_stack([lo, hi]), axis=0) if a.size else np.zeros((0, 2), np.int64)
    a, b = pair[:, 0], pair[:, 1]
    nodes, inv = np.unique(np.r_[a, b], return_inverse=True)
    k = nodes.size
    ia, ib = inv[: a.size], inv[a.size:]
    w = edge_weights(matrix, a, b)
    # one virtual node per node group, tied to its members present here
    va, vb, vw = [ia], [ib], [np.maximum(w, _EPS)]
    n_virtual = 0
    for g in groups:
        present = np.flatnonzero(np.isin(nodes, g))
        if present.size:
            va.append(np.full(present.size, k + n_virtual))
            vb.append(present)
            vw.append(np.full(present.size, _EPS))
            n_virtual += 1
    size = k + n_virtual
    sub = coo_matrix((np.concatenate(vw), (np.concatenate(va), np.concatenate(vb))),
                     shape=(size, size)).tocsr()
    mst = minimum_spanning_tree(sub).tocoo()
    ta, tb = mst.row.astype(np.int64), mst.col.astype(np.int64)
    terminal = np.zeros(size, bool)
    terminal[np.flatnonzero(np.isin(nodes, terminal_nodes))] = True
    terminal[k:] = True
    keep = _prune(size, ta, tb, terminal)
    ta, tb = ta[keep], tb[keep]
    real = (ta < k) & (tb < k)
    return nodes[ta[real]], nodes[tb[real]]


def edge_weights(matrix: csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Weights of the edges (a[i], b[i]) of a CSR matrix (inf where there is none)."""
    if "keys" not in matrix.__dict__.get("_geotel_cache", {}):
        m = matrix.tocsr()
        m.sort_indices()
        rows = np.repeat(np.arange(m.shape[0], dtype=np.int64), np.diff(m.indptr))
        matrix.__dict__["_geotel_cache"] = {"keys": rows * m.shape[1] + m.indices,
                                            "data": m.data}
    c = matrix.__dict__["_geotel_cache"]
    q = np.asarray(a, np.int64) * matrix.shape[1] + np.asarray(b, np.int64)
    j = np.minimum(np.searchsorted(c["keys"], q), max(c["keys"].size - 1, 0))
    if c["keys"].size == 0:
        return np.full(q.size, np.inf)
    return np.where(c["keys"][j] == q, c["data"][j], np.inf)


def _weight(matrix: csr_matrix, a: np.ndarray, b: np.ndarray) -> float:
    return float(edge_weights(matrix, a, b).sum()) if a.size else 0.0


def _chains(adj: dict[int, set[int]], key: set[int]) -> list[list[int]]:
    """Key paths: maximal chains whose inner nodes are non-key nodes of degree 2."""
    out: list[list[int]] = []
    done: set[tuple[int, int]] = set()
    for k in key:
        for nb in adj.get(k, ()):
            if (k, nb) in done:
                continue
            path = [k, nb]
            prev, cur = k, nb
            while cur not in key and len(adj[cur]) == 2:
                nxt = next(x for x in adj[cur] if x != prev)
                path.append(nxt)
                prev, cur = cur, nxt
            done.add((path[-1], path[-2]))
            done.add((k, nb))
            out.append(path)
    return out


def _smaller_side(
    adj: dict[int, set[int]], p0: int, p1: int, cut: set[tuple[int, int]]
) -> set[int] | None:
    """Nodes of the smaller part left when the ``cut`` edges are removed (None: still one).

    Two breadth-first searches grow in turn from ``p0`` and ``p1``; the first to run out
    has found the whole of its (smaller) part.
    """
    cut_nodes = {x for e in cut for x in e}
    seen = ({p0}, {p1})
    front = ([p0], [p1])
    while True:
        for k in (0, 1):
            nxt = []
            mine, theirs = seen[k], seen[1 - k]
            for x in front[k]:
                near_cut = x in cut_nodes
                for y in adj.get(x, ()):
                    if y in mine or (near_cut and (min(x, y), max(x, y)) in cut):
                        continue
                    if y in theirs:
                        return None
                    mine.add(y)
                    nxt.append(y)
            if not nxt:
                return mine
            front[k][:] = nxt

def _key_path_exchange(
    matrix: csr_matrix, a: np.ndarray, b: np.ndarray, groups: Sequence[np.ndarray],
    terminal_nodes: np.ndarray, *, max_passes: int = 3,
) -> tuple[np.ndarray, np.ndarray]:
    """Replace key paths by shorter paths between the two parts of the tree they join.

    A key path is a chain between key nodes (terminals, nodes of degree ≥ 3). Removing
    it splits the tree in two; a Dijkstra from the smaller part, limited to the path's
    cost, finds the cheapest reconnection to the other part. Group members hang off one
    virtual node per group (numbered from ``n``), so reaching any member reaches the
    group's side.
    """
    n = matrix.shape[0]
    members = [np.asarray(g, np.int64) for g in groups]
    owner = {int(x): n + i for i, g in enumerate(members) for x in g}
    is_member = np.zeros(n, bool)
    for g in members:
        is_member[g] = True
    w: dict[tuple[int, int], float] = {}
    adj: dict[int, set[int]] = {}
    deg = np.zeros(n, np.int64)

    def link(x: int, y: int) -> None:
        adj.setdefault(x, set()).add(y)
        adj.setdefault(y, set()).add(x)

    def add(x: int, y: int, ww: float) -> None:
        w[(min(x, y), max(x, y))] = ww
        link(x, y)
        for z in (x, y):
            deg[z] += 1
            if z in owner:
                link(z, owner[z])

    def remove(x: int, y: int) -> None:
        del w[(min(x, y), max(x, y))]
        adj[x].discard(y)
        adj[y].discard(x)
        for z in (x, y):
            deg[z] -= 1
            if deg[z] == 0 and z in owner:
                adj[z].discard(owner[z])
                adj[owner[z]].discard(z)

    for x, y, ww in zip(a.tolist(), b.tolist(), edge_weights(matrix, a, b).tolist(),
                        strict=True):
        add(x, y, ww)
    terminals = {int(t) for t in terminal_nodes}
    for _ in range(max_passes):
        key = {x for x, nb in adj.items() if len(nb) >= 3 or x >= n or x in terminals}
        improved = False
        for path in _chains(adj, key):
            pe = [(min(x, y), max(x, y)) for x, y in itertools.pairwise(path)]
            real = [e for e in pe if e[1] < n]
            # still a key path of the current tree?
            if any(e not in w for e in real) or any(
                    len(adj.get(x, ())) != 2 for x in path[1:-1]) or any(
                    e[0] not in adj.get(e[1], ()) for e in pe if e[1] >= n):
                continue
            cost = sum(w[e] for e in real)
            if cost <= 0:
                continue
            small = _smaller_side(adj, path[0], path[-1], set(pe))
            if small is None:
                continue
            virt = [v for v in small if v >= n]
            src = np.array([v for v in small if v < n], np.int64)
            if virt:
                src = np.unique(np.concatenate([src, *[members[v - n] for v in virt]]))
            dist, pred = dijkstra(matrix, directed=True, indices=src, min_only=True,
                                  limit=cost, return_predecessors=True)[:2]
            ball = np.flatnonzero(np.isfinite(dist))
            small_real = np.fromiter((v for v in small if v < n), np.int64)
            in_small = np.isin(ball, small_real)
            interior = np.isin(ball, np.array(path[1:-1], np.int64))
            other_has_group = not virt and any(adj.get(n + i) for i in range(len(members)))
            ok = ((deg[ball] > 0) | (is_member[ball] & other_has_group)) & ~in_small & ~interior
            if not ok.any():
                continue
            cand = ball[ok]
            j = int(cand[np.argmin(dist[cand])])
            if not dist[j] < cost - 1e-9 * max(1.0, cost):
                continue
            for x, y in real:
                remove(x, y)
            x = j
            while pred[x] >= 0:
                y = int(pred[x])
                if (min(x, y), max(x, y)) not in w:
                    add(x, y, float(edge_weights(matrix, np.array([x]), np.array([y]))[0]))
                x = y
            improved = True
        if not improved:
            break
    if not w:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    pairs_arr = np.array(list(w), np.int64)
    return pairs_arr[:, 0], pairs_arr[:, 1]


def steiner_tree(
    matrix: csr_matrix, groups: Sequence[np.ndarray], *, improve: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mehlhorn's Steiner tree connecting node groups (each group is one terminal).

    Parameters
    ----------
    matrix
        Symmetric sparse matrix of positive edge weights.
    groups
        Terminals; a group of several nodes is one terminal that any member connects.

    Returns
    -------
    (a, b, reached)
        Tree edges as node pairs, and for each group whether it is in the tree with
        the first group (groups in other components of the graph stay out).
    """
    n = matrix.shape[0]
    label = np.full(n, -1, np.int64)
    sources = np.concatenate([np.asarray(g, np.int64) for g in groups])
    for i, g in enumerate(groups):
        label[np.asarray(g, np.int64)] = i
    dist, pred, src = dijkstra(matrix, directed=True, indices=sources, min_only=True,
                               return_predecessors=True)
    term = np.where(src >= 0, label[np.maximum(src, 0)], -1)
    ea, eb, ew = _edges_of(matrix)
    ta, tb = term[ea], term[eb]
    cross = (ta >= 0) & (tb >= 0) & (ta != tb)
    ea, eb, ew, ta, tb = ea[cross], eb[cross], ew[cross], ta[cross], tb[cross]
    t = len(groups)
    lo, hi = np.minimum(ta, tb), np.maximum(ta, tb)
    val = dist[ea] + ew + dist[eb]
    order = np.lexsort((val, hi, lo))
    key = lo[order] * t + hi[order]
    first = order[np.r_[True, key[1:] != key[:-1]]] if order.size else order
    g1 = coo_matrix((np.maximum(val[first], _EPS), (lo[first], hi[first])), shape=(t, t))
    mst = minimum_spanning_tree(g1.tocsr()).tocoo()
    pick = {(int(x), int(y)): i for i, x, y in zip(first, lo[first], hi[first], strict=True)}
    bridge = np.array([pick[(min(int(x), int(y)), max(int(x), int(y)))]
                       for x, y in zip(mst.row, mst.col, strict=True)], np.int64)
    # which groups ended up connected to group 0
    reached = np.zeros(t, bool)
    reached[0] = True
    if bridge.size:
        tree_t = coo_matrix((np.ones(bridge.size), (mst.row, mst.col)), shape=(t, t))
        d0 = dijkstra(tree_t, directed=False, indices=0, unweighted=True)
        reached = np.isfinite(d0)
    if bridge.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), reached
    keep_b = reached[term[ea[bridge]]]
    bridge = bridge[keep_b]
    pa, pb = walk_to_sources(pred, np.r_[ea[bridge], eb[bridge]])
    a = np.r_[pa, ea[bridge]]
    b = np.r_[pb, eb[bridge]]
    # a group of one node is its own terminal; larger groups get a virtual terminal
    single = [np.asarray(g, np.int64) for g, r in zip(groups, reached, strict=True)
              if r and len(g) == 1]
    term_nodes = np.concatenate(single) if single else np.zeros(0, np.int64)
    multi = [np.asarray(g, np.int64) for g in groups if len(g) > 1]
    a, b = _mst_prune(matrix, a, b, multi, term_nodes)
    if improve:
        best = _weight(matrix, a, b)
        for _ in range(3):
            nodes = np.unique(np.r_[a, b])
            sub = matrix[nodes][:, nodes].tocoo()
            up = sub.row < sub.col
            na, nb = _mst_prune(matrix, nodes[sub.row[up]], nodes[sub.col[up]], multi,
                                term_nodes)
            w = _weight(matrix, na, nb)
            if w < best - 1e-9:
                a, b, best = na, nb, w
            else:
                break
        a, b = _key_path_exchange(matrix, a, b, multi, term_nodes)
        a, b = _mst_prune(matrix, a, b, multi, term_nodes)
    return a, b, reached


def shortest_path_forest(
    matrix: csr_matrix, sources: np.ndarray, targets: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Union of each target's shortest path to its nearest source: ``(a, b, reached)``."""
    dist, pred, _ = dijkstra(matrix, directed=True, indices=sources, min_only=True,
                             return_predecessors=True)
    reached = np.isfinite(dist[targets])
    a, b = walk_to_sources(pred, targets[reached])
    return a, b, reached
