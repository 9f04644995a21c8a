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
# # 04 · Dữ liệu của bạn
#
# geotel đọc những gì các cơ quan bàn giao: GeoPackage, Shapefile (bảng mã lấy từ tệp
# `.cpg`, hoặc tự nhận ra UTF-8 / cp1258), GeoJSON, danh sách trạm BTS dạng CSV hoặc
# Excel với tiêu đề tiếng Việt ('Kinh độ', 'Vĩ độ', 'Mã trạm', 'Nhà mạng', ...), tọa độ
# VN-2000, và các mảnh DEM (GeoTIFF, SRTM `.hgt`). Mỗi hàm đọc đều kiểm tra dữ liệu và
# nói rõ cần sửa gì.
#
# Sổ tay này đọc ranh giới 222 xã **thật** của Gia Lai, đường quốc lộ, tỉnh lộ và dân số
# tổng điều tra 2009 theo huyện, để trong thư mục `../shared/data/gialai` bên cạnh dự án
# (hoặc thư mục ghi trong biến môi trường `GEOTEL_REAL_DATA`).

# %%
import os
from pathlib import Path

import yaml
from _display import show_map, table

from geotel.config import load_config
from geotel.datasets import demo_project
from geotel.errors import ValidationReport
from geotel.io import read_communes, read_roads, vn2000_crs
from geotel.io.population import read_district_population
from geotel.outputs.maps import make_map
from geotel.pipeline import run_plan
from geotel.population import district_shares

real = Path(os.environ.get("GEOTEL_REAL_DATA", "../../shared/data/gialai")).resolve()
if not (real / "communes.gpkg").is_file():
    raise FileNotFoundError(f"không tìm thấy dữ liệu thật trong {real}: đặt biến môi trường "
                            "GEOTEL_REAL_DATA là thư mục chứa communes.gpkg")
real

# %% [markdown]
# ## Đọc và kiểm tra ranh giới xã
#
# Cùng một lỗi lặp lại ở nhiều đối tượng chỉ được báo trên một dòng, kèm cách sửa:

# %%
report = ValidationReport()
communes = read_communes(real / "communes.gpkg", layer="communes_clean", crs="EPSG:32649",
                         report=report)
for line in report.lines():
    print(line)
print(len(communes), "xã;", f"{communes.area.sum() / 1e6:,.0f} km² (UTM 49N)".replace(",", "."))

# %%
roads = read_roads(real / "roads_main.gpkg", layer="roads", crs="EPSG:32649")
print(len(roads), "tuyến đường;", f"{roads.length.sum() / 1e3:,.0f} km".replace(",", "."))

# %% [markdown]
# ## Số liệu chưa có thì ghi "không có số liệu"
#
# Lớp xã thật không có cột dân số, Internet cố định, đài truyền thanh, điểm bưu chính hay
# ứng dụng CNTT. geotel không bao giờ đoán một sự kiện về tỉnh: giá trị chưa biết để trống
# trong các lớp và tệp JSON, hiện là "không có số liệu" trong bảng, báo cáo và bản đồ (màu
# xám), chứ không bao giờ là "có" hay 0.

# %%
table(communes.head(8)[["commune_code", "commune_name", "population", "has_fixed_internet",
                        "has_radio_station", "has_postal_point", "has_it_admin"]])

# %% [markdown]
# ## Dân số theo tổng điều tra của huyện
#
# Khi chưa có dân số từng xã, có thể cho tổng dân số của từng huyện (ở đây: tổng điều tra
# 2009, tên huyện viết không dấu); geotel ghép huyện theo mã hoặc theo tên (bỏ dấu và chữ
# "huyện", "thị xã") rồi chia cho các xã. Trong quy hoạch, phần chia theo diện tích dưới
# đây được thay bằng cách chia theo khoảng cách tới đường và độ dốc (`dasymetric`).

# %%
totals = read_district_population(real / "districts_2009_census.gpkg")
with_people = communes.assign(population=district_shares(communes, totals, weight="area"))
per_district = (with_people.groupby(["district_code", "district_name"], as_index=False)
                .agg(communes=("commune_code", "size"), population=("population", "sum")))
