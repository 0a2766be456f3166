"""Column generation (solver.columns): its bound is valid and its rosters obey every rule."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from solver.checker import check
from solver.columns import columns_of, generate_columns, linking_rows, restricted_master
from solver.greedy import chosen_slots, complete_hint, fixed_solve, greedy_hints, week_hints
from solver.problem import ContractKind, Interval, Problem
from solver.report import extract_roster
from solver.testing import Size, at, block, generate, person, small_problem, with_previous
from tests.solver.helpers import (
    broken_rules,
    examples,
    generated_groups,
    objective_context,
    proved_optimum,
    solved,
)

SMALL = examples(40)


@st.composite
def small_groups(draw) -> Problem:
    problem = draw(generated_groups(employees=(2, 6), members=(1, 3), blocks=(3, 12)))
    if draw(st.booleans()):
        # Re-planning: the stability penalty is priced inside each employee's week.
        problem = with_previous(problem, solved(problem).roster)
    return problem


def _generation(problem: Problem):
    ctx = objective_context(problem)
    start = complete_hint(ctx, greedy_hints(ctx))
    linking = linking_rows(ctx)
    starts = [columns_of(ctx, start)] if start is not None else []
    return ctx, linking, start, generate_columns(ctx, linking, starts, time_limit=20)


@SMALL
@given(small_groups())
def test_column_generation_bound_never_exceeds_the_optimum(problem):
    ctx, _, _, generation = _generation(problem)
    optimum = proved_optimum(ctx)
    if optimum is None or generation is None:
        return
    assert generation.bound <= optimum + 1e-6


@SMALL
@given(small_groups())
def test_restricted_master_roster_breaks_no_hard_rule(problem):
    ctx, linking, start, generation = _generation(problem)
    if generation is None or start is None:
        return
    weeks = restricted_master(
        linking, generation.columns, list(ctx.employees), 5.0, hint=chosen_slots(ctx, start)
    )
    assert weeks is not None
    found = fixed_solve(ctx, week_hints(ctx, weeks))
    assert found is not None
    assert check(problem, extract_roster(ctx, found)) == []
    # The master's value is the full model's objective of the same roster.
    chosen = {c.employee_id: c for c in generation.columns if weeks[c.employee_id] == c.slots}
    assert found.objective_value >= generation.bound - 1e-6
    assert sum(c.value for c in chosen.values()) + linking.constant <= found.objective_value


def test_start_columns_cost_what_the_full_model_says():
    problem = generate(Size(employees=5, members=2, blocks=10, quotas=1), seed=3, time_limit=2.0)
    ctx = objective_context(problem)
    start = complete_hint(ctx, greedy_hints(ctx))
    assert start is not None
    linking = linking_rows(ctx)
    columns = columns_of(ctx, start)
    for c in columns:
        c.gain = sum(linking.gain.get(i, 0) for i in c.slots)
    fairness = start.objective_value - linking.constant - sum(c.value for c in columns)
    # What is left is the fairness term only: worst relative shortfall, non-negative.
    assert 0 <= fairness <= problem.weights.member_fairness_permille * 1000


def test_solve_reports_the_column_generation_bound():
    problem = generate(Size(employees=6, members=2, blocks=12, quotas=1), seed=5, time_limit=6.0)
    result = solved(problem)
    assert result.best_bound is not None
    assert result.best_bound <= result.objective
    assert check(problem, result.roster) == []


def test_a_day_of_work_for_another_employer_only_is_no_scattered_day():
    """Grouping in half or whole days concerns the group's hours, not another employer's."""
    short = person(
        kind=ContractKind.PERMANENT_PART_TIME,
        contract=900,
        external_intervals=(Interval(at(2, 8), at(2, 10)),),
    )
    problem = small_problem([short], [block("half", at(0, 8), at(0, 12))])
    result = solved(problem)
    assert {a.need_id for a in result.assignments} == {"half"}
    assert "short_contract_grouping" not in broken_rules(problem, result.roster)
