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
from geotel._atomic import atomic_dir, check_output_dir
from geotel.config import ProjectConfig
from geotel.coverage.result import CoverageResult
from geotel.errors import ValidationReport
from geotel.province import ProvinceData, load_province
from geotel.raster import Raster

__all__ = [
    "STEPS",
    "Plan",
    "Step",
    "check_output",
    "estimate_output_bytes",
    "run_plan",
    "write_plan",
]

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
    validation
        Every problem (warnings, notes) found while reading the inputs; None when the
        province was passed in already read.
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
    validation: ValidationReport | None = None

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
        validation = None if province is not None else ValidationReport()
        with _timed(timings, "validate", bar):
            prov = province if province is not None else load_province(
                config, report=validation, need_towers=until != "fiber")
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
            assert coverage is not None  # "indicators" needs "coverage" (_NEEDS)
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
    return Plan(config, prov, layers, coverage, population, summary, phases, results, timings,
                validation=validation)


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
    zones = dead_zones_all_operators(communes, coverage, population, technology=tech,
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

    ``plan.gpkg`` (styled layers), ``coverage_*.tif`` (COGs), ``plan.qgz`` (the QGIS
    project of both, with an A3 print layout), ``map.html`` and
    ``map_offline.html``, ``summary.json``, ``communes_kpi.csv/.xlsx``,
    ``districts_kpi.csv/.xlsx``, ``phases.csv``, ``print_map.png/.pdf``, the
    ``config.yml`` that was run, ``validation.csv`` (every warning about the inputs:
    level, file, feature, row, column, message, fix) and, once the indicators ran,
    ``report.docx/.pdf`` in ``lang``; as far as the plan went. They are built in a hidden
    folder beside ``out`` and moved into place at the end (see :func:`check_output`).

    Returns
    -------
    list of Path
        The files written, under their final names.

    Raises
    ------
    OutputError
        ``out`` is or holds an input of the project; it exists and ``force`` is false
        (this run's outputs are then kept beside it, in the folder the message names);
        it cannot be written, or its disk is full.
    """
    from geotel.outputs.gpkg import write_geopackage
    from geotel.outputs.layers import OUTPUT_LAYERS
    from geotel.outputs.maps import make_map, raster_to_png
    from geotel.outputs.printmap import print_map
    from geotel.outputs.qgis_project import write_qgis_project
    from geotel.outputs.tables import write_tables

    out = Path(out)
    cells = combos = 0
    if plan.coverage is not None:
        cells = plan.coverage.shape[0] * plan.coverage.shape[1]
        combos = len(plan.coverage.technologies) + len(plan.coverage.signal_dbm)
    with atomic_dir(out, force=force, protect=_protected_paths(plan.config),
                    needed_bytes=_output_bytes(plan.config, cells=cells, combos=combos)) as tmp:
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
        written.append(write_qgis_project(
            tmp / "plan.gpkg", tmp / "plan.qgz", rasters=cogs, title=title, lang=lang,
            thresholds_dbm=plan.coverage.thresholds_dbm if plan.coverage else None,
            technology=plan.config.deadzones.technology))
        # The meeting map shows the dead zones of all operators together; the
        # per-operator zones are in plan.gpkg.
        map_layers = {name: (gdf.query(OUTPUT_LAYERS[name].map_query)
                             if name in OUTPUT_LAYERS and OUTPUT_LAYERS[name].map_query
                             else gdf) for name, gdf in plan.layers.items()}
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
        communes = plan.layers["communes"]
        # 4G population coverage; area coverage in an area-only plan
        shown = next((c for c in ("pop_covered_pct_4g", "area_covered_pct_4g")
                      if c in communes and communes[c].notna().any()), None)
        if shown is not None:
            written += print_map(communes, tmp / "print_map.png", column=shown,
                                 districts=plan.layers.get("districts"),
                                 out_pdf=tmp / "print_map.pdf", lang=lang)
        if plan.validation is not None:
            written.append(Path(plan.validation.to_csv(tmp / "validation.csv")))
        (tmp / "config.yml").write_text(
            yaml.safe_dump(plan.config.to_dict(), allow_unicode=True, sort_keys=False),
            encoding="utf-8")
        written.append(tmp / "config.yml")
        if plan.summary is not None:  # the report reads the files above
            from geotel.outputs.report import write_report

            written += write_report(tmp, lang=lang)
    return [out / Path(p).relative_to(tmp) for p in written]


#: Bytes per grid cell of one technology × operator's three COGs (signal, server, mask),
#: about 1.4 times the 3.3 measured on the demo province (90 m, ZSTD).
_COG_BYTES_PER_CELL = 4.5
_MIB = 2**20


def check_output(config: ProjectConfig, out: str | Path, *, force: bool = False,
                 until: Step | None = None) -> None:
    """Check, before any computation, that ``out`` can take this project's outputs.

    ``out`` may not be, or hold, the config file, an input file or the project folder
    (with or without ``force``); it may not exist unless ``force``; it must be
    writable, and its disk must have room for :func:`estimate_output_bytes`. Folders
    that killed runs left beside it are removed (or, for a lost output, restored).

    Raises
    ------
    OutputError
        Naming the folder, what is wrong and the fix.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from geotel.datasets import demo_project
    >>> from geotel.config import load_config
    >>> config = load_config(demo_project())
    >>> check_output(config, Path(tempfile.mkdtemp()) / "plan")
    >>> check_output(config, config.source.parent, force=True)
    Traceback (most recent call last):
    ...
    geotel.errors.OutputError: ...: the output folder is the project folder (...)...
    """
    rasters = "coverage" in _NEEDS[until or "phasing"]
    check_output_dir(out, force=force, protect=_protected_paths(config),
                     needed_bytes=estimate_output_bytes(config, rasters=rasters))


def estimate_output_bytes(config: ProjectConfig, *, rasters: bool = True) -> int:
    """A cheap, generous estimate of the size of :func:`write_plan`'s outputs (bytes).

    The coverage COGs dominate: the DEM's cells over the communes' extent (plus the
    study-area buffer) at ``coverage.resolution_m``, times every technology × (operator
    + 'any'), times about 4.5 bytes; plus the vector layers, maps and tables, from the
    input file sizes. Inputs that cannot be read count as nothing (validation reports
    them). For the demo province it is about 1.5 times what is written.

    Examples
    --------
    >>> from geotel.datasets import demo_project
    >>> from geotel.config import load_config
    >>> mb = estimate_output_bytes(load_config(demo_project())) / 2**20
    >>> 200 < mb < 400
    True
    """
    from geotel.schema import OPERATORS

    cells = _dem_cells(config) if rasters else 0
    # A technology is predicted only with a threshold (coverage.thresholds_dbm).
    techs = len(config.coverage.thresholds_dbm)
    return _output_bytes(config, cells=cells, combos=techs * (len(OPERATORS) + 1))


def _output_bytes(config: ProjectConfig, *, cells: int, combos: int) -> int:
    inputs = config.inputs

    def size(p: Path | None) -> int:
        try:
            return p.stat().st_size if p is not None else 0
        except OSError:
            return 0

    vectors = sum(size(p) for p in (inputs.communes, inputs.towers, inputs.fiber,
                                    inputs.exclusion_zones, inputs.commune_offices))
    # One COG's uncompressed temporary file on top; maps, print map and tables: 8 MiB.
    return int(_COG_BYTES_PER_CELL * cells * combos + 4 * cells
               + 8 * vectors + 2 * size(inputs.roads) + 8 * _MIB)


def _dem_cells(config: ProjectConfig) -> int:
    """Coverage grid cells: DEM extent ∩ communes' extent (+ buffer), in the analysis CRS."""
    import pyogrio
    import rasterio
    from rasterio.errors import RasterioError
    from rasterio.warp import transform_bounds

    from geotel.province import STUDY_AREA_BUFFER_M

    area = None
    if config.inputs.communes is not None:
        try:
            info = pyogrio.read_info(config.inputs.communes, layer=config.inputs.communes_layer,
                                     force_total_bounds=True)
            if info["crs"] and info["total_bounds"] is not None:
                b = transform_bounds(info["crs"], config.analysis_crs, *info["total_bounds"])
                area = (b[0] - STUDY_AREA_BUFFER_M, b[1] - STUDY_AREA_BUFFER_M,
                        b[2] + STUDY_AREA_BUFFER_M, b[3] + STUDY_AREA_BUFFER_M)
        except (OSError, ValueError, RuntimeError, RasterioError, TypeError):
            area = None
    total = 0.0
    for path in config.inputs.dem:
        try:
            with rasterio.open(path) as ds:
                if ds.crs is None:
                    continue
                b = transform_bounds(ds.crs, config.analysis_crs, *ds.bounds)
        except (OSError, ValueError, RasterioError):
            continue
        if area is not None:
            b = (max(b[0], area[0]), max(b[1], area[1]), min(b[2], area[2]), min(b[3], area[3]))
        total += max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])
    return int(total / config.coverage.resolution_m**2)


def _protected_paths(config: ProjectConfig) -> dict[Path, str]:
    """The config file, its folder and every input file: ``out`` may not be or hold them."""
    paths: dict[Path, str] = {}
    if config.source is not None:
        paths[config.source.parent] = "the project folder"
        paths[config.source] = "the project's config file"
    for f in dataclasses.fields(config.inputs):
        value = getattr(config.inputs, f.name)
        for p in value if isinstance(value, tuple) else (value,):
            if isinstance(p, Path):
                paths[p] = f"the input file inputs.{f.name}"
    return paths
