# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 · Phủ sóng theo địa hình và vùng lõm sóng
#
# Ở Tây Nguyên, đồi núi và thung lũng quyết định sóng đến được đâu. geotel dự đoán mức
# tín hiệu thu được của từng sector trên mô hình số độ cao (DEM): tầm nhìn thẳng có tính
# độ cong Trái Đất, nhiễu xạ qua đỉnh núi (knife-edge), mô hình Hata. Mỗi ô giữ trạm phục
# vụ tốt nhất; các ô dưới ngưỡng được gộp thành vùng lõm sóng, gắn với xã và số dân sống
# trong đó.
#
# Để chạy nhanh, sổ tay này chỉ tính cho các trạm quanh huyện miền núi KBang của tỉnh mẫu
# (dữ liệu tổng hợp). Sổ tay 05 tính cho cả tỉnh.

# %%
from pathlib import Path

import numpy as np
import pandas as pd
from _display import number, show_map, table

from geotel.coverage import line_of_sight, predict
from geotel.datasets import demo_province
from geotel.deadzones import dead_zones
from geotel.indicators import commune_indicators
from geotel.outputs.maps import make_map
from geotel.population import population_surface
from geotel.propagation import free_space_path_loss_db, hata_path_loss_db

province = demo_province()
province.dem.shape, province.dem.resolution_m, len(province.towers)

# %% [markdown]
# ## Suy hao đường truyền
#
# Suy hao ở khoảng cách 5 km, tần số 900 MHz, cột anten 30 m, máy thu cao 1,5 m, theo ba
# môi trường của mô hình Hata và trong không gian tự do:

# %%
loss = {"đô thị": hata_path_loss_db(900, 5, 30, 1.5, "urban"),
        "ngoại ô": hata_path_loss_db(900, 5, 30, 1.5, "suburban"),
        "nông thôn, vùng trống": hata_path_loss_db(900, 5, 30, 1.5, "open"),
        "không gian tự do": free_space_path_loss_db(900, 5)}
table(pd.DataFrame({"environment": list(loss), "loss_db": [float(v) for v in loss.values()]}),
      titles={"environment": "Môi trường", "loss_db": "Suy hao (dB)"})

# %% [markdown]
# ## Tầm nhìn thẳng
#
# Phần địa hình mà máy thu cao 1,5 m nhìn thấy được đỉnh cột của một trạm, trong bán kính
# 15 km:

# %%
t = province.towers.iloc[0]
los = line_of_sight(province.dem, (t.geometry.x, t.geometry.y), observer_height_m=t.height_m,
                    target_height_m=1.5, max_distance_m=15_000)
visible_km2 = los.values.sum() * province.dem.resolution_m**2 / 1e6
disc_km2 = np.pi * 15**2
(f"Từ trạm {t.site_id}: nhìn thấy {number(visible_km2)} km², "
 f"{number(100 * visible_km2 / disc_km2, 1)}% hình tròn bán kính 15 km")

# %% [markdown]
# ## Vùng phủ sóng của các trạm quanh KBang
#
# Trạm phục vụ tốt nhất của mọi công nghệ và nhà mạng, với các trạm trong vòng 20 km
# quanh huyện KBang (mã huyện 625):

# %%
district = "625"
kbang = province.communes[province.communes["district_code"] == district]
towers = province.towers[province.towers.within(kbang.union_all().buffer(20_000))]
coverage = predict(towers, province.dem, max_radius_m=15_000)
coverage.technologies, coverage.operators

# %% [markdown]
# Dân số được trải lên từng ô của lưới phủ sóng; các ô không có sóng 4G của nhà mạng nào
# tạo thành vùng lõm sóng, xếp theo số người sống trong đó:

# %%
population = population_surface(province.communes, coverage, raster=province.population,
                                 roads=province.roads, dem=province.dem)
zones = dead_zones(province.communes, coverage, population, technology="4G",
                   towers=towers, fiber=province.fiber)
zones = zones[zones["district_code"] == district]
table(zones.head(10)[["zone_id", "commune_name", "area_km2", "population",
                      "nearest_tower_km", "nearest_fiber_km"]],
      titles={"zone_id": "Mã vùng lõm", "nearest_tower_km": "Cách trạm BTS gần nhất (km)",
              "nearest_fiber_km": "Cách cáp quang gần nhất (km)"})

# %% [markdown]
# ## Chỉ tiêu của các xã thuộc KBang

# %%
kpi = commune_indicators(province.communes, coverage, population, dead_zones=zones,
                         towers=towers)
kpi_kbang = kpi[kpi["district_code"] == district]
table(kpi_kbang[["commune_name", "population", "pop_covered_pct_2g", "pop_covered_pct_4g",
                  "dead_zone_pop", "towers"]])

# %% [markdown]
# ## Bản đồ
#
# Các xã tô màu theo tỷ lệ dân số được phủ sóng 4G, lớp tín hiệu 4G, các trạm BTS và
# vùng lõm sóng:

# %%
map_path = make_map({"communes": kpi_kbang, "towers_existing": towers, "dead_zones": zones},
                    Path("../maps/coverage_kbang/map.html"),
                    coverage_png=coverage.signal("4G"),
                    title="Phủ sóng 4G quanh huyện KBang (tỉnh mẫu)")
show_map(map_path)
