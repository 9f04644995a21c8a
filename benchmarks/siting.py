"""Benchmark: geotel's covering solvers against spopt's MCLP (PySAL) on the same matrices.

Seeded synthetic instances: candidates and demand points spread uniformly over
150 × 100 km, each candidate covering the demand within its own radius of 3–8 km
(:func:`geotel.siting._synthetic.synthetic_instance`). spopt receives the very same
coverage matrix as a 0/1 "distance" matrix with a service radius of 0.5, and solves with
its default CBC; it runs in a subprocess with a wall-time cap and a memory watch
(killed above ``--spopt-mem-gb`` of resident memory), so it can neither hang nor eat the
machine.

Usage::

    .venv/bin/python benchmarks/siting.py                 # all sizes
    .venv/bin/python benchmarks/siting.py --sizes small   # the three small ones
    .venv/bin/python benchmarks/siting.py --spopt-timeout 600 --spopt-mem-gb 4
    .venv/bin/python benchmarks/siting.py --sizes none --demo        # the demo's step
    .venv/bin/python benchmarks/siting.py --sizes none --demo-full   # + unscreened run

Each instance is also solved with ``--gap-pct`` (default 1 %, the project default
``siting.mip_gap_pct``): the exact method then stops at the first certified gap within it.
``--demo`` times the siting step of the demo province (90 m, default config: coarse
screening at 270 m, shortlist at 90 m, 1 % gap); ``--demo-full`` also runs it without
screening (every candidate at 90 m, same limits) to show what the screening costs in
people covered.

Targets (issue 5): 1,000 × 10,000 choose 50 proven optimal within 10 s; 5,000 × 50,000
choose 100 within 120 s at a certified gap <= 3 %; greedy alone within 2 s at that size;
at least 10× faster than spopt on every instance spopt finishes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

__all__ = ["main"]

SIZES = {
    "s1": (100, 1_000, 10, 10.0),
    "s2": (300, 3_000, 20, 10.0),
    "s3": (1_000, 10_000, 50, 10.0),
    "large": (5_000, 50_000, 100, 115.0),
}

# spopt 0.7's MCLP.from_cost_matrix takes only a dense numpy cost matrix (demand x
# facilities): it has no sparse form, so it gets the dense one. Its clock starts after
# its imports and after the instance is built, as geotel's does.
_CHILD = r"""
import json, sys, time
import numpy as np
import pulp
from spopt.locate import MCLP
from geotel.siting._synthetic import synthetic_instance
n, m, k, seed = (int(a) for a in sys.argv[1:5])
cap = float(sys.argv[5])
inst = synthetic_instance(n, m, seed=seed)
t0 = time.perf_counter()
cost = np.where(inst.matrix.T.toarray(), 0.0, 1.0)   # demand x facilities, same matrix
model = MCLP.from_cost_matrix(cost, inst.demand, service_radius=0.5, p_facilities=k)
t1 = time.perf_counter()
model = model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=max(cap - (t1 - t0), 1)))
t2 = time.perf_counter()
clients = set()
for cl in model.fac2cli:
    clients.update(int(c) for c in cl)
covered = float(inst.demand[sorted(clients)].sum()) if clients else 0.0
status = pulp.LpStatus[model.problem.status]
print(json.dumps({"build_s": t1 - t0, "solve_s": t2 - t1, "total_s": t2 - t0,
                  "covered": covered, "status": status}))
"""


def _rss_gb(pid: int) -> float:
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    for p in [str(pid), *children]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += float(line.split()[1]) / 1024**2
        except OSError:
            pass
    return total


def run_spopt(n: int, m: int, k: int, seed: int, *, timeout_s: float,
              mem_gb: float) -> dict[str, object]:
    """Run spopt's MCLP in a watched subprocess; never hangs, never exceeds ``mem_gb``."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(n), str(m), str(k), str(seed), str(timeout_s)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    peak = 0.0
    reason = None
    while proc.poll() is None:
        peak = max(peak, _rss_gb(proc.pid))
        elapsed = time.perf_counter() - start
        if peak > mem_gb:
            reason = f"killed at {peak:.1f} GB after {elapsed:.0f} s"
        elif elapsed > timeout_s + 30:
            reason = f"not finished after {elapsed:.0f} s ({peak:.1f} GB)"
        if reason:
            os.killpg(proc.pid, 9)
            proc.wait()
            return {"finished": False, "reason": reason, "peak_gb": peak}
        time.sleep(0.2)
    out, err = proc.communicate()
    if proc.returncode != 0:
        return {"finished": False, "reason": f"failed: {err.strip().splitlines()[-1:]}",
                "peak_gb": peak}
    res = json.loads(out.strip().splitlines()[-1])
    res.update(finished=True, peak_gb=peak, wall_s=time.perf_counter() - start)
    return res


