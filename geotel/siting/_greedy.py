"""Numba kernels of the fast covering heuristics: greedy and swap local search.

The coverage matrix is held twice, as CSR arrays: ``c_ptr, c_idx`` (candidate → demand
rows it covers) and ``d_ptr, d_idx`` (demand → candidates covering it). The state of a
solution is ``cnt`` (how many selected sites cover each demand) and ``gain`` (for every
candidate, the weight of the demand it covers that nothing selected covers yet).

Gains are kept *exact* by decrementing them when a demand becomes covered, which costs
O(nnz) over a whole run; this is the accelerated ("lazy") greedy without a heap: every
pick is the true best marginal gain, as CELF's would be, but no stale bound is ever
re-evaluated.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "add_site",
    "greedy",
    "init_state",
    "local_search",
    "perturb_search",
    "remove_site",
    "value_of",
]

_EPS = 1e-9


@njit(cache=True)
def init_state(c_ptr, c_idx, w, selected):  # pragma: no cover - numba
    """Cover counts and gains for the sites flagged in ``selected``."""
    n = c_ptr.size - 1
    m = w.size
    cnt = np.zeros(m, np.int32)
    for i in range(n):
        if selected[i]:
            for p in range(c_ptr[i], c_ptr[i + 1]):
                cnt[c_idx[p]] += 1
    gain = np.zeros(n, np.float64)
    for i in range(n):
        g = 0.0
        for p in range(c_ptr[i], c_ptr[i + 1]):
            j = c_idx[p]
            if cnt[j] == 0:
                g += w[j]
        gain[i] = g
    return cnt, gain


@njit(cache=True)
def add_site(i, c_ptr, c_idx, d_ptr, d_idx, w, cnt, gain):  # pragma: no cover - numba
    """Select site ``i``; update counts and gains; return the weight it newly covers."""
    added = 0.0
    for p in range(c_ptr[i], c_ptr[i + 1]):
        j = c_idx[p]
        if cnt[j] == 0:
            added += w[j]
            for q in range(d_ptr[j], d_ptr[j + 1]):
                gain[d_idx[q]] -= w[j]
        cnt[j] += 1
    return added


@njit(cache=True)
def remove_site(i, c_ptr, c_idx, d_ptr, d_idx, w, cnt, gain):  # pragma: no cover - numba
    """Unselect site ``i``; update counts and gains; return the weight it uncovers."""
    lost = 0.0
    for p in range(c_ptr[i], c_ptr[i + 1]):
        j = c_idx[p]
        cnt[j] -= 1
        if cnt[j] == 0:
            lost += w[j]
            for q in range(d_ptr[j], d_ptr[j + 1]):
                gain[d_idx[q]] += w[j]
    return lost


@njit(cache=True)
def greedy(c_ptr, c_idx, d_ptr, d_idx, w, cost, selected, max_sites, budget,
           use_ratio):  # pragma: no cover - numba
    """Greedy picks on top of ``selected`` (modified in place).

    Picks the best marginal gain (or gain per cost when ``use_ratio``) among the sites
    that still fit in ``max_sites`` and ``budget``. Returns the picked sites in order
    and their marginal gains.
    """
    n = c_ptr.size - 1
    cnt, gain = init_state(c_ptr, c_idx, w, selected)
    order = np.empty(n, np.int64)
    gains = np.empty(n, np.float64)
    spent = 0.0
    k = 0
    while k < max_sites:
        best = -1
        best_score = _EPS
        for i in range(n):
            if selected[i] or gain[i] <= _EPS or spent + cost[i] > budget * (1 + 1e-12):
                continue
            score = gain[i] / cost[i] if use_ratio else gain[i]
            if score > best_score:
                best_score = score
                best = i
        if best < 0:
            break
        g = add_site(best, c_ptr, c_idx, d_ptr, d_idx, w, cnt, gain)
        selected[best] = True
        spent += cost[best]
        order[k] = best
        gains[k] = g
        k += 1
    return order[:k], gains[:k]


@njit(cache=True)
def local_search(c_ptr, c_idx, d_ptr, d_idx, w, cost, selected, movable, budget,
                 max_rounds):  # pragma: no cover - numba
    """1-for-1 swap local search (best swap per removed site) plus free additions.

    ``selected`` is modified in place; only sites flagged ``movable`` may be swapped out.
    A swap must keep the total cost of the movable sites within ``budget``; an addition
    happens only when ``budget`` has room (pass ``budget`` = number of sites and unit
    costs for the cardinality version). Returns the number of moves made.
    """
    n = c_ptr.size - 1
    cnt, gain = init_state(c_ptr, c_idx, w, selected)
    bonus = np.zeros(n, np.float64)
    touched = np.empty(n, np.int64)
    is_touched = np.zeros(n, np.bool_)
    spent = 0.0
    for i in range(n):
        if selected[i] and movable[i]:
            spent += cost[i]
    moves = 0
    for _ in range(max_rounds):
        improved = False
        # additions while the budget has room
        while True:
            best = -1
            best_g = _EPS
            for t in range(n):
                if not selected[t] and spent + cost[t] <= budget * (1 + 1e-12) \
                        and gain[t] > best_g:
                    best_g = gain[t]
                    best = t
            if best < 0:
                break
            add_site(best, c_ptr, c_idx, d_ptr, d_idx, w, cnt, gain)
            selected[best] = True
            spent += cost[best]
            moves += 1
            improved = True
        for s in range(n):
            if not (selected[s] and movable[s]):
                continue
            loss = 0.0
            nt = 0
            for p in range(c_ptr[s], c_ptr[s + 1]):
                j = c_idx[p]
                if cnt[j] == 1:
                    loss += w[j]
                    for q in range(d_ptr[j], d_ptr[j + 1]):
                        t = d_idx[q]
                        if not is_touched[t]:
                            is_touched[t] = True
                            touched[nt] = t
                            nt += 1
                        bonus[t] += w[j]
            room = budget * (1 + 1e-12) - spent + cost[s]
            best = -1
            best_delta = _EPS * (1.0 + loss)
            for t in range(n):
                if selected[t] or cost[t] > room:
                    continue
                delta = gain[t] + bonus[t] - loss
                if delta > best_delta:
                    best_delta = delta
                    best = t
            for a in range(nt):
                bonus[touched[a]] = 0.0
                is_touched[touched[a]] = False
            if best >= 0:
                remove_site(s, c_ptr, c_idx, d_ptr, d_idx, w, cnt, gain)
                selected[s] = False
                add_site(best, c_ptr, c_idx, d_ptr, d_idx, w, cnt, gain)
                selected[best] = True
                spent += cost[best] - cost[s]
                moves += 1
                improved = True
        if not improved:
            break
    return moves


@njit(cache=True)
def value_of(c_ptr, c_idx, w, selected):  # pragma: no cover - numba
    cnt, _ = init_state(c_ptr, c_idx, w, selected)
    v = 0.0
    for j in range(w.size):
        if cnt[j] > 0:
            v += w[j]
    return v


@njit(cache=True)
def perturb_search(c_ptr, c_idx, d_ptr, d_idx, w, cost, selected, movable, budget,
                   max_sites, use_ratio, destroy_max, iters, seed):  # pragma: no cover - numba
    """Iterated local search: remove a cluster of 2..``destroy_max`` nearby sites, refill
    greedily, swap to a local optimum; keep the result when it is no worse.

    ``selected`` is replaced by the best solution found; returns its value.
    """
    np.random.seed(seed)  # noqa: NPY002 - numba supports only the legacy API
    n = c_ptr.size - 1
    best = selected.copy()
    best_val = value_of(c_ptr, c_idx, w, best)
    mark = np.zeros(n, np.bool_)
    for _ in range(iters):
        cur = best.copy()
        sites = np.flatnonzero(cur & movable)
        if sites.size == 0:
            break
        s0 = sites[np.random.randint(sites.size)]  # noqa: NPY002
        destroy = 2 + np.random.randint(max(destroy_max - 1, 1))  # noqa: NPY002
        removed = 0
        # the selected sites that share demand with the candidates around s0
        for p in range(c_ptr[s0], c_ptr[s0 + 1]):
            if removed >= destroy:
                break
            j = c_idx[p]
            for q in range(d_ptr[j], d_ptr[j + 1]):
                t = d_idx[q]
                if cur[t] and movable[t] and not mark[t] and removed < destroy:
                    mark[t] = True
                    removed += 1
        if not mark[s0]:
            mark[s0] = True
        for t in range(n):
            if mark[t]:
                cur[t] = False
                mark[t] = False
        spent = 0.0
        nsel = 0
        for t in range(n):
            if cur[t] and movable[t]:
                spent += cost[t]
                nsel += 1
        # forbid immediately re-adding s0 in the refill to force a different solution
        saved = cost[s0]
        cost[s0] = np.inf
        greedy(c_ptr, c_idx, d_ptr, d_idx, w, cost, cur, max_sites - nsel,
               budget - spent, use_ratio)
        cost[s0] = saved
        local_search(c_ptr, c_idx, d_ptr, d_idx, w, cost, cur, movable,
                     budget if use_ratio else float(max_sites), 50)
        v = value_of(c_ptr, c_idx, w, cur)
        if v >= best_val:
            best = cur
            best_val = v
    selected[:] = best
    return best_val
