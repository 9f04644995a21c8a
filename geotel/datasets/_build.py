"""Generate every layer of the demo province in memory (no files)."""

from __future__ import annotations

import dataclasses
import logging
import time

import geopandas as gpd
import numpy as np

from geotel.datasets._facts import EQUAL_AREA_CRS, grid
from geotel.datasets._layout import make_layout
from geotel.datasets._network import make_fiber, make_roads, road_graph
from geotel.datasets._people import make_population
from geotel.datasets._services import choose_no_internet, remoteness_m, service_columns
from geotel.datasets._terrain import make_dem, smooth_relief
from geotel.datasets._towers import make_towers
from geotel.datasets._zones import make_zones

__all__ = ["DemoLayers", "build_demo"]

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True, eq=False)
class DemoLayers:
    """All demo layers in the analysis CRS, and the two rasters (90 or 30 m DEM,
    90 m population) on :func:`geotel.datasets._facts.grid`."""

    communes: gpd.GeoDataFrame
    offices: gpd.GeoDataFrame
    towers: gpd.GeoDataFrame
    fiber: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    exclusion_zones: gpd.GeoDataFrame
    dem: np.ndarray
    population: np.ndarray
    resolution_m: int


def build_demo(resolution_m: int = 90) -> DemoLayers:
    """Generate the demo province (deterministic)."""
    if resolution_m not in (90, 30):
        raise ValueError(f"resolution_m must be 90 or 30, not {resolution_m}")
    t0 = time.perf_counter()
    layout = make_layout()
    com = layout.communes
    roads = make_roads(com)
    zones = make_zones()
    smooth = smooth_relief(grid(90.0))
    dem = make_dem(resolution_m, smooth=smooth)
    park = zones.loc[zones["kind"] == "national_park"].geometry.iloc[0]
    pop, totals = make_population(com, roads, smooth, park)
    towers = make_towers(pop, roads, zones, com)
    rg = road_graph(roads)
    dist, leaf = remoteness_m(rg, com)
    no_internet = choose_no_internet(com, dist, leaf)
    fiber, _ = make_fiber(rg, com, no_internet)
    services = service_columns(com, dist, fiber, towers, no_internet)
    communes = gpd.GeoDataFrame(
        {
            "commune_code": com["commune_code"], "commune_name": com["commune_name"],
            "district_code": com["district_code"], "district_name": com["district_name"],
            "population": totals,
            "area_km2": np.round(com.to_crs(EQUAL_AREA_CRS).area.to_numpy() / 1e6, 3),
            **{c: services[c] for c in services.columns},
            "commune_type": com["commune_type"],
        },
        geometry=com.geometry, crs=com.crs,
    )
    offices = gpd.GeoDataFrame(
        {"commune_code": com["commune_code"], "commune_name": com["commune_name"]},
        geometry=gpd.points_from_xy(com["office_x"], com["office_y"]), crs=com.crs,
    )
    log.info("demo province generated in %.1f s", time.perf_counter() - t0)
    return DemoLayers(communes, offices, towers, fiber, roads, zones, dem, pop, resolution_m)
