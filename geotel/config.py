"""Project configuration: a YAML file naming the inputs and the planning parameters.

Every section is a frozen dataclass with documented defaults. Unknown keys are errors
that name the key and the file; values are type-checked.

Examples
--------
>>> cfg = ProjectConfig.from_dict({"name": "Demo", "coverage": {"max_radius_m": 10000}})
>>> cfg.coverage.max_radius_m, cfg.coverage.thresholds_dbm["4G"]
(10000.0, -105.0)
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from geotel._config_checks import check_values, read_yaml
from geotel.errors import ConfigError

__all__ = [
    "CoverageConfig",
    "DeadZonesConfig",
    "FiberConfig",
    "IndicatorsConfig",
    "InputsConfig",
    "PlanConfig",
    "PopulationConfig",
    "ProjectConfig",
    "SitingConfig",
    "config_reference",
    "load_config",
]

Technology = Literal["2G", "3G", "4G"]
_NUMBER = re.compile(r"[-+]?(\d[\d_]*\.?\d*|\.\d+)([eE][-+]?\d+)?")


@dataclass(frozen=True)
class InputsConfig:
    """Input files; relative paths are taken from the config file's folder."""

    communes: Path | None = None
    #: Layer name inside a multi-layer file (GeoPackage); the first layer by default.
    communes_layer: str | None = None
    #: CRS of the communes file, e.g. "EPSG:9218" for a shapefile without .prj; it
    #: overrides the file's own CRS (with a warning when they differ). Likewise
    #: ``fiber_crs``, ``roads_crs``, ``commune_offices_crs`` and ``exclusion_zones_crs``.
    communes_crs: str | None = None
    towers: Path | None = None
    #: CRS of a tower list (CSV/XLSX) whose coordinates are not lon/lat, e.g. "EPSG:9218";
    #: for a vector file, as ``communes_crs``.
    towers_crs: str | None = None
    #: Sheet of an Excel tower list to read; by default the only sheet that holds a
    #: tower list (several such sheets are an error asking for this key).
    towers_sheet: str | None = None
    fiber: Path | None = None
    fiber_crs: str | None = None
    roads: Path | None = None
    roads_crs: str | None = None
    #: Commune offices (points with ``commune_code``): the commune centres for fiber reach.
    commune_offices: Path | None = None
    commune_offices_layer: str | None = None
    commune_offices_crs: str | None = None
    #: OpenStreetMap extract (.osm.pbf or .osm) used for the road graph instead of ``roads``.
    osm: Path | None = None
    exclusion_zones: Path | None = None
    exclusion_zones_crs: str | None = None
    #: One DEM file, or several tiles to mosaic (GeoTIFF or SRTM .hgt).
    dem: tuple[Path, ...] = ()
    #: Population: a raster of people per cell (GeoTIFF, e.g. WorldPop), or a yearbook
    #: table (CSV/XLSX: commune code or name → population), or ``none`` for an
    #: area-only plan. Without it the communes layer's ``population`` column is used,
    #: or the district totals below.
    population: Path | Literal["none"] | None = None
    #: District totals (table, or a layer such as a census GeoPackage) spread over the
    #: communes by ``population.district_weight``.
    district_population: Path | None = None
    district_population_layer: str | None = None


