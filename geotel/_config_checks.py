"""Private: what a config file may hold beyond its types — value ranges, the order of
years, input paths that are folders — and how the file itself is read (encodings,
duplicate keys). Every problem names the key and the file; all are reported at once.
"""

from __future__ import annotations

import codecs
import dataclasses
import math
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from geotel.errors import ConfigError, Problem

__all__ = ["LIMITS", "check_values", "read_yaml"]

#: key → (low, high, low included, high included, what to give). None: no bound.
LIMITS: dict[str, tuple[float | None, float | None, bool, bool, str]] = {
    "coverage.resolution_m": (0, 5_000, False, True, "metres per cell, e.g. 90"),
    "coverage.max_radius_m": (0, 200_000, False, True, "metres, e.g. 15000"),
    "coverage.rx_height_m": (0, 100, False, True, "metres above ground, e.g. 1.5"),
    "coverage.thresholds_dbm.*": (-150, -40, True, True,
                                  "a received power in dBm, e.g. -105 (4G RSRP)"),
    "coverage.itm_refractivity_n_units": (250, 400, True, True,
                                          "N-units, 250–400 (301 is typical)"),
    "coverage.itm_ground_permittivity": (1, 100, True, True,
                                         "a relative permittivity, e.g. 15 (average ground)"),
    "coverage.itm_ground_conductivity_s_m": (0, 10, False, True,
                                             "S/m above 0, e.g. 0.005 (average ground)"),
    "coverage.itm_reliability_pct": (0, 100, False, False, "a percentage, e.g. 50"),
    "coverage.itm_confidence_pct": (0, 100, False, False, "a percentage, e.g. 50"),
    "population.road_weight": (0, None, True, False, "0 or more"),
    "population.road_decay_m": (0, None, False, False, "metres above 0, e.g. 2000"),
    "population.slope_weight": (0, None, True, False, "0 or more"),
    "population.max_slope_deg": (0, 90, False, True, "degrees, 0–90"),
    "deadzones.min_area_km2": (0, None, True, False, "km², 0 or more"),
    "indicators.c8_min_pop_covered_pct": (0, 100, True, True, "a percentage, 0–100"),
    "indicators.tech_present_min_pop_pct": (0, 100, True, True, "a percentage, 0–100"),
    "fiber.snap_tolerance_m": (0, 10_000, True, True, "metres, e.g. 20"),
    "fiber.access_spacing_m": (0, 100_000, False, True, "metres, e.g. 500"),
    "fiber.min_fragment_m": (0, None, True, False, "metres, 0 or more"),
    "fiber.offroad_penalty": (1, None, True, False, "a factor of 1 or more, e.g. 1.5"),
    "fiber.cost_per_km_vnd.*": (0, None, True, False, "VND per km, 0 or more"),
    "fiber.road_class_weights.*": (0, None, False, False, "a factor above 0"),
    "fiber.connected_max_km": (0, None, True, False, "km, 0 or more"),
    "siting.new_sites": (0, 100_000, True, True, "a number of sites, 0 or more"),
    "siting.budget_vnd": (0, None, True, False, "VND, 0 or more"),
    "siting.target_pop_pct": (0, 100, False, True, "a percentage above 0, at most 100"),
    "siting.time_limit_s": (0, None, False, False, "seconds above 0"),
    "siting.grid_spacing_m": (0, None, False, False, "metres above 0, e.g. 3000"),
    "siting.new_tower_height_m": (0, 200, False, True, "metres above ground, e.g. 40"),
    "siting.min_spacing_urban_m": (0, None, True, False, "metres, 0 or more"),
    "siting.min_spacing_rural_m": (0, None, True, False, "metres, 0 or more"),
    "siting.airport_radius_m": (0, None, True, False, "metres, 0 or more"),
    "siting.tower_capex_vnd": (0, None, True, False, "VND, 0 or more"),
    "siting.colocation_capex_vnd": (0, None, True, False, "VND, 0 or more"),
    "siting.microwave_capex_vnd": (0, None, True, False, "VND, 0 or more"),
    "siting.unknown_backhaul_cost_vnd": (0, None, True, False, "VND, 0 or more"),
    "siting.microwave_max_km": (0, None, False, False, "km above 0"),
    "siting.airport_max_height_m": (0, None, True, False, "metres, 0 or more"),
    "siting.max_demand_cells": (1, None, True, False, "a whole number, 1 or more"),
    "siting.matrix_resolution_m": (0, None, False, False, "metres above 0, or null"),
    "siting.max_shortlist": (1, None, True, False, "a whole number, 1 or more"),
    "siting.mip_gap_pct": (0, 100, True, False, "a percentage, 0 to below 100"),
    "siting.fiber_hub_max_m": (0, None, True, False, "metres, 0 or more"),
    "plan.start_year": (1990, 2100, True, True, "a year, e.g. 2020"),
    "plan.end_year": (1990, 2100, True, True, "a year, e.g. 2025"),
    "plan.tower_budget_vnd_per_year": (0, None, False, False, "VND per year above 0"),
    "plan.fiber_budget_vnd_per_year": (0, None, False, False, "VND per year above 0"),
}

