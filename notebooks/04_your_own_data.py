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
# # 04 · Your own data
#
# geotel reads what agencies hand over: GeoPackage, Shapefile (code page from the
# `.cpg`, or UTF-8 / cp1258 detected), GeoJSON, tower lists in CSV or Excel with
# Vietnamese headers ('Kinh độ', 'Vĩ độ', 'Mã trạm', 'Nhà mạng', ...), VN-2000
# coordinates, and DEM tiles (GeoTIFF, SRTM `.hgt`). Every reader validates and says
# what to fix.
#
# This notebook reads the real commune polygons of Gia Lai when they are present
# beside the project (`../shared/data/gialai`, or the folder in `GEOTEL_REAL_DATA`).

# %%
import os
from pathlib import Path

from geotel._errors import ValidationReport
from geotel.io import read_communes, read_roads, vn2000_crs

real = Path(os.environ.get("GEOTEL_REAL_DATA", "../../shared/data/gialai"))
have_real = (real / "communes.gpkg").is_file()
have_real

# %%
if have_real:
    report = ValidationReport()
    communes = read_communes(real / "communes.gpkg", layer="communes_clean",
                             crs="EPSG:32649", report=report)
    for line in report.lines():  # the same problem over many features: one line
        print(line)
    print(len(communes), "communes;", f"{communes.area.sum() / 1e6:,.0f} km² (UTM 49N)")

# %%
if have_real:
    roads = read_roads(real / "roads_main.gpkg", layer="roads", crs="EPSG:32649")
    print(len(roads), "roads;", f"{roads.length.sum() / 1e3:,.0f} km")

# %% [markdown]
# VN-2000 with Gia Lai's provincial TM-3 zone (central meridian 108°30′, k = 0.9999),
# carrying the 7-parameter shift to WGS 84:

# %%
crs = vn2000_crs("tm3", central_meridian_deg=108.5)
crs.name

# %% [markdown]
# To plan your province, write a `config.yml` naming your files (see the README's
# config reference), check it with `geotel validate config.yml`, and run
# `geotel plan config.yml --out maps/plan`.
