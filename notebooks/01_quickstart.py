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
# # 01 · Bắt đầu nhanh: quy hoạch tỉnh mẫu từ đầu đến cuối
#
# Tỉnh mẫu là dữ liệu **tổng hợp** (không phải số liệu thật): 17 huyện và 222 xã của
# Gia Lai với tên, mã và vị trí trung tâm huyện thật, còn địa hình, dân số, trạm BTS và
# cáp quang do geotel tự sinh ra, không cần mạng và lần nào cũng như nhau. Dữ liệu được
# tạo một lần rồi lưu lại trong `data/processed/`.
#
# Sổ tay này chạy toàn bộ quy hoạch rồi cho xem những gì người làm quy hoạch cần xem:
# bản đồ, các biểu đồ và các bảng.

# %%
# %matplotlib inline
from pathlib import Path

from _display import show_map, table

from geotel.config import load_config
from geotel.datasets import demo_project
from geotel.outputs.charts import district_coverage_chart, gain_curve_chart, phases_chart
from geotel.outputs.layers import OUTPUT_LAYERS
from geotel.pipeline import run_plan, write_plan

config = load_config(demo_project())
config.name

# %% [markdown]
# `run_plan` chạy lần lượt mọi bước: kiểm tra dữ liệu đầu vào, tính vùng phủ sóng theo
# địa hình, vùng lõm sóng và các chỉ tiêu của xã, khoảng cách tới cáp quang và tuyến cáp
# quang mở rộng, chọn vị trí trạm BTS mới, rồi phân kỳ đầu tư 2020–2025. Với tỉnh mẫu,
# bước này mất vài phút.

# %%
plan = run_plan(config)
layers = {OUTPUT_LAYERS[name].title["vi"] if name in OUTPUT_LAYERS else name: len(gdf)
          for name, gdf in plan.layers.items()}
layers

# %% [markdown]
# Tóm tắt toàn tỉnh, theo cách viết của báo cáo hạ tầng viễn thông của tỉnh:

# %%
print(plan.summary.text("vi"))

# %% [markdown]
# ## Bản đồ
#
# `write_plan` ghi mọi thứ người làm quy hoạch cần mở: `plan.gpkg` cho QGIS, `map.html`
# để đi họp (và `map_offline.html` khi không có mạng), các bảng Excel, bản đồ in và báo
# cáo `report.docx` / `report.pdf`.

# %%
out = Path("../maps/quickstart")
written = write_plan(plan, out, force=True)
sorted(p.name for p in written if not p.name.startswith("coverage_"))

# %% [markdown]
# Bản đồ họp ngay trong sổ tay. Chọn chỉ tiêu tô màu xã trong chú giải; bật, tắt các
# lớp trạm BTS hiện có, trạm đề xuất theo năm, vùng lõm sóng và cáp quang ở góc phải.

# %%
show_map(out / "map.html")

# %% [markdown]
# ## Phủ sóng 4G theo huyện, trước và sau quy hoạch
#
# Tỷ lệ dân số được phủ sóng 4G của từng huyện hiện nay, và khi mọi trạm đề xuất đã được
# xây.

# %%
districts = plan.layers["districts"]
district_coverage_chart(districts, technology=config.siting.technology)

# %%
table(districts[["district_name", "communes", "population", "pop_covered_pct_4g",
                 "pop_covered_pct_4g_planned", "dead_zone_pop",
                 "communes_without_fixed_internet", "communes_c8_met"]])

# %% [markdown]
# ## Phân kỳ đầu tư 2020–2025, từng năm
#
# Kinh phí trạm BTS và cáp quang mỗi năm so với ngân sách hằng năm, và tỷ lệ dân số được
# phủ sóng đạt được sau mỗi năm.

# %%
phases_chart(plan.phases,
             tower_budget_vnd_per_year=config.plan.tower_budget_vnd_per_year,
             fiber_budget_vnd_per_year=config.plan.fiber_budget_vnd_per_year)

# %%
phases = plan.phases.assign(tower_spend_bn=plan.phases["tower_spend_vnd"] / 1e9,
                            fiber_spend_bn=plan.phases["fiber_spend_vnd"] / 1e9)
table(phases[["year", "towers_built", "tower_spend_bn", "fiber_routes_built", "fiber_km",
              "fiber_spend_bn", "pop_covered_pct_4g", "communes_with_fixed_internet"]],
      titles={"year": "Năm", "towers_built": "Trạm BTS mới",
              "tower_spend_bn": "Kinh phí trạm (tỷ đồng)",
              "fiber_routes_built": "Tuyến cáp quang", "fiber_km": "Cáp quang (km)",
              "fiber_spend_bn": "Kinh phí cáp quang (tỷ đồng)",
              "pop_covered_pct_4g": "Dân số phủ sóng 4G lũy kế (%)",
              "communes_with_fixed_internet": "Xã có Internet cố định"}, digits=2)

# %% [markdown]
# ## Hiệu quả các trạm đề xuất
#
# Đường cong dưới đây cộng dồn số dân được phủ sóng thêm theo chi phí, các trạm xếp theo
# thứ tự ưu tiên: những trạm đầu tiên phủ được nhiều người nhất trên mỗi đồng bỏ ra.

# %%
towers = plan.layers["towers_proposed"]
gain_curve_chart(towers)

# %%
communes = plan.layers["communes"]
names = communes.set_index("commune_code")["commune_name"]
top = towers.sort_values("rank").head(10)
table(top.assign(commune_name=top["commune_code"].map(names),
                 cost_bn=top["total_cost_vnd"] / 1e9)[
    ["rank", "site_id", "commune_name", "phase_year", "backhaul", "pop_gain", "cost_bn"]],
    titles={"cost_bn": "Tổng chi phí (tỷ đồng)"}, digits=2)

# %% [markdown]
# ## Các xã có tỷ lệ phủ sóng 4G thấp nhất
#
# Lớp xã mang mọi chỉ tiêu, kể cả Tiêu chí 8 (Thông tin và Truyền thông):

# %%
table(communes.sort_values("pop_covered_pct_4g").head(10)[
    ["commune_code", "commune_name", "district_name", "pop_covered_pct_4g",
     "pop_covered_pct_4g_planned", "fiber_distance_km", "c8_met"]])
