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
# # 05 · Báo cáo năm: số liệu hạ tầng viễn thông của tỉnh
#
# Hằng năm, tỉnh báo cáo hiện trạng hạ tầng viễn thông thụ động: số xã chưa có Internet
# cố định đến trung tâm xã, số xã có đài truyền thanh, kết quả Tiêu chí 8 (Thông tin và
# Truyền thông) của Chương trình xây dựng nông thôn mới, và các vùng lõm sóng. Sổ tay này
# lấy các số liệu đó từ quy hoạch, rồi ghi báo cáo Word và PDF để gửi đi.
#
# Dữ liệu là tỉnh mẫu (**tổng hợp**, không phải số liệu thật). Báo cáo hiện trạng chỉ cần
# quy hoạch chạy đến hết bước tính chỉ tiêu (`until="indicators"`): phủ sóng, cáp quang,
# vùng lõm sóng và chỉ tiêu của xã, không cần chọn vị trí trạm mới.

# %%
# %matplotlib inline
from pathlib import Path

import pandas as pd
from _display import NO_DATA, number, show_map, table

from geotel.config import load_config
from geotel.datasets import demo_project
from geotel.outputs.charts import district_coverage_chart
from geotel.outputs.tables import column_titles
from geotel.pipeline import run_plan, write_plan

config = load_config(demo_project())
plan = run_plan(config, until="indicators", progress=False)
summary = plan.summary
communes = plan.layers["communes"]
districts = plan.layers["districts"].sort_values("district_code")
n = summary.communes

# %% [markdown]
# ## Tóm tắt
#
# Đoạn văn theo cách viết của báo cáo của tỉnh. Số liệu nào không có đầu vào thì ghi
# "không có số liệu", không bao giờ ghi 0 hay "có".

# %%
def out_of(k: int | None, what: str) -> str:
    """'k/n xã <what>', or 'số xã <what>: không có số liệu'."""
    if k is None:
        return f"số xã {what}: {NO_DATA}"
    return f"{number(k)}/{number(n)} xã {what}"


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


tech = summary.dead_zone_technology
paragraph = " ".join([
    f"Toàn tỉnh có {number(n)} xã, phường, thị trấn, dân số {number(summary.population)} "
    f"người, diện tích {number(summary.area_km2)} km².",
    sentence("; ".join([
        out_of(summary.communes_without_fixed_internet,
               "chưa có kết nối Internet hữu tuyến đến trung tâm xã"),
        out_of(summary.communes_with_radio_station, "có đài truyền thanh không dây"),
        out_of(summary.communes_with_postal_point, "có điểm phục vụ bưu chính"),
    ])),
    f"Tỷ lệ dân số được phủ sóng 4G đạt {number(summary.pop_covered_pct_4g, 1)}%.",
    f"Có {number(summary.dead_zones)} vùng lõm sóng {tech}, tổng diện tích "
    f"{number(summary.dead_zone_km2, 1)} km², dân số sống trong đó: "
    f"{number(summary.dead_zone_pop)} người." if summary.dead_zone_pop is not None else
    f"Có {number(summary.dead_zones)} vùng lõm sóng {tech}, tổng diện tích "
    f"{number(summary.dead_zone_km2, 1)} km²; dân số trong đó: {NO_DATA}.",
    sentence(out_of(summary.communes_c8_met, "đạt Tiêu chí 8 về Thông tin và Truyền thông")),
])
print(paragraph)

# %% [markdown]
# ## 1. Xã chưa có Internet cố định
#
# Một xã có Internet cố định khi có cáp quang đến trung tâm xã. Lớp xã ghi điều đó, hoặc
# geotel suy ra từ khoảng cách đi theo đường tới mạng cáp quang (cột nguồn số liệu).

# %%
no_fixed = communes[communes["has_fixed_internet"].astype("boolean").eq(False)].sort_values(
    ["district_code", "fiber_distance_km"])
table(no_fixed[["commune_code", "commune_name", "district_name", "population",
                "fiber_distance_km", "fixed_internet_source"]],
      titles={"fixed_internet_source": "Nguồn số liệu"})

# %%
table(districts[["district_name", "communes", "communes_without_fixed_internet",
                 "fiber_distance_km_mean", "fiber_distance_km_max"]])

# %% [markdown]
# ## 2. Đài truyền thanh
#
# Số xã có và chưa có đài truyền thanh không dây, theo huyện, và tên các xã chưa có:

# %%
radio = communes["has_radio_station"].astype("boolean")
missing_radio = (communes[radio.eq(False)].groupby("district_code")["commune_name"]
                 .agg(", ".join).rename("without_radio"))
radio_table = districts.set_index("district_code")[
    ["district_name", "communes", "communes_with_radio_station"]].join(missing_radio)
table(radio_table.fillna({"without_radio": "–"}),
      titles={"without_radio": "Xã chưa có đài truyền thanh"})

# %% [markdown]
# ## 3. Tiêu chí 8 (Thông tin và Truyền thông)
#
# Một xã đạt Tiêu chí 8 khi đạt cả bốn chỉ tiêu: 8.1 điểm phục vụ bưu chính; 8.2 dịch vụ
# viễn thông, Internet (đủ tỷ lệ dân số được phủ sóng và, theo cấu hình, có Internet cố
# định); 8.3 đài truyền thanh; 8.4 ứng dụng CNTT trong quản lý, điều hành.

