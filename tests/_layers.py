"""Small synthetic plan layers for the output tests (geotel.outputs).

``small_layers()`` gives every ``plan.gpkg`` layer with a few features, near Pleiku,
in the column names of the output contract; some layers are in UTM 49N to exercise
reprojection. ``card_layers()`` adds the commune facts of the map's commune card:
coverage after the plan and the Criterion 8 sub-indicators, some of them unknown.
``province_layers(communes)`` builds a province-sized set (about 1,500 tower sectors)
on real commune polygons, for the size checks.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, Point, box

from tests._real import real_communes

__all__ = [
    "C8_FACTS",
    "OPERATORS",
    "card_layers",
    "province_layers",
    "real_communes",
    "small_layers",
]

OPERATORS = ("Viettel", "VinaPhone", "MobiFone", "Vietnamobile")
LON0, LAT0 = 107.9, 13.9  # south-west corner of the toy area, near Pleiku
STEP = 0.1  # degrees per commune square


def _communes() -> gpd.GeoDataFrame:
    rows = []
    for i in range(3):
        for j in range(2):
            k = i * 2 + j
            rows.append({
                "commune_code": f"2{3500 + k:04d}",
                "commune_name": ["Ia Kla", "Chư Á", "Đăk Đoa", "Kông Htok", "Ia Pếch",
                                 "Ia Băng"][k],
                "district_code": "622" if i < 2 else "625",
                "district_name": "Thành phố Pleiku" if i < 2 else "Huyện Đăk Đoa",
                "population": 3000 + 500 * k,
                "area_km2": 120.5 + k,
                "pop_covered_pct_2g": 90.0 - 3 * k,
                "pop_covered_pct_3g": 70.0 - 5 * k,
                "pop_covered_pct_4g": [5.0, 25.0, 45.0, 65.0, 85.0, np.nan][k],
                "area_covered_pct_4g": 50.0 - 4 * k,
                "dead_zone_km2": 3.0 * k,
                "dead_zone_pop": 40 * k,
                "towers": k,
                "fiber_distance_km": 0.5 * k,
                "has_fixed_internet": k % 2 == 0,
                "has_radio_station": True,
                "c8_met": k < 3,
                "geometry": box(LON0 + i * STEP, LAT0 + j * STEP, LON0 + (i + 1) * STEP,
                                LAT0 + (j + 1) * STEP),
            })
    return gpd.GeoDataFrame(rows, crs=4326)


def small_layers() -> dict[str, gpd.GeoDataFrame]:
    """Every layer of the output contract, a few features each."""
    communes = _communes()
    districts = communes.dissolve("district_code", as_index=False)[
        ["district_code", "district_name", "geometry"]]
    districts["population"] = [12_000, 9_500]
    rng = np.random.default_rng(7)
    n = 12
    xs = LON0 + rng.uniform(0.01, 0.29, n)
    ys = LAT0 + rng.uniform(0.01, 0.19, n)
    towers = gpd.GeoDataFrame({
        "site_id": [f"S{i:03d}" for i in range(n)],
        "sector_id": np.ones(n, dtype="int64"),
        "operator": [OPERATORS[i % 4] for i in range(n)],
        "technologies": ["2G,3G,4G"] * n,
        "height_m": np.full(n, 30.0),
        "shared_by": [""] * n,
        "azimuth_deg": np.zeros(n),
        "beamwidth_deg": np.full(n, 360.0),
        "tilt_deg": np.full(n, 2.0),
        "eirp_dbm": np.full(n, 58.0),
        "freq_mhz": np.full(n, np.nan),
    }, geometry=gpd.points_from_xy(xs, ys), crs=4326).to_crs(32649)
    m = 4
    proposed = gpd.GeoDataFrame({
        "site_id": [f"P{i:02d}" for i in range(m)],
        "rank": np.arange(1, m + 1),
        "height_m": [30.0, 36.0, 42.0, 30.0],
        "operator": ["Viettel", "", "MobiFone", ""],
        "colocated": [False, False, True, False],
        "commune_code": communes["commune_code"].iloc[[0, 2, 4, 5]].to_list(),
        "pop_gain": [900, 600, 350, 120],
        "cum_pop_covered_pct": [71.0, 74.5, 76.2, 76.9],
        "capex_vnd": [1.2e9, 1.2e9, 0.4e9, 1.3e9],
        "backhaul": ["fiber", "microwave", "fiber", "unknown"],
        "backhaul_km": [2.5, 0.0, 1.0, np.nan],
        "backhaul_cost_vnd": [2.5e8, 1.5e8, 1.0e8, 1.5e8],
        "total_cost_vnd": [1.45e9, 1.35e9, 0.5e9, 1.45e9],
        "phase_year": [2021, 2021, 2022, 2023],
    }, geometry=[Point(LON0 + 0.05, LAT0 + 0.05), Point(LON0 + 0.15, LAT0 + 0.05),
                 Point(LON0 + 0.25, LAT0 + 0.05), Point(LON0 + 0.25, LAT0 + 0.15)], crs=4326)
    dead = gpd.GeoDataFrame({
        "zone_id": ["D1", "D2", "D3"],
        "commune_code": communes["commune_code"].iloc[[0, 3, 5]].to_list(),
        "district_code": ["622", "622", "625"],
        "technology": ["4G", "4G", "2G"],
        "operator": ["", "Viettel", ""],
        "area_km2": [3.1, 1.2, 0.8],
        "population": [120, 40, 8],
        "nearest_tower_km": [6.5, 4.0, 3.2],
        "nearest_fiber_km": [2.0, 1.1, 5.4],
    }, geometry=[box(LON0 + 0.02, LAT0 + 0.02, LON0 + 0.04, LAT0 + 0.04),
                 box(LON0 + 0.12, LAT0 + 0.12, LON0 + 0.13, LAT0 + 0.14).union(
                     box(LON0 + 0.15, LAT0 + 0.15, LON0 + 0.16, LAT0 + 0.16)),
                 box(LON0 + 0.22, LAT0 + 0.13, LON0 + 0.23, LAT0 + 0.14)], crs=4326)
    fiber = gpd.GeoDataFrame({
        "route_id": ["F1", "F2"], "operator": ["VNPT", "Viettel"],
        "level": ["provincial", "district"],
    }, geometry=[LineString([(LON0, LAT0 + 0.1), (LON0 + 0.3, LAT0 + 0.1)]),
                 LineString([(LON0 + 0.1, LAT0), (LON0 + 0.1, LAT0 + 0.2)])], crs=4326)
    fiber_prop = gpd.GeoDataFrame({
        "route_id": ["R1", "R2"], "length_km": [5.4, 3.3], "method": ["aerial", "buried"],
        "cost_vnd": [5.4e8, 6.6e8], "communes_served": ["23500,23502", "23505"],
        "phase_year": [2021, 2022],
    }, geometry=[LineString([(LON0 + 0.1, LAT0 + 0.1), (LON0 + 0.05, LAT0 + 0.05)]),
                 LineString([(LON0 + 0.2, LAT0 + 0.1), (LON0 + 0.25, LAT0 + 0.15)])], crs=4326)
    excl = gpd.GeoDataFrame({
        "zone_id": ["X1"], "kind": ["national_park"], "name": ["Vườn quốc gia Kon Ka Kinh"],
    }, geometry=[box(LON0 + 0.26, LAT0 + 0.16, LON0 + 0.29, LAT0 + 0.19)],
        crs=4326).to_crs(32649)
    return {"communes": communes, "districts": districts, "towers_existing": towers,
            "towers_proposed": proposed, "dead_zones": dead, "fiber_existing": fiber,
            "fiber_proposed": fiber_prop, "exclusion_zones": excl}


#: Criterion 8 of the six small communes (None: unknown), the verdict in three-valued
#: logic (one known failure decides "not met"; an unknown among passes leaves it unknown).
C8_FACTS: dict[str, list[bool | None]] = {
    "has_postal_point": [True, True, None, False, True, True],
    "has_radio_station": [True, True, True, True, None, True],
    "c8_1_postal": [True, True, None, False, True, True],
    "c8_2_telecom_internet": [False, True, False, False, True, True],
    "c8_3_radio": [True, True, True, True, None, True],
    "c8_4_it_admin": [True, None, True, True, True, True],
    "c8_met": [False, None, False, False, None, True],
}


def card_layers() -> dict[str, gpd.GeoDataFrame]:
    """``small_layers()`` with the commune card's facts: 4G coverage after the plan and
    the Criterion 8 sub-indicators as nullable booleans (Đăk Đoa, 23502: 8.1 unknown,
    8.2 failed, 8.3 and 8.4 met, so not met)."""
    layers = small_layers()
    c = layers["communes"].copy()
    c["pop_covered_pct_4g_planned"] = [60.0, 70.0, 80.0, 90.0, 95.0, np.nan]
    for col, values in C8_FACTS.items():
        c[col] = pd.array(values, dtype="boolean")
    c["c8_missing"] = ["", "has_it_admin", "has_postal_point", "", "has_radio_station", ""]
    layers["communes"] = c
    return layers


def province_layers(communes: gpd.GeoDataFrame, *, n_sites: int = 500,
                    seed: int = 1) -> dict[str, gpd.GeoDataFrame]:
    """A province-sized plan on real commune polygons: ``3 * n_sites`` tower sectors,
    60 proposed towers, 150 dead-zone polygons, fiber lines; indicators are random."""
    rng = np.random.default_rng(seed)
    c = communes.to_crs(4326).reset_index(drop=True)
    n = len(c)
    codes = c["commune_code"].astype(str).to_numpy()
    c = c.assign(
        population=rng.integers(2000, 30000, n),
        area_km2=rng.uniform(20, 300, n).round(2),
        pop_covered_pct_2g=rng.uniform(60, 100, n).round(1),
        pop_covered_pct_3g=rng.uniform(40, 100, n).round(1),
        pop_covered_pct_4g=rng.uniform(0, 100, n).round(1),
        area_covered_pct_4g=rng.uniform(0, 100, n).round(1),
        dead_zone_km2=rng.uniform(0, 50, n).round(2),
        dead_zone_pop=rng.integers(0, 2000, n),
        towers=rng.integers(0, 20, n),
        fiber_distance_km=rng.uniform(0, 20, n).round(2),
        has_fixed_internet=rng.random(n) < 0.8,
        has_radio_station=rng.random(n) < 0.9,
        c8_met=rng.random(n) < 0.6,
    )
    pts = c.representative_point().to_numpy()
    # sites: points in random communes, 3 sectors each (about 1,500 rows)
    site_communes = rng.integers(0, n, n_sites)
    site_pts = [Point(pts[k].x + rng.normal(0, 0.01), pts[k].y + rng.normal(0, 0.01))
                for k in site_communes]
    rows = []
    for s, p in enumerate(site_pts):
        op = OPERATORS[rng.integers(0, 4)]
        rows += [{"site_id": f"GL{s:04d}", "sector_id": sec, "operator": op,
                  "technologies": "2G,3G,4G", "height_m": 30.0 + 6 * (s % 3),
                  "azimuth_deg": 120.0 * (sec - 1), "beamwidth_deg": 65.0, "geometry": p}
                 for sec in range(1, 4)]
    towers = gpd.GeoDataFrame(rows, crs=4326)
    m = 60
    pk = rng.choice(n, m, replace=False)
    proposed = gpd.GeoDataFrame({
        "site_id": [f"NEW{i:03d}" for i in range(m)], "rank": np.arange(1, m + 1),
        "height_m": 36.0, "operator": "", "colocated": False,
        "commune_code": codes[pk], "pop_gain": np.sort(rng.integers(50, 3000, m))[::-1],
        "cum_pop_covered_pct": np.linspace(80, 95, m).round(2),
        "capex_vnd": 1.2e9, "backhaul": "fiber", "backhaul_km": 2.0,
        "backhaul_cost_vnd": 2e8, "total_cost_vnd": 1.4e9,
        "phase_year": np.repeat(np.arange(2020, 2026), 10),
    }, geometry=[pts[k] for k in pk], crs=4326)
    dk = rng.choice(n, 150)
    dead = gpd.GeoDataFrame({
        "zone_id": [f"DZ{i:04d}" for i in range(150)], "commune_code": codes[dk],
        "district_code": c["district_code"].to_numpy()[dk], "technology": "4G",
        "operator": "", "area_km2": 2.0, "population": 50, "nearest_tower_km": 5.0,
        "nearest_fiber_km": 3.0,
    }, geometry=[shapely.buffer(pts[k], 0.02, quad_segs=8) for k in dk], crs=4326)
    order = np.argsort([p.x for p in pts])
    fiber = gpd.GeoDataFrame({"route_id": ["BB1"], "operator": ["VNPT"], "level": ["backbone"]},
                             geometry=[LineString([pts[k] for k in order[::4]])], crs=4326)
    routes = [LineString([pts[pk[i]], pts[pk[i + 1]]]) for i in range(0, 20, 2)]
    fiber_prop = gpd.GeoDataFrame({
        "route_id": [f"R{i}" for i in range(10)], "length_km": 10.0, "method": "aerial",
        "cost_vnd": 1e9, "communes_served": "", "phase_year": np.repeat([2020, 2021], 5),
    }, geometry=routes, crs=4326)
    districts = c.dissolve("district_code", as_index=False)[
        ["district_code", "district_name", "geometry"]]
    return {"communes": c, "districts": districts, "towers_existing": towers,
            "towers_proposed": proposed, "dead_zones": dead, "fiber_existing": fiber,
            "fiber_proposed": fiber_prop,
            "exclusion_zones": gpd.GeoDataFrame(
                {"zone_id": pd.Series([], dtype=str), "kind": pd.Series([], dtype=str)},
                geometry=gpd.GeoSeries([], crs=4326))}
