"""The benchmark through the solver's own rule engine (``solver.benchmarks.rota``).

The proof that the rules were read right is that the solver reproduces the exact optima the
evaluator computes independently (607 on Instance1 with open edges, 807 when edges bind), and
that on every roster it returns the model's objective equals the evaluator's.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from solver import solve
from solver.benchmarks.evaluator import EdgeReading, evaluate
from solver.benchmarks.rota import ROTA_RULES, need_id, to_lines, to_problem
from solver.checker import check
from solver.model import ModelContext, UnsupportedProblem
from solver.problem import SolveParameters
from solver.roster import Assignment, Roster, SolveStatus
from tests.solver.benchmarks.helpers import small

QUICK = SolveParameters(time_limit_seconds=20, num_workers=2)


def test_instance_becomes_an_ordinary_problem(benchmark) -> None:
    inst = benchmark(1)
    p = to_problem(inst)
    assert p.horizon_days == inst.days == 14
    assert len(p.needs) == inst.days * len(inst.shifts)
    assert len(p.absences) == inst.day_off_entries
    assert len(p.shift_requests) == inst.request_count
    assert p.enabled_rules == ROTA_RULES
    # No French legal rule applies to the benchmark's fictitious shifts.
    assert not {"daily_max", "weekly_max", "daily_rest", "weekly_rest"} & ROTA_RULES
    covered = {(c.day, c.shift_id): c for c in inst.cover}
    for n in p.needs:
        day, _, shift = n.id.partition(":")
        c = covered.get((int(day), shift))
        assert n.headcount == (c.requirement if c else 0)
        assert n.start == int(day) * 1440 and n.end - n.start == inst.shift(shift).minutes


@pytest.mark.parametrize(("edges", "optimum"), [(EdgeReading.OPEN, 607), (EdgeReading.BOUND, 807)])
def test_instance1_optimum_reproduced_under_both_edge_readings(
    benchmark, edges: EdgeReading, optimum: int
) -> None:
    inst = benchmark(1)
    result = solve(to_problem(inst, parameters=QUICK, edges=edges))
    assert result.status == SolveStatus.OPTIMAL
    evaluation = evaluate(inst, to_lines(inst, result.roster), edges=edges)
    assert evaluation.feasible, evaluation.violations
    assert evaluation.objective == optimum == result.objective


@pytest.mark.parametrize("number", [2, 3, 5])
def test_model_objective_is_the_benchmark_objective(benchmark, number: int) -> None:
    inst = benchmark(number)
    params = SolveParameters(time_limit_seconds=4, num_workers=2)
    problem = to_problem(inst, parameters=params)
    result = solve(problem)
    assert result.roster.assignments
    evaluation = evaluate(inst, to_lines(inst, result.roster))
    assert evaluation.feasible, evaluation.violations[:5]
    assert evaluation.objective == result.objective
    assert check(problem, result.roster) == []


def test_long_horizon_without_a_search_roster_is_built_per_employee(benchmark) -> None:
    """Instance 20 (a 26-week horizon): the roster is built one person's line at a time
    (solver.line_search), handed to CP-SAT's search, and stays feasible; its reported value
    is the evaluator's."""
    inst = benchmark(20)
    params = SolveParameters(
        time_limit_seconds=20,
        num_workers=2,
        decomposition=False,
        neighbourhood_share=0.8,
        explain_uncovered=False,
    )
    result = solve(to_problem(inst, parameters=params))
    assert result.status == SolveStatus.FEASIBLE
    evaluation = evaluate(inst, to_lines(inst, result.roster))
    assert evaluation.feasible, evaluation.violations[:5]
    assert evaluation.objective == result.objective


def test_min_runs_are_hard_in_the_model() -> None:
    """Cover asks for A on day 3 only; A's runs of work are at least 3 days, so the solver
    works a run of three around day 3 (paying over-cover) rather than one lonely day."""
    cover = "\n".join(f"{d},E,{1 if d == 3 else 0},100,1" for d in range(14))
    inst = small(staff="A,E=99|L=0,100000,0,99,3,1,99", cover=cover)
    result = solve(to_problem(inst, parameters=QUICK))
    line = to_lines(inst, result.roster)["A"]
    worked = [d for d, s in enumerate(line) if s]
    assert 3 in worked
    assert len(worked) == 3 and worked == list(range(worked[0], worked[0] + 3))
    assert result.objective == 2  # two extra people-days of over-cover
    assert evaluate(inst, {"A": line}).feasible


def test_roster_back_to_lines_refuses_two_shifts_a_day(benchmark) -> None:
    inst = benchmark(1)
    a = inst.staff[0].id
    roster = Roster(
        inst.name,
        (
            Assignment(a, "ward", "ward", need_id(0, "D"), 0, 480),
            Assignment(a, "ward", "ward", need_id(0, "L"), 0, 480),
        ),
    )
    with pytest.raises(ValueError, match="two shifts on day 0"):
        to_lines(inst, roster)


def test_horizon_longer_than_a_week_refuses_weekly_french_rules() -> None:
    inst = small()
    problem = replace(to_problem(inst), enabled_rules=None)
    with pytest.raises(UnsupportedProblem, match="weekly_max"):
        ModelContext(problem)
