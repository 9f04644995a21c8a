"""The siting step of the pipeline: candidates → matrix → costs → solver → layers."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import ndimage

from geotel._zonal import commune_labels, grid_of, zonal_sum
from geotel.config import CoverageConfig, FiberConfig, SitingConfig
from geotel.coverage.itm import ItmParameters
from geotel.errors import InputError, ValueRangeError
from geotel.raster import Raster
from geotel.siting import _shortfall as SF
from geotel.siting._blocks import grid_factor
from geotel.siting._screen import order_by_gain, shortlist
from geotel.siting.candidates import candidate_sites
from geotel.siting.costs import candidate_costs, fiber_hubs, microwave_reach_km
from geotel.siting.matrix import CoverageMatrix, coverage_matrix
from geotel.siting.solve import SitingResult, maximal_covering, set_covering

__all__ = ["TOWERS_PROPOSED_COLUMNS", "SitingRun", "run_siting"]

log = logging.getLogger(__name__)

TOWERS_PROPOSED_COLUMNS = [
    "site_id", "rank", "height_m", "operator", "colocated", "commune_code", "pop_gain",
    "cum_pop_covered_pct", "area_gain_km2", "capex_vnd", "backhaul", "backhaul_km",
    "backhaul_cost_vnd", "total_cost_vnd", "candidate_id", "source", "host_site_id",
]


@dataclass(frozen=True, eq=False)
class SitingRun:
    """Everything the siting step produces.

    Attributes
    ----------
    result
        The solver's :class:`SitingResult`; its indices are rows of :attr:`matrix`, i.e.
        of ``candidates[candidates['shortlisted']]`` in that order. Its gap is certified
        for that matrix: the shortlisted candidates at the DEM's resolution.
    towers_proposed
        The output layer, one row per proposed site, best first. ``pop_gain`` is the
        people each site newly covers at the DEM's resolution, on top of the sites
        before it (greedy order of the chosen sites: by people, or by people per VND
        under a budget); ``cum_pop_covered_pct`` adds them to the people the existing
        sites cover, over the whole population.
    commune_coverage
        Per commune: ``population``, ``pop_covered_before``, ``pop_covered_after``,
        ``pct_before``, ``pct_after``, ``pop_gain``, ``new_sites`` (DEM resolution; the
        ``pop_gain`` column sums to the layer's ``pop_gain``, up to people outside
        every commune).
    candidates
        All candidates with their costs; ``in_model`` (a backhaul is feasible) and
        ``shortlisted`` (kept by the screening, or every in-model candidate when there
        was no screening).
    matrix
        The coverage matrix that was solved (shortlisted candidates).
    screening
        The coarse screening matrix of every in-model candidate (``None`` when there
        was no screening: ``matrix_resolution_m`` unset or not coarser than the DEM,
        or at most ``max_shortlist`` candidates).
    demand
        ``"population"``: sites cover people; ``"area"``: the population is unknown
        (``population: none``), so sites cover uncovered area (km²) inside the communes,
        ``pop_gain`` is null and ``area_gain_km2`` holds the gain.
    shortfall
        When fewer sites were proposed than asked (``new_sites``) or the target was not
        reached: ``{"step", "asked", "delivered", "reason"}``; None otherwise.
    """

    result: SitingResult
    towers_proposed: gpd.GeoDataFrame
    commune_coverage: pd.DataFrame
    candidates: gpd.GeoDataFrame
    matrix: CoverageMatrix
    screening: CoverageMatrix | None = None
    demand: Literal["population", "area"] = "population"
    shortfall: dict[str, Any] | None = None


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
    """Fiber distance (km) of each candidate; None when the fiber network is unknown."""
    if fiber_reach is not None:
        return np.asarray(fiber_reach(cands), float)
    if province.fiber is None or len(province.fiber) == 0:
        return None  # no fiber layer: unknown, not "no fiber anywhere"
    if fiber is not None:
        from geotel.fiber.reach import fiber_reach as reach

        r = reach(fiber.graph, province.fiber, cands, offroad_penalty=fiber_config.offroad_penalty,
                  access_points=fiber.reach.access_points)
        return r.table["distance_km"].reindex(cands.index).to_numpy(float)
    # no road graph: straight line to the nearest route, with the off-road penalty
    lines = province.fiber.to_crs(cands.crs).geometry.union_all()
    return cands.geometry.distance(lines).to_numpy() / 1000.0 * fiber_config.offroad_penalty


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

    Notes
    -----
    With more than ``config.max_shortlist`` candidates and a ``matrix_resolution_m``
    coarser than the DEM, every candidate is first predicted on the DEM block-averaged to
    that resolution (screening); a greedy cover of that coarse matrix, best first,
    becomes the shortlist, which alone is predicted at the DEM's resolution and
    optimised. The coarse grid is optimistic on rough terrain (smoothed ridges: on the
    demo province a candidate's people come out about 30 % higher at 270 m) but ranks
    candidates alike, so it only chooses whom to predict properly: the matrix solved, the
    certified gap, ``pop_gain`` and the commune table are all at the DEM's resolution.
    The gap is certified over the shortlist; candidates screened out are not in the
    bound. On the demo (90 m, 3,530 candidates, k = 50) the shortlisted optimum (296
    candidates) was 1.3 % below the best solution found on all candidates in 60 s.
    """
    cfg = config or SitingConfig()
    _check_config(cfg)
    ccfg = coverage_config or CoverageConfig()
    fcfg = fiber_config or FiberConfig()
    tech = cfg.technology
    communes = province.communes if communes is None else communes
    pop = population if population is not None else province.population
    demand_kind: Literal["population", "area"] = "population" if pop is not None else "area"
    if pop is None:
        log.info("siting: the population is unknown; sites maximise newly covered area")
        pop = _area_demand(communes, coverage)
    if pop.shape != tuple(coverage.shape):
        raise InputError(f"population grid {pop.shape} differs from the coverage grid "
                         f"{tuple(coverage.shape)}", column="population",
                         fix="compute it with geotel.population.population_surface(..., "
                             "grid_like=coverage)")
    t0 = time.perf_counter()
    times: dict[str, float] = {}
    dem = _on_grid(province.dem, coverage)
    covered = coverage.covered(tech)
    popv = np.nan_to_num(pop.values.astype(np.float64), nan=0.0)
    demand_cells = (popv > 0) & ~covered
    cands = _candidates_near_demand(province, communes, dem, demand_cells, cfg,
                                    ccfg.max_radius_m, user_candidates)
    near = len(cands)
    cands = _costed(cands, province, dem, fiber, fiber_reach, cfg, fcfg)
    usable = np.isfinite(cands["total_cost_vnd"].to_numpy(float))
    cands["in_model"] = usable
    model = cands[usable].reset_index(drop=True)
    if (~usable).any():
        log.warning("%d candidates have no backhaul (no fiber reachable, no microwave line "
                    "of sight) and are left out", int((~usable).sum()))
    if len(model) == 0:
        if not demand_cells.any():
            why = SF.reason("covered", demand_kind, tech=tech)
        elif near == 0:
            why = SF.reason("none_near", demand_kind, radius_km=ccfg.max_radius_m / 1000)
        else:
            why = SF.reason("no_backhaul", demand_kind, near=near)
        log.warning("siting: no new sites proposed: %s", why[0])
        return _nothing_to_site(cands, communes, pop, covered, cfg, demand_kind,
                                SF.shortfall(cfg, 0, why))
    times["candidates_costs"] = time.perf_counter() - t0
    # demand and matrix
    radio = {"technology": tech, "threshold_dbm": float(coverage.thresholds_dbm[tech]),
             "covered": covered, "max_radius_m": ccfg.max_radius_m,
             "rx_height_m": ccfg.rx_height_m, "environment": ccfg.environment,
             "diffraction": ccfg.diffraction, "progress": progress, "model": ccfg.model,
             "itm": ItmParameters.from_config(ccfg) if ccfg.model == "itm" else None}
    cost_arr = model["total_cost_vnd"].to_numpy(float)
    use_cost = cfg.budget_vnd is not None and cfg.target_pop_pct is None
    res_m = abs(dem.transform.a)
    g = grid_factor(cfg.matrix_resolution_m, res_m)
    screening = None
    if g > 1 and len(model) > cfg.max_shortlist:
        # Screening: every candidate on the coarse grid, keep a greedy cover of it.
        coarse_cells = math.ceil(int(demand_cells.sum()) / (g * g))
        screening = coverage_matrix(model, dem, pop, grid_factor=g,
                                    factor=_factor(coarse_cells, cfg), **radio)
        keep = np.sort(shortlist(screening.matrix, screening.demand,
                                 max_sites=cfg.max_shortlist,
                                 costs_vnd=cost_arr if use_cost else None))
        log.info("siting: screening at %.0f m keeps %d of %d candidates", g * res_m,
                 keep.size, len(model))
        if keep.size == 0:
            why = SF.reason("none_covers", demand_kind)
            log.warning("siting: no new sites proposed: %s", why[0])
            return _nothing_to_site(cands, communes, pop, covered, cfg, demand_kind,
                                    SF.shortfall(cfg, 0, why))
    else:
        keep = np.arange(len(model))
    times["screening"] = time.perf_counter() - t0 - sum(times.values())
    in_model = np.flatnonzero(usable)
    cands["shortlisted"] = False
    cands.loc[cands.index[in_model[keep]], "shortlisted"] = True
    model = model.iloc[keep].reset_index(drop=True)
    cost_arr = cost_arr[keep]
    cm = coverage_matrix(model, dem, pop, factor=_factor(int(demand_cells.sum()), cfg),
                         **radio)
    times["matrix"] = time.perf_counter() - t0 - sum(times.values())
    res = _solve(cm, cost_arr, cfg)
    times["solve"] = time.perf_counter() - t0 - sum(times.values())
    chosen = model.iloc[list(res.selected)].reset_index(drop=True)
    order, gains, after = _full_resolution_gains(
        chosen, cm, list(res.selected), dem, pop, covered, radio,
        costs_vnd=cost_arr[list(res.selected)] if use_cost else None)
    proposed = _towers_proposed(chosen.iloc[order], gains, cm, demand_kind)
    table = _commune_table(communes, chosen, dem, pop, covered, after)
    times["gains_communes"] = time.perf_counter() - t0 - sum(times.values())
    log.info("siting: seconds per phase: %s",
             ", ".join(f"{k} {v:.1f}" for k, v in times.items()))
    log.info("siting: %d new sites add %.1f %s, %.1f bn VND", len(proposed), float(gains.sum()),
             "people" if demand_kind == "population" else "km²",
             proposed["total_cost_vnd"].sum() / 1e9)
    shortfall = _result_shortfall(len(proposed), res, cm, cfg, len(model), demand_kind,
                                  int((~usable).sum()))
    return SitingRun(res, proposed, table, cands, cm, screening, demand_kind, shortfall)


