"""``solve(problem)``: build the model, warm-start it, search, and report. No I/O."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from ortools.sat.python import cp_model

from solver.bound import lp_lower_bound
from solver.explain import diagnose_infeasibility
from solver.greedy import complete_hint, greedy_hints
from solver.model import ModelContext
from solver.objective import build_objective
from solver.problem import Problem
from solver.report import build_result
from solver.roster import Conflict, Progress, Roster, SolveResult, SolveStatus

ProgressCallback = Callable[[Progress], None]
LARGE_MODEL_SLOTS = 1500  # slots with at least one candidate
# The linear relaxation (solver.bound) pays on mid-size models with a long enough limit.
LP_BOUND_MIN_SECONDS = 8.0
LP_BOUND_MAX_CANDIDATES = 60000
LP_BOUND_SHARE = 0.35

_STATUS = {
    cp_model.OPTIMAL: SolveStatus.OPTIMAL,
    cp_model.FEASIBLE: SolveStatus.FEASIBLE,
    cp_model.INFEASIBLE: SolveStatus.INFEASIBLE,
    cp_model.MODEL_INVALID: SolveStatus.MODEL_INVALID,
    cp_model.UNKNOWN: SolveStatus.UNKNOWN,
}


class _Watcher(cp_model.CpSolverSolutionCallback):
    """Records when the first solution came and reports each improving one."""

    def __init__(self, on_progress: ProgressCallback | None, started: float) -> None:
        super().__init__()
        self._on_progress = on_progress
        self._started = started
        self.first_seconds: float | None = None
        self.solutions = 0
        self.extra_bound: float | None = None

    def report_start(self, objective: float) -> None:
        """The greedy roster is a first feasible solution before the search starts."""
        self.first_seconds = time.perf_counter() - self._started
        if self._on_progress is not None:
            self._on_progress(Progress(objective, float("-inf"), self.first_seconds, 0))

    def on_solution_callback(self) -> None:
        self.solutions += 1
        seconds = time.perf_counter() - self._started
        if self.first_seconds is None:
            self.first_seconds = seconds
        if self._on_progress is not None:
            bound = _best(self.best_objective_bound, self.extra_bound)
            self._on_progress(Progress(self.objective_value, bound, seconds, self.solutions))


def configure(
    solver: cp_model.CpSolver, problem: Problem, time_limit: float | None = None, size: int = 0
) -> None:
    params = problem.parameters
    solver.parameters.max_time_in_seconds = (
        params.time_limit_seconds if time_limit is None else time_limit
    )
    solver.parameters.num_workers = max(1, params.num_workers)
    solver.parameters.random_seed = params.random_seed
    solver.parameters.log_search_progress = params.log_search
    # Presolve loops cost seconds on large groups and buy little on this model; probing and
    # symmetry detection cost tens of seconds at size L.
    solver.parameters.max_presolve_iterations = 1
    if size > LARGE_MODEL_SLOTS:
        solver.parameters.cp_model_probing_level = 0
        solver.parameters.symmetry_level = 0


def solve(problem: Problem, on_progress: ProgressCallback | None = None) -> SolveResult:
    """Plan the week of ``problem``; the best roster found, with its bound, gap and reasons.

    When the frozen notice window conflicts with other hard rules (say a cancelled need
    leaves a short-contract day scattered), the window is released for the employees named
    by the diagnosis, the week is solved again, and the release is reported in ``conflicts``:
    the law comes before the published roster. Any other conflict leaves the week INFEASIBLE,
    with its diagnosis.
    """
    started = time.perf_counter()
    released: frozenset[tuple[str, str]] = frozenset()
    notes: list[Conflict] = []
    while True:
        result = _solve_once(problem, on_progress, started, released)
        if result.status != SolveStatus.INFEASIBLE:
            return replace(result, conflicts=(*notes, *result.conflicts))
        notice = {
            (c.rule, c.employee_id)
            for c in result.conflicts
            if c.rule == "notice_period" and c.employee_id is not None
        }
        if not notice or notice <= released:
            return replace(result, conflicts=(*notes, *result.conflicts))
        others = ", ".join(
            sorted({c.rule for c in result.conflicts} - {"notice_period", "summary"})
        )
        for _, employee_id in sorted(notice - released):
            notes.append(
                Conflict(
                    "notice_period",
                    employee_id,
                    f"Published hours of {employee_id} inside the notice window change: "
                    f"keeping them would break {others or 'other hard rules'}.",
                )
            )
        released = released | notice


def _solve_once(
    problem: Problem,
    on_progress: ProgressCallback | None,
    started: float,
    released: frozenset[tuple[str, str]],
) -> SolveResult:
    ctx = ModelContext(problem, released=released)
    objective = build_objective(ctx)
    # The greedy keeps the previous roster where it still holds: that is the warm start.
    greedy = complete_hint(ctx, greedy_hints(ctx))
    watcher = _Watcher(on_progress, started)
    if greedy is not None:
        watcher.report_start(greedy.objective_value)
    lp_bound = _relaxation_bound(ctx, problem.parameters.time_limit_seconds)
    watcher.extra_bound = lp_bound
    solver = cp_model.CpSolver()
    remaining = problem.parameters.time_limit_seconds - (time.perf_counter() - started)
    configure(solver, problem, max(0.5, remaining), size=len(ctx.takers))
    status = _STATUS.get(solver.solve(ctx.model, watcher), SolveStatus.UNKNOWN)
    seconds = time.perf_counter() - started
    if status == SolveStatus.UNKNOWN and greedy is not None:
        # The search found nothing better in time: the greedy roster stands, with the bound
        # the search proved.
        return build_result(
            ctx,
            greedy,
            objective,
            status=SolveStatus.FEASIBLE,
            solve_seconds=seconds,
            first_feasible_seconds=watcher.first_seconds,
            bound=_best(solver.best_objective_bound, lp_bound),
        )
    if status in (SolveStatus.INFEASIBLE, SolveStatus.MODEL_INVALID):
        conflicts = (
            diagnose_infeasibility(problem, released=released)
            if status == SolveStatus.INFEASIBLE
            else ()
        )
        return SolveResult(
            status=status,
            roster=Roster(problem.week),
            solve_seconds=seconds,
            conflicts=tuple(conflicts),
        )
    if status == SolveStatus.UNKNOWN:
        return SolveResult(status=status, roster=Roster(problem.week), solve_seconds=seconds)
    return build_result(
        ctx,
        solver,
        objective,
        status=status,
        solve_seconds=seconds,
        first_feasible_seconds=watcher.first_seconds,
        bound=_best(solver.best_objective_bound, lp_bound),
    )


def _relaxation_bound(ctx: ModelContext, time_limit: float) -> float | None:
    """GLOP's bound on the linear relaxation, when the model is small enough to afford it."""
    candidates = sum(len(t) for t in ctx.takers.values())
    if time_limit < LP_BOUND_MIN_SECONDS or candidates > LP_BOUND_MAX_CANDIDATES:
        return None
    return lp_lower_bound(ctx.model, time_limit * LP_BOUND_SHARE)


def _best(search_bound: float, lp_bound: float | None) -> float:
    if lp_bound is None:
        return search_bound
    return max(search_bound, lp_bound)
