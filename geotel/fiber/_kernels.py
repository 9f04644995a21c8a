"""Numba kernels for the road graph: a uniform-grid index of segments, segment crossings,
and the nearest segment to a point.

Segments are given as four float64 arrays ``x0, y0, x1, y1``. The grid index is a CSR
structure: ``keys`` (sorted unique cell keys ``row * ncols + col``), ``starts`` (offsets,
one longer than ``keys``) and ``items`` (segment ids). All kernels are compiled once and
cached on disk (``cache=True``).
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

__all__ = [
    "SegmentGrid",
    "build_grid",
    "find_crossings",
    "nearest_segments",
    "nearest_segments_any",
]


class SegmentGrid(NamedTuple):
    """A uniform grid over segment bounding boxes (CSR of cell → segment ids)."""

    ox: float
    oy: float
    cell_m: float
    ncols: int
    nrows: int
    keys: np.ndarray
    starts: np.ndarray
    items: np.ndarray


@numba.njit(cache=True)
def _cell_span(a: float, b: float, origin: float, cell: float, n: int) -> tuple[int, int]:
    lo = min(a, b)
    hi = max(a, b)
    c0 = int(np.floor((lo - origin) / cell))
    c1 = int(np.floor((hi - origin) / cell))
    c0 = max(0, min(n - 1, c0))
    c1 = max(0, min(n - 1, c1))
    return c0, c1


@numba.njit(cache=True)
def _fill_grid(x0, y0, x1, y1, ox, oy, cell, ncols, nrows):
    n = x0.shape[0]
    count = 0
    for i in range(n):
        c0, c1 = _cell_span(x0[i], x1[i], ox, cell, ncols)
        r0, r1 = _cell_span(y0[i], y1[i], oy, cell, nrows)
        count += (c1 - c0 + 1) * (r1 - r0 + 1)
    cells = np.empty(count, np.int64)
    segs = np.empty(count, np.int64)
    k = 0
    for i in range(n):
        c0, c1 = _cell_span(x0[i], x1[i], ox, cell, ncols)
        r0, r1 = _cell_span(y0[i], y1[i], oy, cell, nrows)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                cells[k] = r * ncols + c
                segs[k] = i
                k += 1
    ncells = ncols * nrows
    if ncells <= 8 * count + 1_000_000:
        # counting sort by cell key
        per = np.zeros(ncells + 1, np.int64)
        for j in range(count):
            per[cells[j] + 1] += 1
        for c in range(ncells):
            per[c + 1] += per[c]
        cells2 = np.empty(count, np.int64)
        segs2 = np.empty(count, np.int64)
        for j in range(count):
            d = per[cells[j]]
            cells2[d] = cells[j]
            segs2[d] = segs[j]
            per[cells[j]] = d + 1
        cells = cells2
        segs = segs2
    else:
        order = np.argsort(cells, kind="mergesort")
        cells = cells[order]
        segs = segs[order]
    nkeys = 0
    for j in range(count):
        if j == 0 or cells[j] != cells[j - 1]:
            nkeys += 1
    keys = np.empty(nkeys, np.int64)
    starts = np.empty(nkeys + 1, np.int64)
    m = 0
    for j in range(count):
        if j == 0 or cells[j] != cells[j - 1]:
            keys[m] = cells[j]
            starts[m] = j
            m += 1
    starts[nkeys] = count
    return keys, starts, segs


@numba.njit(cache=True)
def _extent(x0, y0, x1, y1):
    n = x0.shape[0]
    xmin = ymin = np.inf
    xmax = ymax = -np.inf
    step = max(1, n // 20000)
    m = (n + step - 1) // step
    sample = np.empty(m)
    for i in range(n):
        xmin = min(xmin, x0[i], x1[i])
        xmax = max(xmax, x0[i], x1[i])
        ymin = min(ymin, y0[i], y1[i])
        ymax = max(ymax, y0[i], y1[i])
        if i % step == 0:
            sample[i // step] = np.hypot(x1[i] - x0[i], y1[i] - y0[i])
    return xmin, ymin, xmax, ymax, np.percentile(sample, 90.0), 0


@numba.njit(cache=True)
def _spans(x0, y0, x1, y1, cell):
    total = 0.0
    for i in range(x0.shape[0]):
        total += (abs(x1[i] - x0[i]) // cell + 2) * (abs(y1[i] - y0[i]) // cell + 2)
    return total


def build_grid(
    x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray, *, cell_m: float | None = None
) -> SegmentGrid:
    """Index segments in a uniform grid; the cell size adapts to the segment lengths."""
    if x0.size == 0:
        empty = np.zeros(0, np.int64)
        return SegmentGrid(0.0, 0.0, 1.0, 1, 1, empty, np.zeros(1, np.int64), empty)
    xmin, ymin, xmax, ymax, p90, _spans0 = _extent(x0, y0, x1, y1)
    if cell_m is None:
        cell_m = max(p90, 1.0)
        # keep the grid to at most ~4 cells per segment on average
        cell_m = max(cell_m, np.sqrt((xmax - xmin + 1.0) * (ymax - ymin + 1.0) / (4.0 * x0.size)))
    while True:
        ncols = int((xmax - xmin) // cell_m) + 1
        nrows = int((ymax - ymin) // cell_m) + 1
        spans = _spans(x0, y0, x1, y1, cell_m)
        if spans <= 16 * x0.size + 1024 or ncols * nrows <= 16:
            break
        cell_m *= 2.0
    keys, starts, items = _fill_grid(x0, y0, x1, y1, xmin, ymin, cell_m, ncols, nrows)
    return SegmentGrid(xmin, ymin, float(cell_m), ncols, nrows, keys, starts, items)


@numba.njit(cache=True)
def _crossings(x0, y0, x1, y1, line, ox, oy, cell, ncols, nrows, keys, starts, items,
               eps_m, write, out_seg, out_t, out_x, out_y):
    """Scan every cell; count (write=False) or write the vertex insertions."""
    k = 0
    for c in range(keys.shape[0]):
        key = keys[c]
        row = key // ncols
        col = key - row * ncols
        a_ = starts[c]
        b_ = starts[c + 1]
        for p in range(a_, b_):
            i = items[p]
            for q in range(p + 1, b_):
                j = items[q]
                if line[i] == line[j] and (j == i + 1 or i == j + 1):
                    continue
                # bbox overlap, and the lower-left corner of the overlap lies in this cell
                ax0 = min(x0[i], x1[i])
                ax1 = max(x0[i], x1[i])
                ay0 = min(y0[i], y1[i])
                ay1 = max(y0[i], y1[i])
                bx0 = min(x0[j], x1[j])
                bx1 = max(x0[j], x1[j])
                by0 = min(y0[j], y1[j])
                by1 = max(y0[j], y1[j])
                lx = max(ax0, bx0)
                ly = max(ay0, by0)
                if lx > min(ax1, bx1) or ly > min(ay1, by1):
                    continue
                cc = max(0, min(ncols - 1, int(np.floor((lx - ox) / cell))))
                cr = max(0, min(nrows - 1, int(np.floor((ly - oy) / cell))))
                if cc != col or cr != row:
                    continue
                rx = x1[i] - x0[i]
                ry = y1[i] - y0[i]
                sx = x1[j] - x0[j]
                sy = y1[j] - y0[j]
                den = rx * sy - ry * sx
                la = np.hypot(rx, ry)
                lb = np.hypot(sx, sy)
                if abs(den) <= 1e-12 * la * lb or la == 0.0 or lb == 0.0:
                    continue  # parallel or degenerate
                qx = x0[j] - x0[i]
                qy = y0[j] - y0[i]
                t = (qx * sy - qy * sx) / den
                u = (qx * ry - qy * rx) / den
                ta = eps_m / la
                tb = eps_m / lb
                if t < -ta or t > 1.0 + ta or u < -tb or u > 1.0 + tb:
                    continue
                a_end = t <= ta or t >= 1.0 - ta
                b_end = u <= tb or u >= 1.0 - tb
                if a_end and b_end:
                    continue
                if a_end:
                    # a vertex of segment i lies on the interior of segment j
                    vx = x0[i] if t < 0.5 else x1[i]
                    vy = y0[i] if t < 0.5 else y1[i]
                    if write:
                        out_seg[k] = j
                        out_t[k] = u
                        out_x[k] = vx
                        out_y[k] = vy
                    k += 1
                elif b_end:
                    vx = x0[j] if u < 0.5 else x1[j]
                    vy = y0[j] if u < 0.5 else y1[j]
                    if write:
                        out_seg[k] = i
                        out_t[k] = t
                        out_x[k] = vx
                        out_y[k] = vy
                    k += 1
                else:
                    px = x0[i] + t * rx
                    py = y0[i] + t * ry
                    if write:
                        out_seg[k] = i
                        out_t[k] = t
                        out_x[k] = px
                        out_y[k] = py
                        out_seg[k + 1] = j
                        out_t[k + 1] = u
                        out_x[k + 1] = px
                        out_y[k + 1] = py
                    k += 2
    return k


def find_crossings(
    x0: np.ndarray,
    y0: np.ndarray,
    x1: np.ndarray,
    y1: np.ndarray,
    line: np.ndarray,
    grid: SegmentGrid,
    *,
    eps_m: float = 1e-3,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Vertices to insert where segments cross or touch without sharing a vertex.

    Returns ``(segment, t, x, y)``: insert point ``(x, y)`` at parameter ``t`` (0–1) of
    ``segment``. A crossing inserts the same point into both segments; a vertex lying on
    the interior of another segment is inserted into that segment with its exact
    coordinates, so that the two become one node.
    """
    g = grid
    dummy_i = np.zeros(0, np.int64)
    dummy_f = np.zeros(0, np.float64)
    n = _crossings(x0, y0, x1, y1, line, g.ox, g.oy, g.cell_m, g.ncols, g.nrows, g.keys,
                   g.starts, g.items, eps_m, False, dummy_i, dummy_f, dummy_f, dummy_f)
    seg = np.empty(n, np.int64)
    t = np.empty(n, np.float64)
    x = np.empty(n, np.float64)
    y = np.empty(n, np.float64)
    if n:
        _crossings(x0, y0, x1, y1, line, g.ox, g.oy, g.cell_m, g.ncols, g.nrows, g.keys,
                   g.starts, g.items, eps_m, True, seg, t, x, y)
    return seg, np.clip(t, 0.0, 1.0), x, y