#: Input keys that name one file each (a folder is an error).
_FILE_KEYS = ("communes", "towers", "fiber", "roads", "commune_offices", "osm",
              "exclusion_zones", "population", "district_population")


def _range_text(lo: float | None, hi: float | None, lo_in: bool, hi_in: bool) -> str:
    parts = []
    if lo is not None:
        parts.append(f"{'≥' if lo_in else '>'} {lo:g}")
    if hi is not None:
        parts.append(f"{'≤' if hi_in else '<'} {hi:g}")
    return " and ".join(parts)


def _flat(obj: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            if f.name != "source":
                out |= _flat(getattr(obj, f.name), f"{prefix}{f.name}.")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            out[f"{prefix}*:{k}"] = v
    else:
        out[prefix.rstrip(".")] = obj
    return out


def check_values(cfg: Any, src: str) -> list[Problem]:
    """Every out-of-range value of a built config (see :data:`LIMITS`), years out of
    order, a missing cost for the build method, and input paths that are folders."""
    problems: list[Problem] = []
    values = _flat(cfg)

    def bad(key: str, message: str, fix: str) -> None:
        problems.append(Problem("config", message, fix=fix, file=src, column=key))

    for key, value in values.items():
        if ".*:" in key:
            pattern = key.split("*:")[0] + "*"
            key = key.replace("*:", "")
        else:
            pattern = key
        if pattern not in LIMITS or value is None or isinstance(value, bool):
            continue
        lo, hi, lo_in, hi_in, what = LIMITS[pattern]
        v = float(value)
        ok = math.isfinite(v) and (lo is None or (v >= lo if lo_in else v > lo)) and \
            (hi is None or (v <= hi if hi_in else v < hi))
        if not ok:
            bad(key, f"'{key}' = {value!r} is out of range (it must be "
                f"{_range_text(lo, hi, lo_in, hi_in)})", f"give {what}")
    plan = cfg.plan
    if plan.end_year < plan.start_year:
        bad("plan.end_year", f"plan.end_year {plan.end_year} is before plan.start_year "
            f"{plan.start_year}", "give the years in order, e.g. 2020 and 2025")
    fiber = cfg.fiber
    if fiber.build not in fiber.cost_per_km_vnd:
        bad(f"fiber.cost_per_km_vnd.{fiber.build}", f"no cost per km for fiber.build = "
            f"'{fiber.build}'", f"add '{fiber.build}: <VND per km>' to fiber.cost_per_km_vnd")
    unknown = sorted(set(cfg.coverage.thresholds_dbm) - {"2G", "3G", "4G", "5G"})
    if unknown:
        bad(f"coverage.thresholds_dbm.{unknown[0]}", f"unknown technology '{unknown[0]}' in "
            "coverage.thresholds_dbm", "use 2G, 3G, 4G or 5G")
    for key in _FILE_KEYS:
        path = getattr(cfg.inputs, key)
        if isinstance(path, Path) and path.is_dir():
            bad(f"inputs.{key}", f"inputs.{key} = '{path}' is a folder, not a file",
                f"name the file itself, e.g. inputs.{key}: data/raw/{key}.gpkg")
    for path in cfg.inputs.dem:
        if path.is_dir():
            bad("inputs.dem", f"inputs.dem = '{path}' is a folder, not a file",
                "list the DEM tiles, e.g. dem: [N13E108.hgt, N14E108.hgt]")
    return problems


class _Loader(yaml.SafeLoader):
    """YAML with duplicate keys as errors (a section written twice loses nothing)."""


def _mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key '{key}' appears twice (lines {seen[key]} and {line})",
                key_node.start_mark)
        seen[key] = line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)

# Characters of Vietnamese text in cp1258 (letters, tone marks as combining characters).
_VIETNAMESE = re.compile(r"[\x09\x0a\x0d\x20-\x7e\u00c0-\u01b0\u0300-\u0323\u20ab]*")


def _decode(raw: bytes, path: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 (BOM), or cp1258; else an error."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8")
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise ConfigError("the config file is encoded in UTF-32", file=path,
                          fix="save it as UTF-8 (any editor: Save as … Encoding UTF-8)")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1258")
    except UnicodeDecodeError:
        text = ""
    if text and _VIETNAMESE.fullmatch(text):
        return unicodedata.normalize("NFC", text)
    raise ConfigError("the config file is not UTF-8, UTF-16 or Windows-1258 (cp1258) text "
                      "(perhaps TCVN3/VNI or another legacy encoding)", file=path,
                      fix="save it as UTF-8 (any editor: Save as … Encoding UTF-8)")


def read_yaml(path: Path) -> Any:
    """The YAML document of a config file; ConfigError for encodings, syntax and
    duplicate keys, naming the file and the line."""
    text = _decode(path.read_bytes(), str(path))
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ConfigError(f"{exc.problem} (line {line})", file=str(path),
                          column=str(exc.problem).split("'")[1] if "'" in str(exc.problem)
                          else None,
                          fix="write each key once; merge the two sections") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", file=str(path),
                          fix="check the indentation and the colons") from None
