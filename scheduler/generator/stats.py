"""Counts that say how big a scenario is, in the units of DESIGN §5."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from scheduler.scenario.common import week_monday, week_of
from scheduler.scenario.schema import WORK_STUDY, Need, NeedKind, Scenario


def need_weeks(need: Need, weeks: list[str], zone: ZoneInfo) -> list[str]:
    """The weeks among ``weeks`` in which ``need`` asks for something."""
    if need.cancelled:
        return []
    spans = need.blocks or need.windows
    first = week_of(min(s.start for s in spans).astimezone(zone).date())
    if need.recurrence == "once":
        return [first] if first in weeks else []
    start = week_monday(first)
    end = week_monday(need.last_week) if need.last_week else None
    return [w for w in weeks if week_monday(w) >= start and (end is None or week_monday(w) <= end)]


def block_count(need: Need) -> float:
    """Blocks of one week of ``need``; a quota counts as blocks of its typical length."""
    if need.kind == NeedKind.blocks:
        return float(len(need.blocks))
    low = need.min_block_hours or need.max_block_hours or 4.0
    high = need.max_block_hours or low
    return (need.weekly_hours or 0.0) / ((low + high) / 2)


def need_hours(need: Need) -> float:
    """Person-hours one week of ``need`` asks for."""
    if need.kind == NeedKind.blocks:
        return sum(b.minutes for b in need.blocks) / 60 * need.headcount
    return (need.weekly_hours or 0.0) * need.headcount


@dataclass(frozen=True)
class ScenarioStats:
    groups: int
    members: int
    sites: int
    employees: int
    needs: int
    blocks_per_week: dict[str, float]
    demand_hours_per_week: dict[str, float]
    contract_hours: float  # a week, all employees
    work_study_training_hours: float  # a week, at training centres (not available to members)
    minors: int
    without_car: int
    placements: int
    absences: int
    consents: int

    @property
    def mean_blocks_per_week(self) -> float:
        return sum(self.blocks_per_week.values()) / max(1, len(self.blocks_per_week))

    @property
    def demand_over_supply(self) -> float:
        """Mean weekly demand over the hours staff can give members (contract minus training)."""
        supply = self.contract_hours - self.work_study_training_hours
        mean_demand = sum(self.demand_hours_per_week.values()) / max(
            1, len(self.demand_hours_per_week)
        )
        return mean_demand / supply if supply else 0.0


def scenario_stats(scenario: Scenario) -> ScenarioStats:
    """Sizes of ``scenario``: counts of people and places, blocks and hours per week."""
    zone = ZoneInfo(scenario.time_zone)
    blocks = dict.fromkeys(scenario.weeks, 0.0)
    hours = dict.fromkeys(scenario.weeks, 0.0)
    first_monday = week_monday(scenario.weeks[0])
    minors = without_car = 0
    training_minutes = 0
    for group in scenario.groups:
        for need in group.needs:
            for week in need_weeks(need, scenario.weeks, zone):
                blocks[week] += block_count(need)
                hours[week] += need_hours(need)
        for employee in group.employees:
            born = employee.birth_date
            age = (
                first_monday.year
                - born.year
                - ((first_monday.month, first_monday.day) < (born.month, born.day))
            )
            minors += age < 18 and employee.contract.kind in WORK_STUDY
            without_car += employee.travel_mode != "car"
        for placement in group.placements:
            training_minutes += sum(s.period.minutes for s in placement.training)
    return ScenarioStats(
        groups=len(scenario.groups),
        members=sum(len(g.members) for g in scenario.groups),
        sites=sum(len(m.sites) for g in scenario.groups for m in g.members),
        employees=sum(len(g.employees) for g in scenario.groups),
        needs=sum(len(g.needs) for g in scenario.groups),
        blocks_per_week=blocks,
        demand_hours_per_week=hours,
        contract_hours=sum(e.contract.weekly_hours for g in scenario.groups for e in g.employees),
        work_study_training_hours=training_minutes / 60 / len(scenario.weeks),
        minors=minors,
        without_car=without_car,
        placements=sum(len(g.placements) for g in scenario.groups),
        absences=sum(len(g.absences) for g in scenario.groups),
        consents=sum(len(g.consents) for g in scenario.groups),
    )
