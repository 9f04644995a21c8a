"""Candidate screening on a coarse matrix, and site ordering by marginal gain (private).

Screening keeps the candidates that a greedy *cover* of the coarse (screening) matrix
picks: repeatedly the candidate adding the most uncovered people, until nobody more can
be added or ``max_sites`` are kept. Together they cover everyone the whole candidate set
covers on the coarse grid, and they come best first, so a cap drops the least useful.
With costs a second greedy cover by people per VND is interleaved with the first, so
that cheap sites (co-locations, short backhaul) are not screened out of a budget
problem. Dominated candidates (a subset of another's coverage at no lower cost) never
enter a cover: some optimal solution does without them.
"""

from __future__ import annotations

import itertools

import numpy as np
import scipy.sparse as sp

from geotel.siting import _greedy
from geotel.siting._prep import prepare

__all__ = ["order_by_gain", "shortlist"]


def _csr_pair(a: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    a = sp.csr_matrix(a, dtype=bool)
    a.sum_duplicates()
    a.sort_indices()
    at = a.T.tocsr()
    at.sort_indices()
    return (a.indptr.astype(np.int64), a.indices.astype(np.int64),
            at.indptr.astype(np.int64), at.indices.astype(np.int64))


def shortlist(matrix: sp.csr_matrix, demand: np.ndarray, *, max_sites: int,
              costs_vnd: np.ndarray | None = None) -> np.ndarray:
    """Rows of ``matrix`` kept by the greedy cover(s), best first (at most ``max_sites``)."""
    n, m = matrix.shape
    if n == 0 or m == 0 or max_sites <= 0:
        return np.zeros(0, np.int64)
    a = sp.csr_matrix(matrix, dtype=bool)
    w = np.asarray(demand, np.float64)
    prep = prepare(a, w, costs_vnd, np.zeros(0, np.int64))
    if prep.n == 0:
        return np.zeros(0, np.int64)
    runs = [False] if costs_vnd is None else [False, True]
    orders = []
    for by_ratio in runs:
        order, _ = _greedy.greedy(prep.c_ptr, prep.c_idx, prep.d_ptr, prep.d_idx, prep.w,
                                  prep.cost, np.zeros(prep.n, bool), prep.n, np.inf, by_ratio)
        orders.append(prep.cand_map[order])
    # interleave the covers, first occurrence wins
    kept: dict[int, None] = {}
    for group in itertools.zip_longest(*orders):
        for i in group:
            if i is not None:
                kept.setdefault(int(i))
        if len(kept) >= max_sites:
            break
    return np.fromiter(kept, np.int64, len(kept))[:max_sites]


def order_by_gain(matrix: sp.csr_matrix, demand: np.ndarray, *,
                  costs_vnd: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """All rows in greedy order of marginal gain (per VND with costs), with the gains.

    Rows adding nothing come last, in their original order, with gain 0.
    """
    n = matrix.shape[0]
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0)
    c_ptr, c_idx, d_ptr, d_idx = _csr_pair(matrix)
    w = np.ascontiguousarray(demand, np.float64)
    cost = np.ones(n) if costs_vnd is None else np.ascontiguousarray(costs_vnd, np.float64)
    order, gains = _greedy.greedy(c_ptr, c_idx, d_ptr, d_idx, w, cost, np.zeros(n, bool), n,
                                  np.inf, costs_vnd is not None)
    rest = np.setdiff1d(np.arange(n), order)
    return (np.concatenate([order, rest]).astype(np.int64),
            np.concatenate([gains, np.zeros(rest.size)]))
