"""Neighbourhoods (solver.neighbourhood): the sub-problem of a few freed people is exact.

The value the search keeps track of (the start's objective minus each gain) must equal the
full model's objective of the roster it ends with: a sub-problem that priced a need wrongly
would drift away from it. And every roster it hands back obeys every hard rule.
"""

from __future__ import annotations

import time
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from solver.checker import check
from solver.greedy import chosen_slots, complete_hint, fixed_solve, greedy_hints, week_hints
from solver.neighbourhood import applies, construct, improve
from solver.problem import Problem, Weights
from solver.report import extract_roster
from solver.testing import Size, generate
from tests.solver.helpers import examples, generated_groups, objective_context
from tests.solver.test_checker_horizon import rota, worker

SMALL = examples(20)


def groups_without_fairness() -> st.SearchStrategy[Problem]:
    groups = generated_groups(employees=(3, 7), members=(1, 3), blocks=(4, 14), quotas=(0, 0))
    return groups.map(lambda p: replace(p, weights=replace(Weights(), member_fairness_permille=0)))


@SMALL
@given(groups_without_fairness())
def test_improved_value_is_the_full_objective_of_the_roster(problem: Problem) -> None:
    ctx = objective_context(problem)
    assert applies(ctx)
    start = complete_hint(ctx, greedy_hints(ctx))
    if start is None:
        return
    found = improve(ctx, chosen_slots(ctx, start), start.objective_value, time.perf_counter() + 1.5)
    assert found.objective <= start.objective_value
    full = fixed_solve(ctx, week_hints(ctx, found.chosen))
    assert full is not None
    assert full.objective_value == found.objective
    assert check(problem, extract_roster(ctx, full)) == []


def test_rota_built_employee_by_employee_breaks_no_rule() -> None:
    staff = [
        worker(
            f"e{k}",
            min_total_minutes=2400,
            max_total_minutes=4800,
            min_consecutive_days=2,
            max_consecutive_days=4,
            min_consecutive_days_off=2,
            max_weekends=1,
        )
        for k in range(3)
    ]
    problem = rota(
        staff, days=14, types="DLN", forbidden={"N": "DL"}, weight_under=100, weight_over=1
    )
    ctx = objective_context(problem)
    chosen = construct(ctx, time.perf_counter() + 10)
    assert chosen is not None and set(chosen) == set(ctx.employees)
    full = fixed_solve(ctx, week_hints(ctx, chosen))
    assert full is not None
    assert check(problem, extract_roster(ctx, full)) == []


def test_quotas_and_fairness_are_left_to_the_other_phases() -> None:
    with_quota = generate(Size(employees=4, members=2, blocks=4, quotas=1), seed=3)
    assert not applies(objective_context(with_quota))
    fair = generate(Size(employees=4, members=2, blocks=4, quotas=0), seed=3)
    assert not applies(objective_context(fair))
    assert applies(
        objective_context(replace(fair, weights=replace(Weights(), member_fairness_permille=0)))
    )
