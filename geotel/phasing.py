"""Phase proposed towers and fiber routes over the planning years under annual budgets.

The province plans by year (2020–2025 by default). Fiber routes are ordered by
communes connected per đồng, towers by people newly covered per đồng; each year takes
what its budget allows, in that order. A tower whose backhaul hangs on a proposed fiber
route (column ``backhaul_route_id``) is never built before that route.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geotel.errors import InputError

__all__ = ["PhasedPlan", "phase_plan"]


@dataclass(frozen=True, eq=False)
class PhasedPlan:
    """Proposals with ``phase_year`` (NaN = beyond the plan) and the per-year table."""

    towers: gpd.GeoDataFrame
    fiber: gpd.GeoDataFrame
    years: pd.DataFrame


def phase_plan(
    towers_proposed: gpd.GeoDataFrame,
    fiber_proposed: gpd.GeoDataFrame,
    *,
    start_year: int = 2020,
    end_year: int = 2025,
    tower_budget_vnd_per_year: float,
    fiber_budget_vnd_per_year: float,
    total_population: float,
    base_pop_covered: float = 0.0,
    base_communes_with_fixed_internet: int | None = 0,
    technology: str = "4G",
    measure: Literal["population", "area"] = "population",
) -> PhasedPlan:
    """Assign each proposal a ``phase_year`` and build the per-year table.

    Parameters
    ----------
    towers_proposed
        Needs ``pop_gain`` and ``total_cost_vnd``; optional ``backhaul_route_id``.
    fiber_proposed
        Needs ``cost_vnd`` and ``communes_served`` (comma-separated codes).
    start_year, end_year
        The planning years, inclusive.
    tower_budget_vnd_per_year, fiber_budget_vnd_per_year
        Annual budgets. A single item dearer than a whole year's budget is built
        alone in a year of its own (the overspend shows in the table).
    total_population
        Province population, for coverage percentages.
    base_pop_covered
        People already covered by ``technology`` before the plan.
    base_communes_with_fixed_internet
        Communes with fixed Internet before the plan; None when unknown (the column
        is then null).
    measure
        ``"population"``: towers are ranked by ``pop_gain`` per đồng and the table has
        ``pop_covered_pct_<tech>``. ``"area"`` (an area-only plan, population unknown):
        by ``area_gain_km2``, ``total_population`` and ``base_pop_covered`` are then
        areas (km²) and the table has ``area_covered_pct_<tech>``.

    Returns
    -------
    PhasedPlan
        New GeoDataFrames (inputs unchanged) and a table with one row per year:
        ``year``, ``towers_built``, ``fiber_routes_built``, ``fiber_km``,
        ``tower_spend_vnd``, ``fiber_spend_vnd``, ``pop_covered_pct_<tech>``
        (cumulative), ``communes_with_fixed_internet`` (cumulative).

    Examples
    --------
    >>> import geopandas as gpd
    >>> t = gpd.GeoDataFrame({"pop_gain": [900, 100], "total_cost_vnd": [1e9, 1e9]},
    ...                      geometry=gpd.points_from_xy([0, 1], [0, 1]), crs=32649)
    >>> f = gpd.GeoDataFrame({"cost_vnd": [5e8], "communes_served": ["23557"],
    ...                       "length_km": [8.0]}, geometry=[None], crs=32649)
    >>> p = phase_plan(t, f, start_year=2020, end_year=2021, tower_budget_vnd_per_year=1e9,
    ...                fiber_budget_vnd_per_year=1e9, total_population=10_000)
    >>> p.towers["phase_year"].tolist(), p.fiber["phase_year"].tolist()
    ([2020, 2021], [2020])
    >>> p.years["pop_covered_pct_4g"].tolist()
    [9.0, 10.0]
    """
    if end_year < start_year:
        raise InputError(f"end_year {end_year} is before start_year {start_year}",
                         column="plan.end_year", fix="set plan.end_year >= plan.start_year")
    for name, budget in (("tower", tower_budget_vnd_per_year),
                         ("fiber", fiber_budget_vnd_per_year)):
        if not budget > 0:
            raise InputError(f"the annual {name} budget must be positive, got {budget}",
                             column=f"plan.{name}_budget_vnd_per_year",
                             fix="give a budget in VND per year")
    if measure not in ("population", "area"):
        raise InputError(f"measure = {measure!r} is not 'population' or 'area'",
                         column="measure", fix="use 'population' or 'area'")
    gain_col = "pop_gain" if measure == "population" else "area_gain_km2"
    _require(towers_proposed, (gain_col, "total_cost_vnd"), "towers_proposed")
    _require(fiber_proposed, ("cost_vnd", "communes_served"), "fiber_proposed")
    years = list(range(start_year, end_year + 1))

    served = fiber_proposed["communes_served"].fillna("").astype(str)
    n_served = served.map(lambda s: len([c for c in s.split(",") if c.strip()]))
    f_cost = fiber_proposed["cost_vnd"].astype(float).to_numpy()
    f_order = np.argsort(-(n_served.to_numpy() + 1e-9) / np.maximum(f_cost, 1.0), kind="stable")
    f_year = _fill(f_cost, f_order, np.full(len(f_cost), start_year), years,
                   fiber_budget_vnd_per_year)
    fiber = fiber_proposed.copy()
    fiber["phase_year"] = pd.array(f_year, dtype="Int64")

    t_cost = towers_proposed["total_cost_vnd"].astype(float).to_numpy()
    gain = towers_proposed[gain_col].astype(float).to_numpy()
    earliest = np.full(len(t_cost), start_year, dtype=float)
    if "backhaul_route_id" in towers_proposed and "route_id" in fiber:
        route_year = dict(zip(fiber["route_id"], f_year, strict=True))
        for i, rid in enumerate(towers_proposed["backhaul_route_id"]):
            if isinstance(rid, str) and rid:
                earliest[i] = route_year.get(rid, math.nan)
    t_order = np.argsort(-gain / np.maximum(t_cost, 1.0), kind="stable")
    t_year = _fill(t_cost, t_order, earliest, years, tower_budget_vnd_per_year)
    towers = towers_proposed.copy()
    towers["phase_year"] = pd.array(t_year, dtype="Int64")

    lengths = fiber["length_km"].astype(float) if "length_km" in fiber else pd.Series(
        0.0, index=fiber.index)
    rows = []
    pop = base_pop_covered
    communes = base_communes_with_fixed_internet
    share = "pop" if measure == "population" else "area"
    for y in years:
        tb = np.asarray(t_year) == y
        fb = np.asarray(f_year) == y
        pop += gain[tb].sum()
        if communes is not None:
            communes += int(n_served.to_numpy()[fb].sum())
        rows.append({
            "year": y,
            "towers_built": int(tb.sum()),
            "fiber_routes_built": int(fb.sum()),
            "fiber_km": float(lengths.to_numpy()[fb].sum()),
            "tower_spend_vnd": float(t_cost[tb].sum()),
            "fiber_spend_vnd": float(f_cost[fb].sum()),
            f"{share}_covered_pct_{technology.lower()}":
                round(100.0 * pop / total_population, 3) if total_population else math.nan,
            "communes_with_fixed_internet": communes,
        })
    return PhasedPlan(towers, fiber, pd.DataFrame(rows))


def _fill(cost: np.ndarray, order: np.ndarray, earliest: np.ndarray, years: list[int],
          budget: float) -> list[float]:
    """Greedy: each item in ``order`` goes to the first year >= earliest with room."""
    left = dict.fromkeys(years, budget)
    out = [math.nan] * len(cost)
    for i in order:
        if math.isnan(earliest[i]):
            continue
        for y in years:
            if y < earliest[i]:
                continue
            if cost[i] <= left[y] or (left[y] == budget and cost[i] > budget):
                left[y] -= cost[i]
                out[i] = y
                break
    return out


def _require(gdf: pd.DataFrame, cols: tuple[str, ...], layer: str) -> None:
    for c in cols:
        if c not in gdf.columns:
            raise InputError(f"column '{c}' is missing", file=layer, column=c,
                             fix=f"give {layer} a '{c}' column")