@dataclass(frozen=True)
class CoverageConfig:
    """Radio coverage prediction (see :mod:`geotel.coverage`)."""

    resolution_m: float = 90.0
    max_radius_m: float = 15_000.0
    rx_height_m: float = 1.5
    environment: Literal["urban", "suburban", "open"] = "open"
    diffraction: Literal["deygout", "bullington", "none"] = "deygout"
    #: Outdoor coverage thresholds: 2G RxLev, 3G RSCP, 4G RSRP (dBm).
    thresholds_dbm: dict[str, float] = field(
        default_factory=lambda: {"2G": -95.0, "3G": -95.0, "4G": -105.0}
    )
    #: Indoor margin to add: none, rural 8 dB, suburban 12 dB, urban 16 dB.
    indoor: Literal["none", "rural", "suburban", "urban"] = "none"
    #: Propagation model (geotel.coverage.models): "hata_deygout" = Okumura-Hata /
    #: COST-231 with terrain diffraction per ``diffraction`` (``environment`` applies);
    #: "itm" = Longley-Rice ITM 1.2.2 point-to-point over each profile (``itm_*`` apply).
    model: Literal["hata_deygout", "itm"] = "hata_deygout"
    #: ITM radio climate. Gia Lai (inland plateau at 13-15° N, tropical monsoon with a
    #: marked dry season, Köppen Aw) is taken as ITM climate 2, continental subtropical
    #: (Sudan-type savanna) rather than 1, equatorial (humid all year).
    itm_climate: Literal["equatorial", "continental_subtropical", "maritime_subtropical",
                         "desert", "continental_temperate", "maritime_temperate_land",
                         "maritime_temperate_sea"] = "continental_subtropical"
    #: ITM surface refractivity N_s (N-units): 301 is ITM's standard atmosphere (k = 4/3,
    #: as hata_deygout); NTIA Report 82-100 suggests about 320 for a subtropical climate.
    itm_refractivity_n_units: float = 301.0
    #: ITM ground: relative permittivity and conductivity (S/m) of "average ground".
    itm_ground_permittivity: float = 15.0
    itm_ground_conductivity_s_m: float = 0.005
    itm_polarization: Literal["vertical", "horizontal"] = "vertical"
    #: ITM mode of variability in point-to-point use ("mobile" = ITM MDVAR 12, as
    #: SPLAT!'s point-to-point call) and its quantiles: 50 % / 50 % is the median loss.
    itm_variability: Literal["single_message", "accidental", "mobile", "broadcast"] = "mobile"
    itm_reliability_pct: float = 50.0
    itm_confidence_pct: float = 50.0


@dataclass(frozen=True)
class PopulationConfig:
    """Dasymetric population surface when no population raster is given, and how
    district totals are spread over the communes."""

    #: How district totals (``inputs.district_population``) are shared among a
    #: district's communes: by ``area``, by a ``column`` of relative weights
    #: (``weight_column`` of the communes layer), or ``dasymetric`` (the weights below:
    #: near roads, on gentle slopes).
    district_weight: Literal["area", "column", "dasymetric"] = "dasymetric"
    weight_column: str | None = None
    road_weight: float = 2.0
    road_decay_m: float = 2_000.0
    slope_weight: float = 1.0
    max_slope_deg: float = 25.0


@dataclass(frozen=True)
class DeadZonesConfig:
    technology: Technology = "4G"
    min_area_km2: float = 0.25


@dataclass(frozen=True)
class IndicatorsConfig:
    """Thresholds of the New Rural Criterion 8 (they vary by programme period)."""

    #: Share of population with a usable mobile signal (any operator, any technology) for 8.2.
    c8_min_pop_covered_pct: float = 95.0
    #: Technology whose coverage counts for 8.2.
    c8_technology: Technology = "3G"
    #: Whether 8.2 also requires fixed Internet at the commune centre.
    c8_requires_fixed_internet: bool = True
    #: What to assume for IT in administration (8.4) where the communes layer gives no
    #: ``has_it_admin``: null keeps it unknown (the default); true/false is the
    #: planner's stated assumption, listed under ``assumptions`` in summary.json.
    c8_it_admin_default: bool | None = None
    #: A technology counts as available in a commune (``mobile_covered_technologies``,
    #: "communes with 2G only") when it covers at least this share of its people.
    tech_present_min_pop_pct: float = 50.0
    #: Technology whose dead zones (operator 'any') fill ``dead_zone_km2`` / ``dead_zone_pop``.
    dead_zone_technology: Technology = "4G"