# %%
ind = config.indicators
print(f"Chỉ tiêu 8.2: ít nhất {number(ind.c8_min_pop_covered_pct)}% dân số được phủ sóng "
      f"{ind.c8_technology} trở lên"
      + (" và có Internet cố định." if ind.c8_requires_fixed_internet else "."))
parts = ["c8_1_postal", "c8_2_telecom_internet", "c8_3_radio", "c8_4_it_admin", "c8_met"]
counts = pd.DataFrame({
    "indicator": [column_titles(c)[0] for c in parts],
    "met": [int(communes[c].astype("boolean").eq(True).sum()) for c in parts],
    "not_met": [int(communes[c].astype("boolean").eq(False).sum()) for c in parts],
    "unknown": [int(communes[c].isna().sum()) for c in parts],
})
table(counts, titles={"indicator": "Chỉ tiêu", "met": "Đạt", "not_met": "Chưa đạt",
                      "unknown": "Không có số liệu"})

# %% [markdown]
# Các xã chưa đạt, hoặc chưa xác định được vì thiếu số liệu, và lý do:

# %%
def failed(value: object) -> bool:
    """Known, and false (an unknown value is not a failure)."""
    return not pd.isna(value) and not bool(value)


def reasons(row: pd.Series) -> str:
    """The sub-indicators a commune fails, and why."""
    out = []
    if failed(row["c8_1_postal"]):
        out.append("8.1: chưa có điểm phục vụ bưu chính")
    if failed(row["c8_2_telecom_internet"]):
        why = []
        if row["c8_pop_covered_pct"] < ind.c8_min_pop_covered_pct:
            why.append(f"{number(row['c8_pop_covered_pct'], 1)}% dân số được phủ sóng "
                       f"{ind.c8_technology} trở lên (< {number(ind.c8_min_pop_covered_pct)}%)")
        if ind.c8_requires_fixed_internet and failed(row["has_fixed_internet"]):
            why.append("chưa có Internet cố định")
        out.append("8.2: " + ("; ".join(why) or "chưa đạt"))
    if failed(row["c8_3_radio"]):
        out.append("8.3: chưa có đài truyền thanh")
    if failed(row["c8_4_it_admin"]):
        out.append("8.4: chưa ứng dụng CNTT trong quản lý")
    return "; ".join(out)


met = communes["c8_met"].astype("boolean")
failing = communes[met.ne(True).fillna(True)].sort_values(["district_code", "commune_code"])
failing = failing.assign(why=failing.apply(reasons, axis=1).replace("", "–"))
print(f"{number(int(met.eq(False).sum()))}/{number(n)} xã chưa đạt Tiêu chí 8; "
      f"{number(int(met.isna().sum()))} xã chưa xác định được vì thiếu số liệu.")
shown = ["commune_name", "district_name", "c8_met", "why"]
if failing["c8_missing"].fillna("").ne("").any():  # the inputs some communes lack
    shown.append("c8_missing")
table(failing[shown], titles={"why": "Chỉ tiêu chưa đạt, lý do"})

# %%
table(districts[["district_name", "communes", "communes_c8_met", "c8_met_pct"]])

# %% [markdown]
# ## 4. Vùng lõm sóng
#
# Vùng lõm sóng là vùng không có sóng 4G của bất kỳ nhà mạng nào. Các xã có nhiều người
# sống trong vùng lõm sóng nhất:

# %%
top = communes.sort_values("dead_zone_pop", ascending=False).head(15)
if summary.dead_zone_pop:
    print(f"{number(top['dead_zone_pop'].sum())} người, "
          f"{number(100 * top['dead_zone_pop'].sum() / summary.dead_zone_pop, 1)}% số người "
          "trong vùng lõm sóng của toàn tỉnh, sống ở 15 xã này.")
table(top[["commune_name", "district_name", "population", "dead_zone_pop", "dead_zone_km2",
           "pop_covered_pct_4g", "fiber_distance_km"]])

# %% [markdown]
# Tỷ lệ dân số được phủ sóng 4G theo huyện (hiện trạng):

# %%
now = districts.drop(columns=f"pop_covered_pct_{tech.lower()}_planned", errors="ignore")
district_coverage_chart(now, technology=tech)

# %%
table(districts[["district_name", "population", "pop_covered_pct_4g", "dead_zone_pop",
                 "dead_zone_km2", "towers"]])

# %% [markdown]
# ## 5. Bản đồ và báo cáo để gửi đi
#
# `write_plan` ghi kết quả vào một thư mục: `plan.gpkg` cho QGIS, bản đồ họp, bảng Excel,
# và báo cáo `report.docx` / `report.pdf` theo mẫu báo cáo của tỉnh, gồm các bảng trên.

# %%
out = Path("../maps/bao_cao_nam")
written = write_plan(plan, out, force=True)
[p.name for p in written if p.suffix in (".docx", ".pdf", ".xlsx", ".html", ".gpkg")]

# %% [markdown]
# Bản đồ: các xã tô màu theo chỉ tiêu (chọn trong chú giải), vùng lõm sóng, trạm BTS và
# cáp quang hiện có.

# %%
show_map(out / "map.html")
