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
# # 01 · Quickstart: the demo province end to end
#
# The demo province is **synthetic**: the real 17 districts and 222 communes of Gia Lai
# (names, codes, district centres) with generated terrain, population, towers and fiber.
# It is built by geotel's own code, offline and deterministic, and cached in
# `data/processed/`.

# %%
from pathlib import Path

from geotel.config import load_config
from geotel.datasets import demo_project
from geotel.pipeline import run_plan, write_plan

config = load_config(demo_project())
config.name

# %% [markdown]
# `run_plan` runs every step: validation, coverage over terrain, dead zones and
# indicators, fiber reach and extension, tower siting and the phasing over 2020–2025.

# %%
plan = run_plan(config)
print(plan.summary_table())

# %% [markdown]
# The province summary, in the form of the province's own report:

# %%
print(plan.summary.text("vi"))

# %% [markdown]
# The communes layer carries the indicators, Criterion 8 included.

# %%
communes = plan.layers["communes"]
communes[["commune_code", "commune_name", "pop_covered_pct_4g", "fiber_distance_km",
          "c8_met"]].sort_values("pop_covered_pct_4g").head(10)

# %% [markdown]
# The phased plan, year by year:

# %%
plan.phases

# %% [markdown]
# Write everything a planner opens: `plan.gpkg` for QGIS, `map.html` for meetings,
# tables and the print map.

# %%
out = Path("../maps/quickstart")
written = write_plan(plan, out, force=True)
sorted(p.name for p in written)[:12]
