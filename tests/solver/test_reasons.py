"""Every uncovered need carries the reason a manager can act on, one test per reason code."""

from __future__ import annotations

from solver.problem import Absence, ContractKind, Interval, Placement
from solver.testing import at, block, person, small_problem
from tests.solver.helpers import solved


def _reason(problem, need_id: str) -> str:
    result = solved(problem)
    return next(u.reason for u in result.uncovered if u.need_id == need_id)


def test_need_nobody_has_the_skill_for_is_no_skill():
    problem = small_problem([person()], [block("weld", at(0, 8), at(0, 12), skill="welding")])
    assert _reason(problem, "weld") == "no_skill"


def test_need_outside_everyones_availability_is_unavailable():
    problem = small_problem(
        [person(availability=(Interval(at(0, 13), at(0, 20)),))], [block("a", at(0, 8), at(0, 12))]
    )
    assert _reason(problem, "a") == "unavailable"


def test_need_while_everyone_skilled_is_absent_is_absent():
    problem = small_problem(
        [person()], [block("a", at(0, 8), at(0, 12))], absences=(Absence("e1", 0, at(1, 0)),)
    )
    assert _reason(problem, "a") == "absent"


def test_need_while_everyone_skilled_works_elsewhere_is_busy_elsewhere():
    problem = small_problem(
        [person()], [block("a", at(0, 8), at(0, 12), priority=3), block("b", at(0, 9), at(0, 11))]
    )
    assert _reason(problem, "b") == "busy_elsewhere"


def test_need_blocked_by_a_legal_limit_names_the_rule():
    needs = [
        block("a", at(0, 7), at(0, 12), priority=3),
        block("b", at(0, 12, 30), at(0, 17, 30), priority=3),
        block("c", at(0, 18), at(0, 20)),
    ]
    assert _reason(small_problem([person()], needs), "c") == "legal_limit:daily_max"


def test_need_out_of_reach_in_time_is_travel():
    needs = [
        block("a", at(0, 8), at(0, 12), priority=3),
        block("b", at(0, 12, 10), at(0, 15), "s2"),
    ]
    assert _reason(small_problem([person()], needs, travel_minutes=30), "b") == "travel"


def test_host_need_while_the_tutor_is_away_is_tutor_absent():
    problem = small_problem(
        [person(kind=ContractKind.APPRENTICESHIP)],
        [block("a", at(0, 14), at(0, 17))],
        placements=(Placement("e1", "m1", (Interval(at(0, 8), at(0, 12)),)),),
    )
    assert _reason(problem, "a") == "tutor_absent"


def test_uncovered_minutes_count_each_missing_person():
    problem = small_problem([person()], [block("a", at(0, 8), at(0, 12), headcount=3)])
    result = solved(problem)
    assert result.uncovered[0].minutes == 2 * 240