def _check_config(cfg: SitingConfig) -> None:
    if cfg.matrix_resolution_m is not None and not cfg.matrix_resolution_m > 0:
        raise ValueRangeError(f"siting.matrix_resolution_m = {cfg.matrix_resolution_m!r} "
                              "must be > 0", column="siting.matrix_resolution_m",
                              fix="give metres, e.g. 270, or null for no screening")
    if cfg.max_shortlist < 1:
        raise ValueRangeError(f"siting.max_shortlist = {cfg.max_shortlist!r} must be >= 1",
                              column="siting.max_shortlist", fix="e.g. 400")
    if not 0 <= cfg.mip_gap_pct < 100:
        raise ValueRangeError(f"siting.mip_gap_pct = {cfg.mip_gap_pct!r} is outside [0, 100)",
                              column="siting.mip_gap_pct", fix="e.g. 1.0 (percent)")


def _area_demand(communes: gpd.GeoDataFrame, coverage: Any) -> Raster:
    """Demand of an area-only plan: each cell's area (km²) inside the communes."""
    grid = grid_of(coverage, "the coverage grid")
    inside = commune_labels(communes, grid) >= 0
    values = np.where(inside, grid.cell_area_m2 / 1e6, 0.0).astype(np.float32)
    return Raster(values, grid.transform, grid.crs, units="km2", name="area")