print(f"tổng dân số: {with_people['population'].sum():,.0f} người".replace(",", "."))
table(per_district, digits=0)

# %% [markdown]
# ## Tọa độ VN-2000
#
# VN-2000 múi chiếu 3° của Gia Lai (kinh tuyến trục 108°30′, k = 0,9999), mang theo bảy
# tham số chuyển sang WGS 84:

# %%
crs = vn2000_crs("tm3", central_meridian_deg=108.5)
crs.name

# %% [markdown]
# ## Một dự án trên dữ liệu của bạn
#
# Tệp `config.yml` ghi tên các tệp đầu vào. Dữ liệu thật ở đây không có danh sách trạm
# BTS và DEM, nên dự án mượn trạm BTS và DEM của tỉnh mẫu (dữ liệu **tổng hợp**); lưới
# phủ sóng 450 m để chạy nhanh. Không có lớp cáp quang nên chưa biết xã nào có Internet
# cố định.

# %%
demo = demo_project().parent
project = Path("../maps/own_data")
project.mkdir(parents=True, exist_ok=True)
settings = {
    "name": "Gia Lai (xã thật; trạm BTS, DEM mẫu)",
    "analysis_crs": "EPSG:32649",
    "inputs": {"communes": str(real / "communes.gpkg"), "communes_layer": "communes_clean",
               "roads": str(real / "roads_main.gpkg"),
               "district_population": str(real / "districts_2009_census.gpkg"),
               "towers": str(demo / "towers.csv"), "dem": [str(demo / "dem.tif")]},
    "coverage": {"resolution_m": 450.0},
}
(project / "config.yml").write_text(yaml.safe_dump(settings, allow_unicode=True,
                                                   sort_keys=False), encoding="utf-8")
print((project / "config.yml").read_text(encoding="utf-8"))

# %% [markdown]
# `geotel validate config.yml` kiểm tra mọi đầu vào cùng lúc; `run_plan` làm việc đó ở
# bước đầu tiên, rồi tính đến hết các chỉ tiêu (`until="indicators"`):

# %%
plan = run_plan(load_config(project / "config.yml"), until="indicators", progress=False)
for line in plan.validation.lines():
    print(line)

# %% [markdown]
# Bản tóm tắt nói rõ những gì chưa biết và cách bổ sung:

# %%
print(plan.summary.text("vi"))

# %% [markdown]
# Tiêu chí 8 cần cả bốn chỉ tiêu. Một chỉ tiêu chưa đạt là đủ để kết luận "chưa đạt";
# còn khi các chỉ tiêu đã biết đều đạt nhưng thiếu số liệu của chỉ tiêu khác thì xã "chưa
# xác định được":

# %%
result = plan.layers["communes"]
verdict = result["c8_met"].map({True: "Đạt", False: "Chưa đạt"}).fillna("Chưa xác định")
table(verdict.value_counts().rename_axis("verdict").reset_index(),
      titles={"verdict": "Tiêu chí 8", "count": "Số xã"})

# %%
shown = result.sort_values("c8_pop_covered_pct").head(8)
table(shown[["commune_name", "district_name", "population", "c8_pop_covered_pct",
             "c8_2_telecom_internet", "c8_3_radio", "c8_met", "c8_missing"]])

# %% [markdown]
# Trên bản đồ, xã không có số liệu tô màu xám. Chọn chỉ tiêu trong chú giải: Tiêu chí 8,
# Internet cố định, phủ sóng 4G, dân số.

# %%
map_path = make_map({"communes": result, "districts": plan.layers["districts"]},
                    project / "map.html", title=settings["name"],
                    indicators=["c8_met", "has_fixed_internet", "pop_covered_pct_4g",
                                "population"])
show_map(map_path)

# %% [markdown]
# Để quy hoạch tỉnh của bạn: viết `config.yml` ghi tên các tệp của bạn (xem mục tham chiếu
# cấu hình trong README), kiểm tra bằng `geotel validate config.yml`, rồi chạy
# `geotel plan config.yml --out maps/plan`.
