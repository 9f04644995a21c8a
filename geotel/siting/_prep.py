"""Input checks and the exact reductions applied before any covering solver runs.

1. Demand already covered by a fixed (existing) site, with zero weight, or that no free
   candidate covers is taken out (its weight is a constant of the objective).
2. Demand cells covered by the same set of candidates are merged, weights summed
   (two independent 64-bit hashes of the set, plus its size, as the key).
3. A candidate whose covered set is contained in another's, at no lower cost, is
   dropped: some optimal solution never needs it. Identical sets keep the lowest index.

None of these changes the optimum; the solvers map their answers back through
:attr:`Prepared.cand_map`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numba import njit

from geotel.errors import InputError, ValueRangeError

__all__ = ["Prepared", "check_inputs", "prepare"]


@dataclass
class Prepared:
    """The reduced instance and how to map it back to the caller's indices."""

    c_ptr: np.ndarray
    c_idx: np.ndarray
    d_ptr: np.ndarray
    d_idx: np.ndarray
    w: np.ndarray
    cost: np.ndarray
    cand_map: np.ndarray
    n_candidates: int
    n_demand: int
    total: float
    base_covered: float
    uncoverable: float
    fixed: np.ndarray
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return self.c_ptr.size - 1

    @property
    def m(self) -> int:
        return self.w.size


def check_inputs(
    matrix: object,
    demand: object,
    costs_vnd: object | None,
    fixed: object | None,
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray | None, np.ndarray]:
    """Validate and normalise the solver inputs; raise InputError naming the fix."""
    if sp.issparse(matrix):
        a = sp.csr_matrix(matrix)
    else:
        arr = np.asarray(matrix)
        if arr.ndim != 2:
            raise InputError(
                f"the coverage matrix must be 2-D (candidates × demand), got shape {arr.shape}",
                column="matrix", fix="pass a scipy.sparse matrix with one row per candidate")
        a = sp.csr_matrix(arr)
    n, m = a.shape
    if n == 0 or m == 0:
        raise InputError(
            f"the coverage matrix is empty ({n} candidates × {m} demand cells)",
            column="matrix",
            fix="give at least one candidate site and one demand cell "
                "(check the candidate rules and the study area)")
    a = a.astype(bool)
    a.eliminate_zeros()
    a.sum_duplicates()
    a.sort_indices()
    w = np.asarray(demand, dtype=np.float64).ravel()
    if w.shape != (m,):
        raise InputError(
            f"demand has {w.size} values but the matrix has {m} demand columns",
            column="demand", fix="give one weight (population) per matrix column")
    if not np.all(np.isfinite(w)) or (w < 0).any():
        bad = int(np.flatnonzero(~np.isfinite(w) | (w < 0))[0])
        raise ValueRangeError(
            f"demand weight {w[bad]!r} at column {bad} is negative or not finite",
            column="demand", feature=str(bad), fix="use populations >= 0")
    costs = None
    if costs_vnd is not None:
        costs = np.asarray(costs_vnd, dtype=np.float64).ravel()
        if costs.shape != (n,):
            raise InputError(
                f"costs_vnd has {costs.size} values but the matrix has {n} candidates",
                column="costs_vnd", fix="give one cost per matrix row")
        if not np.all(np.isfinite(costs)) or (costs <= 0).any():
            bad = int(np.flatnonzero(~np.isfinite(costs) | (costs <= 0))[0])
            raise ValueRangeError(
                f"cost {costs[bad]!r} of candidate {bad} is not a positive number",
                column="costs_vnd", feature=str(bad), fix="use costs in VND > 0")
    fx = np.zeros(0, np.int64) if fixed is None else np.asarray(fixed).ravel()
    if fx.dtype == bool:
        if fx.size != n:
            raise InputError(f"a boolean 'fixed' mask needs {n} values, got {fx.size}",
                             column="fixed", fix="give indices or a mask of matrix rows")
        fx = np.flatnonzero(fx)
    fx = fx.astype(np.int64)
    if fx.size and (fx.min() < 0 or fx.max() >= n):
        raise ValueRangeError(
            f"fixed site index {int(fx[(fx < 0) | (fx >= n)][0])} is outside 0..{n - 1}",
            column="fixed", fix="give row positions of the coverage matrix")
    return a, w, costs, np.unique(fx)


