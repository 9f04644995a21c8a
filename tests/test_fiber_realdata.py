"""Fiber reach and plan on the real Gia Lai main roads and commune polygons."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse.csgraph import connected_components

from geotel.fiber import build_road_graph, commune_fiber_distance, plan_extension
from geotel.io import read_roads
from tests._real import real_communes

UTM = "EPSG:32649"


@pytest.fixture(scope="module")
def gialai(real_data):
    """The real roads and communes read by geotel's readers (the railway dropped, classes
    mapped, commune codes canonical); fiber along QL14."""
    roads = read_roads(real_data / "roads_main.gpkg", crs=UTM)
    communes = real_communes(real_data, crs=UTM)
    communes["has_fixed_internet"] = True
    # existing fiber: along QL14 (inside and around the province)
    fiber = roads[roads["name"] == "Quốc lộ 14"][["road_id", "geometry"]].rename(
        columns={"road_id": "route_id"})
    graph = build_road_graph(roads, crs=UTM)
    return graph, roads, communes, fiber


def test_graph_builds(gialai):
    graph, roads, _, _ = gialai
    assert graph.crs.to_epsg() == 32649
    assert graph.n_edges > 20
    assert graph.n_nodes > 20
    total = roads.to_crs(UTM).length.sum()
    # every metre of road is in the graph (snapping moves ends by < 20 m), except
    # fragments dropped as too short
    assert graph.length_m.sum() + graph.length_dropped_m == pytest.approx(total, rel=1e-4)
    # QL14, QL19, QL25, QL14C and TL664 meet: one piece holds most of the network
    _, comp = connected_components(graph.matrix(), directed=False)
    share = np.bincount(comp[graph.edge_u], weights=graph.length_m) / graph.length_m.sum()
    assert share.max() > 0.8


def test_distances_finite_near_main_roads(gialai):
    graph, roads, communes, fiber = gialai
    out = commune_fiber_distance(communes, graph, fiber, offroad_penalty=1.5)
    assert len(out) == 222
    assert out.crs == communes.crs
    c = out.to_crs(UTM)
    centre = c.geometry.representative_point()
    near = centre.distance(roads.to_crs(UTM).union_all()) < 2000
    assert near.sum() > 30
    d = out.loc[near, "fiber_distance_km"]
    assert np.isfinite(d).all()
    # along roads is never shorter than the straight line to the fiber
    straight = centre[near].distance(fiber.to_crs(UTM).union_all()) / 1000
    assert (d >= straight - 1e-3).all()
    assert (d < 200).all()


def test_steiner_between_longest_and_sum_of_single_paths(gialai):
    graph, roads, communes, fiber = gialai
    c = communes.to_crs(UTM)
    centre = c.geometry.representative_point()
    near_road = centre.distance(roads.to_crs(UTM).union_all()) < 3000
    far_fiber = centre.distance(fiber.to_crs(UTM).union_all()) > 15_000
    pick = c.index[near_road & far_fiber][:10]
    assert len(pick) >= 5
    com = communes.copy()
    com.loc[pick, "has_fixed_internet"] = False
    kw = {"offroad_penalty": 1.0, "cost_per_km_vnd": 1.0}  # cost = length in km
    plan = plan_extension(graph, fiber, com, **kw)
    assert plan.n_targets == len(pick)
    assert plan.n_connected == len(pick)
    single = []
    for i in pick:
        one = com.assign(has_fixed_internet=True)
        one.loc[i, "has_fixed_internet"] = False
        single.append(plan_extension(graph, fiber, one, method="shortest_paths",
                                     **kw).total_length_km)
    assert plan.total_length_km <= sum(single) + 1e-6
    assert plan.total_length_km >= max(single) - 1e-6
    assert plan.total_cost_vnd == pytest.approx(plan.total_length_km)
    sp = plan_extension(graph, fiber, com, method="shortest_paths", **kw)
    assert plan.total_length_km <= sp.total_length_km + 1e-6
    served = {s for v in plan.routes["communes_served"] for s in v.split(",")}
    assert served == set(com.loc[pick, "commune_code"])
    assert plan.district_totals["length_km"].sum() == pytest.approx(plan.total_length_km)