def _candidates_near_demand(province: Any, communes: gpd.GeoDataFrame, dem: Raster,
                            demand_cells: np.ndarray, cfg: SitingConfig, max_radius_m: float,
                            user_candidates: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """Candidates on valid DEM cells within ``max_radius_m`` of uncovered demand."""
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
    # Only candidates within reach of uncovered demand can gain anything: skip the radio
    # prediction and the backhaul costing of the others.
    if demand_cells.any():
        near_m = ndimage.distance_transform_edt(~demand_cells) * abs(dem.transform.a)
        ok[ok] = near_m[r[ok], c[ok]] <= max_radius_m
    else:
        ok[:] = False
    log.info("siting: %d of %d candidates lie within %.0f m of uncovered demand",
             int(ok.sum()), len(ok), max_radius_m)
    return cands[ok].reset_index(drop=True)


def _costed(cands: gpd.GeoDataFrame, province: Any, dem: Raster, fiber: Any,
            fiber_reach: Callable[[gpd.GeoDataFrame], np.ndarray] | None, cfg: SitingConfig,
            fcfg: FiberConfig) -> gpd.GeoDataFrame:
    """Candidates with their capex, backhaul and total cost columns."""
    fkm = _fiber_km(cands, province, fiber, fiber_reach, fcfg)
    known_fiber = province.fiber is not None and len(province.fiber) > 0
    hubs = (fiber_hubs(province.towers, province.fiber, hub_max_m=cfg.fiber_hub_max_m)
            if known_fiber else province.towers.iloc[:0])
    if fkm is not None and len(hubs):
        on_hub = cands["colocated"].to_numpy(bool) & \
            cands["host_site_id"].isin(hubs["site_id"].astype(str)).to_numpy()
        fkm = np.where(on_hub, 0.0, fkm)
    mkm = microwave_reach_km(cands, hubs, dem, max_km=cfg.microwave_max_km)
    costs = candidate_costs(
        cands, fiber_km=fkm, microwave_km=mkm, tower_capex_vnd=cfg.tower_capex_vnd,
        colocation_capex_vnd=cfg.colocation_capex_vnd,
        fiber_cost_per_km_vnd=fcfg.cost_per_km_vnd[fcfg.build],
        microwave_capex_vnd=cfg.microwave_capex_vnd,
        unknown_backhaul_cost_vnd=cfg.unknown_backhaul_cost_vnd)
    return gpd.GeoDataFrame(pd.concat([cands, costs], axis=1), geometry="geometry",
                            crs=cands.crs)


def _solve(cm: CoverageMatrix, cost_arr: np.ndarray, cfg: SitingConfig) -> SitingResult:
    method, limit_s, gap_pct = cfg.method, cfg.time_limit_s, cfg.mip_gap_pct
    if cfg.target_pop_pct is not None:
        res = set_covering(cm.matrix, cm.demand, target_pct=cfg.target_pop_pct,
                           already_covered=cm.already_covered, method=method,
                           time_limit_s=limit_s, mip_gap_pct=gap_pct)
    elif cfg.budget_vnd is not None:
        res = maximal_covering(cm.matrix, cm.demand, budget_vnd=cfg.budget_vnd,
                               costs_vnd=cost_arr, method=method, time_limit_s=limit_s,
                               mip_gap_pct=gap_pct)
    else:
        res = maximal_covering(cm.matrix, cm.demand, k=cfg.new_sites, method=method,
                               time_limit_s=limit_s, mip_gap_pct=gap_pct)
    log.info("siting: %s solve %s in %.1f s, objective %.0f, bound %.0f, gap %.2f %%",
             res.problem, res.status, res.solve_time_s, res.objective, res.bound,
             100 * res.gap)
    return res


def _result_shortfall(n: int, res: SitingResult, cm: CoverageMatrix, cfg: SitingConfig,
                      n_model: int, demand_kind: Literal["population", "area"],
                      n_no_backhaul: int) -> dict[str, Any] | None:
    """Why the solved plan delivers less than asked; None when it delivers it."""
    if cfg.target_pop_pct is not None:
        reached = 100.0 * res.objective / max(cm.total_population, 1e-9)
        if reached + 1e-9 >= cfg.target_pop_pct:
            return None
        return SF.shortfall(cfg, n, SF.reason("target", demand_kind, n_model=n_model,
                                              reached=reached, no_backhaul=n_no_backhaul))
    if cfg.budget_vnd is not None or n >= cfg.new_sites:
        return None  # a budget is spent, not a count asked for
    return SF.shortfall(cfg, n, SF.reason("fewer", demand_kind, n=n,
                                          no_backhaul=n_no_backhaul))


def _nothing_to_site(cands: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, pop: Raster,
                     covered: np.ndarray, cfg: SitingConfig,
                     demand_kind: Literal["population", "area"],
                     shortfall: dict[str, Any]) -> SitingRun:
    """The run's result when no candidate can add anyone: no sites, an empty layer."""
    cands = cands.copy()
    cands["shortlisted"] = False
    popv = np.nan_to_num(pop.values.astype(np.float64), nan=0.0)
    total = float(popv.sum())
    done = float(popv[covered].sum())
    res = SitingResult("maximal_covering", cfg.method, (), (), (), (), 0.0, 0.0, 0.0, 0.0,
                       0.0, "optimal", 0.0)
    cm = CoverageMatrix(sp.csr_matrix((0, 0), dtype=bool), np.zeros(0), np.zeros(0, int),
                        np.zeros(0, int), pop.transform, 1, done, total)
    empty = gpd.GeoDataFrame({c: [] for c in TOWERS_PROPOSED_COLUMNS},
                             geometry=gpd.GeoSeries([], crs=cands.crs), crs=cands.crs)
    table = _commune_table(communes, cands.iloc[:0], pop, pop, covered, covered)
    return SitingRun(res, empty, table, cands, cm, None, demand_kind, shortfall)


def _factor(cells: int, cfg: SitingConfig) -> int:
    """Demand aggregation factor keeping the matrix within ``max_demand_cells`` columns."""
    return max(1, math.ceil(math.sqrt(cells / max(cfg.max_demand_cells, 1))))


def _full_resolution_gains(
    chosen: gpd.GeoDataFrame, cm: CoverageMatrix, selected: list[int], dem: Raster,
    pop: Raster, covered: np.ndarray, radio: dict[str, Any],
    costs_vnd: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Greedy order of the chosen sites, their marginal people and the covered mask after.

    All at the DEM's resolution: from the solved matrix when it is at that resolution,
    else from a new prediction of the chosen sites.
    """
    after = covered.copy()
    if len(chosen) == 0:
        return np.zeros(0, np.int64), np.zeros(0), after
    if cm.factor == 1 and cm.grid_factor == 1:
        full, rows = cm, cm.matrix[selected]
    else:
        full = coverage_matrix(chosen, dem, pop, **radio)
        rows = full.matrix
    order, gains = order_by_gain(rows, full.demand, costs_vnd=costs_vnd)
    hit = np.unique(rows.indices)
    after[full.cell_rows[hit], full.cell_cols[hit]] = True
    return order, gains, after


def _towers_proposed(rows: gpd.GeoDataFrame, gains: np.ndarray, cm: CoverageMatrix,
                     demand_kind: str = "population") -> gpd.GeoDataFrame:
    rows = rows.reset_index(drop=True)
    gains = np.asarray(gains, float)
    total = max(cm.total_population, 1e-9)
    cum = 100.0 * (cm.already_covered + np.cumsum(gains)) / total
    people = demand_kind == "population"
    na = np.full(len(rows), np.nan)
    out = gpd.GeoDataFrame({
        "site_id": [f"P{i + 1:04d}" for i in range(len(rows))],
        "rank": np.arange(1, len(rows) + 1),
        "height_m": rows["height_m"].to_numpy(float),
        "operator": rows["operator"].astype(str).to_numpy(),
        "colocated": rows["colocated"].to_numpy(bool),
        "commune_code": rows["commune_code"].astype(str).to_numpy(),
        "pop_gain": (pd.array(np.round(gains).astype(np.int64), dtype="Int64") if people
                     else pd.array([pd.NA] * len(rows), dtype="Int64")),
        "cum_pop_covered_pct": cum if people else na,
        "area_gain_km2": na if people else gains,
        "capex_vnd": rows["capex_vnd"].to_numpy(float),
        "backhaul": rows["backhaul"].astype(str).to_numpy(),
        "backhaul_km": rows["backhaul_km"].to_numpy(float),
        "backhaul_cost_vnd": rows["backhaul_cost_vnd"].to_numpy(float),
        "total_cost_vnd": rows["total_cost_vnd"].to_numpy(float),
        "candidate_id": rows["candidate_id"].astype(str).to_numpy(),
        "source": rows["source"].astype(str).to_numpy(),
        "host_site_id": rows["host_site_id"].astype(str).to_numpy(),
    }, geometry=rows.geometry.to_numpy(), crs=rows.crs)
    return out[[*TOWERS_PROPOSED_COLUMNS, "geometry"]]


def _commune_table(communes: gpd.GeoDataFrame, chosen: gpd.GeoDataFrame, grid_like: Any,
                   pop: Raster, covered: np.ndarray, after: np.ndarray) -> pd.DataFrame:
    """Per commune: demand covered before and after the new sites (same commune
    rasterisation as the indicators, small communes included)."""
    grid = grid_of(grid_like, "the siting grid")
    labels = commune_labels(communes, grid)
    n = len(communes)
    popv = np.nan_to_num(pop.values.astype(np.float64), nan=0.0)
    tot = zonal_sum(labels, popv, n)
    before = zonal_sum(labels, popv * covered, n)
    aft = zonal_sum(labels, popv * after, n)
    codes = communes["commune_code"].astype(str).to_numpy() if "commune_code" in communes \
        else np.arange(n).astype(str)
    new_sites = chosen["commune_code"].astype(str).value_counts() if len(chosen) else \
        pd.Series(dtype=int)
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame({
            "commune_code": codes,
            "commune_name": (communes["commune_name"].to_numpy() if "commune_name" in communes
                             else ""),
            "population": tot, "pop_covered_before": before, "pop_covered_after": aft,
            "pct_before": np.where(tot > 0, 100 * before / tot, np.nan),
            "pct_after": np.where(tot > 0, 100 * aft / tot, np.nan),
            "pop_gain": aft - before,
        }, index=communes.index)
    table["new_sites"] = table["commune_code"].map(new_sites).fillna(0).astype(int)
    return table
