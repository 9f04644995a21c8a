"""Candidate × demand-cell coverage matrix from the coverage engine.

A candidate covers a demand cell when its predicted signal (omni antenna at the
candidate's height, default EIRP) reaches the technology's threshold. Demand is the
population of cells that the existing sites do not cover yet.

Two coarsenings keep province-scale matrices cheap:

* ``grid_factor`` > 1 predicts the candidates' signals on a coarser grid: the DEM
  averaged over blocks of ``grid_factor`` × ``grid_factor`` cells, with the uncovered
  people summed to the same blocks. A block counts as covered when the signal predicted
  at its centre (over the averaged terrain) reaches the threshold. The radio sweep costs
  about the square of the window's size in cells, so a factor of 3 makes it roughly
  ten times faster. ``already_covered`` and ``total_population`` still come from the
  full-resolution grid.
* ``factor`` > 1 then aggregates the demand to blocks of ``factor`` × ``factor`` cells
  of the prediction grid; a candidate covers a block when it covers at least half of the
  block's uncovered people.

Examples
--------
>>> import geopandas as gpd, numpy as np
>>> from affine import Affine
>>> from shapely.geometry import Point
>>> from geotel.raster import Raster
>>> dem = Raster(np.zeros((41, 41), "float32"), Affine(90, 0, 0, 0, -90, 3690), 32649)
>>> pop = Raster(np.ones((41, 41), "float32"), dem.transform, dem.crs)
>>> cands = gpd.GeoDataFrame({"candidate_id": ["A"], "height_m": [30.0]},
...                          geometry=[Point(1845, 1845)], crs=32649)
>>> cm = coverage_matrix(cands, dem, pop, technology="4G", threshold_dbm=-80,
...                      max_radius_m=900, progress=False)
>>> cm.matrix.shape[0], bool(cm.matrix.nnz > 0), float(cm.demand.sum())
(1, True, 1681.0)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import scipy.sparse as sp
from affine import Affine

from geotel.errors import InputError, ValueRangeError
from geotel.raster import Raster
from geotel.siting._blocks import block_mean_dem, block_sum

__all__ = ["CoverageMatrix", "candidate_towers", "coverage_matrix"]

log = logging.getLogger(__name__)

#: Operator recorded on candidate rows for the radio prediction only (any valid name).
_RADIO_OPERATOR = "Viettel"


@dataclass(frozen=True, eq=False)
class CoverageMatrix:
    """Sparse coverage of the demand cells by the candidates.

    Attributes
    ----------
    matrix
        Boolean CSR, candidates (rows, in the candidates' order) × demand cells.
    demand
        People in each demand cell (uncovered by the existing sites).
    cell_rows, cell_cols
        Position of each demand cell on the demand grid.
    transform
        Transform of the demand grid: the DEM's scaled by ``grid_factor × factor``.
    factor
        Demand aggregation factor, in cells of the prediction grid.
    already_covered
        People already covered by the existing sites (full-resolution grid).
    total_population
        All people on the grid (full-resolution grid).
    grid_factor
        Cells of the DEM per side of a prediction cell (1: signals predicted on the DEM's
        own grid).
    """

    matrix: sp.csr_matrix
    demand: np.ndarray
    cell_rows: np.ndarray
    cell_cols: np.ndarray
    transform: Affine
    factor: int
    already_covered: float
    total_population: float
    grid_factor: int = 1


def candidate_towers(candidates: gpd.GeoDataFrame, *, technology: str,
                     eirp_dbm: float = 58.0) -> gpd.GeoDataFrame:
    """Candidates as a canonical towers layer (one omni sector each) for prediction."""
    return gpd.GeoDataFrame(
        {"site_id": candidates["candidate_id"].astype(str).to_numpy()
         if "candidate_id" in candidates else [f"C{i}" for i in range(len(candidates))],
         "sector_id": 1, "operator": _RADIO_OPERATOR, "technologies": technology,
         "height_m": candidates["height_m"].to_numpy(float) if "height_m" in candidates
         else 40.0,
         "eirp_dbm": float(eirp_dbm), "beamwidth_deg": 360.0},
        geometry=candidates.geometry.to_numpy(), crs=candidates.crs)


def coverage_matrix(
    candidates: gpd.GeoDataFrame,
    dem: Raster,
    population: Raster,
    *,
    technology: str,
    threshold_dbm: float,
    covered: np.ndarray | None = None,
    factor: int = 1,
    grid_factor: int = 1,
    max_radius_m: float = 15_000.0,
    rx_height_m: float = 1.5,
    environment: Literal["urban", "suburban", "open"] = "open",
    diffraction: Literal["deygout", "bullington", "none"] = "deygout",
    eirp_dbm: float = 58.0,
    progress: bool = True,
    signals: Any = None,
    model: str = "hata_deygout",
    itm: Any = None,
) -> CoverageMatrix:
    """Build the sparse coverage matrix of the candidates over the uncovered people.

    Parameters
    ----------
    candidates
        Candidate sites (``candidate_id``, ``height_m``, point geometry); not modified.
    dem, population
        DEM and people per cell, on the same grid (metric CRS).
    technology, threshold_dbm
        Technology predicted and its coverage threshold (indoor margin included).
    covered
        Boolean mask (DEM grid) of cells the existing sites already cover; their
        people are not demand.
    factor
        Aggregate demand to blocks of ``factor`` × ``factor`` cells of the prediction
        grid.
    grid_factor
        Predict signals on the DEM averaged over ``grid_factor`` × ``grid_factor``
        blocks, with the uncovered people summed to the same blocks (1: the DEM's grid).
    max_radius_m, rx_height_m, environment, diffraction, eirp_dbm, progress, model, itm
        Passed to :func:`geotel.coverage.iter_site_signals` (``model``: the propagation
        model of the coverage prediction, so that candidates are judged alike).
    signals
        Callable with the signature of ``iter_site_signals`` (for tests); default the
        coverage engine's.

    Returns
    -------
    CoverageMatrix
    """
    if population.shape != dem.shape:
        raise InputError(f"population grid {population.shape} differs from the DEM grid "
                         f"{dem.shape}", column="population",
                         fix="resample the population to the DEM grid "
                             "(geotel.province.population_on_grid)")
    for name, val in (("factor", factor), ("grid_factor", grid_factor)):
        if int(val) != val or val < 1:
            raise ValueRangeError(f"{name} = {val!r} must be a whole number >= 1",
                                  column=name, fix=f"e.g. {name}=3")
    if signals is None:
        from geotel.coverage import iter_site_signals as signals
    pop = np.nan_to_num(np.asarray(population.values, np.float64), nan=0.0)
    pop = np.maximum(pop, 0.0)
    cov = np.zeros(dem.shape, bool) if covered is None else np.asarray(covered, bool)
    if cov.shape != dem.shape:
        raise InputError(f"covered mask {cov.shape} differs from the DEM grid {dem.shape}",
                         column="covered", fix="use CoverageResult.covered() on the DEM grid")
    need = np.where(cov, 0.0, pop)
    g = int(grid_factor)
    if g > 1:
        dem = block_mean_dem(dem, g)
        need = block_sum(need, g)
    f = int(factor)
    h, w = dem.shape
    hb, wb = -(-h // f), -(-w // f)
    block = (np.arange(h)[:, None] // f) * wb + (np.arange(w)[None, :] // f)
    block_pop = np.bincount(block.ravel(), weights=need.ravel(), minlength=hb * wb)
    col_of_block = np.full(hb * wb, -1, np.int64)
    has = np.flatnonzero(block_pop > 0)
    col_of_block[has] = np.arange(has.size)
    towers = candidate_towers(candidates, technology=technology, eirp_dbm=eirp_dbm)
    rows_idx: list[np.ndarray] = []
    cols_idx: list[np.ndarray] = []
    extra = {} if model == "hata_deygout" and itm is None else {"model": model, "itm": itm}
    for sig in signals(towers, dem, technology=technology, max_radius_m=max_radius_m,
                       rx_height_m=rx_height_m, environment=environment,
                       diffraction=diffraction, progress=progress, **extra):
        with np.errstate(invalid="ignore"):
            hit = sig.signal_dbm >= threshold_dbm
        wb_block = block[sig.rows, sig.cols][hit]
        wneed = need[sig.rows, sig.cols][hit]
        keep = wneed > 0
        wb_block, wneed = wb_block[keep], wneed[keep]
        if wb_block.size == 0:
            continue
        if f > 1:
            ub, inv = np.unique(wb_block, return_inverse=True)
            share = np.bincount(inv, weights=wneed) / block_pop[ub]
            ub = ub[share >= 0.5]
        else:
            ub = np.unique(wb_block)
        cols = col_of_block[ub]
        rows_idx.append(np.full(cols.size, sig.index, np.int64))
        cols_idx.append(cols)
    n = len(candidates)
    r = np.concatenate(rows_idx) if rows_idx else np.zeros(0, np.int64)
    c = np.concatenate(cols_idx) if cols_idx else np.zeros(0, np.int64)
    mat = sp.csr_matrix((np.ones(r.size, bool), (r, c)), shape=(n, has.size))
    mat.sum_duplicates()
    tr = dem.transform @ Affine.scale(f, f)
    log.info("coverage matrix %d candidates × %d demand cells (%.0f m), %d entries", n,
             has.size, abs(tr.a), mat.nnz)
    return CoverageMatrix(matrix=mat, demand=block_pop[has], cell_rows=has // wb,
                          cell_cols=has % wb, transform=tr, factor=f,
                          already_covered=float(pop[cov].sum()),
                          total_population=float(pop.sum()), grid_factor=g)
