"""A seeded synthetic, OpenStreetMap-like road network for tests and benchmarks.

A jittered square lattice of junctions; every row and column of the lattice is cut into
ways of 3–20 blocks that share their junction vertices (as OSM ways do), with 0–2 shape
points per block. A few blocks are missing, so the network is not a perfect grid.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

__all__ = ["synthetic_fiber", "synthetic_points", "synthetic_roads"]


def _class_of(k: np.ndarray) -> np.ndarray:
    out = np.full(k.shape, "local", dtype=object)
    out[k % 7 == 3] = "track"
    out[k % 4 == 0] = "commune"
    out[k % 10 == 0] = "district"
    out[k % 20 == 0] = "provincial"
    out[k % 40 == 0] = "national"
    return out


def synthetic_roads(
    n_side: int = 320,
    *,
    spacing_m: float = 390.0,
    drop_fraction: float = 0.025,
    seed: int = 0,
    crs: str = "EPSG:32649",
    origin_xy: tuple[float, float] = (300_000.0, 1_400_000.0),
) -> gpd.GeoDataFrame:
    """A roads layer (canonical columns) on an ``n_side`` × ``n_side`` lattice of junctions.

    About ``2 n (n - 1) (1 - drop_fraction)`` graph edges; 320 gives ~199,000.
    """
    rng = np.random.default_rng(seed)
    n = n_side
    ij = np.stack(np.meshgrid(np.arange(n), np.arange(n), indexing="ij"), -1)  # (row, col)
    node_xy = ij[..., ::-1] * spacing_m + rng.uniform(-0.3, 0.3, (n, n, 2)) * spacing_m
    node_xy = node_xy.reshape(-1, 2) + np.asarray(origin_xy)
    # blocks along rows then columns: (line index k, position p, node a, node b)
    k = np.repeat(np.arange(n), n - 1)
    p = np.tile(np.arange(n - 1), n)
    a_row, b_row = k * n + p, k * n + p + 1
    a_col, b_col = p * n + k, (p + 1) * n + k
    line_k = np.r_[k, k + n]  # rows 0..n-1, columns n..2n-1
    a = np.r_[a_row, a_col]
    b = np.r_[b_row, b_col]
    nb = a.size
    cls = _class_of(line_k % n)
    dropped = (rng.random(nb) < drop_fraction) & (cls != "national")
    # a new way starts after a dropped block, at random, and at each line start
    pos = np.r_[p, p]
    new_way = (pos == 0) | (rng.random(nb) < 1 / 10) | np.r_[False, dropped[:-1]]
    keep = ~dropped
    a, b, line_k, new_way, cls = a[keep], b[keep], line_k[keep], new_way[keep], cls[keep]
    # a block following a dropped one starts a new way; so does a line change
    way = np.cumsum(new_way | np.r_[True, line_k[1:] != line_k[:-1]]) - 1
    nshape = rng.integers(0, 3, a.size)
    # vertices: each block contributes its start node and its shape points; each way its end
    reps = 1 + nshape
    blk = np.repeat(np.arange(a.size), reps)
    sub = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
    f = sub / reps[blk]
    pa, pb = node_xy[a[blk]], node_xy[b[blk]]
    vxy = pa + (pb - pa) * f[:, None]
    jitter = rng.normal(0, 12.0, vxy.shape)
    vxy = vxy + jitter * (sub > 0)[:, None]
    last_blk = np.r_[np.flatnonzero(way[1:] != way[:-1]), a.size - 1]
    end_xy = node_xy[b[last_blk]]
    vway = np.r_[way[blk], way[last_blk]]
    # each way's end vertex goes right after the way's last block vertex
    end_pos = np.searchsorted(way[blk], way[last_blk], side="right")
    order = np.argsort(np.r_[np.arange(blk.size), end_pos - 0.5], kind="stable")
    allxy = np.concatenate([vxy, end_xy])[order]
    allway = vway[order]
    geoms = shapely.linestrings(allxy, indices=allway)
    way_cls = cls[np.r_[0, np.flatnonzero(way[1:] != way[:-1]) + 1]]
    return gpd.GeoDataFrame(
        {"road_id": [f"w{i}" for i in range(len(geoms))], "road_class": way_cls,
         "name": ""},
        geometry=geoms, crs=crs,
    )


def synthetic_fiber(roads: gpd.GeoDataFrame, *, road_class: str = "national") -> gpd.GeoDataFrame:
    """Existing fiber drawn along every road of one class (one route per road)."""
    sel = roads[roads["road_class"] == road_class]
    return gpd.GeoDataFrame(
        {"route_id": [f"F{i}" for i in range(len(sel))], "operator": "VNPT", "level": "backbone"},
        geometry=sel.geometry.to_numpy(), crs=roads.crs,
    )


def synthetic_points(
    roads: gpd.GeoDataFrame, n: int, *, seed: int = 1, near_road_m: float | None = None
) -> gpd.GeoDataFrame:
    """``n`` seeded points in the roads' bounding box (or within ``near_road_m`` of a vertex)."""
    rng = np.random.default_rng(seed)
    if near_road_m is None:
        x0, y0, x1, y1 = roads.total_bounds
        xy = np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])
    else:
        v = shapely.get_coordinates(roads.geometry.array)
        xy = v[rng.integers(0, len(v), n)] + rng.uniform(-near_road_m, near_road_m, (n, 2))
    return gpd.GeoDataFrame({"point_id": [f"P{i}" for i in range(n)]},
                            geometry=shapely.points(xy), crs=roads.crs)
