"""The siting step of the pipeline: candidates → matrix → costs → solver → layers."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from rasterio import features
from scipy import ndimage

from geotel._errors import InputError
from geotel.config import CoverageConfig, FiberConfig, SitingConfig
from geotel.raster import Raster
from geotel.siting.candidates import candidate_sites
from geotel.siting.costs import candidate_costs, fiber_hubs, microwave_reach_km
from geotel.siting.matrix import CoverageMatrix, candidate_towers, coverage_matrix
from geotel.siting.solve import SitingResult, maximal_covering, set_covering

__all__ = ["SitingRun", "run_siting", "TOWERS_PROPOSED_COLUMNS"]

log = logging.getLogger(__name__)

TOWERS_PROPOSED_COLUMNS = [
    "site_id", "rank", "height_m", "operator", "colocated", "commune_code", "pop_gain",
    "cum_pop_covered_pct", "capex_vnd", "backhaul", "backhaul_km", "backhaul_cost_vnd",
    "total_cost_vnd", "candidate_id", "source", "host_site_id",
]


@dataclass(frozen=True, eq=False)
class SitingRun:
    """Everything the siting step produces.

    Attributes
    ----------
    result
        The solver's :class:`SitingResult` (indices are rows of :attr:`candidates`
        among those with a feasible backhaul: see ``candidates['in_model']``).
    towers_proposed
        The output layer, one row per proposed site, best first.
    commune_coverage
        Per commune: ``population``, ``pop_covered_before``, ``pop_covered_after``,
        ``pct_before``, ``pct_after``, ``pop_gain``, ``new_sites``.
    candidates
        All candidates with their costs.
    matrix
        The coverage matrix that was solved.
    """

    result: SitingResult
    towers_proposed: gpd.GeoDataFrame
    commune_coverage: pd.DataFrame
    candidates: gpd.GeoDataFrame
    matrix: CoverageMatrix


def _on_grid(dem: Raster, coverage: Any) -> Raster:
    if dem.shape == tuple(coverage.shape) and dem.transform == coverage.transform:
        return dem
    from rasterio.warp import Resampling, reproject

    out = np.full(tuple(coverage.shape), np.nan, np.float32)
    reproject(dem.values.astype(np.float32), out, src_transform=dem.transform,
              src_crs=dem.crs, dst_transform=coverage.transform, dst_crs=coverage.crs,
              src_nodata=np.nan, dst_nodata=np.nan, resampling=Resampling.bilinear)
    return Raster(out, coverage.transform, coverage.crs, units="m", name="dem")


def _fiber_km(cands: gpd.GeoDataFrame, province: Any, fiber: Any,
              fiber_reach: Callable[[gpd.GeoDataFrame], np.ndarray] | None,
              fiber_config: FiberConfig) -> np.ndarray | None:
    if fiber_reach is not None:
        return np.asarray(fiber_reach(cands), float)
    if fiber is not None:
        from geotel.fiber.reach import fiber_reach as reach

        r = reach(fiber.graph, province.fiber, cands, offroad_penalty=fiber_config.offroad_penalty,
                  access_points=fiber.reach.access_points)
        return r.table["distance_km"].reindex(cands.index).to_numpy(float)
    if province.fiber is not None and len(province.fiber):
        # no road graph: straight line to the nearest route, with the off-road penalty
        lines = province.fiber.to_crs(cands.crs).geometry.union_all()
        return cands.geometry.distance(lines).to_numpy() / 1000.0 * \
            fiber_config.offroad_penalty
    return None


def run_siting(
    province: Any,
    coverage: Any,
    config: SitingConfig | None = None,
    *,
    population: Raster | None = None,
    fiber: Any = None,
    communes: gpd.GeoDataFrame | None = None,
    fiber_reach: Callable[[gpd.GeoDataFrame], np.ndarray] | None = None,
    coverage_config: CoverageConfig | None = None,
    fiber_config: FiberConfig | None = None,
    user_candidates: gpd.GeoDataFrame | None = None,
    progress: bool = True,
) -> SitingRun:
    """Propose new BTS sites for a province: the whole siting step.

    Parameters
    ----------
    province
        :class:`geotel.province.ProvinceData`.
    coverage
        :class:`geotel.coverage.result.CoverageResult` of the existing towers; its
        ``covered(technology)`` cells are not demand.
    config
        Siting parameters (technology, k / budget / target, rules, costs, solver).
    population
        People per cell on the coverage grid (default: ``province.population``).
    fiber
        The fiber step's result (:class:`geotel.fiber.FiberResult`): its road graph
        and access points give the candidates' fiber distance.
    communes
        Communes for the before/after table (default: ``province.communes``).
    fiber_reach
        Alternative: a callable returning the fiber distance (km) of each candidate.
    coverage_config, fiber_config
        Radio parameters of the prediction and the fiber cost per km (defaults).
    user_candidates
        Extra candidate points.

    Returns
    -------
    SitingRun
    """
    cfg = config or SitingConfig()
    ccfg = coverage_config or CoverageConfig()
    fcfg = fiber_config or FiberConfig()
    tech = cfg.technology
    communes = province.communes if communes is None else communes
    pop = population if population is not None else province.population
    if pop is None:
        raise InputError("siting needs a population surface", column="population",
                         fix="give inputs.population in the config or pass population=")
    if pop.shape != tuple(coverage.shape):
        raise InputError(f"population grid {pop.shape} differs from the coverage grid "
                         f"{tuple(coverage.shape)}", column="population",
                         fix="compute it with geotel.population.population_surface(..., "
                             "grid_like=coverage)")
    dem = _on_grid(province.dem, coverage)
    cands = candidate_sites(
        province, communes=communes, dem=dem, grid_spacing_m=cfg.grid_spacing_m,
        dem_peaks=cfg.dem_peaks, user_candidates=user_candidates,
        airport_radius_m=cfg.airport_radius_m, airport_max_height_m=cfg.airport_max_height_m,
        min_spacing_urban_m=cfg.min_spacing_urban_m,
        min_spacing_rural_m=cfg.min_spacing_rural_m,
        new_tower_height_m=cfg.new_tower_height_m)
    # keep only candidates on valid DEM cells (the radio model needs ground height)
    r, c = dem.rowcol(cands.geometry.x.to_numpy(), cands.geometry.y.to_numpy())
    h, w = dem.shape
    ok = (r >= 0) & (r < h) & (c >= 0) & (c < w)
    ok[ok] = np.isfinite(dem.values[r[ok], c[ok]])
    # Only candidates within reach of uncovered people can gain anything: skip the radio
    # prediction and the backhaul costing of the others.
    covered = coverage.covered(tech)
    popv = np.nan_to_num(pop.values.astype(np.float64), nan=0.0)
    demand_cells = (popv > 0) & ~covered
    if demand_cells.any():
        res_m = abs(dem.transform.a)
        near_m = ndimage.distance_transform_edt(~demand_cells) * res_m
        ok[ok] = near_m[r[ok], c[ok]] <= ccfg.max_radius_m
    else:
        ok[:] = False
    log.info("siting: %d of %d candidates lie within %.0f m of uncovered people",
             int(ok.sum()), len(ok), ccfg.max_radius_m)
    cands = cands[ok].reset_index(drop=True)
    # costs
    fkm = _fiber_km(cands, province, fiber, fiber_reach, fcfg)
    hubs = fiber_hubs(province.towers, province.fiber, hub_max_m=cfg.fiber_hub_max_m) \
        if province.fiber is not None else province.towers.iloc[:0]
    if fkm is not None and len(hubs):
        on_hub = cands["colocated"].to_numpy(bool) & \
            cands["host_site_id"].isin(hubs["site_id"].astype(str)).to_numpy()
        fkm = np.where(on_hub, 0.0, fkm)
    mkm = microwave_reach_km(cands, hubs, dem, max_km=cfg.microwave_max_km)
    costs = candidate_costs(
        cands, fiber_km=fkm, microwave_km=mkm, tower_capex_vnd=cfg.tower_capex_vnd,
        colocation_capex_vnd=cfg.colocation_capex_vnd,
        fiber_cost_per_km_vnd=fcfg.cost_per_km_vnd.get(fcfg.build, 60_000_000.0),
        microwave_capex_vnd=cfg.microwave_capex_vnd)
    cands = gpd.GeoDataFrame(pd.concat([cands, costs], axis=1), geometry="geometry",
                             crs=cands.crs)
    usable = np.isfinite(cands["total_cost_vnd"].to_numpy(float))
    cands["in_model"] = usable
    model = cands[usable].reset_index(drop=True)
    if (~usable).any():
        log.warning("%d candidates have no backhaul (no fiber reachable, no microwave line "
                    "of sight) and are left out", int((~usable).sum()))
    if len(model) == 0:
        log.warning("siting: no candidate can reach uncovered people; no new sites proposed")
        return _nothing_to_site(cands, communes, pop, covered, tech, cfg)
    # demand and matrix
    cells = int(demand_cells.sum())
    factor = max(1, math.ceil(math.sqrt(cells / max(cfg.max_demand_cells, 1))))
    threshold = float(coverage.thresholds_dbm[tech])
    cm = coverage_matrix(model, dem, pop, technology=tech, threshold_dbm=threshold,
                         covered=covered, factor=factor, max_radius_m=ccfg.max_radius_m,
                         rx_height_m=ccfg.rx_height_m, environment=ccfg.environment,
                         diffraction=ccfg.diffraction, progress=progress)
    cost_arr = model["total_cost_vnd"].to_numpy(float)
    if cfg.target_pop_pct is not None:
        res = set_covering(cm.matrix, cm.demand, target_pct=cfg.target_pop_pct,
                           already_covered=cm.already_covered, method=cfg.method,
                           time_limit_s=cfg.time_limit_s)
    elif cfg.budget_vnd is not None:
        res = maximal_covering(cm.matrix, cm.demand, budget_vnd=cfg.budget_vnd,
                               costs_vnd=cost_arr, method=cfg.method,
                               time_limit_s=cfg.time_limit_s)
    else:
        res = maximal_covering(cm.matrix, cm.demand, k=cfg.new_sites, method=cfg.method,
                               time_limit_s=cfg.time_limit_s)
    proposed = _towers_proposed(model, res, cm)
    table = _commune_table(communes, model.iloc[list(res.selected)], dem, pop, covered,
                           tech, threshold, ccfg, progress)
    log.info("siting: %d new sites add %.0f people (%.2f %% → %.2f %%), %.1f bn VND",
             len(proposed), proposed["pop_gain"].sum(),
             100 * cm.already_covered / max(cm.total_population, 1),
             proposed["cum_pop_covered_pct"].max() if len(proposed) else math.nan,
             proposed["total_cost_vnd"].sum() / 1e9)
    return SitingRun(res, proposed, table, cands, cm)


def _nothing_to_site(cands: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, pop: Raster,
                     covered: np.ndarray, tech: str, cfg: SitingConfig) -> SitingRun:
    """The run's result when no candidate can add anyone: no sites, an empty layer."""
    popv = np.nan_to_num(pop.values.astype(np.float64), nan=0.0)
    total = float(popv.sum())
    done = float(popv[covered].sum())
    res = SitingResult("maximal_covering", cfg.method, (), (), (), (), 0.0, 0.0, 0.0, 0.0,
                       0.0, "optimal", 0.0)
    cm = CoverageMatrix(sp.csr_matrix((0, 0), dtype=bool), np.zeros(0), np.zeros(0, int),
                        np.zeros(0, int), pop.transform, 1, done, total)
    empty = gpd.GeoDataFrame({c: [] for c in TOWERS_PROPOSED_COLUMNS},
                             geometry=gpd.GeoSeries([], crs=cands.crs), crs=cands.crs)
    labels = features.rasterize(
        ((g, i + 1) for i, g in enumerate(communes.geometry.array)), out_shape=pop.shape,
        transform=pop.transform, fill=0, dtype="int32")
    people = np.bincount(labels.ravel(), weights=popv.ravel(), minlength=len(communes) + 1)
    done_c = np.bincount(labels.ravel(), weights=(popv * covered).ravel(),
                         minlength=len(communes) + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(people[1:] > 0, 100.0 * done_c[1:] / people[1:], np.nan)
    table = pd.DataFrame({
        "commune_code": communes["commune_code"].to_numpy(), "population": people[1:],
        "pop_covered_before": done_c[1:], "pop_covered_after": done_c[1:],
        "pct_before": pct, "pct_after": pct, "pop_gain": 0.0, "new_sites": 0,
    }, index=communes.index)
    return SitingRun(res, empty, table, cands, cm)


def _towers_proposed(model: gpd.GeoDataFrame, res: SitingResult,
                     cm: CoverageMatrix) -> gpd.GeoDataFrame:
    sel = list(res.selected)
    rows = model.iloc[sel].reset_index(drop=True)
    gains = np.asarray(res.marginal_gain, float)
    total = max(cm.total_population, 1e-9)
    cum = 100.0 * (cm.already_covered + np.cumsum(gains)) / total
    out = gpd.GeoDataFrame({
        "site_id": [f"P{i + 1:04d}" for i in range(len(rows))],
        "rank": np.arange(1, len(rows) + 1),
        "height_m": rows["height_m"].to_numpy(float),
        "operator": rows["operator"].astype(str).to_numpy(),
        "colocated": rows["colocated"].to_numpy(bool),
        "commune_code": rows["commune_code"].astype(str).to_numpy(),
        "pop_gain": np.round(gains).astype(np.int64),
        "cum_pop_covered_pct": cum,
        "capex_vnd": rows["capex_vnd"].to_numpy(float),
        "backhaul": rows["backhaul"].astype(str).to_numpy(),
        "backhaul_km": rows["backhaul_km"].to_numpy(float),
        "backhaul_cost_vnd": rows["backhaul_cost_vnd"].to_numpy(float),
        "total_cost_vnd": rows["total_cost_vnd"].to_numpy(float),
        "candidate_id": rows["candidate_id"].astype(str).to_numpy(),
        "source": rows["source"].astype(str).to_numpy(),
        "host_site_id": rows["host_site_id"].astype(str).to_numpy(),
    }, geometry=rows.geometry.to_numpy(), crs=model.crs)
    return out[[*TOWERS_PROPOSED_COLUMNS, "geometry"]]


def _commune_table(communes: gpd.GeoDataFrame, chosen: gpd.GeoDataFrame, dem: Raster,
                   pop: Raster, covered: np.ndarray, tech: str, threshold: float,
                   ccfg: CoverageConfig, progress: bool) -> pd.DataFrame:
    from geotel.coverage import iter_site_signals

    after = covered.copy()
    if len(chosen):
        towers = candidate_towers(chosen, technology=tech)
        for sig in iter_site_signals(towers, dem, technology=tech,
                                     max_radius_m=ccfg.max_radius_m,
                                     rx_height_m=ccfg.rx_height_m,
                                     environment=ccfg.environment,
                                     diffraction=ccfg.diffraction, progress=progress):
            with np.errstate(invalid="ignore"):
                after[sig.rows, sig.cols] |= sig.signal_dbm >= threshold
    c = communes.to_crs(dem.crs)
    labels = features.rasterize(((g, i + 1) for i, g in enumerate(c.geometry.array)),
                                out_shape=dem.shape, transform=dem.transform, fill=0,
                                dtype="int32")
    popv = np.nan_to_num(pop.values.astype(np.float64), nan=0.0).ravel()
    lab = labels.ravel()
    n = len(c) + 1
    tot = np.bincount(lab, weights=popv, minlength=n)[1:]
    before = np.bincount(lab, weights=popv * covered.ravel(), minlength=n)[1:]
    aft = np.bincount(lab, weights=popv * after.ravel(), minlength=n)[1:]
    codes = c["commune_code"].astype(str).to_numpy() if "commune_code" in c else \
        np.arange(len(c)).astype(str)
    new_sites = chosen["commune_code"].astype(str).value_counts() if len(chosen) else \
        pd.Series(dtype=int)
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame({
            "commune_code": codes,
            "commune_name": c["commune_name"].to_numpy() if "commune_name" in c else "",
            "population": tot, "pop_covered_before": before, "pop_covered_after": aft,
            "pct_before": np.where(tot > 0, 100 * before / tot, np.nan),
            "pct_after": np.where(tot > 0, 100 * aft / tot, np.nan),
            "pop_gain": aft - before,
        }, index=communes.index)
    table["new_sites"] = table["commune_code"].map(new_sites).fillna(0).astype(int)
    return table