@dataclass(frozen=True)
class FiberConfig:
    """Road graph, reach and extension plan (see :mod:`geotel.fiber`)."""

    snap_tolerance_m: float = 20.0
    access_spacing_m: float = 500.0
    min_fragment_m: float = 1_000.0
    offroad_penalty: float = 1.5
    targets: Literal["unconnected", "all"] = "unconnected"
    method: Literal["steiner", "shortest_paths"] = "steiner"
    build: Literal["aerial", "underground"] = "aerial"
    #: Cost per km in VND by build method (see README for sources).
    #: Benchmarks, at about 25,000 VND per USD: rural fibre in emerging markets
    #: USD 15,850/km (Analysys Mason 2011, via Capacity Media, "Rural fibre costs 26% of
    #: urban fibre"); Myanmar highway study USD ~13,000/km built alone, ~5,600/km laid with
    #: the road works (UNESCAP 2018, "Cost-Benefit Analysis of Fibre-Optic Co-Deployment
    #: with the Asian Highway"); aerial costs about 0.4 times underground (Cartesian 2023,
    #: "Fiber Deployment Annual Report": median USD 6.49 vs 16.25 per foot). So 250 million
    #: VND (USD 10,000) per km underground and 60 million (USD 2,400) aerial on existing
    #: poles, where only the cable and its hanging are paid for.
    cost_per_km_vnd: dict[str, float] = field(
        default_factory=lambda: {"aerial": 60_000_000.0, "underground": 250_000_000.0}
    )
    #: Cost factor per road class, multiplying the cost per km (an assumption: main roads
    #: carry power poles and a road reserve; commune roads and tracks fewer poles, harder
    #: access). Off-road legs use ``offroad_penalty`` instead.
    road_class_weights: dict[str, float] = field(
        default_factory=lambda: {"national": 1.0, "provincial": 1.0, "district": 1.0,
                                 "commune": 1.1, "local": 1.2, "track": 1.5}
    )
    #: Split roads where they cross without a shared vertex (False keeps bridges apart).
    split_crossings: bool = True
    #: With a fiber layer, a commune whose ``has_fixed_internet`` (or ``has_fiber``) is
    #: not given counts as having it when the fiber is within this distance (km, along
    #: roads) of its centre; farther, as not having it.
    connected_max_km: float = 1.0


@dataclass(frozen=True)
class SitingConfig:
    """Candidate sites, rules and the optimisation (see :mod:`geotel.siting`)."""

    technology: Technology = "4G"
    new_sites: int = 50
    budget_vnd: float | None = None
    target_pop_pct: float | None = None
    method: Literal["exact", "greedy"] = "exact"
    time_limit_s: float = 60.0
    grid_spacing_m: float = 3_000.0
    new_tower_height_m: float = 40.0
    min_spacing_urban_m: float = 100.0
    min_spacing_rural_m: float = 400.0
    airport_radius_m: float = 4_000.0
    #: Cost estimates (VND, 2023 prices). They are planning-level assumptions, not quotes:
    #: a new self-supporting A2b tower with foundation, shelter and power in the range
    #: reported by Vietnamese operators and tower companies (about 1-1.5 bn VND); a
    #: co-location (antennas, RRUs, power share) about a quarter of that; one licensed
    #: microwave hop (two ODU/IDU ends and antennas). Replace them with current quotes.
    tower_capex_vnd: float = 1_200_000_000.0
    colocation_capex_vnd: float = 300_000_000.0
    microwave_capex_vnd: float = 250_000_000.0
    #: Backhaul cost assumed for a proposed site when no fiber layer is given (the fiber
    #: network is unknown, so neither fiber nor microwave to a fiber hub can be costed):
    #: about 5 km of aerial fiber at 60 million VND/km, or one microwave hop. The
    #: proposals then have ``backhaul = unknown``; give ``inputs.fiber`` to cost them.
    unknown_backhaul_cost_vnd: float = 300_000_000.0
    microwave_max_km: float = 30.0
    #: New towers taller than this are not allowed within ``airport_radius_m`` of an
    #: airport zone; 0 bans every new tower there.
    airport_max_height_m: float = 0.0
    #: Add DEM local maxima as candidates.
    dem_peaks: bool = True
    #: Most demand cells in the coverage matrix; above it cells are aggregated.
    max_demand_cells: int = 250_000
    #: Screening resolution (m): when there are more than ``max_shortlist`` candidates,
    #: all of them are first predicted on the DEM averaged to about this resolution
    #: (270 m = 3 × 3 cells of a 90 m DEM, about 8× faster), and only the best
    #: ``max_shortlist`` (a greedy cover of that coarse matrix) are predicted and
    #: optimised at the DEM's resolution. ``null``: no screening, every candidate at the
    #: DEM's resolution (slowest).
    matrix_resolution_m: float | None = 270.0
    #: Most candidates kept by the screening for the full-resolution matrix.
    max_shortlist: int = 400
    #: The exact method stops once its certified optimality gap is at most this
    #: (percent) rather than running on to ``time_limit_s``; 0.01 asks for a proof of
    #: optimality. 1 % is well below the accuracy of the radio prediction.
    mip_gap_pct: float = 1.0
    #: An existing tower within this distance of a fiber route counts as a fiber hub
    #: (a microwave backhaul end point).
    fiber_hub_max_m: float = 300.0


