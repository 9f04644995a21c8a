"""The whole planning run: validate, coverage, dead zones and indicators, fiber, siting,
phasing, and the outputs a planner opens.

:func:`run_plan` computes a :class:`Plan` in memory; :func:`write_plan` writes it into a
folder atomically. The CLI and the notebooks call these two functions.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import yaml
from tqdm.auto import tqdm

from geotel._assumptions import assumptions
from geotel._atomic import atomic_dir
from geotel.config import ProjectConfig
from geotel.coverage.result import CoverageResult
from geotel.province import ProvinceData, load_province
from geotel.raster import Raster

__all__ = ["Plan", "Step", "run_plan", "write_plan", "STEPS"]

log = logging.getLogger(__name__)

Step = Literal["validate", "coverage", "fiber", "indicators", "siting", "phasing"]
#: The steps in order; ``until`` stops after one of them. The fiber step comes before
#: the indicators: where the communes layer does not say, the fiber reach decides
#: which communes have fixed Internet (Criterion 8.2).
STEPS: tuple[Step, ...] = ("validate", "coverage", "fiber", "indicators", "siting", "phasing")
#: Which earlier steps each ``until`` needs.
_NEEDS: dict[str, tuple[Step, ...]] = {
    "validate": ("validate",),
    "coverage": ("validate", "coverage"),
    "fiber": ("validate", "fiber"),
    "indicators": ("validate", "coverage", "fiber", "indicators"),
    "siting": ("validate", "coverage", "fiber", "indicators", "siting"),
    "phasing": STEPS,
}


@dataclass(frozen=True, eq=False)
class Plan:
    """Everything one run computed; :func:`write_plan` writes it.

    Attributes
    ----------
    layers
        The ``plan.gpkg`` layers by name (analysis CRS), as far as the run went.
    coverage
        The coverage prediction (None when the run stopped before it).
    population
        People per cell on the coverage grid.
    summary
        The province summary (:class:`geotel.indicators.ProvinceSummary`).
    phases
        The per-year table of the phased plan.
    results
        The step results (``fiber_reach``, ``fiber_plan``, ``siting``, ...).
    timings_s
        Seconds per step.
    """

    config: ProjectConfig
    province: ProvinceData
    layers: dict[str, gpd.GeoDataFrame]
    coverage: CoverageResult | None = None
    population: Raster | None = None
    summary: Any = None
    phases: pd.DataFrame | None = None
    results: dict[str, Any] = field(default_factory=dict)
    timings_s: dict[str, float] = field(default_factory=dict)

    def summary_table(self) -> str:
        """A short text table of the run: layers, counts and step times."""
        lines = [f"{'layer':<18} {'features':>9}"]
        lines += [f"{name:<18} {len(gdf):>9}" for name, gdf in self.layers.items()]
        lines.append("")
        lines += [f"{'step ' + k:<18} {v:>8.1f}s" for k, v in self.timings_s.items()]
        if self.summary is not None:
            lines += ["", self.summary.text("en")]
        return "\n".join(lines)


@contextmanager
def _timed(timings: dict[str, float], name: str, bar: Any) -> Iterator[None]:
    bar.set_description(name)
    t0 = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - t0
    log.info("step %s took %.1f s", name, timings[name])
    bar.update(1)


def run_plan(
    config: ProjectConfig,
    *,
    until: Step | None = None,
    province: ProvinceData | None = None,
    progress: bool = True,
) -> Plan:
    """Run the planning steps on a project.

    Parameters
    ----------
    config
        The project config (see :func:`geotel.config.load_config`).
    until
        Stop after this step (and run only the steps it needs); all steps by default.
    province
        Already loaded inputs; read from ``config`` by default.
    progress
        Show a progress bar.

    Returns
    -------
    Plan

    Examples
    --------
    >>> from geotel.datasets import demo_project
    >>> from geotel.config import load_config
    >>> plan = run_plan(load_config(demo_project()), until="fiber", progress=False)
    >>> len(plan.layers["communes"])
    222
    """
    steps = _NEEDS[until or "phasing"]
    timings: dict[str, float] = {}
    results: dict[str, Any] = {}
    bar = tqdm(total=len(steps), disable=not progress or None, unit="step")
    try:
        with _timed(timings, "validate", bar):
            prov = province if province is not None else load_province(config)
        communes = prov.communes
        layers: dict[str, gpd.GeoDataFrame] = {
            "communes": communes,
            "towers_existing": prov.towers,
            "fiber_existing": prov.fiber,
            "exclusion_zones": prov.exclusion_zones,
        }
        coverage = population = summary = phases = None
        if "coverage" in steps:
            with _timed(timings, "coverage", bar):
                coverage, population = _coverage_step(prov, config)
        if "fiber" in steps:
            from geotel.fiber import run_fiber

            with _timed(timings, "fiber", bar):
                fiber_out = run_fiber(prov, config.fiber)
                results["fiber"] = fiber_out
                # the fiber reach, and fixed Internet where the fiber layer decides it
                communes = fiber_out.communes.reindex(communes.index)
                layers["communes"] = communes
                layers["fiber_proposed"] = fiber_out.plan.routes
        if "indicators" in steps:
            with _timed(timings, "indicators", bar):
                communes, zones = _indicators_step(prov, config, coverage, population,
                                                   communes)
                layers["communes"] = communes
                layers["dead_zones"] = zones
        if "siting" in steps:
            from geotel.siting import run_siting

            with _timed(timings, "siting", bar):
                siting_out = run_siting(prov, coverage, config.siting, population=population,
                                        fiber=results.get("fiber"), communes=communes,
                                        coverage_config=config.coverage,
                                        fiber_config=config.fiber, progress=progress)
                results["siting"] = siting_out
                layers["towers_proposed"] = siting_out.towers_proposed
                # each commune's coverage once every proposed site is built
                share = "pop" if siting_out.demand == "population" else "area"
                communes = communes.copy()
                communes[f"{share}_covered_pct_{config.siting.technology.lower()}_planned"] = \
                    siting_out.commune_coverage["pct_after"].reindex(communes.index)
                layers["communes"] = communes
        if "phasing" in steps:
            with _timed(timings, "phasing", bar):
                phased = _phasing_step(config, communes, layers, population is not None)
                layers["towers_proposed"] = phased.towers
                layers["fiber_proposed"] = phased.fiber
                phases = phased.years
        if "indicators" in steps:
            from geotel.indicators import district_indicators, province_summary

            layers["districts"] = district_indicators(communes)
            summary = dataclasses.replace(
                province_summary(communes, layers.get("dead_zones"),
                                 technology=config.deadzones.technology),
                population_source=prov.population_source,
                assumptions=tuple(assumptions(config, prov, layers)),
                shortfalls=tuple(_shortfalls(results)))
    finally:
        bar.close()
    return Plan(config, prov, layers, coverage, population, summary, phases, results, timings)


def _coverage_step(prov: ProvinceData, config: ProjectConfig
                   ) -> tuple[CoverageResult, Raster | None]:
    """The coverage prediction and the population surface on its grid (None when the
    population is unknown: an area-only plan)."""
    from geotel.coverage import run_coverage
    from geotel.population import population_surface

    coverage = run_coverage(prov, config.coverage)
    if prov.population_source == "none":
        return coverage, None
    pc = config.population
    population = population_surface(
        prov.communes, coverage.signal(coverage.technologies[0]),
        raster=prov.population, roads=prov.roads, dem=prov.dem,
        road_weight=pc.road_weight, road_decay_m=pc.road_decay_m,
        slope_weight=pc.slope_weight, max_slope_deg=pc.max_slope_deg,
        district_totals=prov.district_population, district_weight=pc.district_weight,
        weight_column=pc.weight_column,
    )
    return coverage, population


def _indicators_step(prov: ProvinceData, config: ProjectConfig, coverage: CoverageResult,
                     population: Raster | None, communes: gpd.GeoDataFrame
                     ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Dead zones of every operator and the commune indicators."""
    from geotel.deadzones import dead_zones_all_operators
    from geotel.indicators import commune_indicators

    tech = config.deadzones.technology
    zones = dead_zones_all_operators(
        coverage, population, communes, technology=tech,
        # An operator without that technology has no dead zones of it, only no service:
        # leave it out rather than list the whole province.
        operators=sorted({op for t, op in coverage.signal_dbm if t == tech}),
        min_area_km2=config.deadzones.min_area_km2,
        towers=prov.towers, fiber=prov.fiber if len(prov.fiber) else None,
    )
    kpi = commune_indicators(communes, coverage, population, dead_zones=zones,
                             towers=prov.towers, config=config.indicators)
    return kpi, zones


