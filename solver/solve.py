"""``solve(problem)``: build the model, warm-start it, search, and report. No I/O."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model

from solver.explain import diagnose_infeasibility
from solver.greedy import complete_hint, greedy_hints
from solver.model import ModelContext
from solver.objective import build_objective
from solver.problem import Problem
from solver.report import build_result
from solver.roster import Progress, Roster, SolveResult, SolveStatus

ProgressCallback = Callable[[Progress], None]
LARGE_MODEL_SLOTS = 1500  # slots with at least one candidate

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
            self._on_progress(
                Progress(self.objective_value, self.best_objective_bound, seconds, self.solutions)
            )


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
    """Plan the week of ``problem``; the best roster found, with its bound, gap and reasons."""
    started = time.perf_counter()
    ctx = ModelContext(problem)
    objective = build_objective(ctx)
    hints: dict[Any, int] = greedy_hints(ctx)
    hints.update(ctx.hints)
    greedy = complete_hint(ctx, hints)
    watcher = _Watcher(on_progress, started)
    if greedy is not None:
        watcher.report_start(greedy.objective_value)
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
            bound=solver.best_objective_bound,
        )
    if status in (SolveStatus.INFEASIBLE, SolveStatus.MODEL_INVALID):
        conflicts = diagnose_infeasibility(problem) if status == SolveStatus.INFEASIBLE else ()
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
    )
