"""Dead zones: polygons, splitting at commune boundaries, slivers, attributes, ranking."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from geotel._zonal import equal_area_km2
from geotel.deadzones import DEAD_ZONE_COLUMNS, dead_zones, dead_zones_all_operators
from geotel.errors import InputError, ValueRangeError
from geotel.population import population_surface
from geotel.raster import Raster
from tests._kpi_data import (
    UTM,
    X0,
    Y0,
    disc_coverage,
    flat_population,
    grid_over,
    make_coverage,
    make_grid,
    real_communes,
)


def _ea_km2(*geoms: shapely.Geometry) -> float:
    return float(equal_area_km2(gpd.GeoDataFrame(geometry=list(geoms), crs=UTM)).sum())


def _communes() -> gpd.GeoDataFrame:
    """Two communes side by side, 1 km x 1 km each, on a 100 m grid of 10 x 20 cells."""
    return gpd.GeoDataFrame(
        {"commune_code": ["10001", "10002"], "commune_name": ["A", "B"],
         "district_code": ["101", "102"], "population": [100, 100]},
        geometry=[box(X0, Y0 - 1000, X0 + 1000, Y0), box(X0 + 1000, Y0 - 1000, X0 + 2000, Y0)],
        crs=UTM,
    )


def test_a_zone_straddling_two_communes_is_split_between_them() -> None:
    grid = make_grid(10, 20)
    dead = np.zeros(grid.shape, bool)
    dead[2:6, 6:16] = True  # 4 x 10 cells: 4 in A's columns 6-9, 6 in B's columns 10-15
    cov = make_coverage(grid, {("4G", "Viettel"): ~dead})
    pop = flat_population(grid, 2.0)
    dz = dead_zones(_communes(), cov, pop, min_area_km2=0.0)
    assert list(dz.columns) == [*DEAD_ZONE_COLUMNS, "geometry"]
    assert len(dz) == 2
    by = dz.set_index("commune_code")
    assert by.loc["10002", "population"] == pytest.approx(2.0 * 24)
    assert by.loc["10001", "population"] == pytest.approx(2.0 * 16)
    assert by.loc["10002", "rank"] == 1
    assert by.loc["10002", "zone_id"] == "4G-any-0001"
    assert by.loc["10001", "district_code"] == "101"
    a = box(X0 + 600, Y0 - 600, X0 + 1000, Y0 - 200)
    b = box(X0 + 1000, Y0 - 600, X0 + 1600, Y0 - 200)
    assert by.loc["10001", "area_km2"] == pytest.approx(_ea_km2(a), rel=1e-9)
    assert by.loc["10002", "area_km2"] == pytest.approx(_ea_km2(b), rel=1e-9)
    assert by.loc["10001", "geometry"].symmetric_difference(a).area < 1e-6
    assert (dz["technology"] == "4G").all()
    assert (dz["operator"] == "any").all()


def test_slivers_below_the_minimum_area_are_removed() -> None:
    grid = make_grid(10, 20)
    dead = np.zeros(grid.shape, bool)
    dead[0:6, 0:5] = True  # 0.30 km²
    dead[8:10, 12:13] = True  # 0.02 km²
    cov = make_coverage(grid, {("4G", "Viettel"): ~dead})
    pop = flat_population(grid)
    assert len(dead_zones(_communes(), cov, pop, min_area_km2=0.0)) == 2
    kept = dead_zones(_communes(), cov, pop, min_area_km2=0.25)
    assert len(kept) == 1
    assert kept["commune_code"].iloc[0] == "10001"
    assert kept["area_km2"].iloc[0] == pytest.approx(0.30, rel=2e-3)
    assert dead_zones(_communes(), cov, pop, min_area_km2=0.5).empty


def test_zones_are_ranked_by_population_and_holes_are_kept() -> None:
    grid = make_grid(10, 20)
    dead = np.zeros(grid.shape, bool)
    dead[0:5, 0:5] = True  # 25 cells, with a covered hole at the centre
    dead[2, 2] = False
    dead[6:10, 11:19] = True  # 32 cells, few people
    values = np.ones(grid.shape, np.float32)
    values[0:5, 0:5] = 10.0
    cov = make_coverage(grid, {("4G", "Viettel"): ~dead})
    dz = dead_zones(_communes(), cov, Raster(values, grid.transform, UTM), min_area_km2=0.0)
    assert dz["zone_id"].tolist() == ["4G-any-0001", "4G-any-0002"]
    assert dz["population"].tolist() == pytest.approx([240.0, 32.0])
    assert dz["rank"].tolist() == [1, 2]
    first = dz.geometry.iloc[0]
    assert len(first.interiors) == 1
    assert first.area == pytest.approx(24 * 100 * 100)


def test_distances_to_the_nearest_tower_and_fiber() -> None:
    grid = make_grid(10, 20)
    dead = np.zeros(grid.shape, bool)
    dead[0:10, 0:4] = True  # x in [X0, X0+400]
    cov = make_coverage(grid, {("4G", "Viettel"): ~dead, ("4G", "MobiFone"): ~dead})
    towers = gpd.GeoDataFrame(
        {"site_id": ["T1", "T2", "T3"], "operator": ["Viettel", "MobiFone", "Viettel"],
         "shared_by": ["", "", "MobiFone"]},
        geometry=[Point(X0 + 1400, Y0 - 500), Point(X0 + 1900, Y0 - 500),
                  Point(X0 + 2400, Y0 - 500)],
        crs=UTM,
    ).to_crs(4326)
    fiber = gpd.GeoDataFrame(geometry=[LineString([(X0 + 700, Y0), (X0 + 700, Y0 - 1000)])],
                             crs=UTM)
    pop = flat_population(grid)
    dz = dead_zones(_communes(), cov, pop, min_area_km2=0.0, towers=towers, fiber=fiber)
    assert dz["nearest_tower_km"].iloc[0] == pytest.approx(1.0, abs=1e-6)
    assert dz["nearest_fiber_km"].iloc[0] == pytest.approx(0.3, abs=1e-6)
    # MobiFone's own tower (1.5 km) is nearer than the one it shares with Viettel (2.0 km).
    mobi = dead_zones(_communes(), cov, pop, operator="MobiFone", min_area_km2=0.0,
                      towers=towers)
    assert mobi["nearest_tower_km"].iloc[0] == pytest.approx(1.5, abs=1e-6)
    shared_only = towers[towers["site_id"] != "T2"]
    mobi = dead_zones(_communes(), cov, pop, operator="MobiFone", min_area_km2=0.0,
                      towers=shared_only)
    assert mobi["nearest_tower_km"].iloc[0] == pytest.approx(2.0, abs=1e-6)
    bare = dead_zones(_communes(), cov, pop, min_area_km2=0.0)
    assert bare["nearest_tower_km"].isna().all()
    assert bare["nearest_fiber_km"].isna().all()


def test_any_and_each_operator_in_one_layer() -> None:
    grid = make_grid(10, 20)
    viettel = np.zeros(grid.shape, bool)
    viettel[:, :8] = True
    vina = np.zeros(grid.shape, bool)
    vina[:, 5:14] = True
    cov = make_coverage(grid, {("4G", "Viettel"): viettel, ("4G", "VinaPhone"): vina})
    pop = flat_population(grid)
    dz = dead_zones_all_operators(_communes(), cov, pop, min_area_km2=0.0)
    assert dz["zone_id"].is_unique
    people = dz.groupby("operator")["population"].sum()
    # Brute force: uncovered cells inside the communes (the grid is exactly the communes).
    assert people["any"] == (~(viettel | vina)).sum()
    assert people["Viettel"] == (~viettel).sum()
    assert people["VinaPhone"] == (~vina).sum()
    assert dz["operator"].iloc[0] == "any"


@pytest.mark.realdata
def test_real_communes_zones_lie_in_their_commune(real_data) -> None:
    communes = real_communes(real_data)
    before = communes.copy()
    grid = grid_over(communes, 1000.0)
    pts = communes.to_crs(UTM).representative_point()
    xy = np.column_stack([pts.x, pts.y])[::3]
    cov = disc_coverage(grid, xy, {"4G": 4000.0})
    pop = population_surface(communes, grid)
    dz = dead_zones(communes, cov, pop, min_area_km2=1.0)
    pd.testing.assert_frame_equal(communes, before)
    assert dz.crs == communes.crs
    assert len(dz) > 50
    assert (dz["area_km2"] >= 1.0).all()
    assert dz["population"].is_monotonic_decreasing
    # Every zone inside the commune it names (by position for the two without a code).
    merged = dz.to_crs(UTM).geometry
    for i in range(0, len(dz), 7):
        code, name = dz["commune_code"].iloc[i], dz["commune_name"].iloc[i]
        home = communes[(communes["commune_code"] == code) & (communes["commune_name"] == name)]
        assert len(home) == 1
        inside = merged.iloc[i].intersection(home.to_crs(UTM).geometry.iloc[0].buffer(0)).area
        assert inside / merged.iloc[i].area > 0.999
    uncoded = dz[dz["commune_code"].isin(["NOCODE-23", "NOCODE-79"])]
    assert set(uncoded["commune_name"]) <= {"Xã Chư HDrông", "Xã Chư Jôr"}
    assert len(uncoded) >= 1


def test_bad_inputs() -> None:
    grid = make_grid(10, 20)
    cov = make_coverage(grid, {("4G", "Viettel"): np.ones(grid.shape, bool)})
    pop = flat_population(grid)
    with pytest.raises(ValueRangeError, match="3G"):
        dead_zones(_communes(), cov, pop, technology="3G")
    with pytest.raises(ValueRangeError, match="operator"):
        dead_zones(_communes(), cov, pop, operator="Telstra")
    small = flat_population(make_grid(5, 5))
    with pytest.raises(InputError, match="not on the coverage grid"):
        dead_zones(_communes(), cov, small)
    with pytest.raises(ValueRangeError):
        dead_zones(_communes(), cov, pop, min_area_km2=-1.0)
    empty = dead_zones(_communes(), cov, pop)
    assert empty.empty
    assert list(empty.columns) == [*DEAD_ZONE_COLUMNS, "geometry"]
