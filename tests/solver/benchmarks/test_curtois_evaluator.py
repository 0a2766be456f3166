"""The evaluator on hand-made instances: objectives computed by hand, and each hard rule broken
once and kept once (under both readings of the horizon's edges where they differ)."""

from __future__ import annotations

import pytest

from solver.benchmarks.evaluator import (
    FIXED_DAY_OFF,
    FORBIDDEN_SUCCESSION,
    HARD_RULES,
    MAX_CONSECUTIVE_SHIFTS,
    MAX_SHIFTS,
    MAX_TOTAL_MINUTES,
    MAX_WEEKENDS,
    MIN_CONSECUTIVE_DAYS_OFF,
    MIN_CONSECUTIVE_SHIFTS,
    MIN_TOTAL_MINUTES,
    EdgeReading,
    RosterShapeError,
    evaluate,
)
from tests.solver.benchmarks.helpers import LENIENT, line, small

OPEN, BOUND = EdgeReading.OPEN, EdgeReading.BOUND


def test_objective_by_hand():
    inst = small(
        days=7,
        staff=f"A,{LENIENT}\nB,{LENIENT}",
        on="A,0,E,2\nB,1,E,3\nA,3,E,1",
        off="A,2,L,1\nB,0,E,2",
        cover="0,E,2,100,1\n0,L,0,100,1\n1,E,1,100,1\n1,L,0,100,4\n2,L,3,50,3",
    )
    roster = {"A": line("EEL...."), "B": line("LL.....")}
    result = evaluate(inst, roster)
    # Day 0 E: 1 of 2 -> 100. Day 0 L: 1 of 0 -> 1. Day 1 E: 1 of 1 -> 0.
    # Day 1 L: 1 of 0 at weight 4 -> 4. Day 2 L: 1 of 3 at weight 50 -> 100.
    assert (result.under_cover, result.over_cover) == (200, 5)
    # On: A day 0 E met; B day 1 wants E, works L -> 3; A day 3 wants E, is off -> 1.
    # Off: A day 2 avoids L, works it -> 1; B day 0 avoids E, works L -> 0.
    assert (result.shift_on, result.shift_off) == (4, 1)
    assert result.objective == 210
    assert result.feasible


def test_cover_without_a_line_costs_nothing_and_an_empty_roster_misses_all_cover():
    inst = small(days=7, cover="3,E,2,100,1\n4,L,1,7,1", on="A,5,L,3")
    result = evaluate(inst, {"A": line(".......")})
    assert (result.under_cover, result.over_cover, result.shift_on) == (207, 0, 3)
    busy = evaluate(inst, {"A": line("EEEEEEE")})
    assert (busy.under_cover, busy.over_cover, busy.shift_on) == (107, 0, 3)


def _broken(staff: str, days_line: str, *, edges: EdgeReading = OPEN, **extra: str) -> set[str]:
    inst = small(staff=f"A,{staff}", **extra)
    return evaluate(inst, {"A": line(days_line)}, edges=edges).broken_rules()


# (rule, contract, breaking line, keeping line, extra instance sections)
CASES = [
    (FORBIDDEN_SUCCESSION, LENIENT, "LE..... .......", "EL..... .......", {}),
    (MAX_SHIFTS, "E=1|L=99,100000,0,99,1,1,99", "EE..... .......", "EL..... .......", {}),
    (
        MIN_TOTAL_MINUTES,
        "E=99|L=99,100000,1000,99,1,1,99",
        "E...... .......",
        "EL..... .......",
        {},
    ),
    (MAX_TOTAL_MINUTES, "E=99|L=99,1000,0,99,1,1,99", "EL..... .......", "EE..... .......", {}),
    (
        MAX_CONSECUTIVE_SHIFTS,
        "E=99|L=99,100000,0,2,1,1,99",
        ".EEE... .......",
        ".EE.EE. .......",
        {},
    ),
    (
        MIN_CONSECUTIVE_SHIFTS,
        "E=99|L=99,100000,0,99,2,1,99",
        "..E.... .......",
        "..EE... .......",
        {},
    ),
    (
        MIN_CONSECUTIVE_DAYS_OFF,
        "E=99|L=99,100000,0,99,1,2,99",
        "EE.EE.. .......",
        "EE..EE. .......",
        {},
    ),
    (MAX_WEEKENDS, "E=99|L=99,100000,0,99,1,1,1", ".....E. ......E", ".....EE .......", {}),
    (FIXED_DAY_OFF, LENIENT, "...E... .......", "..E.E.. .......", {"days_off": "A,3"}),
]


