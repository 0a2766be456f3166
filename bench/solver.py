"""Benchmark: the solver on generated territories, through the real data path.

For sizes S, M, L and XL (fixed seeds), ``scheduler.generator.generate`` builds the territory and
``scheduler.planning.mapping.problem_for_week`` turns each group's week (2026-W50) into a
``Problem``; every group is solved at each time limit (per group, as ``partage solve`` does).
Per size and limit: time to first feasible roster (the slowest group), objective, bound and gap
(summed over the groups: gap = (sum objective - sum bound) / sum objective), coverage of the
asked minutes, the largest group's own figures, and peak memory (each size runs in its own
subprocess; its ``ru_maxrss``). The greedy baseline (``solver.greedy``) is measured in the same
run: its coverage and objective, and the solver's objective as a ratio of it. Then re-planning:
size M's largest group is solved, one new need is added, and the week is solved again from the
previous roster (time limit ``--replan-limit``): time and share of assignments changed.

    .venv/bin/python bench/solver.py                          # S, M, L, XL at 10 s and 60 s
    .venv/bin/python bench/solver.py --sizes S,M --limits 10  # a quick run
    .venv/bin/python bench/solver.py --json                   # one JSON line last

Targets (issue 3, 2 cores): M first feasible < 2 s and gap <= 1 % at 10 s; L first feasible
< 10 s and gap <= 3 % at 60 s; L peak memory < 2 GiB; re-planning M < 2 s with <= 5 % of
assignments changed. The default run takes about 25 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scheduler.generator import generate  # noqa: E402
from scheduler.planning.mapping import problem_for_week  # noqa: E402
from solver import solve  # noqa: E402
from solver.checker import check  # noqa: E402
from solver.greedy import complete_hint, greedy_hints  # noqa: E402
from solver.model import ModelContext  # noqa: E402
from solver.objective import build_objective  # noqa: E402
from solver.problem import NeedBlock, PreviousAssignment, Problem, SolveParameters  # noqa: E402
from solver.report import extract_roster  # noqa: E402
from solver.roster import Assignment, ChangeKind, Roster  # noqa: E402

WEEK = "2026-W50"
SEEDS = {"S": 11, "M": 12, "L": 13, "XL": 14}
DEFAULT_SIZES = ("S", "M", "L", "XL")
DEFAULT_LIMITS = (10.0, 60.0)


def problems(size: str, limit: float, workers: int) -> list[Problem]:
    """Every group's week of the generated territory of ``size``, in the solver's terms."""
    scenario = generate(size, SEEDS[size], first_week=WEEK, weeks=2)
    params = SolveParameters(time_limit_seconds=limit, num_workers=workers)
    return [problem_for_week(scenario, g, WEEK, parameters=params) for g in scenario.groups]


def asked_minutes(problem: Problem) -> int:
    return sum(n.headcount * (n.end - n.start) for n in problem.needs) + sum(
        q.weekly_minutes for q in problem.quotas
    )


def covered_minutes(problem: Problem, roster: Roster) -> int:
    """Covered need minutes, each need capped at what it asked."""
    asked = {n.id: n.headcount * (n.end - n.start) for n in problem.needs}
    asked |= {q.id: q.weekly_minutes for q in problem.quotas}
    done: dict[str, int] = {}
    for a in roster.assignments:
        done[a.need_id] = done.get(a.need_id, 0) + a.minutes
    return sum(min(m, asked.get(n, 0)) for n, m in done.items())


def greedy_figures(problem: Problem) -> tuple[float, int]:
    """The greedy baseline's objective (in the solver's terms) and covered minutes."""
    ctx = ModelContext(problem)
    build_objective(ctx)
    solver = complete_hint(ctx, greedy_hints(ctx))
    if solver is None:
        return float("nan"), 0
    return solver.objective_value, covered_minutes(problem, extract_roster(ctx, solver))


def run_size(size: str, limits: list[float], workers: int) -> dict[str, Any]:
    """One size at every limit (runs inside its own subprocess)."""
    out: dict[str, Any] = {"size": size, "limits": {}}
    base = problems(size, limits[0], workers)
    out["groups"] = len(base)
    out["employees"] = sum(len(p.employees) for p in base)
    largest = max(range(len(base)), key=lambda i: len(base[i].employees))
    greedy = [greedy_figures(p) for p in base]
    asked = sum(asked_minutes(p) for p in base)
    out["asked_minutes"] = asked
    out["greedy_objective"] = sum(g[0] for g in greedy)
    out["greedy_coverage"] = sum(g[1] for g in greedy) / asked if asked else 1.0
    for limit in limits:
        rows = []
        for p in base:
            problem = replace(p, parameters=replace(p.parameters, time_limit_seconds=limit))
            started = time.perf_counter()
            result = solve(problem)
            wall = time.perf_counter() - started
            violations = check(problem, result.roster)
            rows.append(
                {
                    "status": str(result.status),
                    "objective": result.objective,
                    "bound": result.best_bound,
                    "first": result.first_feasible_seconds,
                    "seconds": wall,
                    "covered": covered_minutes(problem, result.roster),
                    "violations": len(violations),
                }
            )
        objective = sum(r["objective"] or 0 for r in rows)
        bound = sum(r["bound"] if r["bound"] is not None else float("-inf") for r in rows)
        big = rows[largest]
        out["limits"][str(limit)] = {
            "first_feasible_s": max((r["first"] or float("inf")) for r in rows),
            "objective": objective,
            "bound": bound,
            "gap": (objective - bound) / objective if objective else 0.0,
            "coverage": sum(r["covered"] for r in rows) / asked if asked else 1.0,
            "vs_greedy": objective / out["greedy_objective"] if out["greedy_objective"] else None,
            "violations": sum(r["violations"] for r in rows),
            "statuses": [r["status"] for r in rows],
            "largest": {
                "employees": len(base[largest].employees),
                "objective": big["objective"],
                "bound": big["bound"],
                "gap": (big["objective"] - big["bound"]) / big["objective"]
                if big["objective"] and big["bound"] is not None
                else None,
            },
        }
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def coverable_need(problem: Problem, assignments: tuple[Assignment, ...]) -> NeedBlock:
    """A new 3-hour need someone skilled could take: inside their availability, at a member
    their contract lists, on a day they do not work yet (so the re-plan has a real choice)."""
    sites = {site.id: site for site in problem.sites}
    busy_days = {(a.employee_id, a.start // 1440) for a in assignments}
    for model in problem.needs:
        member = sites[model.site_id].member_id
        for employee in problem.employees:
            if model.skill not in employee.skills:
                continue
            if (
                employee.allowed_member_ids is not None
                and member not in employee.allowed_member_ids
            ):
                continue
            for window in employee.availability or ():
                day = window.start // 1440
                if window.minutes >= 180 and (employee.id, day) not in busy_days:
                    return NeedBlock(
                        "bench-new@0",
                        model.site_id,
                        model.skill,
                        window.start,
                        window.start + 180,
                        1,
                        model.priority,
                    )
    raise RuntimeError("no coverable slot found for the re-planning case")


def run_replan(limit: float, replan_limit: float, workers: int) -> dict[str, Any]:
    """Size M's largest group: solve, add one need, solve again from the previous roster."""
    base = problems("M", limit, workers)
    problem = max(base, key=lambda p: len(p.employees))
    first = solve(problem)
    previous = tuple(
        PreviousAssignment(a.employee_id, a.member_id, a.site_id, a.need_id, a.start, a.end)
        for a in first.roster.assignments
    )
    new_need = coverable_need(problem, first.roster.assignments)
    again = replace(
        problem,
        needs=(*problem.needs, new_need),
        previous_assignments=previous,
        parameters=replace(problem.parameters, time_limit_seconds=replan_limit),
    )
    started = time.perf_counter()
    result = solve(again)
    seconds = time.perf_counter() - started
    removed = sum(1 for c in result.changes if c.kind == ChangeKind.REMOVED)
    added = sum(1 for c in result.changes if c.kind == ChangeKind.ADDED)
    return {
        "seconds": seconds,
        "assignments_before": len(previous),
        "removed": removed,
        "added": added,
        "changed_share": removed / len(previous) if previous else 0.0,
        "new_need_covered": any(a.need_id == new_need.id for a in result.roster.assignments),
        "violations": len(check(again, result.roster)),
    }


