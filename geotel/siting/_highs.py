"""The covering MIPs for HiGHS, built column-wise from numpy arrays in one call.

Variables: ``x_i`` (site i built, binary) for the candidates, then ``y_j`` (demand j
covered, continuous in [0, 1]; integral at any optimum with binary x). Rows: one cover
row per demand, ``y_j - sum_{i covers j} x_i <= 0``, then one resource row
(``sum x <= k``, ``sum c x <= B``) or, for set covering, ``sum w y >= T``.
"""

from __future__ import annotations

import logging
import math
import os
import sys
from dataclasses import dataclass

import highspy
import numpy as np

from geotel.errors import SolverError

__all__ = ["MipOutcome", "solve_covering_mip"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MipOutcome:
    """What HiGHS returned: the x values, objective, dual bound and status text."""

    x: np.ndarray | None
    objective: float
    bound: float
    status: str
    optimal: bool


_BANNER_DONE = False


def _new_highs() -> highspy.Highs:
    """A silent Highs object; the first one's C-level banner goes to /dev/null."""
    global _BANNER_DONE
    if _BANNER_DONE:
        h = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 1)
            h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(null)
        _BANNER_DONE = True
    h.silent()
    return h


def solve_covering_mip(
    c_ptr: np.ndarray,
    c_idx: np.ndarray,
    w: np.ndarray,
    *,
    sense: str,
    resource: np.ndarray,
    resource_max: float | None,
    target_covered: float | None,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    start: np.ndarray | None = None,
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 1e-4,
    relax: bool = False,
    threads: int | None = None,
    lp_solver: str | None = None,
) -> MipOutcome:
    """Build and solve one covering MIP (or its LP relaxation with ``relax=True``).

    ``sense="max"``: maximise ``w . y`` with ``resource . x <= resource_max``.
    ``sense="min"``: minimise ``resource . x`` with ``w . y >= target_covered``.
    """
    n = c_ptr.size - 1
    m = w.size
    counts = np.diff(c_ptr)
    res_row = m  # index of the extra row
    # x columns: cover rows of the demand they cover (-1), then the resource row.
    x_len = counts + (1 if sense == "max" else 0)
    y_len = np.full(m, 2 if sense == "min" else 1, np.int64)
    starts = np.concatenate([[0], np.cumsum(np.concatenate([x_len, y_len]))]).astype(np.int32)
    nnz = int(starts[-1])
    index = np.empty(nnz, np.int32)
    value = np.empty(nnz, np.float64)
    x_start = starts[:n]
    # cover entries of x: positions x_start[i] + 0 .. counts[i]-1
    rep_start = np.repeat(x_start - c_ptr[:-1], counts)
    pos = rep_start + np.arange(c_ptr[-1])
    index[pos] = c_idx
    value[pos] = -1.0
    if sense == "max":
        last = x_start + counts
        index[last] = res_row
        value[last] = resource
    y_start = starts[n:n + m]
    index[y_start] = np.arange(m)
    value[y_start] = 1.0
    if sense == "min":
        index[y_start + 1] = res_row
        value[y_start + 1] = w
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = n + m
    lp.num_row_ = m + 1
    if sense == "max":
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.col_cost_ = np.concatenate([np.zeros(n), w])
        lp.row_lower_ = np.full(m + 1, -inf)
        lp.row_upper_ = np.concatenate([np.zeros(m), [resource_max]])
    else:
        lp.sense_ = highspy.ObjSense.kMinimize
        lp.col_cost_ = np.concatenate([resource, np.zeros(m)])
        lp.row_lower_ = np.concatenate([np.full(m, -inf), [target_covered]])
        lp.row_upper_ = np.concatenate([np.zeros(m), [inf]])
    lp.col_lower_ = np.concatenate([np.zeros(n) if lower is None else lower, np.zeros(m)])
    lp.col_upper_ = np.concatenate([np.ones(n) if upper is None else upper, np.ones(m)])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    lp.a_matrix_.num_col_ = n + m
    lp.a_matrix_.num_row_ = m + 1
    if not relax:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n + \
            [highspy.HighsVarType.kContinuous] * m
    h = _new_highs()
    h.setOptionValue("time_limit", max(float(time_limit_s), 0.1))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    if threads:
        h.setOptionValue("threads", int(threads))
    if lp_solver:
        h.setOptionValue("solver", lp_solver)
        if lp_solver == "ipm":
            h.setOptionValue("run_crossover", "off")
    status = h.passModel(lp)
    if status == highspy.HighsStatus.kError:
        raise SolverError("HiGHS rejected the covering model (internal error building it)")
    if start is not None and not relax:
        cnt = np.bincount(c_idx[np.repeat(start > 0.5, counts)], minlength=m)
        sol = highspy.HighsSolution()
        sol.col_value = np.concatenate([start.astype(np.float64),
                                        (cnt > 0).astype(np.float64)]).tolist()
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    model_status = h.getModelStatus()
    text = h.modelStatusToString(model_status)
    info = h.getInfo()
    if model_status == highspy.HighsModelStatus.kInfeasible:
        return MipOutcome(None, math.nan, math.nan, text, False)
    has_sol = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value[:n]) if has_sol else None
    obj = float(info.objective_function_value) if has_sol else math.nan
    bound = obj if relax else float(info.mip_dual_bound)
    optimal = model_status == highspy.HighsModelStatus.kOptimal
    log.debug("HiGHS %s: objective %s, bound %s", text, obj, bound)
    return MipOutcome(x, obj, bound, text, optimal)