@numba.njit(cache=True)
def _nearest(px, py, radius, x0, y0, x1, y1, seg_line, seg_s0, seg_s1, q_line, q_s, excl_m,
             ox, oy, cell, ncols, nrows, keys, starts, items):
    nq = px.shape[0]
    best_seg = np.full(nq, -1, np.int64)
    best_t = np.zeros(nq, np.float64)
    best_d = np.full(nq, np.inf)
    for k in range(nq):
        r = radius[k]
        if not np.isfinite(r) or r < 0:
            continue
        c0 = int(np.floor((px[k] - r - ox) / cell))
        c1 = int(np.floor((px[k] + r - ox) / cell))
        r0 = int(np.floor((py[k] - r - oy) / cell))
        r1 = int(np.floor((py[k] + r - oy) / cell))
        c0 = max(0, c0)
        r0 = max(0, r0)
        c1 = min(ncols - 1, c1)
        r1 = min(nrows - 1, r1)
        if c0 > c1 or r0 > r1:
            continue
        for row in range(r0, r1 + 1):
            lo = np.searchsorted(keys, row * ncols + c0)
            hi = np.searchsorted(keys, row * ncols + c1, side="right")
            for c in range(lo, hi):
                for p in range(starts[c], starts[c + 1]):
                    i = items[p]
                    if (q_line[k] >= 0 and seg_line[i] == q_line[k]
                            and seg_s0[i] < q_s[k] + excl_m and q_s[k] - excl_m < seg_s1[i]):
                        continue
                    dx = x1[i] - x0[i]
                    dy = y1[i] - y0[i]
                    l2 = dx * dx + dy * dy
                    if l2 > 0.0:
                        t = ((px[k] - x0[i]) * dx + (py[k] - y0[i]) * dy) / l2
                        t = min(1.0, max(0.0, t))
                    else:
                        t = 0.0
                    ex = x0[i] + t * dx - px[k]
                    ey = y0[i] + t * dy - py[k]
                    d = np.sqrt(ex * ex + ey * ey)
                    if d <= r and (d < best_d[k] or (d == best_d[k] and i < best_seg[k])):
                        best_d[k] = d
                        best_seg[k] = i
                        best_t[k] = t
    return best_seg, best_t, best_d


