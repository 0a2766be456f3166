"""Who may be where: overlap, travel, skill, calendar, contract, placements, notice.

Each test builds a week where breaking the rule would pay, checks that the solver's roster keeps
to it, and that the checker catches a hand-made roster that breaks it.
"""

from __future__ import annotations

from dataclasses import replace

from solver.problem import (
    Absence,
    AgreedMinutes,
    Consent,
    ContractKind,
    Interval,
    Placement,
    PreviousAssignment,
    RuleSettings,
    TrainingSession,
)
from solver.testing import at, block, person, small_problem
from tests.solver.helpers import broken_rules, covered, solved, solved_or_released, take


def test_nobody_is_in_two_places_at_once():
    problem = small_problem(
        [person()], [block("a", at(0, 8), at(0, 12)), block("b", at(0, 10), at(0, 14), "s2")]
    )
    assert len(solved(problem).assignments) == 1
    assert "no_overlap" in broken_rules(problem, take(problem, "e1", "a", "b"))


def test_travel_between_sites_fits_between_assignments():
    problem = small_problem(
        [person()],
        [block("a", at(0, 8), at(0, 12)), block("b", at(0, 12, 10), at(0, 15), "s2")],
        travel_minutes=30,
    )
    assert len(solved(problem).assignments) == 1
    assert "no_overlap" in broken_rules(problem, take(problem, "e1", "a", "b"))


def test_travel_counts_as_work_towards_the_daily_maximum():
    settings = RuleSettings(max_daily_minutes=500)
    needs = [block("a", at(0, 8), at(0, 12)), block("b", at(0, 12, 40), at(0, 16, 40), "s2")]
    without_travel = small_problem([person()], needs, settings=settings)
    assert len(solved(without_travel).assignments) == 2
    problem = small_problem([person()], needs, travel_minutes=30, settings=settings)
    assert len(solved(problem).assignments) == 1
    assert "daily_max" in broken_rules(problem, take(problem, "e1", "a", "b"))


def test_only_employees_with_the_skill_are_assigned():
    problem = small_problem([person(skills=("reception",))], [block("a", at(0, 8), at(0, 12))])
    assert solved(problem).assignments == ()
    assert "skill" in broken_rules(problem, take(problem, "e1", "a"))


def test_nobody_works_outside_their_availability():
    available = (Interval(at(0, 13), at(0, 20)),)
    problem = small_problem(
        [person(availability=available)],
        [block("a", at(0, 8), at(0, 12)), block("b", at(0, 14), at(0, 18))],
    )
    assert covered(solved(problem)) == {"b"}
    assert "availability" in broken_rules(problem, take(problem, "e1", "a"))


def test_nobody_works_during_an_absence():
    problem = small_problem(
        [person()], [block("a", at(1, 8), at(1, 12))], absences=(Absence("e1", at(1, 0), at(2, 0)),)
    )
    assert solved(problem).assignments == ()
    assert "absence" in broken_rules(problem, take(problem, "e1", "a"))


def test_employees_work_only_for_members_their_contract_lists():
    problem = small_problem(
        [person(allowed_member_ids=("m1",))],
        [block("a", at(0, 8), at(0, 12), "s2", priority=3), block("b", at(0, 8), at(0, 12))],
    )
    assert covered(solved(problem)) == {"b"}
    assert "allowed_member" in broken_rules(problem, take(problem, "e1", "a"))


def test_agreed_maximum_hours_at_a_member_are_kept():
    problem = small_problem(
        [person(agreed_minutes=(AgreedMinutes("m1", 0, 240),))],
        [block("a", at(0, 8), at(0, 12)), block("b", at(1, 8), at(1, 12))],
    )
    assert len(solved(problem).assignments) == 1
    assert "agreed_minutes" in broken_rules(problem, take(problem, "e1", "a", "b"))


