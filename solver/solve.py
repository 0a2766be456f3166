"""``solve(problem)``: build the model, warm-start it, search, and report. No I/O."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import replace

from ortools.sat.python import cp_model

from solver import line_columns, line_search
from solver.bound import lp_lower_bound
from solver.checker import Checker
from solver.columns import columns_of, generate_columns, linking_rows, restricted_master
from solver.explain import diagnose_infeasibility
from solver.greedy import (
    chosen_slots,
    complete_hint,
    fixed_solve,
    greedy_applies,
    greedy_hints,
    use_as_hint,
    week_hints,
)
from solver.model import ModelContext
from solver.neighbourhood import applies as neighbourhood_applies
from solver.neighbourhood import construct, improve
from solver.objective import build_objective
from solver.problem import Problem
from solver.report import build_result, chosen_roster, lines_result
from solver.roster import Conflict, Progress, Roster, SolveResult, SolveStatus
from solver.rules.profiles import ROTA_RULES

ProgressCallback = Callable[[Progress], None]
LARGE_MODEL_SLOTS = 1500  # slots with at least one candidate
# The linear relaxation (solver.bound) pays on mid-size models with a long enough limit.
LP_BOUND_MIN_SECONDS = 8.0
LP_BOUND_MAX_CANDIDATES = 60000
LP_BOUND_SHARE = 0.35
# Column generation (solver.columns) needs a few seconds to pay; it gets a share of the time
# limit for its bound and columns, its restricted master another, the full search the rest.
COLUMNS_MIN_SECONDS = 4.0
PRESEARCH_SHARE = 0.1
COLUMNS_SHARE = 0.4
MASTER_SHARE = 0.15
# After the neighbourhoods, the full search needs this share of the limit to be worth loading.
FINAL_SEARCH_MIN_SHARE = 0.1
# Above this many candidates, a first search over everything finds no roster in its share of
# the time (year-long rotas): the neighbourhoods build one directly.
NEIGHBOURHOOD_DIRECT_CANDIDATES = 100_000
# Share of the limit left, on such a model, to turn the lines' roster into a solution; and
# at least this much of the time the model took to build, which that work grows with. On the
# rota benchmark's Instance24 (364 days, 150 people) the model took 20.2 s and the roster's
# hints, its fixed solve and the result 9.6 s: with the share alone, the run took 66.6 s.
LINES_FINAL_RESERVE = 0.08
LINES_FINAL_PER_BUILD = 0.6
# The lines stop after this share of the limit without a gain.
LINES_PATIENCE_SHARE = 0.05
# With column generation after them, the lines only build its first roster.
LINES_BEFORE_COLUMNS_SHARE = 0.1
# Of the columns' time, the share their root may take before the dive.
COLUMNS_ROOT_SHARE = 0.7
# Column generation prices each person with CP-SAT, some 20-130 ms a line on 4 to 12 weeks;
# on longer horizons a round takes longer than a minute allows.
COLUMNS_MAX_DAYS = 84
# Above this many candidates the root needs more than its share of a minute and its time is
# lost; the lines and CP-SAT's search do better with it. Below it, a root too slow for its
# time gives up after its first rounds (4-8 s) and the lines go on. Measured on the rota
# benchmark, 60 s, seeds 0-2, up to 6,000 / up to 12,000 (the pricing at level 2, 0.7 of
# the limit, before the pricing's skip of proved lines): Instance12 (10,452 candidates; its
# root converged in 23-28 s, 18.6-20.8 s with the skip) 4,751, 5,025, 4,633 / 4,164, 4,365,
# 4,151; Instance15 (6,726) 5,169, 5,234, 4,952 / 4,975, 5,167, 4,963; Instance19 (9,728)
# 4,233, 4,084, 4,167 / 4,182, 4,175, 4,279 (the roots of 15 and 19 give up). Instance13
# (39,936 candidates, 120 people): its root converges to the optimum (1,348) in 34-50 s, two
# thirds of it GLOP's master solves; a dive from there ended at 9,180 in the 20 s left, and at
# 8,500 given 103 s, so a faster root alone would not bring the columns to it.
COLUMNS_MAX_CANDIDATES = 12000
# Beyond this horizon the lines keep the limit as on a model too large to search: CP-SAT took
# some 25 s to start from their roster on 26 weeks (Instance20), their best use of that time.
# Such a rota is planned without building the CP-SAT model at all (``_lines_alone``): on the
# rota benchmark's Instance24 (364 days, 150 people) the model took 21.8 s to build and its
# roster's fixed solve some 10 s more, of a minute whose lines gained all the way to its end.
LINES_ALONE_DAYS = 84
# Share of the limit the lines alone leave for checking their roster and reporting it.
LINES_ALONE_RESERVE = 0.03
# Share of the limit the columns leave for fixing their roster in the model and CP-SAT.
COLUMNS_FINAL_RESERVE = 0.1
# Above this many candidates, CP-SAT's search after the lines runs its neighbourhoods (LNS)
# alone: its full-problem workers neither prove nor find much on such a model in the time
# left, and the two cores are worth more to the neighbourhoods, which made nearly all of its
# gains there. Paired runs from the same lines' roster, 40 s each, LNS alone / default:
# Instance13 (39,936 candidates) better in 3 of 3 (means 3,203 / 3,539); Instance19 (9,728)
# 3 of 3 (4,224 / 4,274); Instance15 (6,726) 4 of 5 (4,978 / 5,078); Instance12 (10,452) 3 of
# 5 (4,704 / 4,770). Below it the two were even (Instance17, 5,304 candidates: 6,021 / 6,021
# and 6,017 / 6,023; Instance18, 4,104: 5,500 / 5,501 and 5,497 / 5,502), and on small rotas
# the full search proves the optimum, which LNS alone cannot.
LNS_ONLY_MIN_CANDIDATES = 6000
# Share of the limit for planning everyone's weekends together before the first lines
# (``line_weekends``), where the lines hand their roster to CP-SAT without the columns.
WEEKENDS_FIRST_SHARE = 0.15

# A roster this close above a proved bound is optimal (the objective is a sum of floats).
PROVED_SLACK = 1e-6

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

    def report(self, objective: float) -> None:
        """A better roster found before the full search (the lines', the restricted master's)."""
        self.solutions += 1
        seconds = time.perf_counter() - self._started
        if self.first_seconds is None:
            self.first_seconds = seconds
        if self._on_progress is not None:
            bound = self.extra_bound if self.extra_bound is not None else float("-inf")
            self._on_progress(Progress(objective, bound, seconds, self.solutions))

    def on_solution_callback(self) -> None:
        self.solutions += 1
        seconds = time.perf_counter() - self._started
        if self.first_seconds is None:
            self.first_seconds = seconds
        if self._on_progress is not None:
            bound = _best(self.best_objective_bound, self.extra_bound)
            self._on_progress(Progress(self.objective_value, bound, seconds, self.solutions))


DETERMINISTIC_WALL_FACTOR = 10.0


def deterministic(problem: Problem) -> bool:
    """One worker means reproducible: every phase is bounded by work, not by the wall clock."""
    return problem.parameters.num_workers <= 1


def configure(
    solver: cp_model.CpSolver, problem: Problem, time_limit: float | None = None, size: int = 0
) -> None:
    params = problem.parameters
    limit = params.time_limit_seconds if time_limit is None else time_limit
    solver.parameters.max_time_in_seconds = limit
    if deterministic(problem):
        # One worker stops on CP-SAT's deterministic clock (work done, not seconds elapsed), so
        # the same problem and seed give the same roster on any machine and under any load;
        # wall time only guards against a machine far slower than the deterministic clock.
        solver.parameters.max_deterministic_time = limit
        solver.parameters.max_time_in_seconds = limit * DETERMINISTIC_WALL_FACTOR
    solver.parameters.num_workers = max(1, params.num_workers)
    solver.parameters.random_seed = params.random_seed
    solver.parameters.log_search_progress = params.log_search
    # Presolve loops cost seconds on large groups and buy little on this model; probing and
    # symmetry detection cost tens of seconds at size L.
    solver.parameters.max_presolve_iterations = 1
    if params.subsolvers:
        solver.parameters.subsolvers.extend(params.subsolvers)
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
    if lines_alone_applies(problem):
        result = _lines_alone(problem, on_progress, started)
        if result is not None:
            return result
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


def lines_alone_applies(problem: Problem) -> bool:
    """Whether ``problem`` is a rota long enough for the lines alone (``LINES_ALONE_DAYS``),
    searched on the wall clock; whether its rules are all a line keeps is read from its
    items (``line_search.applies``)."""
    return (
        problem.parameters.line_share > 0
        and not deterministic(problem)
        and problem.horizon_days > LINES_ALONE_DAYS
        and problem.enabled_rules is not None
        and problem.enabled_rules <= ROTA_RULES
    )


def _lines_alone(
    problem: Problem, on_progress: ProgressCallback | None, started: float
) -> SolveResult | None:
    """The line search's roster, found and reported without a CP-SAT model, and checked by
    the independent checker (``solver.checker``). None when a rule is not one a line keeps,
    someone got no line, or the checker finds a broken rule: the full model then decides."""
    ctx = ModelContext(problem, lines_only=True)
    if not line_search.applies(ctx):
        return None
    params = problem.parameters
    watcher = _Watcher(on_progress, started)
    found = line_search.search(
        ctx,
        started + (1 - LINES_ALONE_RESERVE) * params.time_limit_seconds,
        seed=params.random_seed,
        threads=params.num_workers,
        on_better=watcher.report,
        deals=True,
    )
    if found is None:
        return None
    roster = chosen_roster(ctx, found.chosen())
    if Checker(problem).check(roster):
        return None
    penalties = {k: v for k, v in found.penalties().items() if problem.rule_enabled(k)}
    return lines_result(
        ctx,
        roster,
        penalties,
        solve_seconds=time.perf_counter() - started,
        first_feasible_seconds=watcher.first_seconds,
    )


def _solve_once(
    problem: Problem,
    on_progress: ProgressCallback | None,
    started: float,
    released: frozenset[tuple[str, str]],
) -> SolveResult:
    ctx = ModelContext(problem, released=released)
    objective = build_objective(ctx)
    # The greedy keeps the previous roster where it still holds: that is the warm start.
    incumbent = complete_hint(ctx, greedy_hints(ctx)) if greedy_applies(problem) else None
    watcher = _Watcher(on_progress, started)
    if incumbent is not None:
        watcher.report_start(incumbent.objective_value)
    limit = problem.parameters.time_limit_seconds
    extra_bound = None
    # The decomposition stops on wall-clock time; a deterministic solve leaves it out.
    neighbourhood = (
        problem.parameters.neighbourhood_share > 0
        and not deterministic(problem)
        and neighbourhood_applies(ctx)
    )
    lines = (
        problem.parameters.line_share > 0
        and not deterministic(problem)
        and line_search.applies(ctx)
    )
    if lines:
        incumbent, extra_bound = _lines(ctx, incumbent, watcher, started)
        if (
            incumbent is not None
            and extra_bound is not None
            and incumbent.objective_value <= extra_bound + PROVED_SLACK
        ):
            # The columns proved the lines' roster optimal (``line_exact``): nothing to search.
            return build_result(
                ctx,
                incumbent,
                objective,
                status=SolveStatus.OPTIMAL,
                solve_seconds=time.perf_counter() - started,
                first_feasible_seconds=watcher.first_seconds,
                bound=extra_bound,
            )
    if neighbourhood and (incumbent is None or not lines):
        incumbent = _neighbourhood(ctx, incumbent, watcher, started)
    elif (
        not lines
        and ctx.employees
        and problem.parameters.decomposition
        and limit >= COLUMNS_MIN_SECONDS
        and not deterministic(problem)
    ):
        extra_bound, incumbent = _decompose(ctx, incumbent, watcher, started)
    if extra_bound is None and not lines:
        # Not after the lines: on a rota the time left is worth more to the search (the bound
        # took 9 s of Instance19's minute).
        extra_bound = _relaxation_bound(ctx, limit)
    watcher.extra_bound = extra_bound
    remaining = limit if deterministic(problem) else limit - (time.perf_counter() - started)
    if (
        (neighbourhood or lines)
        and incumbent is not None
        and remaining < FINAL_SEARCH_MIN_SHARE * limit
    ):
        # Too little time left to load a large model again: the neighbourhoods' roster stands.
        return build_result(
            ctx,
            incumbent,
            objective,
            status=SolveStatus.FEASIBLE,
            solve_seconds=time.perf_counter() - started,
            first_feasible_seconds=watcher.first_seconds,
            bound=extra_bound if extra_bound is not None else float("-inf"),
        )
    solver = cp_model.CpSolver()
    configure(solver, problem, max(0.5, remaining), size=len(ctx.takers))
    if lines and incumbent is not None and _candidates(ctx) > LNS_ONLY_MIN_CANDIDATES:
        solver.parameters.use_lns_only = True
    status = _STATUS.get(solver.solve(ctx.model, watcher), SolveStatus.UNKNOWN)
    seconds = time.perf_counter() - started
    if incumbent is not None and (
        status == SolveStatus.UNKNOWN
        or (status == SolveStatus.FEASIBLE and solver.objective_value > incumbent.objective_value)
    ):
        # The search found nothing better in time (or lost the hint and ended worse, seen
        # once on the rota benchmark): the warm start stands, with the bound proved.
        return build_result(
            ctx,
            incumbent,
            objective,
            status=SolveStatus.FEASIBLE,
            solve_seconds=seconds,
            first_feasible_seconds=watcher.first_seconds,
            bound=_best(solver.best_objective_bound, extra_bound),
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
    bound = _best(solver.best_objective_bound, extra_bound)
    if bound >= solver.objective_value:
        status = SolveStatus.OPTIMAL
    return build_result(
        ctx,
        solver,
        objective,
        status=status,
        solve_seconds=seconds,
        first_feasible_seconds=watcher.first_seconds,
        bound=bound,
    )


def _decompose(
    ctx: ModelContext, incumbent: cp_model.CpSolver | None, watcher: _Watcher, started: float
) -> tuple[float | None, cp_model.CpSolver | None]:
    """Column generation (``solver.columns``): its bound, and the best roster so far.

    The restricted master's roster replaces the warm start when it is better, so the full
    search starts from it. Without a warm start (rules the greedy cannot meet, such as minimum
    hours over a long horizon) the short search and the columns still give one.
    """
    params = ctx.problem.parameters
    limit = params.time_limit_seconds
    linking = linking_rows(ctx)
    starts = [columns_of(ctx, incumbent)] if incumbent is not None else []
    # A short search first: its roster's weeks join the columns, which gives the restricted
    # master combinations that the linear program alone would not price.
    search = cp_model.CpSolver()
    configure(search, ctx.problem, PRESEARCH_SHARE * limit, size=len(ctx.takers))
    status = search.solve(ctx.model, watcher)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        starts.append(columns_of(ctx, search))
        if incumbent is None or search.objective_value < incumbent.objective_value:
            use_as_hint(ctx, search)
            incumbent = search
        if status == cp_model.OPTIMAL:
            return float(search.objective_value), incumbent
    generation = generate_columns(
        ctx, linking, starts, COLUMNS_SHARE * limit, threads=max(1, params.num_workers)
    )
    if generation is None:
        return None, incumbent
    watcher.extra_bound = generation.bound
    left = limit - (time.perf_counter() - started)
    weeks = restricted_master(
        linking,
        generation.columns,
        list(ctx.employees),
        min(MASTER_SHARE * limit, left / 2),
        hint=chosen_slots(ctx, incumbent) if incumbent is not None else None,
        num_workers=params.num_workers,
        seed=params.random_seed,
    )
    if weeks is not None:
        better = _better(ctx, weeks, incumbent)
        if better is not incumbent:
            incumbent = better
            watcher.report(better.objective_value)
    return float(generation.bound), incumbent


def _neighbourhood(
    ctx: ModelContext, incumbent: cp_model.CpSolver | None, watcher: _Watcher, started: float
) -> cp_model.CpSolver | None:
    """A first roster by a short search; when it finds none, one built employee by employee
    and improved by re-planning a few at a time (``solver.neighbourhood``). The full search
    goes on from the result."""
    params = ctx.problem.parameters
    limit = params.time_limit_seconds
    if _candidates(ctx) <= NEIGHBOURHOOD_DIRECT_CANDIDATES:
        search = cp_model.CpSolver()
        configure(search, ctx.problem, PRESEARCH_SHARE * limit, size=len(ctx.takers))
        status = search.solve(ctx.model, watcher)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and (
            incumbent is None or search.objective_value < incumbent.objective_value
        ):
            use_as_hint(ctx, search)
            incumbent = search
    if incumbent is not None:
        return incumbent
    deadline = started + params.neighbourhood_share * limit
    built = construct(ctx, deadline)
    if built is None:
        return None
    incumbent = _better(ctx, built, None, time_limit=limit)
    if incumbent is None:
        return None
    watcher.report(incumbent.objective_value)
    found = improve(
        ctx,
        chosen_slots(ctx, incumbent),
        incumbent.objective_value,
        deadline,
        on_better=watcher.report,
    )
    if found.objective < incumbent.objective_value:
        incumbent = _better(ctx, found.chosen, incumbent)
    return incumbent


def _lines(
    ctx: ModelContext, incumbent: cp_model.CpSolver | None, watcher: _Watcher, started: float
) -> tuple[cp_model.CpSolver | None, float | None]:
    """The best roster of the line search (``solver.line_search``) when it beats the warm
    start; the full search goes on from it, unless the model is too large to search. And a
    value no roster goes below, where the columns proved one."""
    params = ctx.problem.parameters
    limit = params.time_limit_seconds
    share = params.line_share
    # Where CP-SAT's search can go on, it improves a roster the lines no longer improve
    # faster than they do (measured on the rota benchmark): the lines stop when stalled.
    patience: float | None = LINES_PATIENCE_SHARE * limit
    columns = params.column_share > 0
    weekends_first = 0.0
    candidates = _candidates(ctx)
    if candidates > NEIGHBOURHOOD_DIRECT_CANDIDATES or ctx.days > LINES_ALONE_DAYS:
        # The full search finds nothing on such a model, or starts too late on so long a
        # horizon: the lines keep the time, less what fixing their roster in the model costs.
        share = 1.0 - lines_final_reserve(limit, time.perf_counter() - started)
        patience = None
        columns = False
    elif columns and ctx.days <= COLUMNS_MAX_DAYS and candidates <= COLUMNS_MAX_CANDIDATES:
        share = min(share, LINES_BEFORE_COLUMNS_SHARE)
    else:
        columns = False
        weekends_first = WEEKENDS_FIRST_SHARE * limit
    found = line_search.search(
        ctx,
        started + share * limit,
        seed=params.random_seed,
        patience=patience,
        threads=params.num_workers,
        on_better=watcher.report,
        weekends_first=weekends_first,
    )
    if found is None:
        return incumbent, None
    if columns:
        begin = time.perf_counter()
        end = min(
            begin + params.column_share * limit, started + (1 - COLUMNS_FINAL_RESERVE) * limit
        )
        dived = line_columns.dive(
            found,
            end,
            root_deadline=begin + COLUMNS_ROOT_SHARE * (end - begin),
            threads=params.num_workers,
        )
        if dived is None:
            # The root did not converge in its time: the lines go on as they would have.
            line_search.improve(
                found, end, patience=patience, threads=params.num_workers, on_better=watcher.report
            )
        elif found.adopt(dived):
            watcher.report(found.objective())
    bound = found.bound if math.isfinite(found.bound) else None
    return _better(ctx, found.chosen(), incumbent, time_limit=limit), bound


def lines_final_reserve(limit: float, built: float) -> float:
    """Share of ``limit`` the lines leave, on a model too large to search, for turning their
    roster into a solution, when the model took ``built`` seconds to build."""
    return min(1.0, max(LINES_FINAL_RESERVE, LINES_FINAL_PER_BUILD * built / limit))


def _better(
    ctx: ModelContext,
    weeks: dict[str, frozenset[int]],
    incumbent: cp_model.CpSolver | None,
    time_limit: float = 5.0,
) -> cp_model.CpSolver | None:
    """The model's solution for ``weeks`` (slots per employee), made the hint, when it beats
    ``incumbent``; otherwise ``incumbent`` itself."""
    found = fixed_solve(ctx, week_hints(ctx, weeks), time_limit=time_limit)
    if found is None or (
        incumbent is not None and found.objective_value >= incumbent.objective_value
    ):
        return incumbent
    use_as_hint(ctx, found)
    return found


def _relaxation_bound(ctx: ModelContext, time_limit: float) -> float | None:
    """GLOP's bound on the linear relaxation, when the model is small enough to afford it."""
    if time_limit < LP_BOUND_MIN_SECONDS or _candidates(ctx) > LP_BOUND_MAX_CANDIDATES:
        return None
    return lp_lower_bound(ctx.model, time_limit * LP_BOUND_SHARE)


def _candidates(ctx: ModelContext) -> int:
    """(employee, slot) pairs the model has a variable for."""
    return sum(len(t) for t in ctx.takers.values())


def _best(search_bound: float, lp_bound: float | None) -> float:
    if lp_bound is None:
        return search_bound
    return max(search_bound, lp_bound)
