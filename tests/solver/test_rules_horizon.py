"""Shift rostering rules: the solver keeps each of them, and still uses what they allow.

Each rule gets a rota where covering everything would break it, so a roster that breaks it
must be impossible (the checker finds nothing and the limit is visibly kept); and a rota where
the rule's allowance pays, so the solver must use all of it (an over-tight rule fails there).
"""

from __future__ import annotations

import ast
import itertools
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import solver.checker as checker_package
from solver import solve
from solver.checker import STRUCTURAL_RULES, check
from solver.problem import (
    Employee,
    HorizonLimits,
    NeedBlock,
    Problem,
    RuleSettings,
    ShiftRequest,
    ShiftType,
    SolveParameters,
)
from solver.roster import Assignment, Roster, SolveResult, SolveStatus
from solver.rules import HARD_RULES
from solver.testing import at, person, small_problem
from tests.solver.test_checker_horizon import ENABLED, LENGTH, rota, worker

FAST = SolveParameters(time_limit_seconds=5, num_workers=1)
HORIZON_RULES = (
    "shift_type_max",
    "forbidden_succession",
    "horizon_minutes",
    "consecutive_days",
    "consecutive_days_off",
    "weekends_max",
)


def solved(problem: Problem) -> SolveResult:
    """Solve quickly and deterministically; fail on any violation the checker finds."""
    result = solve(replace(problem, parameters=FAST))
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE), result.status
    violations = check(problem, result.roster)
    assert violations == [], violations
    return result


