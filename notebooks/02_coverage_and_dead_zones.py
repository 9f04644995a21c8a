# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 · Coverage over terrain and the dead zones ('vùng lõm sóng')
#
# Ridges and valleys decide coverage in the Central Highlands. geotel predicts the
# received power of every sector over the DEM (line of sight with earth curvature,
# knife-edge diffraction, Hata), keeps the best server per cell, and turns the cells
# under the threshold into dead-zone polygons attributed to communes and people.

# %%
from geotel.coverage import line_of_sight, predict
from geotel.datasets import demo_province
from geotel.deadzones import dead_zones
from geotel.indicators import commune_indicators
from geotel.population import population_surface
from geotel.propagation import free_space_path_loss_db, hata_path_loss_db

province = demo_province()
province.dem.shape, province.dem.resolution_m, len(province.towers)

# %% [markdown]
# Path loss at 5 km, 900 MHz, a 30 m tower, for the three Hata environments and free space:

# %%
{env: round(float(hata_path_loss_db(900, 5, 30, 1.5, env)), 1)
 for env in ("urban", "suburban", "open")} | {
    "free space": round(float(free_space_path_loss_db(900, 5)), 1)}

# %% [markdown]
# Line of sight from one tower, 15 km around it:

# %%
t = province.towers.iloc[0]
los = line_of_sight(province.dem, (t.geometry.x, t.geometry.y), observer_height_m=t.height_m,
                    target_height_m=1.5, max_distance_m=15_000)
f"{100 * los.values.mean():.1f}% of the DEM is visible from {t.site_id}"

# %% [markdown]
# Best-server coverage of the towers of one district, all technologies:

# %%
pleiku = province.communes[province.communes["district_code"] == "622"]
towers = province.towers[province.towers.within(pleiku.union_all().buffer(20_000))]
coverage = predict(towers, province.dem, max_radius_m=15_000)
coverage.technologies, coverage.operators

# %%
population = population_surface(province.communes, coverage, raster=province.population,
                                 roads=province.roads, dem=province.dem)
zones = dead_zones(coverage, population, province.communes, technology="4G",
                   towers=towers, fiber=province.fiber)
zones.head()

# %%
kpi = commune_indicators(province.communes, coverage, population, dead_zones=zones,
                         towers=towers)
kpi.loc[kpi["district_code"] == "622",
        ["commune_name", "pop_covered_pct_2g", "pop_covered_pct_4g", "dead_zone_pop"]]
