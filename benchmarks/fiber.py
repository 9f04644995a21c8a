"""Benchmark of the fiber step on a synthetic OSM-like road graph of ~200,000 edges.

Times (wall clock and process CPU), each including building the graph from the roads
layer: reach for 5,000 origins; the Steiner plan for 222 target communes. Then the
tree's cost against networkx's ``steiner_tree(method="mehlhorn")`` on the same network.

Run: ``.venv/bin/python benchmarks/fiber.py [--no-networkx]``
"""

from __future__ import annotations

import argparse
import time

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely
from networkx.algorithms.approximation import steiner_tree as nx_steiner_tree

from geotel.fiber import build_road_graph, fiber_reach, plan_extension
from geotel.fiber._steiner import edge_weights, steiner_tree
from geotel.fiber._synthetic import synthetic_fiber, synthetic_points, synthetic_roads
from geotel.fiber.plan import _plan_network
from geotel.fiber.reach import fiber_access_points


def timed(fn, *args, **kwargs):
    w, c = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - w, time.process_time() - c


def communes_at(points: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    xy = shapely.get_coordinates(points.geometry.array)
    return gpd.GeoDataFrame({
        "commune_code": [f"{23000 + i:05d}" for i in range(len(points))],
        "district_code": [f"D{int(x // 40_000)}{int(y // 40_000)}" for x, y in xy],
        "has_fixed_internet": False, "office_x": xy[:, 0], "office_y": xy[:, 1]},
        geometry=points.buffer(1500, quad_segs=2).to_numpy(), crs=points.crs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--side", type=int, default=320, help="lattice side (320: ~200k edges)")
    ap.add_argument("--no-networkx", action="store_true", help="skip the networkx comparison")
    args = ap.parse_args()

    # warm-up on a small instance: numba kernels load from their cache (or compile)
    small = synthetic_roads(30, seed=9)
    (_, cold_w, _) = timed(lambda: fiber_reach(build_road_graph(small), synthetic_fiber(small),
                                               synthetic_points(small, 50)))
    plan_extension(build_road_graph(small), synthetic_fiber(small),
                   communes_at(synthetic_points(small, 20, near_road_m=300)))

    roads = synthetic_roads(args.side, seed=0)
    fiber = synthetic_fiber(roads)
    origins = synthetic_points(roads, 5000, seed=1)
    targets = communes_at(synthetic_points(roads, 222, seed=2, near_road_m=300))
    g0 = build_road_graph(roads)
    nv = shapely.get_num_coordinates(roads.geometry.array).sum()
    print(f"roads layer: {len(roads):,} ways, {nv:,} vertices; graph: {g0.n_nodes:,} nodes, "
          f"{g0.n_edges:,} edges, {g0.total_length_km:,.0f} km; "
          f"fiber: {len(fiber)} routes, {fiber.length.sum() / 1000:,.0f} km")
    print(f"first call in a fresh process (numba cache load/compile, small graph): {cold_w:.2f} s")

    def reach_run():
        g = build_road_graph(roads)
        return g, fiber_reach(g, fiber, origins, spacing_m=500, offroad_penalty=1.5)

    def plan_run():
        g = build_road_graph(roads)
        return g, plan_extension(g, fiber, targets, targets="unconnected", method="steiner")

    best = {}
    for name, fn in (("reach, 5,000 origins", reach_run), ("Steiner plan, 222 targets", plan_run)):
        runs = [timed(fn) for _ in range(3)]
        out, w, c = min(runs, key=lambda r: r[1])
        best[name] = out
        print(f"{name:28s} (graph build included): wall {w:.3f} s (best of 3; all: "
              f"{', '.join(f'{r[1]:.2f}' for r in runs)}), CPU {c:.3f} s")
    (_, g_build, g_cpu) = timed(build_road_graph, roads)
    print(f"{'of which graph build':28s}: wall {g_build:.3f} s, CPU {g_cpu:.3f} s")
    g, reach = best["reach, 5,000 origins"]
    t = reach.table
    print(f"reach: median {t['distance_km'].median():.2f} km, classes "
          f"{t['reach_class'].value_counts().sort_index().to_dict()}")
    g, plan = best["Steiner plan, 222 targets"]
    sp = plan_extension(g, fiber, targets, method="shortest_paths")
    print(f"Steiner plan: {plan.n_connected}/{plan.n_targets} connected, "
          f"{plan.total_length_km:,.1f} km, {plan.total_cost_vnd / 1e9:,.2f} billion VND, "
          f"{len(plan.routes)} routes; shortest paths: {sp.total_length_km:,.1f} km, "
          f"{sp.total_cost_vnd / 1e9:,.2f} billion VND")

    if args.no_networkx:
        return
    # the same network the plan routes on, solved by us and by networkx
    aps = fiber_access_points(g, fiber, spacing_m=500)
    txy = np.column_stack([targets["office_x"], targets["office_y"]])
    net, ap_nodes, t_nodes = _plan_network(g, aps, txy, offroad_penalty=1.5, dem=None)
    m = net.matrix("weight")
    (res, w_ours, _) = timed(steiner_tree, m, [ap_nodes] + [np.array([x]) for x in t_nodes])
    ours = float(edge_weights(m, res[0], res[1]).sum())
    (res0, w_plain, _) = timed(steiner_tree, m, [ap_nodes] + [np.array([x]) for x in t_nodes],
                               improve=False)
    plain = float(edge_weights(m, res0[0], res0[1]).sum())
    coo = m.tocoo()
    up = coo.row < coo.col
    G = nx.Graph()
    G.add_weighted_edges_from(zip(coo.row[up].tolist(), coo.col[up].tolist(),
                                  coo.data[up].tolist(), strict=True))
    G.add_weighted_edges_from(("S", int(x), 0.0) for x in ap_nodes)
    terminals = ["S"] + [int(x) for x in t_nodes]
    comp = nx.node_connected_component(G, "S")
    terminals = [x for x in terminals if x in comp]
    (tree, w_nx, _) = timed(nx_steiner_tree, G.subgraph(comp), terminals, weight="weight",
                            method="mehlhorn")
    theirs = sum(d["weight"] for *_, d in tree.edges(data=True))
    print(f"network: {net.n_nodes:,} nodes, {m.nnz // 2:,} edges, {len(terminals)} terminals "
          "(222 targets + the fiber as one super-terminal)")
    print(f"tree cost (weighted km): ours {ours / 1000:,.2f} ({w_ours:.2f} s); "
          f"plain Mehlhorn, ours {plain / 1000:,.2f} ({w_plain:.2f} s); "
          f"networkx mehlhorn {theirs / 1000:,.2f} ({w_nx:.2f} s); "
          f"ours / networkx = {ours / theirs:.4f}")


if __name__ == "__main__":
    main()