@dataclass(frozen=True)
class PlanConfig:
    """Phasing of the proposals over the planning years."""

    start_year: int = 2020
    end_year: int = 2025
    tower_budget_vnd_per_year: float = 20_000_000_000.0
    fiber_budget_vnd_per_year: float = 10_000_000_000.0


@dataclass(frozen=True)
class ProjectConfig:
    """Everything a ``geotel plan`` run needs."""

    name: str = "geotel project"
    #: Metric CRS of the analysis; UTM 49N suits Gia Lai.
    analysis_crs: str = "EPSG:32649"
    inputs: InputsConfig = field(default_factory=InputsConfig)
    coverage: CoverageConfig = field(default_factory=CoverageConfig)
    population: PopulationConfig = field(default_factory=PopulationConfig)
    deadzones: DeadZonesConfig = field(default_factory=DeadZonesConfig)
    indicators: IndicatorsConfig = field(default_factory=IndicatorsConfig)
    fiber: FiberConfig = field(default_factory=FiberConfig)
    siting: SitingConfig = field(default_factory=SitingConfig)
    plan: PlanConfig = field(default_factory=PlanConfig)
    #: File the config was read from, if any.
    source: Path | None = None

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], *, source: str | Path | None = None
    ) -> ProjectConfig:
        """Build and validate a config from a mapping (as read from YAML)."""
        base = Path(source).parent if source else Path(".")
        src = str(source or "<config>")
        cfg = _build(cls, data, src, "", base)
        problems = check_values(cfg, src)
        if problems:
            raise problems[0].to_error(problems)
        return dataclasses.replace(cfg, source=Path(source) if source else None)

    def to_dict(self) -> dict[str, Any]:
        """A plain mapping that :meth:`from_dict` reads back."""
        return _plain(self)


def load_config(path: str | Path) -> ProjectConfig:
    """Read and validate a project config file (YAML).

    Raises
    ------
    ConfigError
        The file is missing, not YAML (or in an encoding other than UTF-8, UTF-16 and
        cp1258), has a key twice, an unknown key, a value of the wrong type or out of
        its range (all of them listed).
    """
    p = Path(path)
    if not p.is_file():
        raise ConfigError("config file not found", file=str(p),
                          fix="check the path; `geotel demo` writes an example config")
    data = read_yaml(p) or {}
    if not isinstance(data, dict):
        raise ConfigError("the top level must be a mapping of sections", file=str(p),
                          fix="start with keys such as 'name:' and 'inputs:'")
    return ProjectConfig.from_dict(data, source=p)


