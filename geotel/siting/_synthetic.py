"""Seeded synthetic covering instances for the benchmark, the tests and the examples.

Candidates and demand points are spread uniformly over a ``width_km`` × ``height_km``
rectangle; each candidate covers the demand points within its own radius, drawn
uniformly from ``radius_km``. Demand weights are log-normal "populations" rounded
to whole people (median 100, at least 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

__all__ = ["SyntheticInstance", "synthetic_instance"]


@dataclass(frozen=True, eq=False)
class SyntheticInstance:
    """A covering instance: coverage matrix, demand weights and the point coordinates."""

    matrix: sp.csr_matrix
    demand: np.ndarray
    candidate_xy_km: np.ndarray
    demand_xy_km: np.ndarray
    radius_km: np.ndarray
    seed: int


def synthetic_instance(
    n_candidates: int,
    n_demand: int,
    *,
    seed: int = 0,
    width_km: float = 150.0,
    height_km: float = 100.0,
    radius_km: tuple[float, float] = (3.0, 8.0),
) -> SyntheticInstance:
    """Draw a seeded instance (candidates × demand boolean CSR matrix).

    Examples
    --------
    >>> inst = synthetic_instance(20, 200, seed=1)
    >>> inst.matrix.shape, inst.demand.shape
    ((20, 200), (200,))
    """
    rng = np.random.default_rng(seed)
    size = np.array([width_km, height_km])
    cand = rng.random((n_candidates, 2)) * size
    dem = rng.random((n_demand, 2)) * size
    radius = rng.uniform(radius_km[0], radius_km[1], n_candidates)
    weights = np.maximum(1.0, np.round(rng.lognormal(np.log(100.0), 1.0, n_demand)))
    tree = cKDTree(dem)
    hits = tree.query_ball_point(cand, radius, return_sorted=True)
    lengths = np.fromiter((len(h) for h in hits), np.int64, n_candidates)
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    indices = (np.concatenate([np.asarray(h, np.int32) for h in hits])
               if indptr[-1] else np.zeros(0, np.int32))
    data = np.ones(indptr[-1], dtype=bool)
    matrix = sp.csr_matrix((data, indices, indptr), shape=(n_candidates, n_demand))
    return SyntheticInstance(matrix, weights, cand, dem, radius, seed)