def main(argv: list[str] | None = None) -> int:
    from geotel.siting._synthetic import synthetic_instance
    from geotel.siting.solve import maximal_covering

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="s1,s2,s3,large",
                    help="comma list of " + ", ".join(SIZES) + " ('small' = s1,s2,s3)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--spopt-timeout", type=float, default=600.0)
    ap.add_argument("--spopt-mem-gb", type=float, default=4.0)
    ap.add_argument("--no-spopt", action="store_true")
    ap.add_argument("--gap-pct", type=float, default=1.0)
    ap.add_argument("--demo", action="store_true")
    ap.add_argument("--demo-full", action="store_true")
    args = ap.parse_args(argv)
    names = [] if args.sizes == "none" else args.sizes.replace("small", "s1,s2,s3").split(",")
    # warm the numba caches so that compile time is not measured
    warm = synthetic_instance(50, 300, seed=0)
    maximal_covering(warm.matrix, warm.demand, k=3, method="exact", time_limit_s=5)
    rows = []
    for name in names:
        n, m, k, limit = SIZES[name]
        inst = synthetic_instance(n, m, seed=args.seed)
        t = time.perf_counter()
        greedy = maximal_covering(inst.matrix, inst.demand, k=k, method="greedy",
                                  time_limit_s=limit)
        t_greedy = greedy.stats["prepare_s"] + greedy.stats["greedy_s"]
        t_greedy_ls = t_greedy + greedy.stats["local_search_s"]
        t_greedy_all = time.perf_counter() - t
        exact = maximal_covering(inst.matrix, inst.demand, k=k, method="exact",
                                 time_limit_s=limit, mip_gap_pct=0.0)  # a proof
        sp_res = ({"finished": False, "reason": "skipped"} if args.no_spopt else
                  run_spopt(n, m, k, args.seed, timeout_s=args.spopt_timeout,
                            mem_gb=args.spopt_mem_gb))
        rows.append((name, n, m, k, greedy, t_greedy, t_greedy_ls, t_greedy_all, exact, sp_res))
        _print_row(rows[-1])
        tol = maximal_covering(inst.matrix, inst.demand, k=k, method="exact",
                               time_limit_s=limit, mip_gap_pct=args.gap_pct)
        print(f"[{name}] exact with mip_gap_pct={args.gap_pct:g}: {tol.solve_time_s:.1f} s obj "
              f"{tol.objective:,.0f} bound {tol.bound:,.0f} gap {100 * tol.gap:.2f}% "
              f"{tol.status}", flush=True)
    if args.demo or args.demo_full:
        demo_siting(full=args.demo_full)
    if not rows:
        return 0
    print()
    print("| instance | geotel exact: time, objective, bound, gap, status "
          "| greedy (prep+greedy / +swaps / +bound): time, objective, gap "
          "| spopt MCLP (CBC): time, objective | speed-up |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(_md_row(row))
    return 0


def demo_siting(*, full: bool) -> None:
    """Time the siting step on the demo province (and without screening when ``full``)."""
    import dataclasses
    import warnings

    from geotel.config import load_config
    from geotel.datasets import demo_project
    from geotel.fiber import run_fiber
    from geotel.pipeline import run_plan
    from geotel.propagation import ModelRangeWarning
    from geotel.siting import run_siting

    # the demo's towers below 30 m extrapolate Hata (said once by the coverage step)
    warnings.simplefilter("ignore", ModelRangeWarning)
    cfg = load_config(demo_project())
    plan = run_plan(cfg, until="indicators", progress=False)
    fiber = run_fiber(plan.province, cfg.fiber)
    variants = [("screened (default)", cfg.siting)]
    if full:
        variants.append(("unscreened", dataclasses.replace(cfg.siting,
                                                           matrix_resolution_m=None)))
    for label, sc in variants:
        t = time.perf_counter()
        run = run_siting(plan.province, plan.coverage, sc, population=plan.population,
                         fiber=fiber, communes=plan.layers["communes"],
                         coverage_config=cfg.coverage, fiber_config=cfg.fiber,
                         progress=False)
        dt = time.perf_counter() - t
        tp, r = run.towers_proposed, run.result
        names = plan.layers["communes"].set_index("commune_code")["commune_name"]
        first = ", ".join(names.get(c, c) for c in tp["commune_code"].head(5))
        print(f"[demo {label}] siting step {dt:.1f} s; {len(run.candidates)} candidates, "
              f"{int(run.candidates['shortlisted'].sum())} at full resolution; "
              f"{len(tp)} sites add {tp['pop_gain'].sum():,} people for "
              f"{tp['total_cost_vnd'].sum() / 1e9:.1f} bn VND; solve {r.solve_time_s:.1f} s, "
              f"{r.status}, certified gap {100 * r.gap:.2f} %; first: {first}", flush=True)


def _print_row(row: tuple) -> None:
    name, n, m, k, greedy, tg, tgl, tga, exact, sp_res = row
    print(f"[{name}] {n} x {m} choose {k}: exact {exact.solve_time_s:.1f} s obj "
          f"{exact.objective:,.0f} bound {exact.bound:,.0f} gap {100 * exact.gap:.2f}% "
          f"{exact.status}; greedy {tg:.2f}/{tgl:.2f}/{tga:.1f} s obj {greedy.objective:,.0f} "
          f"gap {100 * greedy.gap:.2f}%; spopt {sp_res}", flush=True)


def _md_row(row: tuple) -> str:
    _name, n, m, k, greedy, tg, tgl, tga, exact, sp_res = row
    ex = (f"{exact.solve_time_s:.1f} s, {exact.objective:,.0f}, {exact.bound:,.0f}, "
          f"{100 * exact.gap:.2f} %, {exact.status}")
    gr = (f"{tg:.2f} / {tgl:.2f} / {tga:.1f} s, {greedy.objective:,.0f}, "
          f"{100 * greedy.gap:.2f} %")
    if sp_res.get("finished"):
        spt = float(sp_res["total_s"])  # type: ignore[arg-type]
        sps = (f"{spt:.1f} s (build {float(sp_res['build_s']):.1f}), "  # type: ignore[arg-type]
               f"{float(sp_res['covered']):,.0f}, {sp_res['status']}")  # type: ignore[arg-type]
        speed = f"{spt / exact.solve_time_s:.0f}×"
        if sp_res["status"] != "Optimal":
            sps += " (not proven)"
    else:
        sps = f"did not finish: {sp_res.get('reason')}"
        speed = "–"
    return f"| {n:,} × {m:,} choose {k} | {ex} | {gr} | {sps} | {speed} |"


if __name__ == "__main__":
    np.seterr(all="ignore")
    raise SystemExit(main())
