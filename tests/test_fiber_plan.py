"""Extension plan: Steiner tree against networkx and a hand-checked optimum; contracts."""

from __future__ import annotations

from types import SimpleNamespace

import geopandas as gpd
import networkx as nx
import numpy as np
import osmium
import pytest
from networkx.algorithms.approximation import steiner_tree as nx_steiner
from scipy.sparse import coo_matrix
from shapely.geometry import LineString, Point, box

from geotel.config import FiberConfig
from geotel.errors import FileFormatError, SchemaError, ValueRangeError
from geotel.fiber import ROUTE_COLUMNS, build_road_graph, plan_extension, read_osm_roads, run_fiber
from geotel.fiber._steiner import edge_weights, steiner_tree

UTM = "EPSG:32649"


def _random_instance(rng):
    n = int(rng.integers(10, 120))
    g = nx.gnm_random_graph(n, int(rng.integers(n, 3 * n)), seed=int(rng.integers(1e9)))
    for u, v in g.edges:
        g[u][v]["weight"] = float(rng.integers(1, 20))
    nodes = rng.permutation(n)
    aps = nodes[: int(rng.integers(1, 4))]
    targets = nodes[4: 4 + int(rng.integers(2, 12))]
    return g, aps, targets


@pytest.mark.parametrize("seed", range(6))
def test_steiner_no_longer_than_networkx_mehlhorn(seed):
    rng = np.random.default_rng(seed)
    mine_total = theirs_total = 0.0
    for _ in range(40):
        g, aps, targets = _random_instance(rng)
        e = np.array(g.edges)
        if len(e) == 0:
            continue
        w = np.array([g[u][v]["weight"] for u, v in e])
        m = coo_matrix((np.r_[w, w], (np.r_[e[:, 0], e[:, 1]], np.r_[e[:, 1], e[:, 0]])),
                       shape=(g.number_of_nodes(),) * 2).tocsr()
        a, b, reached = steiner_tree(m, [aps] + [np.array([t]) for t in targets])
        h = g.copy()
        h.add_edges_from(("S", int(x), {"weight": 0.0}) for x in aps)
        comp = nx.node_connected_component(h, "S")
        terms = ["S"] + [int(t) for t in targets if int(t) in comp]
        assert reached[1:].tolist() == [int(t) in comp for t in targets]
        if len(terms) < 2:
            continue
        ref = nx_steiner(h.subgraph(comp), terms, weight="weight", method="mehlhorn")
        theirs = sum(d["weight"] for *_, d in ref.edges(data=True))
        mine = float(edge_weights(m, a, b).sum())
        # a tree (acyclic) connecting every reached target to the network
        t = nx.Graph(list(zip(a.tolist(), b.tolist(), strict=True)))
        t.add_edges_from(("S", int(x)) for x in aps)
        assert all(x in t and nx.has_path(t, "S", x) for x in terms[1:])
        assert nx.is_forest(nx.Graph(list(zip(a.tolist(), b.tolist(), strict=True))))
        assert mine <= theirs + 1e-9
        mine_total += mine
        theirs_total += theirs
    assert mine_total <= theirs_total


@pytest.fixture
def y_network():
    """Fiber at O; a trunk O–J (8 km), branches J–A, J–B (√13 km); direct roads O–A, O–B."""
    lines = {"trunk": [(0, 0), (8000, 0)], "ja": [(8000, 0), (10_000, 3000)],
             "jb": [(8000, 0), (10_000, -3000)], "oa": [(0, 0), (10_000, 3000)],
             "ob": [(0, 0), (10_000, -3000)]}
    roads = gpd.GeoDataFrame({"road_id": list(lines), "road_class": "national"}, crs=UTM,
                             geometry=[LineString(v) for v in lines.values()])
    fiber = gpd.GeoDataFrame({"route_id": ["F"]}, crs=UTM,
                             geometry=[LineString([(-3000, 0), (0, 0)])])
    com = gpd.GeoDataFrame({"commune_code": ["A", "B", "C"], "district_code": ["d1", "d2", "d1"],
                            "has_fixed_internet": [False, False, True]}, crs=UTM,
                           geometry=[box(9500, 2500, 10_500, 3500),
                                     box(9500, -3500, 10_500, -2500),
                                     box(-500, -500, 500, 500)])
    com["office_x"] = [10_000.0, 10_000.0, 0.0]
    com["office_y"] = [3000.0, -3000.0, 0.0]
    return build_road_graph(roads), fiber, com


