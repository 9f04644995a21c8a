"""Fiber reach: hand-checked distances, off-road legs, terrain, contracts."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from affine import Affine
from shapely.geometry import LineString, Point, box

from geotel.errors import CRSError, ValueRangeError
from geotel.fiber import (
    build_road_graph,
    commune_centres,
    commune_fiber_distance,
    fiber_access_points,
    fiber_reach,
    reach_class,
)
from geotel.fiber._synthetic import synthetic_points, synthetic_roads
from geotel.fiber._terrain import terrain_factor
from geotel.raster import Raster

UTM = "EPSG:32649"


@pytest.fixture
def net():
    # an L: (0,0)-(10 km,0)-(10 km, 6 km), plus a spur far away
    r = gpd.GeoDataFrame({"road_id": ["a", "b", "c"]}, crs=UTM, geometry=[
        LineString([(0, 0), (10_000, 0)]), LineString([(10_000, 0), (10_000, 6_000)]),
        LineString([(50_000, 0), (60_000, 0)])])
    fiber = gpd.GeoDataFrame({"route_id": ["F1"]}, crs=UTM,
                             geometry=[LineString([(0, -2000), (0, 0)])])
    return build_road_graph(r), fiber


def test_hand_checked_distances(net):
    g, fiber = net
    o = gpd.GeoSeries([Point(4000, 0), Point(10_000, 6_000), Point(10_300, 3_000),
                       Point(55_000, 0)], crs=UTM, index=[10, 11, 12, 13])
    r = fiber_reach(g, fiber, o, offroad_penalty=2.0)
    t = r.table
    assert list(t.index) == [10, 11, 12, 13]
    assert t["distance_km"].iloc[:3].tolist() == pytest.approx([4.0, 16.0, 13.6])
    assert t.loc[12, "road_km"] == pytest.approx(13.0)
    assert t.loc[12, "offroad_km"] == pytest.approx(0.6)  # 300 m × penalty 2
    # the far spur: no road to the fiber; a straight line, penalised
    assert t.loc[13, "via"] == "direct"
    assert t.loc[13, "distance_km"] == pytest.approx(2 * 55.0)
    assert t["reach_class"].tolist() == ["1-5 km", "5-20 km", "5-20 km", ">20 km"]
    assert set(t["route_id"]) == {"F1"}


def test_direct_line_beats_a_long_road(net):
    g, fiber = net
    # 1.5 km north of the fiber's end, the road way round is 10 + 6 + ... km
    r = fiber_reach(g, fiber, gpd.GeoSeries([Point(9_500, 6_000)], crs=UTM),
                    offroad_penalty=1.0)
    assert r.table["via"].iloc[0] == "road"
    r2 = fiber_reach(g, fiber, gpd.GeoSeries([Point(500, 1500)], crs=UTM), offroad_penalty=1.0)
    assert r2.table["via"].iloc[0] == "direct"
    assert r2.table["distance_km"].iloc[0] == pytest.approx(np.hypot(500, 1500) / 1000)


def test_no_fiber_means_none_class(net):
    g, fiber = net
    r = fiber_reach(g, fiber.iloc[:0], gpd.GeoSeries([Point(100, 0)], crs=UTM))
    assert np.isinf(r.table["distance_km"].iloc[0])
    assert r.table["reach_class"].iloc[0] == "none"


def test_reach_classes_bounds():
    assert list(reach_class([0, 1, 1.0001, 5, 5.1, 20, 20.5, np.inf])) == [
        "<=1 km", "<=1 km", "1-5 km", "1-5 km", "5-20 km", "5-20 km", ">20 km", "none"]


def test_access_points_every_spacing(net):
    g, fiber = net
    ap = fiber_access_points(g, fiber, spacing_m=500)
    assert len(ap) == 5  # 2 km at 500 m, both ends
    assert ap["offroad_m"].round(3).tolist() == [2000.0, 1500.0, 1000.0, 500.0, 0.0]
    pops = gpd.GeoDataFrame({"pop_id": ["P"]}, geometry=[Point(10_000, 6_000)], crs=UTM)
    ap2 = fiber_access_points(g, fiber, spacing_m=1000, pops=pops)
    assert ap2["kind"].tolist() == ["route"] * 3 + ["pop"]
    r = fiber_reach(g, fiber, gpd.GeoSeries([Point(10_000, 5_000)], crs=UTM), pops=pops)
    assert r.table["distance_km"].iloc[0] == pytest.approx(1.0)
    assert r.table["route_id"].iloc[0] == "P"
    with pytest.raises(ValueRangeError):
        fiber_access_points(g, fiber, spacing_m=0)


def test_matches_networkx_on_synthetic_lattice():
    roads = synthetic_roads(25, seed=5)
    g = build_road_graph(roads)
    rng = np.random.default_rng(0)
    src = rng.choice(g.n_nodes, 4, replace=False)
    dst = rng.choice(g.n_nodes, 50, replace=False)
    pops = gpd.GeoDataFrame({"pop_id": [f"P{i}" for i in src]},
                            geometry=gpd.points_from_xy(*g.node_xy[src].T), crs=UTM)
    origins = gpd.GeoSeries(gpd.points_from_xy(*g.node_xy[dst].T), crs=UTM)
    r = fiber_reach(g, None, origins, pops=pops, offroad_penalty=1000.0)
    ref = nx.multi_source_dijkstra_path_length(g.to_networkx(), set(src.tolist()),
                                               weight="length_m")
    expect = np.array([ref.get(int(d), np.inf) for d in dst]) / 1000
    assert r.table["distance_km"].to_numpy() == pytest.approx(expect, abs=1e-6)


def test_commune_distance_contract():
    g = build_road_graph(synthetic_roads(15, seed=2))
    fiber = gpd.GeoDataFrame({"route_id": ["F"]}, crs=UTM, geometry=[LineString(
        g.node_xy[:2])])
    pts = synthetic_points(gpd.GeoDataFrame(geometry=g.edge_geometries(), crs=UTM), 6, seed=4)
    com = gpd.GeoDataFrame({"commune_code": list("abcdef")}, index=list(range(100, 106)),
                           geometry=pts.buffer(500).to_numpy(), crs=UTM).to_crs(4326)
    before = com.copy()
    out = commune_fiber_distance(com, g, fiber)
    assert com.equals(before)
    assert "fiber_distance_km" not in com
    assert list(out.index) == list(com.index)
    assert out.crs == com.crs
    assert np.isfinite(out["fiber_distance_km"]).all()
    assert set(out["fiber_reach_class"]) <= {"<=1 km", "1-5 km", "5-20 km", ">20 km"}
    with pytest.raises(CRSError):
        fiber_reach(g, fiber, gpd.GeoSeries([Point(0, 0)]))


def test_commune_centres_office_then_representative_point():
    c = gpd.GeoDataFrame({"office_lon": [108.0, np.nan], "office_lat": [14.0, np.nan]},
                         geometry=[box(107.9, 13.9, 108.1, 14.1), box(108.5, 14.0, 108.6, 14.1)],
                         crs=4326)
    p = commune_centres(c.to_crs(UTM)).to_crs(4326)
    assert (p.iloc[0].x, p.iloc[0].y) == pytest.approx((108.0, 14.0))
    assert c.to_crs(UTM).geometry.iloc[1].contains(commune_centres(c.to_crs(UTM)).iloc[1])


def test_terrain_factor_on_a_slope():
    # a plane rising 1 m per 10 m eastwards: surface/plan = sqrt(1 + 0.1²)
    x = np.arange(200) * 10.0 + 5
    dem = Raster(np.tile(x / 10.0, (50, 1)).astype("float64"), Affine(10, 0, 0, 0, -10, 500),
                 UTM)
    f = terrain_factor(np.array([[100.0, 250.0]]), np.array([[1500.0, 250.0]]),
                       dem.crs, dem, samples=50)
    assert f[0] == pytest.approx(np.sqrt(1 + 0.01), rel=2e-3)
    # north-south along a contour: flat
    f2 = terrain_factor(np.array([[100.0, 50.0]]), np.array([[100.0, 450.0]]), dem.crs, dem)
    assert f2[0] == pytest.approx(1.0)