@pytest.mark.parametrize("edges", [OPEN, BOUND])
@pytest.mark.parametrize(("rule", "staff", "breaking", "keeping", "extra"), CASES)
def test_each_rule_is_reported_when_broken_and_only_then(
    rule, staff, breaking, keeping, extra, edges
):
    assert _broken(staff, breaking, edges=edges, **extra) == {rule}
    assert _broken(staff, keeping, edges=edges, **extra) == set()


def test_every_hard_rule_has_a_case():
    assert {c[0] for c in CASES} == set(HARD_RULES)


def test_violations_say_who_when_and_why():
    inst = small(staff="A,E=99|L=99,100000,0,99,1,1,99\nB,E=1|L=99,100000,0,99,1,1,99")
    result = evaluate(inst, {"A": line("LE............"), "B": line("EE............")})
    messages = {v.rule: (v.employee_id, v.day, v.message) for v in result.violations}
    assert messages[FORBIDDEN_SUCCESSION][:2] == ("A", 0)
    assert "E may not follow L" in messages[FORBIDDEN_SUCCESSION][2]
    assert messages[MAX_SHIFTS] == ("B", None, "B works 2 E shifts, at most 1 allowed")
    assert not result.feasible


MIN_RUNS = "E=99|L=99,100000,0,99,3,2,99"  # runs of work at least 3, of rest at least 2


@pytest.mark.parametrize(
    ("days_line", "open_broken", "bound_broken"),
    [
        # A run of one working day touching the first day: free when open, too short when bound.
        ("E..EEE. .......", set(), {MIN_CONSECUTIVE_SHIFTS}),
        # ... touching the last day.
        ("...EEE. .....EE", set(), {MIN_CONSECUTIVE_SHIFTS}),
        # One day off touching the first day, then one touching the last day.
        (".EEE..E EE..EEE", set(), {MIN_CONSECUTIVE_DAYS_OFF}),
        ("EEE..EE E..EEE.", set(), {MIN_CONSECUTIVE_DAYS_OFF}),
        # Interior runs are bound under both readings.
        ("..EE... .......", {MIN_CONSECUTIVE_SHIFTS}, {MIN_CONSECUTIVE_SHIFTS}),
        ("..EEE.E EE.....", {MIN_CONSECUTIVE_DAYS_OFF}, {MIN_CONSECUTIVE_DAYS_OFF}),
        # A run spanning the whole horizon touches both edges.
        ("EEEEEEE EEEEEEE", set(), set()),
        ("....... .......", set(), set()),
    ],
)
def test_minimum_runs_at_the_edges_follow_the_chosen_reading(days_line, open_broken, bound_broken):
    assert _broken(MIN_RUNS, days_line, edges=OPEN) == open_broken
    assert _broken(MIN_RUNS, days_line, edges=BOUND) == bound_broken


def test_maximum_runs_bind_at_the_edges_under_both_readings():
    staff = "E=99|L=99,100000,0,3,1,1,99"
    for edges in (OPEN, BOUND):
        assert _broken(staff, "EEEE... .......", edges=edges) == {MAX_CONSECUTIVE_SHIFTS}
        assert _broken(staff, "....... ...EEEE", edges=edges) == {MAX_CONSECUTIVE_SHIFTS}


def test_the_default_reading_is_open():
    inst = small(staff=f"A,{MIN_RUNS}")
    assert evaluate(inst, {"A": line("E..EEE. .......")}).feasible


def test_weekend_is_saturday_or_sunday_of_each_week():
    staff = "E=99|L=99,100000,0,99,1,1,1"
    assert _broken(staff, "......E .....E.") == {MAX_WEEKENDS}  # Sunday, then Saturday
    assert _broken(staff, "EEEEE.. EEEEE..") == set()  # weekdays only


@pytest.mark.parametrize(
    ("roster", "reason"),
    [
        ({"A": line(".......")}, "differ"),
        ({"A": line("......."), "B": line("......."), "C": line(".......")}, "differ"),
        ({"A": line("......"), "B": line(".......")}, "has 6 days"),
        ({"A": line("...X..."), "B": line(".......")}, "unknown shift 'X'"),
    ],
)
def test_a_roster_of_another_shape_is_refused(roster, reason):
    inst = small(days=7, staff=f"A,{LENIENT}\nB,{LENIENT}")
    with pytest.raises(RosterShapeError, match=reason):
        evaluate(inst, roster)
