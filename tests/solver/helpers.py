"""Shared helpers of the solver tests: every solve goes through the independent checker."""

from __future__ import annotations

import types

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from solver.benchmarks.curtois import Instance, curtois_dir, load_benchmark
from solver.checker import check
from solver.model import ModelContext
from solver.objective import build_objective
from solver.problem import Problem
from solver.roster import Assignment, Roster, SolveResult, SolveStatus
from solver.solve import solve
from solver.testing import Size, generate


def skip_without_benchmark(number: int = 1) -> None:
    """Skip the test when Curtois instance ``number`` is not in the shared benchmark folder,
    which lives outside the repository."""
    if not (curtois_dir() / f"Instance{number}.txt").is_file():
        pytest.skip(f"Curtois benchmark files not found in {curtois_dir()}")


def benchmark_or_skip(number: int) -> Instance:
    """Curtois instance ``number``; the test skips without it (``skip_without_benchmark``)."""
    skip_without_benchmark(number)
    return load_benchmark(number)


def use_cp_solver(
    monkeypatch: pytest.MonkeyPatch, module: types.ModuleType, cls: type[cp_model.CpSolver]
) -> None:
    """``module`` builds its CP-SAT searches with ``cls`` (a subclass that records or alters)."""
    shim = types.SimpleNamespace(**vars(cp_model))
    shim.CpSolver = cls
    monkeypatch.setattr(module, "cp_model", shim)


def solved(problem: Problem) -> SolveResult:
    """Solve, and fail the test if the checker finds any hard-rule violation."""
    result = solve(problem)
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE), result.status
    violations = check(problem, result.roster)
    assert violations == [], violations
    return result


def solved_or_released(problem: Problem) -> SolveResult:
    """Solve; the only violations allowed are notice windows the result says it released."""
    result = solve(problem)
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE), result.status
    released = {c.employee_id for c in result.conflicts if c.rule == "notice_period"}
    for v in check(problem, result.roster):
        assert v.rule == "notice_period" and v.employee_id in released, v
    return result


def covered(result: SolveResult) -> set[str]:
    return {a.need_id for a in result.assignments}


def roster_of(problem: Problem, *cells: tuple[str, str, int, int]) -> Roster:
    """A hand-made roster: (employee, need, start, end) cells on the needs' sites."""
    sites = {s.id: s for s in problem.sites}
    needs = {n.id: n for n in problem.needs}
    out = []
    for employee_id, need_id, start, end in cells:
        site = sites[needs[need_id].site_id] if need_id in needs else problem.sites[0]
        out.append(Assignment(employee_id, site.member_id, site.id, need_id, start, end))
    return Roster(problem.week, tuple(out))


def take(problem: Problem, employee_id: str, *need_ids: str) -> Roster:
    """A hand-made roster giving the employee whole blocks."""
    needs = {n.id: n for n in problem.needs}
    return roster_of(problem, *((employee_id, n, needs[n].start, needs[n].end) for n in need_ids))


def broken_rules(problem: Problem, roster: Roster) -> set[str]:
    return {v.rule for v in check(problem, roster)}


def generated_groups(
    *,
    employees: tuple[int, int] = (2, 7),
    members: tuple[int, int] = (1, 4),
    blocks: tuple[int, int] = (3, 14),
    quotas: tuple[int, int] = (0, 1),
) -> st.SearchStrategy[Problem]:
    """Generated weekly groups (``solver.testing.generate``) with sizes drawn in the ranges
    given; solved with one worker and a 2 s limit, so that runs are reproducible."""
    return st.builds(
        lambda e, m, b, q, seed: generate(
            Size(employees=e, members=m, blocks=b, quotas=q), seed=seed, time_limit=2.0, workers=1
        ),
        st.integers(*employees),
        st.integers(*members),
        st.integers(*blocks),
        st.integers(*quotas),
        st.integers(0, 10_000),
    )


def examples(count: int) -> settings:
    """Hypothesis settings of the solver suites: ``count`` reproducible examples, no deadline
    (a solve takes seconds)."""
    return settings(
        max_examples=count,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )


def objective_context(problem: Problem) -> ModelContext:
    """The problem's model with its objective built."""
    ctx = ModelContext(problem)
    build_objective(ctx)
    return ctx


def proved_optimum(ctx: ModelContext, seconds: float = 20.0, workers: int = 1) -> float | None:
    """CP-SAT's optimum of ``ctx``'s model, None unless proved within ``seconds``."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.max_time_in_seconds = seconds
    if solver.solve(ctx.model) != cp_model.OPTIMAL:
        return None
    return solver.objective_value