def _subprocess(args: list[str]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        return {"error": proc.stderr[-2000:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _fmt(value: Any, spec: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    return format(value, spec)


def table(sizes: list[dict[str, Any]], replan: dict[str, Any] | None) -> str:
    lines = [
        f"{'size':4} {'limit':>5} {'first s':>7} {'objective':>12} {'bound':>12} {'gap':>7} "
        f"{'cover':>6} {'greedy cov':>10} {'obj/greedy':>10} {'largest gap':>11} "
        f"{'viol':>4} {'peak MB':>7}"
    ]
    for s in sizes:
        if "error" in s:
            lines.append(f"{s.get('size', '?'):4} error: {s['error'][-300:]}")
            continue
        for limit, r in s["limits"].items():
            lines.append(
                f"{s['size']:4} {float(limit):5.0f} {_fmt(r['first_feasible_s'], '7.2f')} "
                f"{_fmt(r['objective'], '12.0f')} {_fmt(r['bound'], '12.0f')} "
                f"{_fmt(100 * r['gap'], '6.2f')}% {_fmt(100 * r['coverage'], '5.1f')}% "
                f"{_fmt(100 * s['greedy_coverage'], '9.1f')}% {_fmt(r['vs_greedy'], '10.3f')} "
                f"{_fmt(100 * (r['largest']['gap'] or 0), '10.2f')}% {r['violations']:4d} "
                f"{s['peak_mb']:7.0f}"
            )
    if replan is not None:
        if "error" in replan:
            lines.append(f"re-plan M: error: {replan['error'][-300:]}")
        else:
            lines.append(
                f"re-plan M (one new need): {replan['seconds']:.2f} s, "
                f"{replan['removed']} of {replan['assignments_before']} assignments removed "
                f"({100 * replan['changed_share']:.1f} %), {replan['added']} added, new need "
                f"{'covered' if replan['new_need_covered'] else 'not covered'}, "
                f"{replan['violations']} violations"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(DEFAULT_SIZES))
    parser.add_argument("--limits", default=",".join(f"{x:g}" for x in DEFAULT_LIMITS))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--replan-limit", type=float, default=1.5)
    parser.add_argument("--no-replan", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worker-size", help=argparse.SUPPRESS)
    parser.add_argument("--worker-replan", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    limits = [float(x) for x in args.limits.split(",") if x]
    if args.worker_size:
        print(json.dumps(run_size(args.worker_size, limits, args.workers)))
        return 0
    if args.worker_replan:
        print(json.dumps(run_replan(limits[0], args.replan_limit, args.workers)))
        return 0
    common = ["--limits", args.limits, "--workers", str(args.workers)]
    results = []
    for size in [s.strip().upper() for s in args.sizes.split(",") if s.strip()]:
        result = _subprocess(["--worker-size", size, *common])
        result.setdefault("size", size)
        results.append(result)
        print(table([result], None), file=sys.stderr, flush=True)
    replan = None
    if not args.no_replan:
        replan = _subprocess(["--worker-replan", "--replan-limit", str(args.replan_limit), *common])
    load = os.getloadavg()[0]
    sys.stdout.write(table(results, replan) + f"\nload average (1 min) at the end: {load:.2f}\n")
    if args.json:
        sys.stdout.write(json.dumps({"sizes": results, "replan": replan, "load": load}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
