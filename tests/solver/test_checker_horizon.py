"""The independent checker on shift rostering: hand-written rosters over a horizon of weeks.

Each rule is shown broken and kept; the minimum-run rules under both readings of the edges
(a run touching day 0 or the last day). No model here: these rosters are written by hand.
"""

from __future__ import annotations

from dataclasses import replace

from solver.checker import Checker, check, employee_work
from solver.checker.core import Lookups
from solver.problem import (
    Employee,
    HorizonLimits,
    NeedBlock,
    Problem,
    RuleSettings,
    ShiftType,
    TrainingSession,
)
from solver.roster import Assignment, Roster
from solver.rules.profiles import ROTA_RULES
from solver.testing import at, block, person, small_problem

# Rules of a rota that is not under French law (as a public benchmark names them).
ENABLED = ROTA_RULES
# Every shift of a day starts at its midnight, so a person works at most one shift a day.
LENGTH = {"D": 480, "L": 480, "N": 600}


def rota(
    employees: list[Employee],
    *,
    days: int = 14,
    types: str = "DN",
    forbidden: dict[str, str] | None = None,
    offered: str | None = None,
    headcount: int = 1,
    weight_under: int | None = None,
    weight_over: int | None = None,
    edges: bool = False,
    **fields,
) -> Problem:
    """A shift rota: a block per (day, shift type) named like ``N3`` (type, day).

    Every type every day, or with ``offered`` one character a day: the only type offered
    that day, ``.`` for none.
    """
    forbidden = forbidden or {}
    on_day = [types if offered is None else offered[d].strip(".") for d in range(days)]
    needs = [
        NeedBlock(
            f"{t}{d}",
            "s1",
            "cleaning",
            at(d, 0),
            at(d, 0) + LENGTH[t],
            headcount,
            shift_type=t,
            weight_under=weight_under,
            weight_over=weight_over,
        )
        for d in range(days)
        for t in on_day[d]
    ]
    base = {
        "horizon_days": days,
        "shift_types": tuple(ShiftType(t, tuple(forbidden.get(t, ""))) for t in types),
        "enabled_rules": ENABLED,
        "settings": RuleSettings(min_runs_bind_at_edges=edges),
    }
    base.update(fields)
    return small_problem(employees, needs, **base)


def worker(employee_id: str = "e1", **limits) -> Employee:
    return person(employee_id, horizon_limits=HorizonLimits(**limits) if limits else None)


def lines(problem: Problem, **by_employee: str) -> Roster:
    """A roster from one line per employee: a shift type per day, ``.`` for a day off."""
    needs = {n.id: n for n in problem.needs}
    out = []
    for employee_id, line in by_employee.items():
        for d, t in enumerate(line):
            if t != ".":
                n = needs[f"{t}{d}"]
                out.append(Assignment(employee_id, "m1", n.site_id, n.id, n.start, n.end))
    return Roster(problem.week, tuple(out))


def rules(problem: Problem, roster: Roster) -> list[str]:
    return [v.rule for v in check(problem, roster)]


# -- shift_type_max -----------------------------------------------------------------------


def test_more_shifts_of_a_type_than_allowed():
    problem = rota([worker(max_shifts_per_type=(("N", 2),))])
    violations = check(problem, lines(problem, e1="NN.N.........."))
    assert [v.rule for v in violations] == ["shift_type_max"]
    assert violations[0].employee_id == "e1"
    assert "3 N shifts" in violations[0].message and "max 2" in violations[0].message
    assert rules(problem, lines(problem, e1="NN.DDD........")) == []


def test_a_cap_of_zero_forbids_the_type_and_unlisted_types_are_free():
    problem = rota([worker(max_shifts_per_type=(("N", 0),))])
    assert rules(problem, lines(problem, e1="N.............")) == ["shift_type_max"]
    assert rules(problem, lines(problem, e1="DDDD.DDDD.DDDD")) == []


# -- forbidden_succession -----------------------------------------------------------------


def test_a_forbidden_shift_the_day_after():
    problem = rota([worker()], forbidden={"N": "D"})
    violations = check(problem, lines(problem, e1="..ND.........."))
    assert [v.rule for v in violations] == ["forbidden_succession"]
    v = violations[0]
    assert (v.employee_id, v.start, v.end) == ("e1", at(2, 0), at(3, 0) + LENGTH["D"])
    assert "D shift on day 3" in v.message and "N shift on day 2" in v.message
    # In the second week as in the first.
    assert rules(problem, lines(problem, e1=".........ND...")) == ["forbidden_succession"]


def test_allowed_successions_and_no_wrap_around_the_horizon():
    problem = rota([worker()], forbidden={"N": "D"})
    assert rules(problem, lines(problem, e1="DN.NN.N.D.....")) == []
    # Day 0 does not follow the last day.
    assert rules(problem, lines(problem, e1="D............N")) == []