def _phasing_step(config: ProjectConfig, communes: gpd.GeoDataFrame,
                  layers: dict[str, gpd.GeoDataFrame], known_population: bool) -> Any:
    from geotel.phasing import phase_plan

    tech = config.siting.technology.lower()
    fixed = communes["has_fixed_internet"].astype("boolean")
    base_fixed = int(fixed.sum()) if fixed.notna().all() else None
    if known_population:
        weight = pd.to_numeric(communes["population"], errors="coerce").astype(float)
        share = pd.to_numeric(communes[f"pop_covered_pct_{tech}"], errors="coerce")
    else:  # an area-only plan: cumulative area covered
        weight = pd.to_numeric(communes["area_km2"], errors="coerce").astype(float)
        share = pd.to_numeric(communes[f"area_covered_pct_{tech}"], errors="coerce") \
            if f"area_covered_pct_{tech}" in communes else pd.Series(np.nan, communes.index)
    return phase_plan(
        layers["towers_proposed"], layers["fiber_proposed"],
        start_year=config.plan.start_year, end_year=config.plan.end_year,
        tower_budget_vnd_per_year=config.plan.tower_budget_vnd_per_year,
        fiber_budget_vnd_per_year=config.plan.fiber_budget_vnd_per_year,
        total_population=float(weight.sum()),
        base_pop_covered=float((share.fillna(0.0) / 100.0 * weight).sum()),
        base_communes_with_fixed_internet=base_fixed,
        technology=config.siting.technology,
        measure="population" if known_population else "area",
    )


