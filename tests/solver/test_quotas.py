"""Weekly quotas: covered in blocks of allowed length, inside windows, never over the ask."""

from __future__ import annotations

from solver.problem import Interval, NeedQuota
from solver.testing import at, person, small_problem
from tests.solver.helpers import broken_rules, roster_of, solved


def _quota(minutes: int, headcount: int = 1) -> NeedQuota:
    windows = tuple(Interval(at(d, 8), at(d, 12)) for d in range(3))
    return NeedQuota("q", "s1", "cleaning", minutes, windows, 120, 180, headcount=headcount)


def test_quota_is_covered_in_blocks_inside_its_windows():
    problem = small_problem([person(), person("e2")], quotas=(_quota(480),))
    result = solved(problem)
    assert sum(a.minutes for a in result.assignments) == 480
    for a in result.assignments:
        assert 120 <= a.minutes <= 180
        assert any(w.start <= a.start and a.end <= w.end for w in _quota(480).windows)


def test_quota_never_gets_more_minutes_than_asked():
    problem = small_problem([person(), person("e2")], quotas=(_quota(300),))
    assert sum(a.minutes for a in solved(problem).assignments) <= 300
    too_much = roster_of(
        problem, ("e1", "q", at(0, 8), at(0, 11)), ("e2", "q", at(1, 8), at(1, 11))
    )
    assert "headcount" in broken_rules(problem, too_much)


def test_quota_has_at_most_its_headcount_at_once():
    problem = small_problem([person(), person("e2")], quotas=(_quota(720),))
    result = solved(problem)
    for a in result.assignments:
        assert sum(1 for b in result.assignments if b.start < a.end and a.start < b.end) == 1
    together = roster_of(
        problem, ("e1", "q", at(0, 8), at(0, 10)), ("e2", "q", at(0, 9), at(0, 11))
    )
    assert "headcount" in broken_rules(problem, together)


def test_quota_pieces_outside_the_windows_are_caught():
    problem = small_problem([person()], quotas=(_quota(480),))
    outside = roster_of(problem, ("e1", "q", at(0, 13), at(0, 15)))
    assert "need_match" in broken_rules(problem, outside)