def nearest_segments(
    px: np.ndarray,
    py: np.ndarray,
    radius_m: np.ndarray,
    x0: np.ndarray,
    y0: np.ndarray,
    x1: np.ndarray,
    y1: np.ndarray,
    grid: SegmentGrid,
    *,
    seg_line: np.ndarray | None = None,
    seg_s0: np.ndarray | None = None,
    seg_s1: np.ndarray | None = None,
    q_line: np.ndarray | None = None,
    q_s: np.ndarray | None = None,
    exclude_m: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest segment within ``radius_m`` of each point: ``(segment, t, distance_m)``.

    ``segment`` is -1 where none lies within the radius. With ``q_line``/``q_s`` a point
    ignores the segments of its own line within ``exclude_m`` (along the line) of
    position ``q_s``, so a dangling end is not snapped onto its own last metres.
    """
    n = px.shape[0]
    if seg_line is None or q_line is None or seg_s0 is None or seg_s1 is None or q_s is None:
        seg_line = np.zeros(x0.shape[0], np.int64)
        seg_s0 = np.zeros(x0.shape[0])
        seg_s1 = np.zeros(x0.shape[0])
        q_line = np.full(n, -1, np.int64)
        q_s = np.zeros(n)
    g = grid
    return _nearest(np.ascontiguousarray(px, np.float64), np.ascontiguousarray(py, np.float64),
                    np.ascontiguousarray(radius_m, np.float64), x0, y0, x1, y1,
                    np.ascontiguousarray(seg_line, np.int64), seg_s0, seg_s1,
                    np.ascontiguousarray(q_line, np.int64), np.ascontiguousarray(q_s, np.float64),
                    float(exclude_m), g.ox, g.oy, g.cell_m, g.ncols, g.nrows, g.keys, g.starts,
                    g.items)


def nearest_segments_any(
    px: np.ndarray,
    py: np.ndarray,
    x0: np.ndarray,
    y0: np.ndarray,
    x1: np.ndarray,
    y1: np.ndarray,
    grid: SegmentGrid,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest segment to each point, however far: ``(segment, t, distance_m)``.

    The search radius starts at one cell beyond the grid's bounding box and doubles
    until a segment is found (a hit within radius r is exact: every segment within r
    was looked at).
    """
    n = px.shape[0]
    seg = np.full(n, -1, np.int64)
    t = np.zeros(n)
    d = np.full(n, np.inf)
    if n == 0 or x0.shape[0] == 0:
        return seg, t, d
    g = grid
    xmax = g.ox + g.ncols * g.cell_m
    ymax = g.oy + g.nrows * g.cell_m
    outside = np.hypot(np.maximum(0, np.maximum(g.ox - px, px - xmax)),
                       np.maximum(0, np.maximum(g.oy - py, py - ymax)))
    radius = outside + g.cell_m
    todo = np.arange(n)
    limit = float(np.hypot(xmax - g.ox, ymax - g.oy)) * 2.0 + outside.max() + g.cell_m
    while todo.size:
        s, tt, dd = nearest_segments(px[todo], py[todo], radius[todo], x0, y0, x1, y1, grid)
        hit = s >= 0
        seg[todo[hit]] = s[hit]
        t[todo[hit]] = tt[hit]
        d[todo[hit]] = dd[hit]
        todo = todo[~hit]
        radius[todo] *= 2.0
        if todo.size and radius[todo].min() > limit:
            break
    return seg, t, d