def _column_groups(a_csc: sp.csc_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Group id per column (identical row sets share one) and a representative per group."""
    n, _m = a_csc.shape
    rng = np.random.default_rng(12345)
    r1 = rng.integers(1, 2**63 - 1, n, dtype=np.int64).view(np.uint64)
    r2 = rng.integers(1, 2**63 - 1, n, dtype=np.int64).view(np.uint64)
    deg = np.diff(a_csc.indptr)
    starts = a_csc.indptr[:-1]
    with np.errstate(over="ignore"):
        h1 = np.add.reduceat(r1[a_csc.indices], starts)
        h2 = np.add.reduceat(r2[a_csc.indices], starts)
    key = np.stack([h1, h2, deg.astype(np.uint64)], axis=1)
    _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    return inverse.ravel(), first


@njit(cache=True)
def _dominated_kernel(c_ptr, c_idx, d_ptr, d_idx, cost):  # pragma: no cover - numba
    n = c_ptr.size - 1
    m = d_ptr.size - 1
    out = np.zeros(n, np.bool_)
    mark = np.zeros(m, np.int64)
    stamp = 0
    for i in range(n):
        # only candidates covering i's least-covered demand can contain i's set
        jmin = -1
        for p in range(c_ptr[i], c_ptr[i + 1]):
            j = c_idx[p]
            if jmin < 0 or d_ptr[j + 1] - d_ptr[j] < d_ptr[jmin + 1] - d_ptr[jmin]:
                jmin = j
        if jmin < 0:
            continue
        size_i = c_ptr[i + 1] - c_ptr[i]
        for q in range(d_ptr[jmin], d_ptr[jmin + 1]):
            t = d_idx[q]
            if t == i or cost[t] > cost[i]:
                continue
            size_t = c_ptr[t + 1] - c_ptr[t]
            if size_t < size_i:
                continue
            if not (size_t > size_i or cost[t] < cost[i] or t < i):
                continue
            stamp += 1
            for p in range(c_ptr[t], c_ptr[t + 1]):
                mark[c_idx[p]] = stamp
            inside = True
            for p in range(c_ptr[i], c_ptr[i + 1]):
                if mark[c_idx[p]] != stamp:
                    inside = False
                    break
            if inside:
                out[i] = True
                break
    return out


def _dominated(a: sp.csr_matrix, cost: np.ndarray) -> np.ndarray:
    """Mask of candidates whose set is inside another's at no lower cost."""
    at = a.T.tocsr()
    return _dominated_kernel(a.indptr.astype(np.int64), a.indices.astype(np.int64),
                             at.indptr.astype(np.int64), at.indices.astype(np.int64),
                             cost.astype(np.float64))


def prepare(
    a: sp.csr_matrix,
    w: np.ndarray,
    costs: np.ndarray | None,
    fixed: np.ndarray,
    *,
    max_cost: float = np.inf,
    reduce: bool = True,
) -> Prepared:
    """Reduce an instance; ``max_cost`` drops candidates that can never fit the budget."""
    n, m = a.shape
    cost = np.ones(n) if costs is None else costs
    total = float(w.sum())
    is_fixed = np.zeros(n, bool)
    is_fixed[fixed] = True
    covered_fixed = np.zeros(m, bool)
    if fixed.size:
        covered_fixed[a[fixed].indices] = True
    base_covered = float(w[covered_fixed].sum())
    free = ~is_fixed & (cost <= max_cost * (1 + 1e-12))
    a_free = a[np.flatnonzero(free)]
    reach = np.zeros(m, bool)
    reach[a_free.indices] = True
    keep_d = reach & ~covered_fixed & (w > 0)
    uncoverable = float(w[~reach & ~covered_fixed].sum())
    sub = a_free[:, np.flatnonzero(keep_d)].tocsr()
    cand = np.flatnonzero(free)
    wk = w[keep_d]
    stats: dict[str, float] = {"candidates_in": n, "demand_in": m}
    # candidates covering nothing useful
    useful = np.diff(sub.indptr) > 0
    sub, cand = sub[np.flatnonzero(useful)], cand[useful]
    if reduce and sub.shape[1]:
        inverse, first = _column_groups(sub.tocsc())
        wk = np.bincount(inverse, weights=wk, minlength=first.size)
        sub = sub[:, first].tocsr()
        dom = _dominated(sub, cost[cand])
        sub, cand = sub[np.flatnonzero(~dom)], cand[~dom]
        stats["dominated_dropped"] = int(dom.sum())
    sub.sort_indices()
    subt = sub.T.tocsr()
    subt.sort_indices()
    stats.update(candidates=sub.shape[0], demand=sub.shape[1])
    return Prepared(
        c_ptr=sub.indptr.astype(np.int64), c_idx=sub.indices.astype(np.int64),
        d_ptr=subt.indptr.astype(np.int64), d_idx=subt.indices.astype(np.int64),
        w=np.ascontiguousarray(wk, np.float64), cost=np.ascontiguousarray(cost[cand], np.float64),
        cand_map=cand, n_candidates=n, n_demand=m, total=total, base_covered=base_covered,
        uncoverable=uncoverable, fixed=fixed, stats=stats,
    )
