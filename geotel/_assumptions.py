"""Private: the assumptions a plan used, for ``summary.json`` and the report.

Two kinds. *Modelling* assumptions are choices every plan makes (the radio model,
thresholds, costs). Assumptions that *stand in for data* fill a fact no input gave
(the backhaul of a site without a fiber layer, fixed Internet from the fiber reach,
population spread from district totals); the summary text lists these.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd

from geotel.config import ProjectConfig

__all__ = ["assumptions"]


def _item(key: str, value: Any, note: str, stands_in: bool = False) -> dict[str, Any]:
    return {"key": key, "value": value, "note": note, "stands_in_for_data": stands_in}


def _model(c: Any) -> dict[str, Any]:
    if c.model == "itm":
        return {"model": "itm", "name": "Longley-Rice ITM 1.2.2, point to point",
                "climate": c.itm_climate, "refractivity_n_units": c.itm_refractivity_n_units,
                "ground_permittivity": c.itm_ground_permittivity,
                "ground_conductivity_s_m": c.itm_ground_conductivity_s_m,
                "reliability_pct": c.itm_reliability_pct,
                "confidence_pct": c.itm_confidence_pct, "rx_height_m": c.rx_height_m,
                "indoor": c.indoor}
    return {"model": "hata_deygout", "name": "Okumura-Hata / COST-231 with terrain "
            "diffraction", "diffraction": c.diffraction, "environment": c.environment,
            "rx_height_m": c.rx_height_m, "indoor": c.indoor}


def assumptions(config: ProjectConfig, province: Any,
                layers: dict[str, gpd.GeoDataFrame]) -> list[dict[str, Any]]:
    """The assumptions of a run, modelling ones first.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> a = assumptions(ProjectConfig(), SimpleNamespace(population_source="none"), {})
    >>> [x["key"] for x in a if x["stands_in_for_data"]]
    ['population']
    """
    c, s, f, ind = config.coverage, config.siting, config.fiber, config.indicators
    out = [
        _item("coverage.model", _model(c),
              f"radio prediction over the DEM at {c.resolution_m:g} m, up to "
              f"{c.max_radius_m / 1000:g} km from each site"),
        _item("coverage.thresholds_dbm", dict(c.thresholds_dbm),
              "a cell is covered when the best server's signal reaches the threshold"),
        _item("indicators.c8_min_pop_covered_pct", ind.c8_min_pop_covered_pct,
              f"Criterion 8.2: share of people covered by {ind.c8_technology} or newer"),
        _item("fiber.cost_per_km_vnd", dict(f.cost_per_km_vnd),
              f"fiber build cost per km ({f.build}), see the README for sources"),
        _item("siting.tower_capex_vnd", s.tower_capex_vnd, "new A2b tower, planning estimate"),
        _item("siting.colocation_capex_vnd", s.colocation_capex_vnd,
              "co-location on an existing tower, planning estimate"),
        _item("siting.microwave_capex_vnd", s.microwave_capex_vnd,
              "one microwave hop, planning estimate"),
    ]
    source = getattr(province, "population_source", None)
    if source == "none":
        out.append(_item("population", "none", "population: none — an area-only plan: sites "
                         "maximise newly covered area; no people figures", True))
    elif source and source.startswith("district totals"):
        out.append(_item("population.district_weight", config.population.district_weight,
                         f"commune population estimated from {source}", True))
    proposed = layers.get("towers_proposed")
    if proposed is not None and "backhaul" in proposed:
        n = int((proposed["backhaul"] == "unknown").sum())
        if n:
            out.append(_item("siting.unknown_backhaul_cost_vnd", s.unknown_backhaul_cost_vnd,
                             f"backhaul of {n} proposed site(s) unknown (no fiber layer): "
                             f"{s.unknown_backhaul_cost_vnd:,.0f} VND each assumed", True))
    communes = layers.get("communes")
    if communes is not None and "fixed_internet_source" in communes:
        n = int((communes["fixed_internet_source"] == "fiber reach").sum())
        if n:
            out.append(_item("fiber.connected_max_km", f.connected_max_km,
                             f"fixed Internet of {n} commune(s) taken from the fiber reach "
                             f"(fiber within {f.connected_max_km:g} km of the centre)", True))
    if ind.c8_it_admin_default is not None:
        out.append(_item("indicators.c8_it_admin_default", ind.c8_it_admin_default,
                         "IT in administration (8.4) assumed "
                         f"{'met' if ind.c8_it_admin_default else 'not met'} where the "
                         "communes layer does not say", True))
    return out
