"""Proven upper bounds for maximal covering: Lagrangian relaxation of the cover rows.

Relaxing ``y_j <= sum_{i covers j} x_i`` with multipliers ``0 <= lam_j <= w_j`` gives,
for *every* such ``lam``, the valid upper bound

    L(lam) = sum_j (w_j - lam_j) + max { s . x : x in X },   s = A lam,

where ``X`` is ``{x in [0, 1]^n : sum x <= k}`` (cardinality: the top-k positive ``s``)
or ``{sum c x <= B}`` (budget: the fractional knapsack, itself an LP bound). Its minimum
over ``lam`` equals the LP relaxation bound (Galvão & ReVelle 1996 use it for maximal
covering). It is minimised here by accelerated gradient steps on a smoothed version
(:func:`smoothed_bound`). Any multipliers give a certificate, so stopping early only
loosens the bound, never invalidates it.
"""

from __future__ import annotations

import time

import numpy as np
from numba import njit

__all__ = ["LagrangianBound", "fix_by_bound", "smoothed_bound"]


@njit(cache=True)
def _inner(c_ptr, c_idx, w, cost, lam, k, budget, use_budget):  # pragma: no cover - numba
    n = c_ptr.size - 1
    s = np.zeros(n, np.float64)
    for i in range(n):
        acc = 0.0
        for p in range(c_ptr[i], c_ptr[i + 1]):
            acc += lam[c_idx[p]]
        s[i] = acc
    x = np.zeros(n, np.float64)
    val = 0.0
    if use_budget:
        order = np.argsort(-(s / cost))
        room = budget
        for a in range(n):
            i = order[a]
            if s[i] <= 0.0 or room <= 0.0:
                break
            f = min(1.0, room / cost[i])
            x[i] = f
            val += f * s[i]
            room -= f * cost[i]
    else:
        order = np.argsort(-s)
        for a in range(min(k, n)):
            i = order[a]
            if s[i] <= 0.0:
                break
            x[i] = 1.0
            val += s[i]
    return val + (w - lam).sum(), s, x


class LagrangianBound:
    """Result of :func:`lagrangian_bound`: the bound, its multipliers and the site scores."""

    def __init__(self, bound: float, lam: np.ndarray, scores: np.ndarray, iters: int) -> None:
        self.bound = bound
        self.lam = lam
        self.scores = scores
        self.iters = iters


