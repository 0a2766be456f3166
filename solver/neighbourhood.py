"""Large neighbourhood search over employees: free a few people, fix the rest, re-plan them.

Every hard rule binds one employee, and with block needs alone the only links between people
are the needs' headcounts. So fixing everyone but a handful leaves an exact, small problem: the
same rules for the freed people, each need's headcount lowered by the people already fixed on
it; a better plan for the handful is a better roster. The same sub-problem with one person and
nobody before them builds a first roster when a search over everything finds none (a rota of
half a year or more): each person's best weeks given the people already placed.

Measured on the rota benchmark (docs/curtois.md): where CP-SAT's own search finds a roster, it
improves it faster than these neighbourhoods (three people over four weeks can take seconds to
prove), so they serve long horizons, where that search finds nothing.

The size of the neighbourhood adapts: it grows while the small problems are solved to
optimality without gain (the roster is locally optimal for that size), and shrinks when they
time out. Quotas and fairness between members link people in ways a lowered headcount does
not capture, so problems with them are left to the other phases (``applies``).
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from solver.greedy import fixed_solve, week_hints
from solver.model import ModelContext
from solver.objective import build_objective
from solver.problem import NeedBlock

START_SIZE = 3
MAX_SIZE = 24
SUB_SECONDS = 2.0
# Freed people without gain, at optimality, before the neighbourhood grows.
STALL_BEFORE_GROWTH = 12

Chosen = dict[str, frozenset[int]]


@dataclass(slots=True)
class Search:
    chosen: Chosen
    objective: float
    iterations: int = 0
    improvements: int = 0
    size: int = START_SIZE


def applies(ctx: ModelContext) -> bool:
    """Whether freeing a few people gives an exact sub-problem for ``ctx``'s problem."""
    problem = ctx.problem
    fairness = (
        problem.rule_enabled("member_fairness") and problem.weights.member_fairness_permille > 0
    )
    return not problem.quotas and not fairness and len(ctx.employees) > 1


def improve(
    ctx: ModelContext,
    chosen: Chosen,
    objective: float,
    deadline: float,
    *,
    on_better: Callable[[float], None] | None = None,
) -> Search:
    """Improve the roster ``chosen`` (slots per employee, of value ``objective``) until
    ``deadline`` (a ``time.perf_counter()`` instant)."""
    params = ctx.problem.parameters
    rng = random.Random(params.random_seed)
    search = Search(dict(chosen), objective)
    people = sorted(ctx.employees)
    search.size = min(START_SIZE, len(people))
    stall = 0
    while time.perf_counter() < deadline - 0.05:
        search.iterations += 1
        free = rng.sample(people, search.size)
        seconds = min(SUB_SECONDS, deadline - time.perf_counter())
        outcome = _replan(ctx, search.chosen, free, seconds)
        if outcome is None:
            search.size = max(2, search.size - 1)
            continue
        gain, weeks, optimal = outcome
        if gain > 0:
            search.chosen.update(weeks)
            search.objective -= gain
            search.improvements += 1
            stall = 0
            if on_better is not None:
                on_better(search.objective)
        elif optimal:
            stall += 1
            if stall >= STALL_BEFORE_GROWTH and search.size < min(MAX_SIZE, len(people)):
                search.size += 1
                stall = 0
        else:
            search.size = max(2, search.size - 1)
    return search


def construct(ctx: ModelContext, deadline: float) -> Chosen | None:
    """A first roster when no search found one: each employee in turn gets their best week
    given the people already placed (their own rules exact, the needs still open priced).

    Every hard rule binds one person, so each week found this way keeps the roster feasible.
    None when someone has no feasible week in the time given.
    """
    chosen: Chosen = {}
    people = sorted(ctx.employees)
    for k, employee_id in enumerate(people):
        left = deadline - time.perf_counter()
        # Each solve has a fixed cost (loading, presolve): below half a second a year-long
        # week is rarely found, so a large group overruns the deadline rather than fail.
        seconds = max(0.5, min(SUB_SECONDS, left / (len(people) - k)))
        outcome = _replan(ctx, chosen, [employee_id], seconds)
        if outcome is None:  # no week found in time: once more, with time to find one
            outcome = _replan(ctx, chosen, [employee_id], 2 * SUB_SECONDS)
        if outcome is None:
            return None
        chosen.update(outcome[1])
    return chosen


def _replan(
    ctx: ModelContext, chosen: Chosen, free: list[str], seconds: float
) -> tuple[float, Chosen, bool] | None:
    """Best weeks for ``free`` with the others of ``chosen`` fixed (people absent from
    ``chosen`` count for nothing), searched for ``seconds``: (gain, weeks, proved optimal).
    The gain is against the free people's weeks in ``chosen``, infinite when they have none
    yet."""
    fixed_on: Counter[str] = Counter()
    for employee_id, slots in chosen.items():
        if employee_id in free:
            continue
        for i in slots:
            fixed_on[ctx.table.slots[i].need_id] += 1
    needs = tuple(_lowered(n, fixed_on[n.id]) for n in ctx.problem.needs)
    problem = replace(ctx.problem, needs=needs)
    sub = ModelContext(problem, employee_ids=free, shared=ctx, released=ctx.released, links=True)
    build_objective(sub)
    before_value = math.inf
    if all(e in chosen for e in free):
        current = week_hints(sub, {e: chosen[e] for e in free})
        before = fixed_solve(sub, current, time_limit=SUB_SECONDS)
        if before is None:
            return None
        before_value = round(before.objective_value)
        for var, value in current.items():
            sub.model.add_hint(var, value)
    solver = cp_model.CpSolver()
    params = problem.parameters
    # Two workers at least: a lone worker runs the LP-guided search only, which can miss a
    # first week for minutes: the portfolio's feasibility jump finds it at once.
    solver.parameters.num_workers = max(2, params.num_workers)
    solver.parameters.random_seed = params.random_seed
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.symmetry_level = 0
    # Presolve loops cost more than they save on a few people's weeks.
    solver.parameters.max_presolve_iterations = 1
    solver.parameters.cp_model_probing_level = 0
    status = solver.solve(sub.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    # Integer weights make integer objectives: rounding keeps the running value exact.
    gain = before_value - round(solver.objective_value)
    weeks = {
        em.id: frozenset(it.slot.index for it in em.slot_items() if solver.boolean_value(it.lit))
        for em in sub.employees.values()
    }
    return gain, weeks, status == cp_model.OPTIMAL


def _lowered(need: NeedBlock, fixed: int) -> NeedBlock:
    """The need as the freed people see it: the fixed people already count."""
    if not fixed:
        return need
    return replace(need, headcount=max(0, need.headcount - fixed))
