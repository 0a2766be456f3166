"""Durations, rest, breaks and part-time rules: the solver keeps them, the checker sees them."""

from __future__ import annotations

from solver.problem import ContractKind, RuleSettings
from solver.testing import at, block, person, small_problem
from tests.solver.helpers import broken_rules, covered, solved, take


def _part_timer(contract: int = 1500, **fields):
    return person(kind=ContractKind.PERMANENT_PART_TIME, contract=contract, **fields)


def test_nobody_works_more_than_ten_hours_a_day():
    needs = [
        block("a", at(0, 7), at(0, 12)),
        block("b", at(0, 12, 30), at(0, 17, 30)),
        block("c", at(0, 18), at(0, 20)),
    ]
    problem = small_problem([person()], needs)
    assert len(solved(problem).assignments) == 2
    assert "daily_max" in broken_rules(problem, take(problem, "e1", "a", "b", "c"))


def test_nobody_works_more_than_48_hours_a_week():
    needs = [block(f"d{d}{h}", at(d, h), at(d, h + 4)) for d in range(6) for h in (7, 12, 16)]
    problem = small_problem(
        [person(last_work_end=-2000)], needs, settings=RuleSettings(max_daily_minutes=720)
    )
    result = solved(problem)
    assert sum(a.minutes for a in result.assignments) <= 2880
    assert len(result.assignments) == 12
    assert "weekly_max" in broken_rules(problem, take(problem, "e1", *[n.id for n in needs[:13]]))


def test_nobody_averages_more_than_44_hours_over_12_weeks():
    heavy = person(previous_weeks_minutes=(2800,) * 11)  # 46 h 40 a week so far
    needs = [block(f"d{d}", at(d, 8), at(d, 12)) for d in range(6)]
    problem = small_problem([heavy], needs)
    assert sum(a.minutes for a in solved(problem).assignments) <= 12 * 2640 - 11 * 2800
    assert "average_weekly_max" in broken_rules(
        problem, take(problem, "e1", *[n.id for n in needs])
    )


def test_eleven_hours_of_rest_between_working_days():
    needs = [block("evening", at(0, 17), at(0, 22)), block("morning", at(1, 6), at(1, 10))]
    problem = small_problem([person()], needs)
    assert len(solved(problem).assignments) == 1
    assert "daily_rest" in broken_rules(problem, take(problem, "e1", "evening", "morning"))


def test_daily_rest_counts_from_the_last_work_of_the_previous_week():
    problem = small_problem([person(last_work_end=-60)], [block("a", at(0, 6), at(0, 10))])
    assert solved(problem).assignments == ()
    assert "daily_rest" in broken_rules(problem, take(problem, "e1", "a"))


def test_thirty_five_hours_of_weekly_rest():
    needs = [block(f"d{d}", at(d, 10), at(d, 14)) for d in range(7)]
    problem = small_problem(
        [person(last_work_end=-60)], needs, settings=RuleSettings(max_working_days=7)
    )
    assert len(solved(problem).assignments) == 6
    assert "weekly_rest" in broken_rules(problem, take(problem, "e1", *[n.id for n in needs]))


def test_at_most_six_working_days_a_week():
    needs = [block(f"d{d}", at(d, 10), at(d, 14)) for d in range(7)]
    problem = small_problem([person()], needs)
    assert len(solved(problem).assignments) == 6
    assert "working_days_max" in broken_rules(problem, take(problem, "e1", *[n.id for n in needs]))


def test_a_twenty_minute_break_comes_before_six_hours_of_work():
    tight = small_problem(
        [person()], [block("a", at(0, 8), at(0, 12)), block("b", at(0, 12, 10), at(0, 14, 30))]
    )
    assert len(solved(tight).assignments) == 1
    assert "break" in broken_rules(tight, take(tight, "e1", "a", "b"))
    with_break = small_problem(
        [person()], [block("a", at(0, 8), at(0, 12)), block("b", at(0, 12, 20), at(0, 14, 30))]
    )
    assert len(solved(with_break).assignments) == 2


def test_part_time_stays_within_contract_plus_complementary_hours():
    needs = [block(f"d{d}", at(d, 8), at(d, 12)) for d in range(6)]
    problem = small_problem([_part_timer(1200)], needs)
    assert sum(a.minutes for a in solved(problem).assignments) <= 1320
    assert "part_time_hours" in broken_rules(problem, take(problem, "e1", *[n.id for n in needs]))


def test_part_time_never_reaches_35_hours():
    needs = [block(f"d{d}", at(d, 8), at(d, 13)) for d in range(6)]
    needs.append(block("extra", at(0, 13, 30), at(0, 18, 30)))
    settings = RuleSettings(complementary_hours_ratio=1 / 3)
    problem = small_problem([_part_timer(1800, last_work_end=-2000)], needs, settings=settings)
    assert sum(a.minutes for a in solved(problem).assignments) < 2100
    assert "part_time_hours" in broken_rules(problem, take(problem, "e1", *[n.id for n in needs]))


def test_part_time_has_at_most_one_interruption_a_day():
    needs = [
        block("a", at(0, 8), at(0, 10)),
        block("b", at(0, 11), at(0, 13)),
        block("c", at(0, 14), at(0, 16)),
    ]
    problem = small_problem([_part_timer()], needs)
    assert len(solved(problem).assignments) == 2
    assert "part_time_interruptions" in broken_rules(problem, take(problem, "e1", "a", "b", "c"))


def test_part_time_interruption_lasts_at_most_two_hours():
    needs = [block("a", at(0, 8), at(0, 11)), block("b", at(0, 14), at(0, 17))]
    problem = small_problem([_part_timer()], needs)
    assert len(solved(problem).assignments) == 1
    assert "part_time_interruptions" in broken_rules(problem, take(problem, "e1", "a", "b"))


def test_short_contract_hours_come_in_half_or_whole_days():
    needs = [block("scattered", at(0, 8), at(0, 9), priority=3), block("half", at(1, 8), at(1, 11))]
    problem = small_problem([_part_timer(900)], needs)
    assert covered(solved(problem)) == {"half"}
    assert "short_contract_grouping" in broken_rules(problem, take(problem, "e1", "scattered"))


def test_part_time_of_24_hours_or_more_may_work_short_days():
    problem = small_problem([_part_timer(1440)], [block("short", at(0, 8), at(0, 9))])
    assert covered(solved(problem)) == {"short"}
