"""Population surface: dasymetric spread and raster resampling, against known answers."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine
from shapely.geometry import LineString, box

from geotel._zonal import Grid, commune_labels, zonal_sum
from geotel.errors import CRSError, SchemaError, ValueRangeError
from geotel.population import population_surface, road_distance_m, slope_deg
from geotel.raster import Raster
from tests._kpi_data import UTM, X0, Y0, grid_over, make_grid, real_communes


def _two_communes(pop_a: int = 600, pop_b: int = 400) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"commune_code": ["10001", "10002"], "population": [pop_a, pop_b]},
        geometry=[box(X0, Y0 - 1000, X0 + 500, Y0), box(X0 + 500, Y0 - 1000, X0 + 1000, Y0)],
        crs=UTM,
    )


def test_dasymetric_keeps_every_commune_total_exact() -> None:
    grid = make_grid(10, 10)
    communes = _two_communes()
    roads = gpd.GeoDataFrame(geometry=[LineString([(X0 + 50, Y0), (X0 + 50, Y0 - 1000)])],
                             crs=UTM)
    dem = Raster(np.add.outer(np.zeros(10), np.arange(10) * 30.0), grid.transform, UTM)
    pop = population_surface(communes, grid, roads=roads, dem=dem)
    assert pop.units == "people"
    assert pop.tags["method"] == "dasymetric"
    assert pop.values[:, :5].sum() == pytest.approx(600, rel=1e-6)
    assert pop.values[:, 5:].sum() == pytest.approx(400, rel=1e-6)
    assert pop.crs == UTM
    assert pop.transform == grid.transform


def test_road_weight_follows_the_formula() -> None:
    # One commune 10 cells wide, a road through the first column, no DEM:
    # weight = 1 + w * exp(-d / decay), d = 100 m per column.
    grid = make_grid(1, 10)
    communes = gpd.GeoDataFrame({"population": [1000]},
                                geometry=[box(X0, Y0 - 100, X0 + 1000, Y0)], crs=UTM)
    roads = gpd.GeoDataFrame(geometry=[LineString([(X0 + 50, Y0), (X0 + 50, Y0 - 100)])],
                             crs=UTM)
    pop = population_surface(communes, grid, roads=roads, road_weight=3.0, road_decay_m=250.0)
    w = 1 + 3.0 * np.exp(-np.arange(10) * 100.0 / 250.0)
    np.testing.assert_allclose(pop.values[0], 1000 * w / w.sum(), rtol=1e-5)


def test_steep_cells_get_no_people_and_all_steep_falls_back_to_uniform() -> None:
    grid = make_grid(4, 8)
    communes = _two_communes(800, 800)
    communes = communes.set_geometry([box(X0, Y0 - 400, X0 + 400, Y0),
                                      box(X0 + 400, Y0 - 400, X0 + 800, Y0)])
    z = np.zeros((4, 8))
    z[:, 4:] = np.arange(4)[None, :] * 200.0  # 63° in the second commune
    z[:, 2:4] = np.array([0.0, 30.0])[None, :]  # a gentle step in the first commune
    dem = Raster(z, grid.transform, UTM)
    pop = population_surface(communes, grid, dem=dem, max_slope_deg=25.0)
    slope = slope_deg(z, 100.0)
    flat = np.clip(1 - slope[:, :4] / 25.0, 0, 1)
    np.testing.assert_allclose(pop.values[:, :4], 800 * flat / flat.sum(), rtol=1e-5)
    np.testing.assert_allclose(pop.values[:, 4:], 800 / 16, rtol=1e-6)  # all too steep


def test_road_distance_matches_brute_force() -> None:
    grid = make_grid(6, 7)
    road = LineString([(X0 + 150, Y0 - 50), (X0 + 650, Y0 - 450)])
    roads = gpd.GeoDataFrame(geometry=[road], crs=UTM)
    dist = road_distance_m(roads, grid)
    rows, cols = np.indices(grid.shape)
    t = grid.transform
    x, y = t.c + (cols + 0.5) * t.a, t.f + (rows + 0.5) * t.e
    # Brute force over the road cells (cells the line touches).
    cells = [shapely.box(X0 + c * 100, Y0 - (r + 1) * 100, X0 + (c + 1) * 100, Y0 - r * 100)
             for r in range(6) for c in range(7)]
    touched = np.array([road.intersects(b) for b in cells]).reshape(grid.shape)
    rx, ry = x[touched], y[touched]
    brute = np.sqrt((x[..., None] - rx) ** 2 + (y[..., None] - ry) ** 2).min(axis=-1)
    np.testing.assert_allclose(dist, brute, atol=1e-6)


def test_slope_of_a_plane() -> None:
    z = np.add.outer(np.arange(5) * 0.0, np.arange(6) * 50.0)  # 50 m per 100 m
    np.testing.assert_allclose(slope_deg(z, 100.0), np.degrees(np.arctan(0.5)))


def test_commune_smaller_than_a_cell_keeps_its_people() -> None:
    grid = make_grid(3, 3, res_m=1000.0)
    communes = gpd.GeoDataFrame(
        {"population": [5000, 70]},
        geometry=[box(X0, Y0 - 3000, X0 + 3000, Y0),
                  box(X0 + 1100, Y0 - 1400, X0 + 1200, Y0 - 1300)],  # no cell centre
        crs=UTM,
    )
    pop = population_surface(communes, grid)
    labels = commune_labels(communes, grid)
    per = zonal_sum(labels, pop.values, 2)
    np.testing.assert_allclose(per, [5000, 70], rtol=1e-6)


def _geographic_population() -> Raster:
    """A WorldPop-like lon/lat raster, 0.001° cells, with a known pattern."""
    rng = np.random.default_rng(7)
    lon0, lat0 = 108.0, 14.02
    values = rng.gamma(2.0, 3.0, size=(40, 50)).astype(np.float32)
    values[:3, :3] = np.nan  # nodata
    return Raster(values, Affine(0.001, 0, lon0, 0, -0.001, lat0), "EPSG:4326",
                  units="people")


def test_raster_resampling_conserves_each_commune_total() -> None:
    src = _geographic_population()
    lon = 108.0 + np.array([0.004, 0.02, 0.045])
    communes = gpd.GeoDataFrame(
        {"commune_code": ["1", "2"]},
        geometry=[box(lon[0], 13.985, lon[1], 14.015), box(lon[1], 13.985, lon[2], 14.015)],
        crs=4326,
    )
    grid = grid_over(communes, 90.0)
    pop = population_surface(communes, grid, raster=src)
    assert pop.tags["method"] == "raster"
    # Known answer: the source cells whose centre lies in each commune (brute force).
    rows, cols = np.indices(src.shape)
    cx = src.transform.c + (cols + 0.5) * src.transform.a
    cy = src.transform.f + (rows + 0.5) * src.transform.e
    values = np.nan_to_num(src.values.astype(float))
    want = [values[shapely.contains_xy(g, cx, cy)].sum() for g in communes.geometry]
    got = zonal_sum(commune_labels(communes, grid), pop.values, 2)
    np.testing.assert_allclose(got, want, rtol=1e-4)


def test_raster_on_the_same_grid_is_returned_unchanged() -> None:
    grid = make_grid(5, 5)
    values = np.arange(25, dtype=np.float32).reshape(5, 5)
    communes = gpd.GeoDataFrame(geometry=[box(X0, Y0 - 500, X0 + 500, Y0)], crs=UTM)
    pop = population_surface(communes, grid, raster=Raster(values, grid.transform, UTM))
    np.testing.assert_allclose(pop.values, values, rtol=1e-6)


@pytest.mark.realdata
def test_real_communes_population_conserved(real_data) -> None:
    communes = real_communes(real_data)
    before = communes.copy()
    grid = grid_over(communes, 1000.0)
    roads = gpd.read_file(real_data / "roads_main.gpkg", layer="roads")
    dem = Raster.read(real_data / "dem_coarse_5arcmin.tif")
    pop = population_surface(communes, grid, roads=roads, dem=dem)
    total = communes["population"].sum()
    assert abs(pop.values.sum() - total) / total < 1e-3
    per = zonal_sum(commune_labels(communes, grid), pop.values, len(communes))
    np.testing.assert_allclose(per, communes["population"].to_numpy(), rtol=1e-3, atol=0.5)
    pd.testing.assert_frame_equal(communes, before)


def test_bad_inputs_raise_the_right_errors() -> None:
    communes = _two_communes()
    grid = make_grid(10, 10)
    degrees = Grid(Affine(0.001, 0, 108, 0, -0.001, 14), "EPSG:4326", (10, 10))
    with pytest.raises(CRSError):
        population_surface(communes, degrees)
    with pytest.raises(CRSError):
        population_surface(communes.set_crs(None, allow_override=True), grid)
    with pytest.raises(SchemaError, match="population"):
        population_surface(communes.drop(columns="population"), grid)
    with pytest.raises(ValueRangeError, match="negative"):
        population_surface(communes.assign(population=[-1, 5]), grid)
    with pytest.raises(ValueRangeError, match="road_decay_m"):
        population_surface(communes, grid, road_decay_m=0.0)
    bad = Raster(np.full((10, 10), -5.0, np.float32), grid.transform, UTM)
    with pytest.raises(ValueRangeError):
        population_surface(communes, grid, raster=bad)