def test_agreed_minimum_hours_at_a_member_are_kept():
    problem = small_problem(
        [person(agreed_minutes=(AgreedMinutes("m2", 240, None),))],
        [block("a", at(0, 8), at(0, 12), priority=3), block("b", at(0, 8), at(0, 12), "s2")],
    )
    assert covered(solved(problem)) == {"b"}
    assert "agreed_minutes" in broken_rules(problem, take(problem, "e1", "a"))


def test_external_work_blocks_its_time():
    problem = small_problem(
        [person(external_intervals=(Interval(at(0, 9), at(0, 11)),))],
        [block("a", at(0, 8), at(0, 12))],
    )
    assert solved(problem).assignments == ()
    assert "external_work" in broken_rules(problem, take(problem, "e1", "a"))


def test_external_hours_count_towards_the_weekly_maximum():
    problem = small_problem(
        [person(external_weekly_minutes=2700)], [block("a", at(0, 8), at(0, 12))]
    )
    assert solved(problem).assignments == ()
    assert "weekly_max" in broken_rules(problem, take(problem, "e1", "a"))


def _apprentice(**fields):
    return person(kind=ContractKind.APPRENTICESHIP, contract=2100, **fields)


def test_training_sessions_block_the_time_of_work_study_employees():
    problem = small_problem(
        [_apprentice()],
        [block("a", at(0, 9), at(0, 11))],
        placements=(Placement("e1", "m1", (Interval(at(0, 0), at(5, 0)),)),),
        training_sessions=(TrainingSession("e1", "school", at(0, 8), at(0, 12)),),
    )
    assert solved(problem).assignments == ()
    assert "training_sessions" in broken_rules(problem, take(problem, "e1", "a"))


def test_work_study_employee_works_at_the_host_only_while_the_tutor_is_present():
    problem = small_problem(
        [_apprentice()],
        [
            block("a", at(0, 8), at(0, 12)),
            block("b", at(0, 14), at(0, 17), priority=3),
            block("c", at(1, 8), at(1, 12), "s2", priority=3),
        ],
        placements=(Placement("e1", "m1", (Interval(at(0, 7), at(0, 13)),)),),
    )
    assert covered(solved(problem)) == {"a"}
    assert "tutor_presence" in broken_rules(problem, take(problem, "e1", "b"))
    assert "work_study_host" in broken_rules(problem, take(problem, "e1", "c"))


def _notice_problem(consents=()):
    needs = [
        block("low", at(0, 8), at(0, 12)),
        block("high", at(0, 8), at(0, 12), "s2", priority=3),
    ]
    problem = small_problem([person()], needs, consents=consents, notice_cutoff=at(3, 0))
    published = PreviousAssignment("e1", "m1", "s1", "low", at(0, 8), at(0, 12))
    return replace(problem, previous_assignments=(published,))


def test_published_hours_in_the_notice_window_stay_without_consent():
    problem = _notice_problem()
    assert covered(solved(problem)) == {"low"}
    assert "notice_period" in broken_rules(problem, take(problem, "e1", "high"))


def test_published_hours_in_the_notice_window_change_with_consent():
    problem = _notice_problem(consents=(Consent("e1"),))
    assert covered(solved(problem)) == {"high"}
    assert broken_rules(problem, take(problem, "e1", "high")) == set()


def test_notice_window_yields_to_the_law_and_the_result_says_so():
    short_contract = person(kind=ContractKind.PERMANENT_PART_TIME, contract=900)
    kept = block("kept", at(0, 8), at(0, 10))
    problem = small_problem([short_contract], [kept], notice_cutoff=at(3, 0))
    published = (
        PreviousAssignment("e1", "m1", "s1", "kept", at(0, 8), at(0, 10)),
        PreviousAssignment("e1", "m1", "s1", "cancelled", at(0, 10, 10), at(0, 12)),
    )
    problem = replace(problem, previous_assignments=published)
    result = solved_or_released(problem)
    assert result.assignments == ()
    assert any(c.rule == "notice_period" and c.employee_id == "e1" for c in result.conflicts)
