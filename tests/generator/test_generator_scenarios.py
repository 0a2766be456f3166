"""Generated scenarios are valid, at the sizes of DESIGN §5, and make sense as a territory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scheduler.generator import SIZES, generate, scenario_json, scenario_stats, write_scenario
from scheduler.generator.stats import need_hours, need_weeks
from scheduler.generator.trades import TRADE_OF_SKILL
from scheduler.scenario.common import Interval, clock_minutes, week_monday
from scheduler.scenario.schema import ContractKind, GroupKind, Scenario, TravelMode
from scheduler.scenario.validation import parse_scenario

PARIS = ZoneInfo("Europe/Paris")
TOLERANCE = 0.15


@cache
def generated(size: str, seed: int = 1, first_week: str = "2026-W50") -> Scenario:
    """A generated scenario, parsed back from its JSON text as any reader would."""
    return parse_scenario(scenario_json(generate(size, seed, first_week=first_week)))  # type: ignore[arg-type]


def all_intervals(scenario: Scenario) -> Iterator[Interval]:
    for group in scenario.groups:
        for need in group.needs:
            yield from need.blocks
            yield from need.windows
        for placement in group.placements:
            for session in placement.training:
                yield session.period
        for absence in group.absences:
            yield absence.period
        for consent in group.consents:
            yield consent.period


def age_at(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@pytest.mark.parametrize("size", ["S", "M"])
def test_small_and_medium_scenarios_pass_full_validation(size: str) -> None:
    parse_scenario(scenario_json(generate(size, 1)))  # type: ignore[arg-type]


@pytest.mark.slow
def test_large_scenario_passes_validation_and_matches_its_size(tmp_path: Path) -> None:
    path = tmp_path / "large.json"
    written = write_scenario(generate("L", 1), path)
    scenario = parse_scenario(path.read_bytes())
    assert written == path.stat().st_size
    assert_matches_size(scenario, "L")


@pytest.mark.parametrize("size", ["S", "M"])
def test_counts_stay_within_fifteen_percent_of_the_size_table(size: str) -> None:
    assert_matches_size(generated(size), size)


def assert_matches_size(scenario: Scenario, size: str) -> None:
    spec = SIZES[size]
    stats = scenario_stats(scenario)
    assert stats.employees == pytest.approx(spec.employees, rel=TOLERANCE)
    assert stats.members == pytest.approx(spec.members, rel=TOLERANCE)
    for week, blocks in stats.blocks_per_week.items():
        assert blocks == pytest.approx(spec.blocks_per_week, rel=TOLERANCE), week


def test_a_territory_has_a_ge_a_non_profit_ge_and_two_geiqs() -> None:
    groups = generated("M").groups
    kinds = [(g.kind, g.non_profit) for g in groups]
    assert kinds.count((GroupKind.ge, False)) == 1
    assert kinds.count((GroupKind.ge, True)) == 1
    assert kinds.count((GroupKind.geiq, False)) == 2
    ge_share = len(groups[0].employees) / sum(len(g.employees) for g in groups)
    assert 0.55 <= ge_share <= 0.70


def test_every_need_has_a_skilled_employee_listing_its_member() -> None:
    for group in generated("M").groups:
        listed = {
            (agreement.member_id, skill)
            for employee in group.employees
            for agreement in employee.contract.members
            for skill in employee.skills
        }
        for need in group.needs:
            assert (need.member_id, need.skill) in listed, need.id


def test_needs_mix_blocks_and_quotas_weekly_and_once() -> None:
    needs = [n for g in generated("M").groups for n in g.needs]
    kinds = {(n.kind.value, n.recurrence) for n in needs}
    assert kinds == {
        ("blocks", "once"),
        ("blocks", "weekly"),
        ("quota", "once"),
        ("quota", "weekly"),
    }
    # An explicit end: "no last week" could be read as "for ever" or as "this week only".
    assert all(n.last_week is not None for n in needs if n.recurrence == "weekly")
    assert {n.priority for n in needs} == {1, 2, 3}
    assert sum(n.headcount == 1 for n in needs) / len(needs) > 0.8


def test_the_skill_catalogue_covers_every_skill_used() -> None:
    scenario = generated("M")
    catalogue = {skill.id for skill in scenario.skills}
    used = {s for g in scenario.groups for e in g.employees for s in e.skills}
    used |= {n.skill for g in scenario.groups for n in g.needs}
    assert used <= catalogue


def test_minors_are_apprentices_of_a_geiq_only() -> None:
    scenario = generated("L")
    first_monday = week_monday(scenario.weeks[0])
    minors = [
        (group, employee)
        for group in scenario.groups
        for employee in group.employees
        if age_at(employee.birth_date, first_monday) < 18
    ]
    assert minors, "an L territory has some 16–17-year-old apprentices"
    for group, employee in minors:
        assert group.kind == GroupKind.geiq
        assert employee.contract.kind == ContractKind.apprenticeship
        assert age_at(employee.birth_date, first_monday) >= 16
        assert employee.travel_mode != TravelMode.car


def test_minors_are_never_available_at_night() -> None:
    scenario = generated("L")
    first_monday = week_monday(scenario.weeks[0])
    for group in scenario.groups:
        for employee in group.employees:
            if age_at(employee.birth_date, first_monday) < 18:
                for window in employee.availability:
                    assert clock_minutes(window.start) >= 6 * 60
                    assert clock_minutes(window.end) <= 22 * 60


def test_ge_contracts_name_two_to_four_members_and_geiq_contracts_the_host() -> None:
    for group in generated("M").groups:
        hosts = {p.employee_id: p.host_member_id for p in group.placements}
        for employee in group.employees:
            members = [m.member_id for m in employee.contract.members]
            if group.kind == GroupKind.geiq:
                assert members == [hosts[employee.id]]
            else:
                assert 1 <= len(members) <= 4
                assert 10 <= employee.contract.weekly_hours <= 35


def test_every_work_study_employee_has_a_placement_with_weekly_training() -> None:
    scenario = generated("M")
    for group in scenario.groups:
        if group.kind != GroupKind.geiq:
            continue
        placed = {p.employee_id: p for p in group.placements}
        assert set(placed) == {e.id for e in group.employees}
        for placement in placed.values():
            assert placement.tutor_name and placement.tutor_presence
            weeks_trained = {
                session.period.start.astimezone(PARIS).isocalendar()[1]
                for session in placement.training
            }
            assert len(weeks_trained) == len(scenario.weeks)


def test_host_needs_fall_when_a_tutor_is_there_and_the_apprentice_is_not_in_training() -> None:
    for group in generated("M").groups:
        if group.kind != GroupKind.geiq:
            continue
        skills = {e.id: set(e.skills) for e in group.employees}
        for need in group.needs:
            for span in need.blocks or need.windows:
                start, end = span.start.astimezone(PARIS), span.end.astimezone(PARIS)
                assert any(
                    p.host_member_id == need.member_id
                    and need.skill in skills[p.employee_id]
                    and not any(
                        s.period.start < span.end and span.start < s.period.end for s in p.training
                    )
                    and any(
                        w.day.index == start.weekday()
                        and clock_minutes(w.start) <= start.hour * 60 + start.minute
                        and end.hour * 60 + end.minute <= clock_minutes(w.end)
                        for w in p.tutor_presence
                    )
                    for p in group.placements
                ), need.id


def test_demand_is_mostly_coverable_yet_some_trades_are_short() -> None:
    scenario = generated("L")
    assert 0.6 <= scenario_stats(scenario).demand_over_supply <= 1.1
    week = scenario.weeks[0]
    ratios = []
    for group in scenario.groups:
        training = {
            p.employee_id: sum(s.period.minutes for s in p.training) / 60 / len(scenario.weeks)
            for p in group.placements
        }
        supply: dict[str, float] = {}
        for employee in group.employees:
            trade = TRADE_OF_SKILL[employee.skills[0]].id  # their main trade
            hours = employee.contract.weekly_hours - training.get(employee.id, 0)
            supply[trade] = supply.get(trade, 0) + hours
        demand: dict[str, float] = {}
        for need in group.needs:
            if week in need_weeks(need, scenario.weeks, PARIS):
                trade = TRADE_OF_SKILL[need.skill].id
                demand[trade] = demand.get(trade, 0) + need_hours(need)
        ratios += [demand.get(trade, 0) / hours for trade, hours in supply.items()]
    assert max(ratios) > 1.0, "some trade asks for more hours than its staff has"
    assert min(ratios) < 0.9, "some trade has slack"


def test_a_good_share_of_employees_has_no_car() -> None:
    stats = scenario_stats(generated("L"))
    assert 0.25 <= stats.without_car / stats.employees <= 0.6


def test_a_few_employees_are_absent_and_some_consented_to_a_change() -> None:
    stats = scenario_stats(generated("L"))
    assert 0.01 <= stats.absences / stats.employees <= 0.1
    assert stats.consents >= 1
    assert all(not g.rosters for g in generated("L").groups)


def test_offsets_follow_the_daylight_saving_change_in_march() -> None:
    # 2026-W13 ends on Sunday 29 March, when Paris moves from +01:00 to +02:00.
    scenario = generated("S", 3, "2026-W13")
    assert scenario.weeks == ["2026-W13", "2026-W14"]
    offsets = set()
    for span in all_intervals(scenario):
        for moment in (span.start, span.end):
            # The written offset is the one Paris has at that instant.
            assert moment.utcoffset() == moment.astimezone(PARIS).utcoffset()
            offsets.add(moment.utcoffset())
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}


def test_training_keeps_its_wall_clock_time_across_the_change() -> None:
    scenario = generated("S", 3, "2026-W13")
    for group in scenario.groups:
        for placement in group.placements:
            starts = {
                s.period.start.astimezone(PARIS).strftime("%H:%M") for s in placement.training
            }
            assert starts <= {"08:30", "13:00"}


def test_generation_refuses_an_unknown_size_or_week() -> None:
    with pytest.raises(ValueError, match="unknown size"):
        generate("XXL", 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        generate("S", 1, first_week="2026-W60")
    with pytest.raises(ValueError):
        generate("S", 1, weeks=0)


@pytest.mark.slow
def test_extra_large_network_is_valid_and_matches_its_size() -> None:
    scenario = parse_scenario(scenario_json(generate("XL", 1)))
    assert_matches_size(scenario, "XL")
    assert len(scenario.groups) >= 8