def _shortfalls(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every step that delivered less than asked, with its reason."""
    out = []
    for key in ("fiber", "siting"):
        sf = getattr(results.get(key), "shortfall", None)
        if sf:
            out.append({k: v for k, v in sf.items() if k != "unreached"}
                       | ({"unreached": list(sf["unreached"])} if sf.get("unreached") else {}))
    return out


def write_plan(plan: Plan, out: str | Path, *, force: bool = False,
               lang: Literal["vi", "en"] = "vi") -> list[Path]:
    """Write a plan's outputs into ``out``, atomically.

    ``plan.gpkg`` (styled layers), ``coverage_*.tif`` (COGs), ``map.html`` and
    ``map_offline.html``, ``summary.json``, ``communes_kpi.csv/.xlsx``,
    ``districts_kpi.csv/.xlsx``, ``phases.csv``, ``print_map.png/.pdf``, the
    ``config.yml`` that was run and, once the indicators ran, ``report.docx/.pdf`` in
    ``lang``; as far as the plan went.

    Returns
    -------
    list of Path
        The files written, under their final names.
    """
    from geotel.outputs.gpkg import write_geopackage
    from geotel.outputs.maps import make_map, raster_to_png
    from geotel.outputs.printmap import print_map
    from geotel.outputs.tables import write_tables

    out = Path(out)
    with atomic_dir(out, force=force) as tmp:
        written: list[Path] = []
        cogs: list[Path] = []
        overlay = None
        if plan.coverage is not None:
            cogs = plan.coverage.write_cogs(tmp)
            written += cogs
            tech = plan.config.deadzones.technology
            overlay = raster_to_png(plan.coverage.signal(tech),
                                    vmin=plan.coverage.thresholds_dbm[tech])
        written.append(write_geopackage(plan.layers, tmp / "plan.gpkg",
                                        rasters=[p.name for p in cogs]))
        title = plan.config.name
        # The meeting map shows the dead zones of all operators together; the
        # per-operator zones are in plan.gpkg.
        map_layers = dict(plan.layers)
        if "dead_zones" in map_layers:
            dz = map_layers["dead_zones"]
            map_layers["dead_zones"] = dz[dz["operator"] == "any"]
        for offline, name in ((False, "map.html"), (True, "map_offline.html")):
            written.append(make_map(map_layers, tmp / name, coverage_png=overlay,
                                    offline=offline, lang=lang, title=title))
        if "districts" in plan.layers:
            written += write_tables(plan.layers["communes"], plan.layers["districts"], tmp)
        if plan.summary is not None:
            written.append(plan.summary.to_json(tmp / "summary.json"))
        if plan.phases is not None:
            plan.phases.to_csv(tmp / "phases.csv", index=False)
            written.append(tmp / "phases.csv")
        if "pop_covered_pct_4g" in plan.layers["communes"]:
            written += print_map(plan.layers["communes"], tmp / "print_map.png",
                                 districts=plan.layers.get("districts"),
                                 out_pdf=tmp / "print_map.pdf", lang=lang)
        (tmp / "config.yml").write_text(
            yaml.safe_dump(plan.config.to_dict(), allow_unicode=True, sort_keys=False),
            encoding="utf-8")
        written.append(tmp / "config.yml")
        if plan.summary is not None:  # the report reads the files above
            from geotel.outputs.report import write_report

            written += write_report(tmp, lang=lang)
    return [out / Path(p).relative_to(tmp) for p in written]