def test_hand_checked_steiner_optimum(y_network):
    g, fiber, com = y_network
    branch = np.hypot(2000, 3000)
    direct = np.hypot(10_000, 3000)  # alone shorter than 8 km + the branch
    st = plan_extension(g, fiber, com, cost_per_km_vnd=1e8)
    sp = plan_extension(g, fiber, com, method="shortest_paths", cost_per_km_vnd=1e8)
    assert st.total_length_km == pytest.approx((8000 + 2 * branch) / 1000)  # the optimum
    assert sp.total_length_km == pytest.approx(2 * direct / 1000)
    assert st.total_cost_vnd == pytest.approx(st.total_length_km * 1e8)
    assert st.n_targets == 2
    assert st.n_connected == 2
    r = st.routes.set_index("communes_served")
    assert r.loc["A,B", "length_km"] == pytest.approx(8.0)
    assert r.loc["A", "length_km"] == pytest.approx(branch / 1000)
    assert list(st.routes.columns) == [*ROUTE_COLUMNS, "geometry"]
    assert st.routes["route_id"].tolist() == ["FP001", "FP002", "FP003"]
    assert st.targets.set_index("commune_code").loc["A", "route_ids"] in ("FP002,FP001",
                                                                        "FP003,FP001")
    assert st.routes.geometry.length.sum() == pytest.approx(st.total_length_km * 1000)


def test_plan_contracts(y_network):
    g, fiber, com = y_network
    before = com.copy()
    p = plan_extension(g, fiber, com.to_crs(4326), targets="all", build="underground")
    assert com.equals(before)
    assert p.n_targets == 3
    assert p.cost_per_km_vnd == FiberConfig().cost_per_km_vnd["underground"]
    tot = p.district_totals
    assert tot["targets"].sum() == 3
    assert tot["length_km"].sum() == pytest.approx(p.total_length_km)
    assert tot["cost_vnd"].sum() == pytest.approx(p.total_cost_vnd)
    none = plan_extension(g, fiber, com.assign(has_fixed_internet=True))
    assert len(none.routes) == 0
    assert none.total_cost_vnd == 0
    assert none.n_targets == 0
    assert list(none.routes.columns) == [*ROUTE_COLUMNS, "geometry"]
    with pytest.raises(ValueRangeError):
        plan_extension(g, fiber, com, method="kou")
    with pytest.raises(SchemaError):
        plan_extension(g, fiber, com.drop(columns="has_fixed_internet"))


def test_run_fiber_with_candidates(y_network):
    g, fiber, com = y_network
    roads = gpd.GeoDataFrame({"road_id": g.road_id, "road_class": g.road_class},
                             geometry=g.edge_geometries(), crs=UTM).to_crs(4326)
    prov = SimpleNamespace(communes=com, roads=roads, fiber=fiber, dem=None,
                           analysis_crs=UTM)
    sites = gpd.GeoDataFrame({"site_id": ["s1", "s2"]}, index=[7, 8], crs=UTM,
                             geometry=[Point(4000, 0), Point(6000, 300)])
    res = run_fiber(prov, FiberConfig(offroad_penalty=2.0), candidates=sites)
    assert res.communes["fiber_distance_km"].round(3).tolist() == pytest.approx(
        [np.hypot(10_000, 3000) / 1000] * 2 + [0.0], abs=1e-3)
    assert list(res.sites.index) == [7, 8]
    assert res.sites["fiber_distance_km"].tolist() == pytest.approx([4.0, 6.6], abs=1e-3)
    assert res.reach.table["origin_kind"].tolist() == ["commune"] * 3 + ["site"] * 2
    assert res.plan.n_connected == 2


def test_read_osm_pbf_and_xml(tmp_path):
    pbf = tmp_path / "tiny.osm.pbf"
    w = osmium.SimpleWriter(str(pbf))
    for i, (lon, lat) in enumerate([(108.0, 14.0), (108.05, 14.0), (108.1, 14.0),
                                    (108.05, 14.05), (108.05, 13.95)], start=1):
        w.add_node(osmium.osm.mutable.Node(id=i, location=(lon, lat)))
    w.add_way(osmium.osm.mutable.Way(id=10, nodes=[1, 2, 3],
                                     tags={"highway": "trunk", "ref": "QL19"}))
    w.add_way(osmium.osm.mutable.Way(id=11, nodes=[4, 2, 5],
                                     tags={"highway": "tertiary_link", "name": "Đường xã"}))
    w.add_way(osmium.osm.mutable.Way(id=12, nodes=[4, 5], tags={"highway": "footway"}))
    w.close()
    r = read_osm_roads(pbf)
    assert r["road_id"].tolist() == ["w10", "w11"]
    assert r["road_class"].tolist() == ["national", "commune"]
    assert r["name"].tolist() == ["QL19", "Đường xã"]
    g = build_road_graph(r, crs=UTM)
    assert (g.n_nodes, g.n_edges) == (5, 4)  # the shared OSM node 2 joins them
    xml = tmp_path / "tiny.osm"
    xml.write_text('<osm version="0.6"><node id="1" lat="14" lon="108"/>'
                   '<node id="2" lat="14" lon="108.1"/><way id="3"><nd ref="1"/><nd ref="2"/>'
                   '<tag k="highway" v="track"/></way></osm>')
    assert read_osm_roads(xml)["road_class"].tolist() == ["track"]
    with pytest.raises(FileFormatError):
        read_osm_roads(tmp_path / "missing.osm.pbf")
    empty = tmp_path / "empty.osm"
    empty.write_text('<osm version="0.6"><node id="1" lat="14" lon="108"/></osm>')
    with pytest.raises(FileFormatError, match="no roads"):
        read_osm_roads(empty)
