"""Private: roll commune indicators up to districts (see geotel.indicators)."""

from __future__ import annotations

import logging
import re

import geopandas as gpd
import numpy as np
import pandas as pd

from geotel._zonal import (
    bool_column,
    equal_area_km2,
    is_official_code,
    text_column,
    valid_polygons,
)

__all__ = ["roll_up"]

log = logging.getLogger(__name__)

_PER_OPERATOR = re.compile(r"^pop_covered_\dg_.+$")


def _num(kpi: pd.DataFrame, col: str) -> pd.Series:
    return pd.to_numeric(kpi[col], errors="coerce").astype(float).reset_index(drop=True)


def _weighted(value: pd.Series, weight: pd.Series, key: pd.Series) -> pd.Series:
    """Sum(value * weight) / sum(weight) per key, over rows where value is known."""
    known = value.notna()
    num = (value.fillna(0.0) * weight).groupby(key).sum()
    den = weight.where(known, 0.0).groupby(key).sum()
    return (num / den.where(den > 0)).astype(float)


def roll_up(kpi: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """District roll-up of a communes indicator layer (see district_indicators)."""
    codes = text_column(kpi, "district_code")
    names = text_column(kpi, "district_name")
    name_to_code = {n: c for c, n in zip(codes, names, strict=True) if c and n}
    filled = [c or name_to_code.get(n, "") for c, n in zip(codes, names, strict=True)]
    code_to_name = {c: n for c, n in zip(filled, names, strict=True) if c and n}
    n_guessed = sum(1 for c, f in zip(codes, filled, strict=True) if not c and f)
    if n_guessed:
        log.info("%d commune(s) without district_code placed by district_name", n_guessed)
    n_unknown = sum(1 for f in filled if not f)
    if n_unknown:
        log.warning("%d commune(s) have no district_code or known district_name; they form "
                    "a district with an empty code", n_unknown)
    key = pd.Series(filled, name="district_code")
    g = key.groupby(key)
    out = pd.DataFrame({"communes": g.size().astype(np.int64)})
    out.index.name = "district_code"
    out.insert(0, "district_name", [code_to_name.get(c, "") for c in out.index])
    raw_pop = _num(kpi, "population") if "population" in kpi else pd.Series(
        np.full(len(kpi), np.nan))
    pop = raw_pop.fillna(0.0)
    out["population"] = raw_pop.groupby(key).sum(min_count=1).round().astype("Int64")
    area = (_num(kpi, "area_km2") if "area_km2" in kpi else
            pd.Series(equal_area_km2(kpi) if kpi.crs is not None else np.full(len(kpi), np.nan)))
    out["area_km2"] = area.groupby(key).sum(min_count=1)
    for col in kpi.columns:
        if col.startswith("pop_covered_pct_") or col == "c8_pop_covered_pct":
            out[col] = _weighted(_num(kpi, col), pop, key)
    if "area_covered_pct_4g" in kpi:
        out["area_covered_pct_4g"] = _weighted(_num(kpi, "area_covered_pct_4g"), area, key)
    for col in kpi.columns:
        if _PER_OPERATOR.match(col):
            out[col] = _num(kpi, col).groupby(key).sum(min_count=1)
    for col in ("dead_zone_km2", "dead_zone_pop"):
        if col in kpi:
            out[col] = _num(kpi, col).groupby(key).sum(min_count=1)
    if "towers" in kpi:
        towers = _num(kpi, "towers")
        out["towers"] = towers.groupby(key).sum(min_count=1).astype("Int64")
        out["towers_per_km2"] = out["towers"].astype(float) / out["area_km2"].where(
            out["area_km2"] > 0)
        if "shared_tower_pct" in kpi:
            out["shared_tower_pct"] = _weighted(_num(kpi, "shared_tower_pct"),
                                                towers.fillna(0.0), key)
    if "fiber_distance_km" in kpi:
        fd = _num(kpi, "fiber_distance_km")
        out["fiber_distance_km_mean"] = fd.groupby(key).mean()
        out["fiber_distance_km_max"] = fd.groupby(key).max()
    flags = {
        "communes_without_fixed_internet": ("has_fixed_internet", False),
        "communes_with_radio_station": ("has_radio_station", True),
        "communes_with_postal_point": ("has_postal_point", True),
        "communes_c8_met": ("c8_met", True),
    }
    for name, (col, want) in flags.items():
        if col in kpi:
            # Count the communes whose value is known to be ``want``; <NA> where no
            # commune of the district has the fact, and the unknowns counted apart.
            values = bool_column(kpi, col)
            hit = (values == want).fillna(False).astype(np.int64)
            known = values.notna().astype(np.int64)
            counts = hit.groupby(key).sum().astype("Int64")
            out[name] = counts.where(known.groupby(key).sum() > 0, pd.NA)
            out[f"{col}_no_data"] = (1 - known).groupby(key).sum().astype(np.int64)
    if "c8_met" in kpi:
        decided = out["communes"] - out["c8_met_no_data"]
        out["c8_met_pct"] = (100.0 * out["communes_c8_met"].astype(float)
                             / decided.where(decided > 0)).astype(float)
    if "mobile_covered_technologies" in kpi:
        tech = pd.Series(text_column(kpi, "mobile_covered_technologies"))
        out["communes_2g_only"] = (tech == "2G").astype(np.int64).groupby(key).sum()
        out["communes_without_mobile"] = (tech == "").astype(np.int64).groupby(key).sum()
    no_code = pd.Series([not is_official_code(c) for c in text_column(kpi, "commune_code")])
    no_code = no_code.astype(np.int64)
    out["communes_without_code"] = no_code.groupby(key).sum()
    shapes = gpd.GeoDataFrame({"district_code": filled},
                              geometry=valid_polygons(kpi.geometry.array), crs=kpi.crs)
    dissolved = shapes.dissolve(by="district_code", sort=True)
    out = out.join(dissolved[["geometry"]])
    out = out.reset_index()
    return gpd.GeoDataFrame(out, geometry="geometry", crs=kpi.crs)
