"""Road graph: topology repair, CRS handling, known answers."""

from __future__ import annotations

import logging

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import LineString, MultiLineString

from geotel.errors import CRSError, SchemaError, ValueRangeError
from geotel.fiber import build_road_graph
from geotel.fiber._synthetic import synthetic_roads

UTM = "EPSG:32649"


def roads(*lines, classes=None, crs=UTM):
    return gpd.GeoDataFrame(
        {"road_id": [f"r{i}" for i in range(len(lines))],
         "road_class": classes or ["local"] * len(lines)},
        geometry=[LineString(x) for x in lines], crs=crs)


def test_crossing_lines_are_split():
    g = build_road_graph(roads([(0, 0), (2000, 0)], [(1000, -500), (1000, 1500)]))
    assert (g.n_nodes, g.n_edges) == (5, 4)
    assert sorted(np.round(g.length_m).tolist()) == [500, 1000, 1000, 1500]
    assert g.n_crossings == 2  # the crossing point goes into both lines


def test_unnoded_grid_has_every_crossing():
    h = [[(0, y), (5000, y)] for y in (1000, 2000, 3000)]
    v = [[(x, 0), (x, 4000)] for x in (500, 1500, 2500, 3500)]
    g = build_road_graph(roads(*h, *v))
    # 12 crossings; each horizontal line in 5 pieces, each vertical in 4
    assert g.n_nodes == 12 + 6 + 8
    assert g.n_edges == 3 * 5 + 4 * 4
    assert g.length_m.sum() == pytest.approx(3 * 5000 + 4 * 4000)


def test_shared_vertices_and_t_junction():
    # b starts exactly on a's interior (no shared vertex): a T-junction
    g = build_road_graph(roads([(0, 0), (2000, 0)], [(700, 0), (700, 900)]))
    assert (g.n_nodes, g.n_edges) == (4, 3)
    assert sorted(np.round(g.length_m).tolist()) == [700, 900, 1300]


def test_snap_gap_between_ends_within_tolerance_only():
    r = roads([(0, 0), (1000, 0)], [(1010, 0), (2000, 0)])
    g = build_road_graph(r, snap_tolerance_m=20, min_fragment_m=0)
    assert g.n_snapped == 1
    assert g.n_edges == 2
    assert g.n_nodes == 3
    g2 = build_road_graph(r, snap_tolerance_m=5, min_fragment_m=0)
    assert g2.n_snapped == 0
    assert g2.n_nodes == 4


def test_snap_undershoot_onto_line_interior():
    # b stops 12 m short of a: its end moves onto a, which is split there
    r = roads([(0, 0), (2000, 0)], [(800, 12), (800, 1000)])
    g = build_road_graph(r, snap_tolerance_m=20)
    assert g.n_snapped == 1
    assert (g.n_nodes, g.n_edges) == (4, 3)
    assert sorted(np.round(g.length_m).tolist()) == [800, 1000, 1200]
    d = dijkstra(g.matrix(), directed=False)
    assert np.isfinite(d).all()


def test_short_fragments_dropped_with_warning(caplog):
    r = roads([(0, 0), (5000, 0)], [(0, 9000), (300, 9000)], [(0, 20000), (3000, 20000)])
    with caplog.at_level(logging.WARNING, logger="geotel.fiber.graph"):
        g = build_road_graph(r, min_fragment_m=1000)
    assert g.n_fragments_dropped == 1
    assert g.length_dropped_m == pytest.approx(300)
    assert "dropped 1 isolated road fragment" in caplog.text
    assert g.length_m.sum() == pytest.approx(8000)  # the long island is kept


def test_class_weights_and_multilines():
    r = gpd.GeoDataFrame(
        {"road_id": ["a", "b"], "road_class": ["national", "track"]},
        geometry=[MultiLineString([[(0, 0), (1000, 0)], [(1000, 0), (1000, 1000)]]),
                  LineString([(0, 0), (0, 1000)])], crs=UTM)
    g = build_road_graph(r, class_weights={"track": 2.0})
    ratio = dict(zip(g.road_class, g.weight / g.length_m, strict=True))
    assert ratio == {"national": 1.0, "track": 2.0}
    assert g.class_weights["local"] == 1.2  # defaults fill the rest


def test_parallel_edges_route_on_the_shortest():
    r = roads([(0, 0), (1000, 0)], [(0, 0), (500, 400), (1000, 0)])
    g = build_road_graph(r)
    assert g.n_edges == 2
    assert g.n_nodes == 2
    assert g.matrix()[0, 1] == pytest.approx(1000)
    assert g.to_networkx().number_of_edges() == 1


def test_geographic_input_needs_metric_target():
    r = roads([(108.0, 14.0), (108.1, 14.0)], crs="EPSG:4326")
    with pytest.raises(CRSError, match="not a metric projected CRS"):
        build_road_graph(r)
    with pytest.raises(CRSError):
        build_road_graph(r, crs="EPSG:4326")
    g = build_road_graph(r, crs=UTM)
    assert g.crs.to_epsg() == 32649
    assert g.length_m.sum() == pytest.approx(10_790, rel=0.01)  # 0.1° of longitude at 14°N
    with pytest.raises(CRSError, match="no CRS"):
        build_road_graph(r.set_crs(None, allow_override=True))


def test_bad_input_errors_and_input_unchanged():
    r = roads([(0, 0), (1000, 0)])
    before = r.copy()
    build_road_graph(r)
    assert r.equals(before)
    bad = r.assign(road_class=["motorway"])
    with pytest.raises(ValueRangeError, match="road_class 'motorway'"):
        build_road_graph(bad)
    with pytest.raises(SchemaError, match="road_id"):
        build_road_graph(r.drop(columns="road_id"))


def test_synthetic_lattice_known_counts_and_networkx_agree():
    r = synthetic_roads(20, seed=3)
    g = build_road_graph(r, min_fragment_m=0)
    # nothing lost or added, no false crossings; junctions: one node per lattice point
    assert g.length_m.sum() == pytest.approx(r.length.sum())
    assert g.n_crossings == 0
    assert g.n_snapped == 0
    assert 390 <= g.n_nodes <= 400  # a junction whose cross road is missing is a bend
    nxg = g.to_networkx()
    src = 0
    ref = nx.single_source_dijkstra_path_length(nxg, src, weight="length_m")
    d = dijkstra(g.matrix(), directed=False, indices=src)
    got = {i: d[i] for i in ref}
    assert all(got[i] == pytest.approx(ref[i]) for i in ref)
    geoms = g.edge_geometries()
    assert np.allclose([x.length for x in geoms], g.length_m)
