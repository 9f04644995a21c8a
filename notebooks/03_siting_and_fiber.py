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
# # 03 · Fiber reach and tower siting
#
# How far is each commune centre from the fiber network along the roads, and which
# routes connect the communes without fixed Internet at least cost? Then: where do new
# towers cover the most people per đồng, backhaul included?

# %%
from geotel.config import load_config
from geotel.datasets import demo_project
from geotel.fiber import run_fiber
from geotel.pipeline import run_plan
from geotel.siting import maximal_covering

config = load_config(demo_project())
plan = run_plan(config, until="indicators", progress=False)
province = plan.province

# %% [markdown]
# ## Fiber reach (multi-source Dijkstra on the road graph)

# %%
fiber = run_fiber(province, config.fiber)
fiber.communes["fiber_reach_class"].value_counts()

# %% [markdown]
# The extension plan: a Steiner tree over the roads connecting the communes without
# fixed Internet to the existing network.

# %%
routes = fiber.plan.routes
print(f"{len(routes)} routes, {routes['length_km'].sum():.1f} km, "
      f"{routes['cost_vnd'].sum() / 1e9:.2f} billion VND")
routes.drop(columns="geometry")

# %% [markdown]
# ## Tower siting on predicted signal
#
# Candidates (grid, terrain peaks, co-location on other operators' towers, commune
# centres) minus the exclusion zones; a candidate covers a demand cell when its
# predicted 4G signal reaches the threshold; demand is the people not yet covered.

# %%
from geotel.siting import run_siting

run = run_siting(province, plan.coverage, config.siting, population=plan.population,
                 fiber=fiber, coverage_config=config.coverage, fiber_config=config.fiber,
                 progress=False)
r = run.result
print(f"{len(run.towers_proposed)} sites add {sum(r.marginal_gain):,.0f} people; "
      f"certified gap {100 * r.gap:.2f} % ({r.status})")
run.towers_proposed.drop(columns="geometry").head(10)

# %% [markdown]
# The same matrix solved with the fast greedy (lazy evaluation, swaps), with its own
# certified bound:

# %%
greedy = maximal_covering(run.matrix.matrix, run.matrix.demand, k=config.siting.new_sites,
                          method="greedy")
f"greedy covers {greedy.objective:,.0f} (bound {greedy.bound:,.0f}, gap {100 * greedy.gap:.2f} %)"

# %% [markdown]
# Before and after, per commune:

# %%
run.commune_coverage.sort_values("pop_gain", ascending=False).head(10)