def line(problem: Problem, result: SolveResult, employee_id: str = "e1") -> str:
    """The employee's horizon: the shift type worked each day, ``.`` for a day off."""
    types = {n.id: n.shift_type for n in problem.needs}
    days = ["."] * problem.horizon_days
    for a in result.assignments:
        if a.employee_id == employee_id:
            days[a.start // 1440] = types[a.need_id] or "?"
    return "".join(days)


def runs(text: str, char: str) -> list[tuple[int, int]]:
    """``(first day, length)`` of each maximal run of ``char`` (``.`` for days off)."""
    pattern = r"\.+" if char == "." else r"[^.]+"
    return [(m.start(), len(m.group())) for m in re.finditer(pattern, text)]


def _checker_rule_names() -> set[str]:
    """Rule names the checker's source reports: ``Violation("rule", ...)``, ``bad("rule", ...)``."""
    names = set()
    for path in Path(checker_package.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("Violation", "bad")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names.add(node.args[0].value)
    return names


def test_the_model_and_the_checker_name_the_same_rules():
    # enabled_rules names the model's rules: the checker must report under the same names,
    # and check every rule the model registers.
    assert set(HORIZON_RULES) <= set(HARD_RULES)
    assert _checker_rule_names() == set(HARD_RULES) | STRUCTURAL_RULES
    # The structural checks are the model's shape, never a rule one could leave out.
    assert not STRUCTURAL_RULES & set(HARD_RULES)


# -- shift_type_max -----------------------------------------------------------------------


def _capped() -> Problem:
    # Two people, a day shift and a night shift every day: covering every night would take
    # 14 nights, the caps allow 3 + 4.
    team = [
        worker("e1", max_shifts_per_type=(("N", 3),)),
        worker("e2", max_shifts_per_type=(("N", 4), ("D", 0))),
    ]
    return rota(team)


def test_no_more_shifts_of_a_type_than_the_cap():
    problem = _capped()
    result = solved(problem)
    e1, e2 = line(problem, result, "e1"), line(problem, result, "e2")
    assert e1.count("N") <= 3
    assert e2.count("N") <= 4 and "D" not in e2


def test_shift_type_caps_are_used_in_full():
    problem = _capped()
    result = solved(problem)
    e1, e2 = line(problem, result, "e1"), line(problem, result, "e2")
    assert (e1.count("N"), e2.count("N")) == (3, 4)
    assert e1.count("D") == 11  # the type without a cap fills every other day


# -- forbidden_succession -----------------------------------------------------------------


def test_no_forbidden_shift_the_day_after():
    problem = rota([worker()], forbidden={"N": "D"}, offered="ND" * 7)
    result = solved(problem)
    worked = line(problem, result)
    assert "ND" not in worked
    # Each (night, next day) pair keeps one of its two shifts.
    assert len(result.assignments) == 7


def test_allowed_successions_and_the_horizon_end_are_used():
    # Day, night, late, day...: a late shift after a night, a day after a late are allowed.
    offered = "DNL" * 4 + "DN"
    allowed = rota([worker()], types="DLN", forbidden={"N": "D"}, offered=offered)
    assert line(allowed, solved(allowed)) == offered
    # Day 0 does not follow the last day: no wrap around the horizon.
    ends = rota([worker()], forbidden={"N": "D"}, offered="D............N")
    assert line(ends, solved(ends)) == "D............N"


# -- horizon_minutes ----------------------------------------------------------------------


def test_no_more_minutes_than_the_horizon_allows():
    problem = rota([worker(max_total_minutes=2500)], types="D")
    result = solved(problem)
    assert sum(a.minutes for a in result.assignments) <= 2500
    assert len(result.assignments) == 5  # 5 × 480 fits, a sixth would not


def test_at_least_the_minimum_minutes_even_against_wishes():
    # Every day the employee asks for a day off and covering pays nothing: only the
    # minimum makes them work, and no more than it needs.
    wishes = tuple(ShiftRequest("e1", d, None, on=False, weight=1) for d in range(14))
    problem = rota(
        [worker(min_total_minutes=3 * 480)],
        types="D",
        shift_requests=wishes,
        enabled_rules=ENABLED - {"uncovered"},
    )
    result = solved(problem)
    assert sum(a.minutes for a in result.assignments) == 3 * 480


# -- consecutive_days ---------------------------------------------------------------------


def test_no_run_of_working_days_longer_than_the_maximum():
    problem = rota([worker(max_consecutive_days=3)], types="D")
    worked = line(problem, solved(problem))
    assert max(length for _, length in runs(worked, "D")) <= 3
    # Every run as long as allowed, one day off between them: DDD.DDD.DDD.DD
    assert worked.count("D") == 11


def test_no_short_run_of_working_days_inside_the_horizon():
    problem = rota([worker(min_consecutive_days=3)], types="D", offered="...D..DDD..D..")
    assert line(problem, solved(problem)) == "......DDD....."


def test_short_runs_of_working_days_at_the_edges_follow_the_settings():
    offered = "DD...........D"
    free = rota([worker(min_consecutive_days=3)], types="D", offered=offered)
    assert line(free, solved(free)) == offered
    bound = rota([worker(min_consecutive_days=3)], types="D", offered=offered, edges=True)
    assert solved(bound).assignments == ()


# -- consecutive_days_off ----------------------------------------------------------------


def test_no_short_run_of_days_off_inside_the_horizon():
    problem = rota([worker(min_consecutive_days_off=2)], types="D", offered="DDDDD.DDD.DDDD")
    worked = line(problem, solved(problem))
    inside = [length for first, length in runs(worked, ".") if 0 < first < 14 - length]
    assert inside and min(inside) >= 2
    assert worked.count("D") == 10  # one more day off beside each single one


def test_short_runs_of_days_off_at_the_edges_follow_the_settings():
    for offered in (".DDDDDDDDDDDDD", "DDDDDDDDDDDDD."):
        free = rota([worker(min_consecutive_days_off=2)], types="D", offered=offered)
        assert line(free, solved(free)) == offered
        bound = rota([worker(min_consecutive_days_off=2)], types="D", offered=offered, edges=True)
        worked = line(bound, solved(bound))
        assert worked.count("D") == 12
        assert min(length for _, length in runs(worked, ".")) >= 2


# -- weekends_max -------------------------------------------------------------------------


def test_no_more_weekends_than_the_maximum():
    problem = rota([worker(max_weekends=1)], types="D")
    worked = line(problem, solved(problem))
    weekends = [k for k in range(2) if "D" in worked[7 * k + 5 : 7 * k + 7]]
    assert len(weekends) <= 1


def test_a_weekend_worked_is_worked_in_full():
    problem = rota([worker(max_weekends=1)], types="D")
    worked = line(problem, solved(problem))
    # Saturday and Sunday of one weekend count once: only the other weekend is off.
    assert worked.count("D") == 12


# -- properties ---------------------------------------------------------------------------


@st.composite
def rotas(draw) -> Problem:
    """Small random rotas: random limits, successions, cover and wishes; French rules off."""
    days = draw(st.sampled_from((7, 14)))
    types = draw(st.sampled_from(("DN", "DL", "DLN")))
    shift_types = tuple(
        ShiftType(t, tuple(draw(st.sets(st.sampled_from(types), max_size=2)))) for t in types
    )
    employees: list[Employee] = []
    for i in range(draw(st.integers(1, 3))):
        shortest = draw(st.integers(0, 3))
        least = draw(st.sampled_from((0, 0, 480, 960)))
        limits = HorizonLimits(
            max_shifts_per_type=tuple(
                (t, draw(st.integers(0, days))) for t in types if draw(st.booleans())
            ),
            min_total_minutes=least,
            max_total_minutes=draw(st.none() | st.integers(least, days * 600)),
            min_consecutive_days=shortest,
            max_consecutive_days=draw(st.none() | st.integers(max(1, shortest), 7)),
            min_consecutive_days_off=draw(st.integers(0, 3)),
            max_weekends=draw(st.none() | st.integers(0, days // 7)),
        )
        employees.append(
            person(f"e{i}", horizon_limits=limits if draw(st.booleans()) or i == 0 else None)
        )
    needs = []
    for d in range(days):
        for t in types:
            headcount = draw(st.integers(0, 2))
            priced = draw(st.booleans())
            needs.append(
                NeedBlock(
                    f"{t}{d}",
                    "s1",
                    "cleaning",
                    at(d, 0),
                    at(d, 0) + LENGTH[t],
                    headcount,
                    shift_type=t,
                    weight_under=draw(st.integers(1, 500)) if priced else None,
                    weight_over=draw(st.none() | st.integers(1, 50)) if priced else None,
                )
            )
    wishes = tuple(
        ShiftRequest(
            f"e{draw(st.integers(0, len(employees) - 1))}",
            draw(st.integers(0, days - 1)),
            draw(st.none() | st.sampled_from(types)),
            draw(st.booleans()),
            draw(st.integers(1, 200)),
        )
        for _ in range(draw(st.integers(0, 4)))
    )
    return small_problem(
        employees,
        needs,
        horizon_days=days,
        shift_types=shift_types,
        shift_requests=wishes,
        enabled_rules=ENABLED,
        settings=RuleSettings(min_runs_bind_at_edges=draw(st.booleans())),
        parameters=FAST,
    )


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(rotas())
def test_random_rotas_break_no_rule(problem):
    result = solve(problem)
    if result.status == SolveStatus.INFEASIBLE:
        # Only a minimum of minutes can be out of reach; every other rule allows no work.
        assert any(
            e.horizon_limits is not None and e.horizon_limits.min_total_minutes
            for e in problem.employees
        )
        return
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE), result.status
    assert check(problem, result.roster) == []


def _best_cover_by_hand(problem: Problem) -> int | None:
    """Most minutes one employee can cover in a roster the checker accepts (None: none)."""
    (e,) = problem.employees
    needs = {n.id: n for n in problem.needs}
    best = None
    for week in itertools.product([None, *problem.shift_types], repeat=problem.horizon_days):
        taken = [needs[f"{t.id}{d}"] for d, t in enumerate(week) if t is not None]
        roster = Roster(
            problem.week,
            tuple(Assignment(e.id, "m1", n.site_id, n.id, n.start, n.end) for n in taken),
        )
        if not check(problem, roster):
            minutes = sum(n.end - n.start for n in taken)
            best = minutes if best is None else max(best, minutes)
    return best


@pytest.mark.slow
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(rotas())
def test_random_rotas_cover_as_much_as_the_rules_allow(problem):
    # One person, one week, every shift open and paid by the minute: the solver must reach
    # the best cover found by trying every week by hand, so no rule is tighter than written.
    week = replace(
        problem,
        horizon_days=7,
        employees=problem.employees[:1],
        shift_requests=(),
        needs=tuple(
            replace(n, headcount=1, weight_under=None, weight_over=None)
            for n in problem.needs
            if n.start < 7 * 1440
        ),
    )
    best = _best_cover_by_hand(week)
    result = solve(week)
    if best is None:
        assert result.status == SolveStatus.INFEASIBLE
        return
    assert result.status == SolveStatus.OPTIMAL, result.status
    assert check(week, result.roster) == []
    assert sum(a.minutes for a in result.assignments) == best