def test_successions_bind_without_horizon_limits():
    problem = rota([person()], forbidden={"D": "N", "N": "DN"})
    assert rules(problem, lines(problem, e1="DNN...........")) == ["forbidden_succession"] * 2


# -- horizon_minutes ----------------------------------------------------------------------


def test_total_minutes_within_bounds():
    problem = rota([worker(min_total_minutes=3 * 480, max_total_minutes=1500)])
    short = check(problem, lines(problem, e1="D.D..........."))
    assert [v.rule for v in short] == ["horizon_minutes"]
    assert "960 min" in short[0].message
    assert rules(problem, lines(problem, e1="D.D.D.........")) == []  # 1440
    assert rules(problem, lines(problem, e1="D.D.N.........")) == ["horizon_minutes"]  # 1560
    assert rules(problem, lines(problem, e1="")) == ["horizon_minutes"]  # nothing at all


def test_total_minutes_are_the_assignments_minutes():
    # A training day is a working day (for runs and weekends) but adds no shift minutes.
    training = (TrainingSession("e1", "L1", at(2, 9), at(2, 17)),)
    problem = rota(
        [worker(min_total_minutes=960, max_consecutive_days=1)],
        days=7,
        training_sessions=training,
    )
    assert rules(problem, lines(problem, e1="D...D..")) == []
    assert rules(problem, lines(problem, e1="D......")) == ["horizon_minutes"]
    assert rules(problem, lines(problem, e1="D..D...")) == ["consecutive_days"]


# -- consecutive_days ---------------------------------------------------------------------


def test_too_many_days_in_a_row_under_both_readings():
    for edges in (False, True):
        problem = rota([worker(max_consecutive_days=3)], edges=edges)
        middle = check(problem, lines(problem, e1="...DDDD......."))
        assert [v.rule for v in middle] == ["consecutive_days"]
        assert (middle[0].start, middle[0].end) == (at(3, 0), at(7, 0))
        # A maximum binds a run touching an edge too.
        assert rules(problem, lines(problem, e1="DDDD..........")) == ["consecutive_days"]
        assert rules(problem, lines(problem, e1="..........NNNN")) == ["consecutive_days"]
        assert rules(problem, lines(problem, e1="DDD.DDD.DDD.DD")) == []


def test_too_few_days_in_a_row_inside_the_horizon():
    for edges in (False, True):
        problem = rota([worker(min_consecutive_days=2)], edges=edges)
        violations = check(problem, lines(problem, e1="...DD...D....."))
        assert [v.rule for v in violations] == ["consecutive_days"]
        assert (violations[0].start, violations[0].end) == (at(8, 0), at(9, 0))
        assert rules(problem, lines(problem, e1=".DD..DDD...DD.")) == []


def test_short_runs_at_the_edges_bind_only_when_the_settings_say_so():
    free = rota([worker(min_consecutive_days=2)])
    bound = rota([worker(min_consecutive_days=2)], edges=True)
    for line in ("D...DD........", "....DD.......D", "D............D"):
        assert rules(free, lines(free, e1=line)) == []
        assert "consecutive_days" in rules(bound, lines(bound, e1=line))
    assert rules(bound, lines(bound, e1="D............D")) == ["consecutive_days"] * 2
    # A run spanning the whole horizon touches both edges.
    short = rota([worker(min_consecutive_days=20)], days=14)
    assert rules(short, lines(short, e1="D" * 14)) == []
    short_bound = rota([worker(min_consecutive_days=20)], days=14, edges=True)
    assert rules(short_bound, lines(short_bound, e1="D" * 14)) == ["consecutive_days"]


# -- consecutive_days_off ----------------------------------------------------------------


def test_too_few_days_off_in_a_row_inside_the_horizon():
    for edges in (False, True):
        problem = rota([worker(min_consecutive_days_off=2)], edges=edges)
        violations = check(problem, lines(problem, e1="DDDD.DDD..DDDD"))
        assert [v.rule for v in violations] == ["consecutive_days_off"]
        assert (violations[0].start, violations[0].end) == (at(4, 0), at(5, 0))
        assert "day 4" in violations[0].message
        assert rules(problem, lines(problem, e1="DDD..DDD...DDD")) == []


def test_short_days_off_at_the_edges_bind_only_when_the_settings_say_so():
    free = rota([worker(min_consecutive_days_off=2)])
    bound = rota([worker(min_consecutive_days_off=2)], edges=True)
    for line in (".DDD..DDDDDDDD", "DDDD..DDDDDDD.", ".DDDDDDDDDDDD."):
        assert rules(free, lines(free, e1=line)) == []
        assert "consecutive_days_off" in rules(bound, lines(bound, e1=line))
    # Working every day leaves no run of days off to bind; not working, one long run.
    for problem in (free, bound):
        assert rules(problem, lines(problem, e1="D" * 14)) == []
        assert rules(problem, lines(problem, e1="." * 14)) == []


