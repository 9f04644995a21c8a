"""Covering solvers for BTS siting: maximal covering and set covering, exact or greedy.

Both work on a boolean coverage matrix (candidates × demand cells, scipy.sparse) with
demand weights (people), optional candidate costs (VND) and fixed (existing) sites that
are always in the solution and whose coverage counts as already there.

How the exact method reaches a certified answer at province scale:

1. exact reductions (:mod:`geotel.siting._prep`): covered / empty demand removed,
   demand cells with the same covering set merged, dominated candidates dropped;
2. greedy with exact marginal gains (cost-benefit ratio and best single site under a
   budget: the (1 - 1/e)/2 guarantee of Khuller, Moss & Naor 1999), then 1-for-1 swaps;
3. an upper bound from the Lagrangian (= LP) dual, optimised by accelerated gradient
   on a smoothed dual and certified by the exact Lagrangian value;
4. sites fixed in or out by that bound, then HiGHS on what is left, warm-started from
   the incumbent; when too much is left to prove, HiGHS searches a neighbourhood of the
   incumbent instead (its solution is feasible; the bound stays the Lagrangian one).

The gap is always ``(bound - objective) / bound`` against a proven bound.

Examples
--------
>>> from geotel.siting._synthetic import synthetic_instance
>>> inst = synthetic_instance(60, 600, seed=3)
>>> res = maximal_covering(inst.matrix, inst.demand, k=5, method="exact")
>>> res.status, len(res.selected), res.gap <= 1e-4
('optimal', 5, True)
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import scipy.sparse as sp

from geotel.config import SitingConfig
from geotel.errors import InputError, SolverError, ValueRangeError
from geotel.siting import _bounds, _greedy
from geotel.siting._highs import solve_covering_mip
from geotel.siting._prep import Prepared, check_inputs, prepare

__all__ = ["SitingResult", "maximal_covering", "set_covering"]

log = logging.getLogger(__name__)

Method = Literal["exact", "greedy"]
Status = Literal["optimal", "within_gap", "time_limit", "heuristic"]

#: Relative gap under which a solution counts as optimal (HiGHS's default mip_rel_gap).
GAP_TOL = 1e-4
#: Most free candidates for which HiGHS is asked to prove optimality of the whole rest.
_MIP_FULL_MAX = 1_200


@dataclass(frozen=True)
class SitingResult:
    """A covering solution with its proven bound.

    Attributes
    ----------
    problem
        ``"maximal_covering"`` or ``"set_covering"``.
    method
        ``"exact"`` or ``"greedy"``.
    selected
        New sites (row positions in the matrix), best first: in order of marginal gain
        (gain per VND when costs were given) on top of the fixed sites and the sites
        before them.
    marginal_gain
        Demand each selected site adds, in that order.
    cost_vnd
        Cost of each selected site (NaN when no costs were given).
    fixed
        The fixed sites.
    covered
        Demand covered by the fixed and the selected sites.
    total_demand
        Sum of all demand weights.
    objective, bound
        The optimised value and a proven bound on it: covered demand and an upper
        bound (maximal covering); number of new sites, or their cost, and a lower
        bound (set covering).
    gap
        Relative certified gap: ``|objective - bound| / max(|objective|, |bound|)``.
    status
        ``"optimal"`` (gap <= 1e-4), ``"within_gap"`` (exact method stopped once the
        certified gap reached ``mip_gap_pct``), ``"time_limit"`` (exact method stopped
        by the time limit) or ``"heuristic"`` (greedy method, gap as certified).
    solve_time_s
        Wall time of the whole call.
    stats
        Sizes after each reduction and the time of each step.
    """

    problem: Literal["maximal_covering", "set_covering"]
    method: Method
    selected: tuple[int, ...]
    marginal_gain: tuple[float, ...]
    cost_vnd: tuple[float, ...]
    fixed: tuple[int, ...]
    covered: float
    total_demand: float
    objective: float
    bound: float
    gap: float
    status: Status
    solve_time_s: float
    stats: Mapping[str, float] = field(default_factory=dict)

    @property
    def covered_pct(self) -> float:
        """Share of the total demand covered, in percent."""
        return 100.0 * self.covered / self.total_demand if self.total_demand > 0 else 0.0

    @property
    def total_cost_vnd(self) -> float:
        """Cost of the new sites (NaN when no costs were given)."""
        return float(np.sum(self.cost_vnd)) if self.cost_vnd else 0.0

    @property
    def upper_bound(self) -> float:
        """Proven upper bound on covered demand (maximal covering only, else NaN)."""
        return self.bound if self.problem == "maximal_covering" else math.nan


# --------------------------------------------------------------------------- helpers


def _csr(prep: Prepared) -> sp.csr_matrix:
    data = np.ones(prep.c_idx.size)
    return sp.csr_matrix((data, prep.c_idx, prep.c_ptr), shape=(prep.n, prep.m))


def _value(prep: Prepared, sel: np.ndarray) -> float:
    cnt, _ = _greedy.init_state(prep.c_ptr, prep.c_idx, prep.w, sel)
    return float(prep.w[cnt > 0].sum())


def _order(prep: Prepared, sel: np.ndarray, *, by_ratio: bool) -> tuple[np.ndarray, np.ndarray]:
    """Selected sites (reduced indices) in greedy order, with their marginal gains."""
    chosen = np.flatnonzero(sel)
    if chosen.size == 0:
        return chosen, np.zeros(0)
    # greedy on the rows of the chosen sites only
    rows = _csr(prep)[chosen]
    sub_ptr = rows.indptr.astype(np.int64)
    sub_idx = rows.indices.astype(np.int64)
    tt = rows.T.tocsr()
    order, gains = _greedy.greedy(sub_ptr, sub_idx, tt.indptr.astype(np.int64),
                                  tt.indices.astype(np.int64), prep.w, prep.cost[chosen],
                                  np.zeros(chosen.size, bool), chosen.size, np.inf, by_ratio)
    rest = np.setdiff1d(np.arange(chosen.size), order)  # zero-gain sites, kept last
    full = np.concatenate([order, rest])
    gains = np.concatenate([gains, np.zeros(rest.size)])
    return chosen[full], gains


def _result(
    problem: Literal["maximal_covering", "set_covering"],
    method: Method,
    prep: Prepared,
    sel: np.ndarray,
    *,
    objective: float,
    bound: float,
    status: Status,
    costs: np.ndarray | None,
    t0: float,
    stats: dict[str, float],
    tol: float = GAP_TOL,
) -> SitingResult:
    order, gains = _order(prep, sel, by_ratio=costs is not None)
    selected = prep.cand_map[order]
    cost = (tuple(float(c) for c in costs[selected]) if costs is not None
            else tuple(math.nan for _ in selected))
    covered = prep.base_covered + float(gains.sum())
    den = max(abs(objective), abs(bound))
    gap = abs(bound - objective) / den if den > 0 else 0.0
    if gap <= GAP_TOL:
        status = "optimal"
    elif status == "time_limit" and gap <= tol:
        status = "within_gap"
    stats = {**prep.stats, **stats}
    return SitingResult(
        problem=problem, method=method, selected=tuple(int(s) for s in selected),
        marginal_gain=tuple(float(g) for g in gains), cost_vnd=cost,
        fixed=tuple(int(f) for f in prep.fixed), covered=covered, total_demand=prep.total,
        objective=float(objective), bound=float(bound), gap=float(gap), status=status,
        solve_time_s=time.perf_counter() - t0, stats=stats,
    )


def _check_method(method: str, time_limit_s: float, mip_gap_pct: float) -> float:
    """Check the common options; return the relative gap tolerance."""
    if method not in ("exact", "greedy"):
        raise ValueRangeError(f"method {method!r} is not 'exact' or 'greedy'",
                              column="method", fix="use method='exact' or method='greedy'")
    if not (time_limit_s > 0):
        raise ValueRangeError(f"time_limit_s = {time_limit_s!r} must be > 0",
                              column="time_limit_s", fix="give a positive number of seconds")
    if not (0 <= mip_gap_pct < 100):
        raise ValueRangeError(f"mip_gap_pct = {mip_gap_pct!r} is outside [0, 100)",
                              column="mip_gap_pct",
                              fix="give a percentage, e.g. 1.0 (or 0.01 for a proof)")
    return max(float(mip_gap_pct) / 100.0, GAP_TOL)


def _heuristic(prep: Prepared, *, k: int, budget: float, use_budget: bool,
               stats: dict[str, float]) -> np.ndarray:
    """Greedy (+ best single under a budget), then swap local search."""
    p = prep
    t = time.perf_counter()
    if use_budget:
        best_sel, best_val = np.zeros(p.n, bool), -1.0
        for ratio in (True, False):
            s = np.zeros(p.n, bool)
            _greedy.greedy(p.c_ptr, p.c_idx, p.d_ptr, p.d_idx, p.w, p.cost, s, p.n, budget,
                           ratio)
            v = _value(p, s)
            if v > best_val:
                best_sel, best_val = s, v
        single = np.diff(p.c_ptr).astype(float)
        gain1 = np.add.reduceat(p.w[p.c_idx], p.c_ptr[:-1]) if p.c_idx.size else single
        afford = p.cost <= budget * (1 + 1e-12)
        if afford.any():
            i = int(np.flatnonzero(afford)[np.argmax(gain1[afford])])
            if gain1[i] > best_val:
                best_sel = np.zeros(p.n, bool)
                best_sel[i] = True
        sel = best_sel
    else:
        sel = np.zeros(p.n, bool)
        _greedy.greedy(p.c_ptr, p.c_idx, p.d_ptr, p.d_idx, p.w, p.cost, sel, k, np.inf, False)
    stats["greedy_s"] = time.perf_counter() - t
    stats["greedy_value"] = _value(p, sel)
    t = time.perf_counter()
    cost = p.cost if use_budget else np.ones(p.n)
    cap = budget if use_budget else float(k)
    stats["swap_moves"] = int(_greedy.local_search(p.c_ptr, p.c_idx, p.d_ptr, p.d_idx, p.w,
                                                   cost, sel, np.ones(p.n, bool), cap, 10_000))
    stats["local_search_s"] = time.perf_counter() - t
    return sel


# --------------------------------------------------------------------------- public API


def maximal_covering(
    matrix: sp.spmatrix | np.ndarray,
    demand: np.ndarray,
    *,
    k: int | None = None,
    budget_vnd: float | None = None,
    costs_vnd: np.ndarray | None = None,
    fixed: np.ndarray | list[int] | None = None,
    method: Method = SitingConfig.method,
    time_limit_s: float = SitingConfig.time_limit_s,
    mip_gap_pct: float = SitingConfig.mip_gap_pct,
) -> SitingResult:
    """Choose new sites that cover the most demand: at most ``k`` sites or within a budget.

    Parameters
    ----------
    matrix
        Boolean coverage matrix, candidates × demand cells (scipy.sparse or dense).
    demand
        Weight of each demand cell (people), >= 0.
    k
        Number of new sites (not counting the fixed ones).
    budget_vnd
        Budget for the new sites, in VND; needs ``costs_vnd``. Give ``k`` or the budget
        (not both).
    costs_vnd
        Cost of each candidate (VND, > 0). The fixed sites cost nothing more.
    fixed
        Existing sites (row indices or a boolean mask), always kept.
    method
        ``"exact"``: certify with the bound and HiGHS within ``time_limit_s``;
        ``"greedy"``: greedy + swaps, with the bound computed in a quarter of the time.
    time_limit_s
        Wall-time budget of the whole call (seconds).
    mip_gap_pct
        The exact method stops as soon as its certified gap is at most this (percent);
        the default 0.01 % counts as proven optimal.

    Returns
    -------
    SitingResult
        ``objective`` = covered demand, ``bound`` = proven upper bound.

    Raises
    ------
    InputError
        Bad matrix, demand, costs or indices; neither or both of ``k`` and
        ``budget_vnd``; a budget without costs.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> a = sp.csr_matrix(np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]], bool))
    >>> res = maximal_covering(a, np.array([10, 1, 10, 5.0]), k=2)
    >>> res.selected, res.covered, res.status
    ((2, 0), 26.0, 'optimal')
    """
    t0 = time.perf_counter()
    tol = _check_method(method, time_limit_s, mip_gap_pct)
    if (k is None) == (budget_vnd is None):
        raise InputError("give exactly one of k (number of new sites) and budget_vnd",
                         column="k", fix="e.g. k=50, or budget_vnd=60e9 with costs_vnd")
    use_budget = budget_vnd is not None
    if use_budget and costs_vnd is None:
        raise InputError("budget_vnd needs costs_vnd (the cost of every candidate)",
                         column="costs_vnd", fix="pass costs_vnd, or use k= instead")
    if k is not None and (int(k) != k or k < 0):
        raise ValueRangeError(f"k = {k!r} is not a whole number >= 0", column="k",
                              fix="give the number of new sites, e.g. k=50")
    if budget_vnd is not None and not (budget_vnd >= 0 and math.isfinite(budget_vnd)):
        raise ValueRangeError(f"budget_vnd = {budget_vnd!r} is not a number >= 0",
                              column="budget_vnd", fix="give the budget in VND")
    a, w, costs, fx = check_inputs(matrix, demand, costs_vnd, fixed)
    budget = float(budget_vnd) if budget_vnd is not None else math.inf
    kk = int(k) if k is not None else a.shape[0]
    t = time.perf_counter()
    prep = prepare(a, w, costs if use_budget else None, fx, max_cost=budget)
    stats: dict[str, float] = {"prepare_s": time.perf_counter() - t}
    if prep.n == 0 or kk == 0 or prep.m == 0:
        val = prep.base_covered
        return _result("maximal_covering", method, prep, np.zeros(prep.n, bool),
                       objective=val, bound=val, status="optimal", costs=costs, t0=t0,
                       stats=stats)
    sel = _heuristic(prep, k=kk, budget=budget, use_budget=use_budget, stats=stats)
    inc = _value(prep, sel)
    share = 0.25 if method == "greedy" else 0.35
    t = time.perf_counter()
    remaining = time_limit_s - (t - t0)
    lb = _bounds.smoothed_bound(_csr(prep), prep.w, prep.cost, k=kk, budget=budget,
                                use_budget=use_budget, incumbent=inc,
                                time_limit_s=max(remaining * share, 0.05),
                                target_gap=tol / 2)
    bound = lb.bound
    stats["bound_s"] = time.perf_counter() - t
    stats["lagrangian_bound"] = prep.base_covered + bound
    status: Status = "heuristic" if method == "greedy" else "time_limit"
    if method == "exact" and not _within(prep.base_covered + inc,
                                         prep.base_covered + bound, tol):
        sel, inc, bound = _exact_phase(prep, sel, inc, lb, k=kk, budget=budget,
                                       use_budget=use_budget, base=prep.base_covered,
                                       tol=tol, deadline=t0 + time_limit_s, stats=stats)
    return _result("maximal_covering", method, prep, sel,
                   objective=prep.base_covered + inc, bound=prep.base_covered + bound,
                   status=status, costs=costs, t0=t0, stats=stats, tol=tol)


def _within(objective: float, bound: float, tol: float) -> bool:
    """The certified gap, as :class:`SitingResult` reports it, is at most ``tol``."""
    den = max(abs(objective), abs(bound))
    return den == 0 or abs(bound - objective) / den <= tol


def _exact_phase(
    prep: Prepared,
    sel: np.ndarray,
    inc: float,
    lb: _bounds.LagrangianBound,
    *,
    k: int,
    budget: float,
    use_budget: bool,
    base: float,
    tol: float,
    deadline: float,
    stats: dict[str, float],
) -> tuple[np.ndarray, float, float]:
    """Fix sites by the bound, then HiGHS (whole rest, or a neighbourhood).

    ``inc`` and ``bound`` exclude ``base`` (demand the fixed sites cover); the gap
    tolerance ``tol`` applies to the totals, as reported."""
    bound = lb.bound
    lower = np.zeros(prep.n)
    upper = np.ones(prep.n)
    if not use_budget:
        out, into = _bounds.fix_by_bound(lb.scores, bound, inc, k=k)
        upper[out] = 0.0
        lower[into] = 1.0
        stats["fixed_out"] = int(out.sum())
        stats["fixed_in"] = int(into.sum())
    free = int((upper > lower).sum())
    stats["mip_free_candidates"] = free
    resource = prep.cost if use_budget else np.ones(prep.n)
    cap = budget if use_budget else float(k)
    t = time.perf_counter()
    if free <= _MIP_FULL_MAX:
        res = solve_covering_mip(prep.c_ptr, prep.c_idx, prep.w, sense="max",
                                 resource=resource, resource_max=cap, target_covered=None,
                                 lower=lower, upper=upper, start=sel.astype(float),
                                 time_limit_s=deadline - time.perf_counter(),
                                 mip_rel_gap=tol / 2)
        stats["mip_s"] = time.perf_counter() - t
        stats["mip_status"] = res.status  # type: ignore[assignment]
        if res.x is not None and res.objective > inc:
            sel = res.x > 0.5
            inc = _value(prep, sel)
        if math.isfinite(res.bound):
            # solutions better than the incumbent all lie in the reduced problem
            bound = min(bound, max(inc, res.bound))
        return sel, inc, bound
    # Too large to prove: iterated local search for a better incumbent, then the bound
    # again with the multipliers found so far.
    movable = np.ones(prep.n, bool)
    cost = prep.cost.copy() if use_budget else np.ones(prep.n)
    reserve = 0.15 * (deadline - time.perf_counter())
    seed = 0
    while time.perf_counter() < deadline - reserve and not _within(base + inc, base + bound,
                                                                     tol):
        inc = _greedy.perturb_search(prep.c_ptr, prep.c_idx, prep.d_ptr, prep.d_idx, prep.w,
                                     cost, sel, movable, budget if use_budget else math.inf,
                                     k if not use_budget else prep.n, use_budget, 10, 20, seed)
        seed += 1
    stats["perturb_rounds"] = seed * 20
    stats["perturb_s"] = time.perf_counter() - t
    left = deadline - time.perf_counter()
    if left > 0.5 and not _within(base + inc, base + bound, tol):
        t = time.perf_counter()
        lb2 = _bounds.smoothed_bound(_csr(prep), prep.w, prep.cost, k=k, budget=budget,
                                     use_budget=use_budget, incumbent=inc,
                                     time_limit_s=left * 0.9, lam0=lb.lam,
                                     target_gap=tol / 2, eps0=1e-4)
        bound = min(bound, lb2.bound)
        stats["bound_s"] = stats.get("bound_s", 0.0) + time.perf_counter() - t
    return sel, inc, bound


def set_covering(
    matrix: sp.spmatrix | np.ndarray,
    demand: np.ndarray,
    *,
    target_pct: float,
    costs_vnd: np.ndarray | None = None,
    fixed: np.ndarray | list[int] | None = None,
    already_covered: float = 0.0,
    method: Method = SitingConfig.method,
    time_limit_s: float = SitingConfig.time_limit_s,
    mip_gap_pct: float = SitingConfig.mip_gap_pct,
) -> SitingResult:
    """The fewest new sites (or the cheapest, with costs) covering ``target_pct`` of demand.

    Parameters
    ----------
    matrix, demand, costs_vnd, fixed, method, time_limit_s, mip_gap_pct
        As in :func:`maximal_covering`.
    target_pct
        Share of the population to reach, in percent, counting the fixed sites'
        coverage and ``already_covered``.
    already_covered
        People already covered outside the matrix (e.g. cells served by existing sites
        that were left out of the demand); they count towards the target and the total.

    Returns
    -------
    SitingResult
        ``objective`` = number of new sites (or their cost), ``bound`` = proven lower
        bound; ``covered`` includes ``already_covered``.

    Raises
    ------
    SolverError
        The target cannot be reached even with every candidate.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> a = sp.csr_matrix(np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]], bool))
    >>> res = set_covering(a, np.array([10, 1, 10, 5.0]), target_pct=100)
    >>> res.selected, res.objective
    ((2, 0), 2.0)
    """
    t0 = time.perf_counter()
    tol = _check_method(method, time_limit_s, mip_gap_pct)
    if not (0 <= target_pct <= 100):
        raise ValueRangeError(f"target_pct = {target_pct!r} is outside 0–100",
                              column="target_pct", fix="give a percentage, e.g. 95")
    if already_covered < 0:
        raise ValueRangeError("already_covered must be >= 0", column="already_covered",
                              fix="give the number of people already covered")
    a, w, costs, fx = check_inputs(matrix, demand, costs_vnd, fixed)
    t = time.perf_counter()
    prep = prepare(a, w, costs, fx)
    stats: dict[str, float] = {"prepare_s": time.perf_counter() - t}
    total = prep.total + already_covered
    need = target_pct / 100.0 * total * (1 - 1e-12) - already_covered - prep.base_covered
    reachable = float(prep.w.sum())
    if need > reachable:
        best = 100.0 * (already_covered + prep.base_covered + reachable) / total
        raise SolverError(
            f"set covering: {target_pct:g}% of the population cannot be reached; all "
            f"{prep.n_candidates} candidates together cover {best:.2f}%",
            )
    prep.total = total
    prep.base_covered += already_covered
    if need <= 0:
        return _result("set_covering", method, prep, np.zeros(prep.n, bool), objective=0.0,
                       bound=0.0, status="optimal", costs=costs, t0=t0, stats=stats)
    use_cost = costs is not None
    unit = prep.cost if use_cost else np.ones(prep.n)
    # greedy until the target is met, then drop sites that are not needed
    t = time.perf_counter()
    sel = np.zeros(prep.n, bool)
    order, gains = _greedy.greedy(prep.c_ptr, prep.c_idx, prep.d_ptr, prep.d_idx, prep.w, unit,
                                  sel, prep.n, np.inf, use_cost)
    reach = np.searchsorted(np.cumsum(gains), need * (1 - 1e-12))
    sel[:] = False
    sel[order[: reach + 1]] = True
    for i in order[: reach + 1][::-1]:
        sel[i] = False
        if _value(prep, sel) < need * (1 - 1e-12):
            sel[i] = True
    stats["greedy_s"] = time.perf_counter() - t
    obj = float(unit[sel].sum())
    bound = _cover_lower_bound(prep, sel, need, unit, use_cost,
                               time_limit_s * (0.25 if method == "greedy" else 0.4), stats)
    status: Status = "heuristic" if method == "greedy" else "time_limit"
    if method == "exact" and obj > bound * (1 + tol) + 1e-9:
        t = time.perf_counter()
        res = solve_covering_mip(prep.c_ptr, prep.c_idx, prep.w, sense="min", resource=unit,
                                 resource_max=None, target_covered=need, start=sel.astype(float),
                                 time_limit_s=max(t0 + time_limit_s - t, 0.1),
                                 mip_rel_gap=tol / 2)
        stats["mip_s"] = time.perf_counter() - t
        if res.x is not None and res.objective < obj - 1e-9:
            cand = res.x > 0.5
            if _value(prep, cand) >= need * (1 - 1e-9):
                sel, obj = cand, float(unit[cand].sum())
        if math.isfinite(res.bound):
            bound = max(bound, res.bound)
        if not use_cost:
            bound = math.ceil(bound - 1e-6)
    return _result("set_covering", method, prep, sel, objective=obj, bound=min(bound, obj),
                   status=status, costs=costs, t0=t0, stats=stats, tol=tol)


def _cover_lower_bound(prep: Prepared, sel: np.ndarray, need: float, unit: np.ndarray,
                       use_cost: bool, time_s: float, stats: dict[str, float]) -> float:
    """Lower bound on the sites needed: largest k whose covering bound misses the target."""
    t = time.perf_counter()
    if use_cost:
        res = solve_covering_mip(prep.c_ptr, prep.c_idx, prep.w, sense="min", resource=unit,
                                 resource_max=None, target_covered=need, relax=True,
                                 time_limit_s=max(time_s, 0.1))
        stats["bound_s"] = time.perf_counter() - t
        return res.objective if math.isfinite(res.objective) else 0.0
    a = _csr(prep)
    lo, hi = 0, int(sel.sum())  # opt > lo is proven; opt <= hi is known
    lam = None
    while hi - lo > 1 and time.perf_counter() - t < time_s:
        mid = (lo + hi) // 2
        b = _bounds.smoothed_bound(a, prep.w, prep.cost, k=mid, budget=math.inf,
                                   use_budget=False, incumbent=need * (1 - 1e-9),
                                   time_limit_s=max((time_s - (time.perf_counter() - t)) / 4,
                                                    0.05),
                                   lam0=lam, target_gap=0.0)
        lam = b.lam
        if b.bound < need * (1 - 1e-9):
            lo = mid
        else:
            hi = mid  # not proven; assume feasible for the search
    stats["bound_s"] = time.perf_counter() - t
    return float(lo + 1) if lo + 1 <= int(sel.sum()) else float(sel.sum())
