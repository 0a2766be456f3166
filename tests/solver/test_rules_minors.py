"""Employees under 18: shorter days and weeks, longer breaks and rest, no night work."""

from __future__ import annotations

from solver.testing import at, block, person, small_problem
from tests.solver.helpers import broken_rules, solved, take


def _minor(**fields):
    return person(is_minor=True, **fields)


def test_minor_never_works_after_22h():
    problem = small_problem([_minor()], [block("late", at(0, 20), at(0, 23))])
    result = solved(problem)
    assert result.assignments == ()
    assert result.uncovered[0].reason == "legal_limit:minor_night"
    assert "minor_night" in broken_rules(problem, take(problem, "e1", "late"))


def test_minor_never_works_before_6h():
    problem = small_problem([_minor()], [block("early", at(2, 5), at(2, 8))])
    assert solved(problem).assignments == ()
    assert "minor_night" in broken_rules(problem, take(problem, "e1", "early"))


def test_minor_works_at_most_8_hours_a_day():
    needs = [block("a", at(0, 8), at(0, 12)), block("b", at(0, 12, 30), at(0, 17))]
    adult = small_problem([person()], needs)
    assert len(solved(adult).assignments) == 2
    problem = small_problem([_minor()], needs)
    assert len(solved(problem).assignments) == 1
    assert "daily_max" in broken_rules(problem, take(problem, "e1", "a", "b"))


def test_minor_works_at_most_35_hours_a_week():
    needs = [block(f"d{d}{h}", at(d, h), at(d, h + 4)) for d in range(5) for h in (8, 13)]
    problem = small_problem([_minor()], needs)
    assert sum(a.minutes for a in solved(problem).assignments) <= 2100
    assert "weekly_max" in broken_rules(problem, take(problem, "e1", *[n.id for n in needs]))


def test_minor_takes_30_minutes_of_break_after_4h30():
    needs = [block("a", at(0, 8), at(0, 11)), block("b", at(0, 11, 20), at(0, 13))]
    adult = small_problem([person()], needs)
    assert len(solved(adult).assignments) == 2
    problem = small_problem([_minor()], needs)
    assert len(solved(problem).assignments) == 1
    assert "break" in broken_rules(problem, take(problem, "e1", "a", "b"))


def test_minor_rests_12_hours_between_days():
    needs = [block("evening", at(0, 16), at(0, 20)), block("morning", at(1, 7, 30), at(1, 11))]
    adult = small_problem([person()], needs)
    assert len(solved(adult).assignments) == 2
    problem = small_problem([_minor()], needs)
    assert len(solved(problem).assignments) == 1
    assert "daily_rest" in broken_rules(problem, take(problem, "e1", "evening", "morning"))


def test_minor_has_two_consecutive_days_off():
    needs = [block(f"d{d}", at(d, 9), at(d, 12)) for d in (0, 2, 4, 6)]
    adult = small_problem([person()], needs)
    assert len(solved(adult).assignments) == 4
    problem = small_problem([_minor()], needs)
    assert len(solved(problem).assignments) == 3
    assert "minor_days_off" in broken_rules(problem, take(problem, "e1", *[n.id for n in needs]))
