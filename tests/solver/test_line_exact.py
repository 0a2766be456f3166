"""The best roster among the lines near the columns' bound (solver.line_exact).

Its program holds every roster worth at most its target: on small rotas its optimum is
CP-SAT's proved optimum of the whole model, its roster keeps every rule at the model's own
value, and a target below the optimum proves that no roster reaches it.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import given

from solver import line_columns, line_exact, line_search
from solver.benchmarks.rota import to_problem
from solver.checker import check
from solver.greedy import fixed_solve, week_hints
from solver.problem import Problem
from solver.report import extract_roster
from tests.solver.helpers import (
    benchmark_or_skip,
    examples,
    objective_context,
    proved_optimum,
)
from tests.solver.test_line_columns import generator
from tests.solver.test_line_search import rotas


def rooted(problem: Problem) -> tuple[line_search.LineSearch, object] | None:
    """A line search's roster and the duals of its converged root, None without either."""
    found = line_search.search(objective_context(problem), time.perf_counter() + 0.3)
    if found is None:
        return None
    gen = generator(found)
    gen.run(time.perf_counter() + 20.0)
    solved = gen.m.solve()
    assert gen.converged and solved is not None
    return found, solved[1]


@examples(10)
@given(rotas(weeks=(1, 2)))
def test_the_program_finds_the_proved_optimum_and_its_roster_keeps_every_rule(problem) -> None:
    best = proved_optimum(objective_context(problem), 30.0, workers=2)
    started = rooted(problem)
    if best is None or started is None:
        return
    found, duals = started
    # One above the lines' roster: the program's target is that roster's value. Ties
    # between people make too many lines to list on some rotas (None: the dive goes on).
    settled = line_exact.settle(found, duals, found.objective() + 1, time.perf_counter() + 60)
    if settled is None:
        return
    # Every bound it proves is sound; a roster it finds is optimal.
    assert settled.bound <= best + 1e-6
    if settled.lines is None:
        return  # Only a lower target's lines fitted: none below it exists.
    assert settled.value == pytest.approx(best)
    assert settled.bound == settled.value
    found.adopt(settled.lines)
    assert found.objective() == pytest.approx(best)
    ctx = objective_context(problem)
    full = fixed_solve(ctx, week_hints(ctx, found.chosen()))
    assert full is not None, "the program's roster breaks a hard rule of the model"
    assert full.objective_value == pytest.approx(best)
    assert check(problem, extract_roster(ctx, full)) == []


@examples(10)
@given(rotas(weeks=(1, 2)))
def test_below_the_optimum_the_program_proves_no_roster_exists(problem) -> None:
    best = proved_optimum(objective_context(problem), 30.0, workers=2)
    started = rooted(problem)
    if best is None or started is None:
        return
    found, duals = started
    settled = line_exact.settle(found, duals, round(best), time.perf_counter() + 60)
    if settled is None:
        return
    assert settled.lines is None
    # The optimum itself where its lines fitted, else a lower target's.
    assert settled.bound <= round(best)


def test_instance1_is_proved_optimal_by_the_program() -> None:
    started = rooted(to_problem(benchmark_or_skip(1)))
    assert started is not None
    found, duals = started
    # The program's target is the lines' roster's value.
    settled = line_exact.settle(found, duals, found.objective() + 1, time.perf_counter() + 30)
    assert settled is not None and settled.lines is not None
    assert settled.value == settled.bound == 607


def test_the_dive_returns_the_program_roster_it_proved_and_raises_the_bound() -> None:
    found = line_search.search(
        objective_context(to_problem(benchmark_or_skip(1))), time.perf_counter() + 0.3
    )
    assert found is not None
    dived = line_columns.dive(found, time.perf_counter() + 30.0)
    assert dived is not None
    found.adopt(dived)
    assert found.objective() == found.bound == 607