# -- weekends_max -------------------------------------------------------------------------


def test_weekends_worked():
    problem = rota([worker(max_weekends=1)])
    # Saturday of the first week and Sunday of the second: two weekends.
    violations = check(problem, lines(problem, e1=".....D.......N"))
    assert [v.rule for v in violations] == ["weekends_max"]
    assert "2 weekends" in violations[0].message
    # Saturday and Sunday of one week: one weekend.
    assert rules(problem, lines(problem, e1=".....DD.DDDD..")) == []


def test_no_weekend_at_all():
    problem = rota([worker(max_weekends=0)], days=7)
    assert rules(problem, lines(problem, e1="DDDDD..")) == []
    assert rules(problem, lines(problem, e1="......N")) == ["weekends_max"]


# -- enabled_rules ------------------------------------------------------------------------


def test_rules_left_out_are_not_reported():
    limits = {"max_shifts_per_type": (("N", 1),), "max_consecutive_days": 2, "max_weekends": 0}
    every = rota([worker(**limits)], forbidden={"N": "D"})
    line = "NNDDD.D......."
    assert sorted(set(rules(every, lines(every, e1=line)))) == [
        "consecutive_days",
        "forbidden_succession",
        "shift_type_max",
        "weekends_max",
    ]
    some = replace(every, enabled_rules=frozenset({"skill", "weekends_max"}))
    assert rules(some, lines(some, e1=line)) == ["weekends_max"]
    # check_employee (used by the greedy roster and the explanations) filters the same way.
    mine = list(lines(some, e1=line).assignments)
    assert [v.rule for v in Checker(some).check_employee("e1", mine)] == ["weekends_max"]
    # None means every rule.
    assert "shift_type_max" in rules(replace(every, enabled_rules=None), lines(every, e1=line))


def test_existing_rules_are_filtered_too_but_structural_checks_stay():
    problem = rota([person(skills=("care",))], days=7)
    roster = lines(problem, e1="D......")
    assert rules(problem, roster) == ["skill"]
    assert rules(replace(problem, enabled_rules=frozenset()), roster) == []
    # Two people on a block of one: a roster's shape, not a rule of the group.
    crowded = rota([person("e1"), person("e2")], days=7, enabled_rules=frozenset())
    assert rules(crowded, lines(crowded, e1="D......", e2="D......")) == ["headcount"]


# -- over-cover ---------------------------------------------------------------------------


def test_more_people_than_the_headcount_only_when_extra_people_are_priced():
    team = [person("e1"), person("e2"), person("e3")]
    priced = rota(team, days=7, weight_under=10, weight_over=3)
    roster = lines(priced, e1="D......", e2="D......", e3="D......")
    assert rules(priced, roster) == []
    under_only = rota(team, days=7, weight_under=10)
    assert rules(under_only, roster) == ["headcount"]
    default = rota(team, days=7)
    violations = check(default, roster)
    assert [v.rule for v in violations] == ["headcount"]
    assert "3 people for 1 asked" in violations[0].message


# -- days beyond the first week -----------------------------------------------------------


def test_days_count_up_to_the_end_of_the_horizon():
    needs = [block("a", at(7, 8), at(7, 14)), block("b", at(8, 8), at(8, 14))]
    two_weeks = small_problem([person()], needs, horizon_days=14)
    roster = Roster(
        two_weeks.week,
        tuple(Assignment("e1", "m1", "s1", n.id, n.start, n.end) for n in needs),
    )
    lk = Lookups(two_weeks)
    assert [w.day for w in employee_work(lk, two_weeks.employees[0], list(roster.assignments))] == [
        7,
        8,
    ]
    assert rules(two_weeks, roster) == []
    # A one-week problem still counts work past its end on its last day.
    one_week = replace(two_weeks, horizon_days=7)
    assert "daily_max" in rules(one_week, roster)


def test_weekly_rest_may_fall_after_the_first_week():
    needs = [block(f"d{d}", at(d, 10), at(d, 14)) for d in range(7)]
    settings = RuleSettings(max_working_days=7)
    one_week = small_problem([person(last_work_end=-60)], needs, settings=settings)
    roster = Roster(
        one_week.week,
        tuple(Assignment("e1", "m1", "s1", n.id, n.start, n.end) for n in needs),
    )
    assert rules(one_week, roster) == ["weekly_rest"]
    # Two weeks: the rest after Sunday's work runs to the end of the horizon.
    two_weeks = replace(one_week, horizon_days=14)
    assert rules(two_weeks, roster) == []