def fix_by_bound(
    scores: np.ndarray, bound: float, incumbent: float, *, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Sites that every solution better than ``incumbent`` must leave out / take.

    Cardinality version: forcing a site outside the Lagrangian top-k in replaces the
    k-th best score, forcing one inside out brings in the (k+1)-th; when that bound
    drops to the incumbent or below, the site is fixed. Returns boolean masks
    ``(fixed_out, fixed_in)``.
    """
    n = scores.size
    pos = np.maximum(scores, 0.0)
    order = np.argsort(-pos, kind="stable")
    kk = min(k, n)
    in_top = np.zeros(n, bool)
    in_top[order[:kk]] = True
    kth = pos[order[kk - 1]] if kk > 0 else 0.0
    next_ = pos[order[kk]] if kk < n else 0.0
    tol = 1e-9 * max(abs(incumbent), 1.0)
    fixed_out = ~in_top & (bound - kth + pos <= incumbent + tol)
    fixed_in = in_top & (bound - pos + next_ <= incumbent + tol)
    return fixed_out, fixed_in


@njit(cache=True)
def _smooth_x(s, cost, mu, k, budget, use_budget):  # pragma: no cover - numba
    """argmax_x s.x - mu/2 |x|^2 over {0<=x<=1, sum x <= k} (or cost.x <= budget)."""
    n = s.size
    x = np.empty(n, np.float64)
    cap = budget if use_budget else float(k)
    lo = 0.0
    hi = 0.0
    for i in range(n):
        r = s[i] / cost[i] if use_budget else s[i]
        if r > hi:
            hi = r
    tau = 0.0
    for it in range(64):
        used = 0.0
        for i in range(n):
            c = cost[i] if use_budget else 1.0
            v = (s[i] - tau * c) / mu
            v = min(max(v, 0.0), 1.0)
            used += c * v
        if it == 0:
            if used <= cap:
                break
            tau = 0.5 * (lo + hi)
            continue
        if used > cap:
            lo = tau
        else:
            hi = tau
        tau = 0.5 * (lo + hi)
        if it == 63:
            tau = hi
    for i in range(n):
        c = cost[i] if use_budget else 1.0
        x[i] = min(max((s[i] - tau * c) / mu, 0.0), 1.0)
    return x


@njit(cache=True)
def _fista(c_ptr, c_idx, w, cost, lam, y, t, step, mu, k, budget, use_budget,
           iters):  # pragma: no cover - numba
    """``iters`` FISTA steps on the smoothed dual; returns (lam, y, t)."""
    n = c_ptr.size - 1
    m = w.size
    s = np.empty(n, np.float64)
    grad = np.empty(m, np.float64)
    for _ in range(iters):
        for i in range(n):
            acc = 0.0
            for p in range(c_ptr[i], c_ptr[i + 1]):
                acc += y[c_idx[p]]
            s[i] = acc
        x = _smooth_x(s, cost, mu, k, budget, use_budget)
        grad[:] = -1.0
        for i in range(n):
            if x[i] > 0.0:
                for p in range(c_ptr[i], c_ptr[i + 1]):
                    grad[c_idx[p]] += x[i]
        t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        beta = (t - 1.0) / t_new
        for j in range(m):
            v = min(max(y[j] - step * grad[j], 0.0), w[j])
            y[j] = v + beta * (v - lam[j])
            lam[j] = v
        t = t_new
    return lam, y, t


def smoothed_bound(
    a_csr,
    w: np.ndarray,
    cost: np.ndarray,
    *,
    k: int,
    budget: float,
    use_budget: bool,
    incumbent: float,
    time_limit_s: float,
    lam0: np.ndarray | None = None,
    target_gap: float = 1e-4,
    eps0: float = 1e-2,
) -> LagrangianBound:
    """Minimise the Lagrangian bound by accelerated gradient on a smoothed dual.

    The top-k (or knapsack) term is smoothed with a quadratic prox of weight ``mu``
    (Nesterov 2005), which makes the dual differentiable; FISTA steps (Beck & Teboulle
    2009) with restarts then shrink ``mu``. The certificate is always the exact
    Lagrangian value of the best multipliers seen.
    """
    start = time.perf_counter()
    at = a_csr.T.tocsr()
    m = w.size
    c_ptr = a_csr.indptr.astype(np.int64)
    c_idx = a_csr.indices.astype(np.int64)
    if lam0 is None:
        deg = np.asarray(at.sum(axis=1)).ravel()
        lam = w / np.maximum(deg, 1.0)
    else:
        lam = np.clip(lam0, 0.0, w)
    # spectral norm of A by power iteration
    v = np.ones(m) / np.sqrt(m)
    for _ in range(30):
        u = at @ (a_csr @ v)
        nrm = np.linalg.norm(u)
        v = u / nrm
    norm2 = float(nrm) * 1.05
    best = np.inf
    best_lam = lam.copy()
    iters = 0
    eps = eps0
    scale = max(incumbent, float(w.sum()) * 1e-3, 1e-9)
    kk = k if not use_budget else max(1.0, min(budget / float(np.min(cost)), cost.size))
    budget = float(budget) if use_budget else 0.0
    while time.perf_counter() - start < time_limit_s:
        mu = 2.0 * eps * scale / max(kk, 1.0)
        step = mu / norm2
        y = best_lam.copy() if np.isfinite(best) else lam.copy()
        lam = y.copy()
        t = 1.0
        prev = np.inf
        for _it in range(40):
            lam, y, t = _fista(c_ptr, c_idx, w, cost, lam, y, t, step, mu, k, budget,
                               use_budget, 10)
            iters += 10
            f, _, _ = _inner(c_ptr, c_idx, w, cost, lam, k, budget, use_budget)
            if f < best:
                best, best_lam = float(f), lam.copy()
            if f > prev:  # adaptive restart of the momentum
                y, t = lam.copy(), 1.0
            prev = f
            if best <= incumbent * (1 + target_gap) or \
                    time.perf_counter() - start > time_limit_s:
                break
        if best <= incumbent * (1 + target_gap) or eps < 1e-5:
            break
        eps *= 0.3
    f, scores, _ = _inner(c_ptr, c_idx, w, cost, best_lam, k, budget, use_budget)
    return LagrangianBound(float(min(best, f)), best_lam, scores, iters)
