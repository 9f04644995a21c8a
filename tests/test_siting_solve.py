"""Covering solvers against brute force on tiny instances, plus their contracts."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from geotel.errors import InputError, SolverError, ValueRangeError
from geotel.siting._synthetic import synthetic_instance
from geotel.siting.solve import SitingResult, maximal_covering, set_covering


def _random(seed: int, n: int = 9, m: int = 30, density: float = 0.25):
    rng = np.random.default_rng(seed)
    a = rng.random((n, m)) < density
    w = rng.integers(0, 50, m).astype(float)
    cost = rng.integers(1, 6, n).astype(float) * 1e8
    return a, w, cost


def _covered(a: np.ndarray, w: np.ndarray, sites) -> float:
    sites = list(sites)
    if not sites:
        return 0.0
    return float(w[a[sites].any(axis=0)].sum())


def _brute_max(a, w, *, k=None, budget=None, cost=None, fixed=()):
    n = a.shape[0]
    free = [i for i in range(n) if i not in fixed]
    best = _covered(a, w, fixed)
    for r in range(1, len(free) + 1):
        if k is not None and r > k:
            break
        for sub in itertools.combinations(free, r):
            if budget is not None and cost[list(sub)].sum() > budget:
                continue
            best = max(best, _covered(a, w, [*fixed, *sub]))
    return best


def _brute_min(a, w, target, cost=None, fixed=()):
    n = a.shape[0]
    free = [i for i in range(n) if i not in fixed]
    best = np.inf
    for r in range(len(free) + 1):
        for sub in itertools.combinations(free, r):
            if _covered(a, w, [*fixed, *sub]) >= target - 1e-9:
                value = len(sub) if cost is None else cost[list(sub)].sum()
                best = min(best, value)
    return best


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [1, 2, 3])
def test_max_covering_k_matches_brute_force(seed: int, k: int) -> None:
    a, w, _ = _random(seed)
    best = _brute_max(a, w, k=k)
    # mip_gap_pct=0: ask for a proof (the config's default stops at a 1 % certified gap)
    exact = maximal_covering(sp.csr_matrix(a), w, k=k, method="exact", time_limit_s=10,
                             mip_gap_pct=0.0)
    assert exact.objective == pytest.approx(best)
    assert exact.status == "optimal"
    assert len(exact.selected) <= k
    assert _covered(a, w, exact.selected) == pytest.approx(exact.covered)
    greedy = maximal_covering(sp.csr_matrix(a), w, k=k, method="greedy", time_limit_s=10)
    assert greedy.objective <= best + 1e-9
    assert greedy.bound >= best - 1e-6  # the bound is proven
    assert greedy.gap >= 0


@pytest.mark.parametrize("seed", range(5))
def test_max_covering_with_fixed_sites(seed: int) -> None:
    a, w, _ = _random(seed + 10)
    fixed = [0, 4]
    best = _brute_max(a, w, k=2, fixed=fixed)
    res = maximal_covering(a, w, k=2, fixed=fixed, method="exact", time_limit_s=10)
    assert res.objective == pytest.approx(best)
    assert res.fixed == (0, 4)
    assert not set(res.selected) & set(fixed)
    assert _covered(a, w, [*fixed, *res.selected]) == pytest.approx(res.covered)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("method", ["exact", "greedy"])
def test_max_covering_budget(seed: int, method: str) -> None:
    a, w, cost = _random(seed + 20)
    budget = 6e8
    best = _brute_max(a, w, budget=budget, cost=cost)
    res = maximal_covering(a, w, budget_vnd=budget, costs_vnd=cost, method=method,
                           time_limit_s=10)
    assert res.total_cost_vnd <= budget
    assert sum(res.cost_vnd) == pytest.approx(cost[list(res.selected)].sum())
    if method == "exact":
        assert res.objective == pytest.approx(best)
    else:
        # Khuller-Moss-Naor: at least (1 - 1/e)/2 of the optimum
        assert res.objective >= 0.316 * best
        assert res.bound >= best - 1e-6


@pytest.mark.parametrize("seed", range(6))
def test_set_covering_matches_brute_force(seed: int) -> None:
    a, w, cost = _random(seed + 30)
    reach = _covered(a, w, range(a.shape[0]))
    target_pct = 90.0 * reach / w.sum()
    target = target_pct / 100 * w.sum()
    res = set_covering(a, w, target_pct=target_pct, method="exact", time_limit_s=10)
    assert res.objective == _brute_min(a, w, target)
    assert res.covered >= target - 1e-6
    assert res.status == "optimal"
    res_c = set_covering(a, w, target_pct=target_pct, costs_vnd=cost, method="exact",
                         time_limit_s=10)
    assert res_c.objective == pytest.approx(_brute_min(a, w, target, cost=cost))
    greedy = set_covering(a, w, target_pct=target_pct, method="greedy", time_limit_s=10)
    assert greedy.covered >= target - 1e-6
    assert greedy.bound <= res.objective <= greedy.objective


def test_set_covering_counts_fixed_and_already_covered() -> None:
    a = np.array([[1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], bool)
    w = np.array([10.0, 10.0, 10.0, 10.0])
    # fixed site 0 covers 50 %; 75 % needs one more site
    res = set_covering(a, w, target_pct=75, fixed=[0])
    assert res.objective == 1
    assert res.covered == 30
    # 40 people covered elsewhere: total 80, 75 % = 60 → fixed 20 + 40 already: none needed
    res = set_covering(a, w, target_pct=75, fixed=[0], already_covered=40)
    assert res.selected == ()
    assert res.covered == 60


def test_selected_in_order_of_gain_and_result_frozen() -> None:
    inst = synthetic_instance(40, 400, seed=5)
    res = maximal_covering(inst.matrix, inst.demand, k=6)
    assert isinstance(res, SitingResult)
    assert list(res.marginal_gain) == sorted(res.marginal_gain, reverse=True)
    assert sum(res.marginal_gain) == pytest.approx(res.covered)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.gap = 0.0  # type: ignore[misc]


def test_inputs_not_modified() -> None:
    inst = synthetic_instance(30, 300, seed=2)
    m0, d0 = inst.matrix.copy(), inst.demand.copy()
    costs = np.linspace(1e8, 2e8, 30)
    c0 = costs.copy()
    maximal_covering(inst.matrix, inst.demand, budget_vnd=5e8, costs_vnd=costs, fixed=[1])
    assert (inst.matrix != m0).nnz == 0
    np.testing.assert_array_equal(inst.demand, d0)
    np.testing.assert_array_equal(costs, c0)


def test_matches_exact_mip_on_medium_instance() -> None:
    inst = synthetic_instance(150, 1500, seed=7)
    exact = maximal_covering(inst.matrix, inst.demand, k=8, method="exact")
    greedy = maximal_covering(inst.matrix, inst.demand, k=8, method="greedy")
    assert exact.status == "optimal"
    assert greedy.objective <= exact.objective + 1e-6
    assert greedy.bound >= exact.objective - 1e-6


def test_nothing_to_gain_and_k_zero() -> None:
    a = np.array([[1, 1], [1, 0]], bool)
    w = np.array([5.0, 5.0])
    res = maximal_covering(a, w, k=1, fixed=[0])
    assert res.selected == ()
    assert res.covered == 10
    assert res.status == "optimal"
    res = maximal_covering(a, w, k=0)
    assert res.selected == ()
    assert res.covered == 0


def test_errors() -> None:
    a = np.array([[1, 0], [0, 1]], bool)
    w = np.array([1.0, 2.0])
    with pytest.raises(InputError, match="empty"):
        maximal_covering(sp.csr_matrix((0, 5), dtype=bool), np.zeros(5), k=1)
    with pytest.raises(InputError, match="exactly one"):
        maximal_covering(a, w)
    with pytest.raises(InputError, match="costs_vnd"):
        maximal_covering(a, w, budget_vnd=1e9)
    with pytest.raises(InputError, match="demand"):
        maximal_covering(a, np.array([1.0]), k=1)
    with pytest.raises(ValueRangeError):
        maximal_covering(a, np.array([1.0, -2.0]), k=1)
    with pytest.raises(ValueRangeError):
        maximal_covering(a, w, k=1, fixed=[5])
    with pytest.raises(ValueRangeError):
        maximal_covering(a, w, budget_vnd=1e9, costs_vnd=np.array([1e8, 0.0]))
    with pytest.raises(ValueRangeError):
        maximal_covering(a, w, k=1, method="magic")  # type: ignore[arg-type]
    with pytest.raises(ValueRangeError):
        set_covering(a, w, target_pct=120)
    b = np.array([[1, 0], [1, 0]], bool)
    with pytest.raises(SolverError, match="cannot be reached"):
        set_covering(b, w, target_pct=50)


# ------------------------------------------------------------------ gap tolerance


def test_gap_tolerance_stops_with_a_valid_bound() -> None:
    inst = synthetic_instance(400, 4000, seed=5)
    proof = maximal_covering(inst.matrix, inst.demand, k=15, method="exact",
                             time_limit_s=60, mip_gap_pct=0.0)
    assert proof.status == "optimal"
    loose = maximal_covering(inst.matrix, inst.demand, k=15, method="exact",
                             time_limit_s=60, mip_gap_pct=5.0)
    assert loose.status == "within_gap"  # stopped by the tolerance, not proven optimal
    assert 1e-4 < loose.gap <= 0.05
    # the reported bound is a true bound, the objective a true covered value
    assert loose.bound >= proof.objective - 1e-6
    assert loose.objective <= proof.objective + 1e-6
    assert loose.objective == pytest.approx(
        _covered(inst.matrix.toarray(), inst.demand, loose.selected))
    assert loose.objective >= (1 - 0.05) * proof.objective


def test_gap_tolerance_on_brute_force_cases() -> None:
    for seed in range(4):
        a, w, _cost = _random(seed, n=10, m=40)
        best = _brute_max(a, w, k=3)
        res = maximal_covering(a, w, k=3, mip_gap_pct=20.0)
        assert res.bound >= best - 1e-9
        assert res.objective <= best + 1e-9
        assert res.gap <= 0.2
        assert res.status in ("optimal", "within_gap")
        assert res.objective == pytest.approx(_covered(a, w, res.selected))
        sc = set_covering(a, w, target_pct=80, mip_gap_pct=20.0)
        assert sc.bound <= _brute_min(a, w, 0.8 * w.sum()) <= sc.objective
    with pytest.raises(ValueRangeError):
        maximal_covering(a, w, k=1, mip_gap_pct=-1)
    with pytest.raises(ValueRangeError):
        set_covering(a, w, target_pct=50, mip_gap_pct=100)


# ------------------------------------------------------------------ screening helpers


def test_shortlist_is_a_greedy_cover_best_first() -> None:
    from geotel.siting._screen import shortlist

    a = np.array([
        [1, 1, 1, 0, 0, 0],   # 0: 30 people
        [0, 1, 0, 0, 0, 0],   # 1: inside 0 (dominated)
        [0, 0, 0, 1, 1, 0],   # 2: 25
        [0, 0, 0, 0, 0, 1],   # 3: 1
        [0, 0, 1, 1, 0, 0],   # 4: 20, redundant once 0 and 2 are in
        [0, 0, 0, 0, 0, 0],   # 5: nothing
    ], bool)
    w = np.array([10.0, 10, 10, 10, 15, 1])
    assert shortlist(a, w, max_sites=10).tolist() == [0, 2, 3]
    assert shortlist(a, w, max_sites=2).tolist() == [0, 2]
    # with costs, the cheap site is interleaved (people per VND) with the best ones
    cost = np.array([10.0, 10, 10, 10, 1, 10])
    assert shortlist(a, w, max_sites=10, costs_vnd=cost).tolist() == [0, 4, 2, 3]
    assert shortlist(a, w, max_sites=0).size == 0


def test_order_by_gain_against_hand_order() -> None:
    from geotel.siting._screen import order_by_gain

    a = sp.csr_matrix(np.array([[1, 1, 0, 0], [0, 1, 1, 1], [0, 0, 0, 1], [0, 0, 0, 0]],
                               bool))
    w = np.array([5.0, 1.0, 2.0, 3.0])
    # by people: 0 (6, first of the tie), then 1 (+5); 2 and 3 add nothing
    order, gains = order_by_gain(a, w)
    assert order.tolist() == [0, 1, 2, 3]
    assert gains.tolist() == [6.0, 5.0, 0.0, 0.0]
    # per VND: 0 (6/1), 2 (3/1 beats 5/10), then 1 (+2)
    order, gains = order_by_gain(a, w, costs_vnd=np.array([1.0, 10.0, 1.0, 1.0]))
    assert order.tolist() == [0, 2, 1, 3]
    assert gains.tolist() == [6.0, 3.0, 2.0, 0.0]