def _build(cls: type, data: Any, src: str, prefix: str, base: Path) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"section '{prefix.rstrip('.') or 'top'}' must be a mapping",
                          file=src, column=prefix.rstrip(".") or None,
                          fix="indent its keys under it")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name != "source"}
    unknown = [k for k in data if k not in fields]
    if unknown:
        key = prefix + str(unknown[0])
        raise ConfigError(f"unknown key '{key}'", file=src, column=key,
                          fix=f"remove it or use one of: {', '.join(fields)}")
    kwargs = {k: _value(hints[k], v, src, prefix + k, base) for k, v in data.items()}
    return cls(**kwargs)


def _value(tp: Any, v: Any, src: str, key: str, base: Path) -> Any:
    def bad(expected: str) -> ConfigError:
        return ConfigError(f"'{key}' = {v!r} is not {expected}", file=src, column=key,
                           fix=f"give {expected}")

    origin = typing.get_origin(tp)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _build(tp, v, src, key + ".", base)
    if origin in (types.UnionType, typing.Union):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if v is None:
            return None
        for a in args:  # a choice word (e.g. population: none) before a path
            if typing.get_origin(a) is Literal and isinstance(v, str) \
                    and v.strip().lower() in typing.get_args(a):
                return v.strip().lower()
        return _value(args[0], v, src, key, base)
    if origin is Literal:
        if v not in typing.get_args(tp):
            raise bad("one of " + ", ".join(map(str, typing.get_args(tp))))
        return v
    if origin is tuple:
        items = v if isinstance(v, list) else [v]
        return tuple(_value(typing.get_args(tp)[0], x, src, key, base) for x in items)
    if origin is dict:
        if not isinstance(v, dict):
            raise bad("a mapping")
        return {str(k): _value(typing.get_args(tp)[1], x, src, f"{key}.{k}", base)
                for k, x in v.items()}
    if tp is Path:
        if not isinstance(v, str):
            raise bad("a file path")
        p = Path(v).expanduser()
        return p if p.is_absolute() else (base / p)
    if tp is bool:
        if not isinstance(v, bool):
            raise bad("true or false")
        return v
    if tp is int:
        if isinstance(v, bool) or not isinstance(v, int):
            raise bad("a whole number")
        return v
    if tp is float:
        if isinstance(v, str) and _NUMBER.fullmatch(v.strip()):
            return float(v.strip().replace("_", ""))  # YAML 1.1 reads 1.0e9 as text
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise bad("a number")
        return float(v)
    if tp is str:
        if not isinstance(v, str):
            raise bad("text")
        return v
    return v


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)
                if f.name != "source"}
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, tuple):
        return [_plain(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj


def _type_name(tp: Any) -> str:
    """A type as the README's table shows it: ``Path or 'none' or None``."""
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_type_name(a) for a in typing.get_args(tp))
    if origin is Literal and len(typing.get_args(tp)) == 1:
        return repr(typing.get_args(tp)[0])
    if tp is type(None):
        return "None"
    name = str(tp).replace("typing.", "").replace("pathlib.", "")
    return name.replace("<class '", "").replace("'>", "").replace("|", "or")


def config_reference() -> str:
    """The config file's keys, types and defaults as a Markdown table (for the README).

    Examples
    --------
    >>> print(config_reference().splitlines()[2])
    | `name` | str | `geotel project` |
    """
    rows = ["| key | type | default |", "|---|---|---|"]

    def walk(cls: type, prefix: str) -> None:
        hints = typing.get_type_hints(cls)
        default = cls()
        for f in dataclasses.fields(cls):
            if f.name == "source":
                continue
            tp = hints[f.name]
            if isinstance(tp, type) and dataclasses.is_dataclass(tp):
                walk(tp, f"{prefix}{f.name}.")
                continue
            value = _plain(getattr(default, f.name))
            shown = "" if value in (None, [], ()) else f"`{value}`"
            rows.append(f"| `{prefix}{f.name}` | {_type_name(tp)} | {shown} |")

    walk(ProjectConfig, "")
    return "\n".join(rows)
