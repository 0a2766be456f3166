"""The solve() contract: determinism, progress, diagnosis, re-planning, serialisation."""

from __future__ import annotations

import ast
import json
from dataclasses import replace
from pathlib import Path

from solver.checker import check
from solver.problem import ContractKind, Interval, Placement, SolveParameters, TrainingSession
from solver.roster import SolveStatus
from solver.serialization import (
    problem_from_dict,
    problem_to_dict,
    result_from_dict,
    result_to_dict,
)
from solver.solve import LINES_FINAL_RESERVE, lines_final_reserve, solve
from solver.testing import SIZES, Size, at, block, generate, person, small_problem, with_previous
from tests.solver.helpers import solved

GROUP = Size(employees=12, members=6, blocks=40, quotas=1)


def test_one_worker_and_a_fixed_seed_give_the_same_roster_twice():
    problem = generate(GROUP, seed=3, time_limit=3.0, workers=1)
    assert solve(problem).roster == solve(problem).roster


def test_one_worker_gives_the_same_roster_even_when_the_time_limit_cuts_the_search():
    # Size M does not reach optimality in a second: the search is cut by its limit, which for
    # one worker is CP-SAT's deterministic clock, so the load of the machine cannot matter.
    problem = generate(SIZES["M"], seed=8, time_limit=1.0, workers=1)
    first = solve(problem)
    assert first.status != SolveStatus.OPTIMAL
    assert solve(problem).roster == first.roster


def test_progress_is_reported_from_the_first_feasible_roster():
    seen = []
    result = solve(generate(GROUP, seed=4, time_limit=2.0), on_progress=seen.append)
    assert seen
    assert result.first_feasible_seconds is not None
    assert result.first_feasible_seconds <= result.solve_seconds


def test_result_reports_bound_gap_minutes_and_penalties():
    problem = generate(GROUP, seed=5, time_limit=3.0)
    result = solved(problem)
    assert result.best_bound is not None and result.best_bound <= result.objective + 1e-6
    assert 0 <= result.gap <= 1
    assert sum(result.minutes_by_employee.values()) == sum(a.minutes for a in result.assignments)
    assert sum(result.minutes_by_member.values()) == sum(a.minutes for a in result.assignments)
    assert sum(result.penalties.values()) == round(result.objective)


def test_training_days_that_do_not_fit_the_contract_are_diagnosed_in_words():
    placed = person(kind=ContractKind.PROFESSIONALISATION, contract=1200)
    training = tuple(TrainingSession("e1", "school", at(d, 8), at(d, 14)) for d in range(5))
    problem = small_problem(
        [placed],
        [block("a", at(0, 15), at(0, 17))],
        placements=(Placement("e1", "m1", (Interval(0, at(5, 0)),)),),
        training_sessions=training,
    )
    result = solve(problem)
    assert result.status == SolveStatus.INFEASIBLE
    rules = {(c.rule, c.employee_id) for c in result.conflicts}
    assert ("training_sessions", "e1") in rules
    assert ("part_time_hours", "e1") in rules
    assert any("e1" in c.message for c in result.conflicts)


def test_replanning_after_one_new_need_changes_few_assignments():
    problem = generate(GROUP, seed=6, time_limit=3.0)
    first = solved(problem)
    extra = block(
        "new",
        at(2, 9),
        at(2, 12),
        site_id=problem.sites[0].id,
        skill=problem.employees[0].skills[0],
        priority=3,
    )
    again = solved(with_previous(replace(problem, needs=(*problem.needs, extra)), first.roster))
    assert len(again.changes) <= max(2, len(first.assignments) // 10)


def test_problem_and_result_survive_a_json_round_trip():
    problem = generate(GROUP, seed=7, time_limit=2.0)
    text = json.dumps(problem_to_dict(problem))
    assert problem_from_dict(json.loads(text)) == problem
    result = solve(problem)
    assert result_from_dict(json.loads(json.dumps(result_to_dict(result)))) == result


def test_generated_group_of_size_s_is_solved_without_violation():
    problem = replace(
        generate(SIZES["S"], seed=1),
        parameters=SolveParameters(time_limit_seconds=3.0, num_workers=2, random_seed=1),
    )
    result = solve(problem)
    assert check(problem, result.roster) == []
    assert result.assignments


def test_checker_shares_no_code_with_the_model():
    allowed = {"solver.problem", "solver.roster"}
    checker_dir = Path(__file__).resolve().parents[2] / "solver" / "checker"
    assert list(checker_dir.glob("*.py"))
    for path in checker_dir.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("solver"):
                assert node.module in allowed or node.module.startswith("solver.checker"), path


def test_the_lines_leave_a_slow_model_the_time_its_roster_needs() -> None:
    # Turning the lines' roster into a solution grows with the model: a model that took a
    # third of the minute to build keeps more than the fixed share back, a quick one the share.
    assert lines_final_reserve(60.0, 1.0) == LINES_FINAL_RESERVE
    slow = lines_final_reserve(60.0, 20.0)
    assert slow > LINES_FINAL_RESERVE
    assert slow * 60.0 >= 0.6 * 20.0 - 1e-9
    assert lines_final_reserve(60.0, 600.0) == 1.0
