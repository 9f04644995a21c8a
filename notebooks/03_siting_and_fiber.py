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
# # 03 · Cáp quang và vị trí trạm BTS mới
#
# Trung tâm mỗi xã cách mạng cáp quang bao xa, đi theo đường giao thông? Những tuyến nào
# nối các xã chưa có Internet cố định với chi phí thấp nhất? Rồi: đặt trạm BTS mới ở đâu
# để phủ sóng được nhiều người nhất trên mỗi đồng, tính cả chi phí truyền dẫn?
#
# Dữ liệu là tỉnh mẫu (tổng hợp). Sổ tay chạy quy hoạch đến hết bước chọn vị trí trạm
# (`until="siting"`), bỏ qua bước phân kỳ; mất vài phút.

# %%
# %matplotlib inline
from pathlib import Path

from _display import number, show_map, table

from geotel.config import load_config
from geotel.datasets import demo_project
from geotel.outputs.charts import district_coverage_chart, gain_curve_chart
from geotel.outputs.maps import make_map
from geotel.pipeline import run_plan
from geotel.siting import maximal_covering

config = load_config(demo_project())
plan = run_plan(config, until="siting", progress=False)
fiber = plan.results["fiber"]
run = plan.results["siting"]
communes = plan.layers["communes"]
names = communes.set_index("commune_code")["commune_name"]

# %% [markdown]
# ## Khoảng cách tới cáp quang
#
# Khoảng cách đi theo đường giao thông từ trung tâm xã tới điểm gần nhất của mạng cáp
# quang (thuật toán Dijkstra nhiều nguồn trên mạng đường), chia theo nhóm:

# %%
reach = fiber.communes["fiber_reach_class"].value_counts().rename_axis("reach").reset_index()
table(reach, titles={"reach": "Khoảng cách tới cáp quang", "count": "Số xã"})

# %% [markdown]
# Tuyến cáp quang mở rộng: cây Steiner trên mạng đường nối các xã chưa có Internet cố
# định với mạng hiện có.

# %%
routes = fiber.plan.routes
print(f"{len(routes)} tuyến, {number(routes['length_km'].sum(), 1)} km, "
      f"{number(routes['cost_vnd'].sum() / 1e9, 2)} tỷ đồng")
served = routes["communes_served"].map(
    lambda codes: ", ".join(names.get(c, c) for c in codes.split(",")))
table(routes.assign(communes_served=served, cost_bn=routes["cost_vnd"] / 1e9)[
    ["route_id", "length_km", "offroad_km", "n_communes", "communes_served", "cost_bn"]],
    titles={"route_id": "Mã tuyến", "offroad_km": "Ngoài đường giao thông (km)",
            "n_communes": "Số xã được kết nối", "communes_served": "Xã được kết nối",
            "cost_bn": "Chi phí (tỷ đồng)"}, digits=2)

# %% [markdown]
# ## Chọn vị trí trạm theo tín hiệu dự đoán
#
# Ứng viên là các điểm lưới, đỉnh địa hình, cột của nhà mạng khác (dùng chung hạ tầng) và
# trung tâm xã, trừ các vùng cấm xây dựng. Một ứng viên phủ một ô khi tín hiệu 4G dự đoán
# đạt ngưỡng; nhu cầu là số người chưa có sóng. Bài toán phủ tối đa được giải bằng HiGHS,
# kèm khoảng cách tối ưu (gap) được chứng nhận.

# %%
r = run.result
print(f"{len(run.towers_proposed)} trạm phủ sóng thêm {number(sum(r.marginal_gain))} người; "
      f"gap {number(100 * r.gap, 2)}% ({r.status})")
towers = run.towers_proposed.sort_values("rank").head(10)
table(towers.assign(commune_name=towers["commune_code"].map(names),
                    cost_bn=towers["total_cost_vnd"] / 1e9)[
    ["rank", "site_id", "commune_name", "source", "backhaul", "pop_gain", "cost_bn"]],
    titles={"source": "Loại ứng viên", "cost_bn": "Tổng chi phí (tỷ đồng)"}, digits=2)

# %% [markdown]
# Cùng ma trận đó, giải bằng thuật toán tham lam nhanh (đánh giá lười, có hoán đổi), với
# cận trên được chứng nhận riêng:

# %%
greedy = maximal_covering(run.matrix.matrix, run.matrix.demand, k=config.siting.new_sites,
                          method="greedy")
(f"tham lam: phủ {number(greedy.objective)} người (cận trên {number(greedy.bound)}, "
 f"gap {number(100 * greedy.gap, 2)}%)")

# %% [markdown]
# ## Hiệu quả các trạm đề xuất
#
# Số dân được phủ sóng thêm cộng dồn theo chi phí, các trạm xếp theo thứ tự ưu tiên:

# %%
gain_curve_chart(run.towers_proposed)

# %% [markdown]
# ## Phủ sóng 4G theo huyện, trước và sau khi xây các trạm đề xuất

# %%
district_coverage_chart(plan.layers["districts"], technology=config.siting.technology)

# %% [markdown]
# Các xã được lợi nhiều nhất:

# %%
gain = run.commune_coverage.sort_values("pop_gain", ascending=False).head(10)
gain = gain.join(communes[["district_name"]], how="left")
table(gain[["commune_name", "district_name", "pct_before", "pct_after", "pop_gain"]],
      titles={"pct_before": "Phủ sóng 4G hiện nay (%)",
              "pct_after": "Phủ sóng 4G sau quy hoạch (%)"})

# %% [markdown]
# ## Bản đồ
#
# Trạm đề xuất đánh số theo thứ tự ưu tiên, tuyến cáp quang hiện có và đề xuất, các xã tô
# màu theo tỷ lệ phủ sóng 4G sau quy hoạch (đổi chỉ tiêu trong chú giải):

# %%
map_path = make_map({name: plan.layers[name] for name in
                     ("communes", "towers_existing", "towers_proposed", "fiber_existing",
                      "fiber_proposed", "exclusion_zones")},
                    Path("../maps/siting/map.html"), title=config.name,
                    indicators=["pop_covered_pct_4g_planned", "pop_covered_pct_4g",
                                "fiber_distance_km"])
show_map(map_path)
