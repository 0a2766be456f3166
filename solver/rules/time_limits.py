"""Maximum durations: per day, per week, on average, part-time caps, agreed hours per member.

Work minutes always include travel between sites, training sessions and, for the legal maxima,
work declared for another employer (its placed intervals and its unplaced weekly minutes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from solver.rules.registry import HardRule, legal_limit

if TYPE_CHECKING:
    from solver.candidates import Slot
    from solver.facts import EmployeeFacts, ProblemIndex
    from solver.model import EmployeeModel, ModelContext


RULES: list[HardRule] = []  # in the order the registry lists them


def _external_total(facts: EmployeeFacts) -> int:
    e = facts.employee
    return e.external_weekly_minutes + sum(i.minutes for i in e.external_intervals)


def longer_than_a_day_allows(facts: EmployeeFacts, slot: Slot, index: ProblemIndex) -> bool:
    return slot.minutes > facts.limits.max_daily


def daily_max(ctx: ModelContext, em: EmployeeModel, guard: list[Any]) -> None:
    """At most 10 h of work a day (8 h for minors)."""
    limit = em.facts.limits.max_daily
    for day in em.days:
        if day.max_minutes() > limit:
            ctx.model.add(day.minutes() <= limit).only_enforce_if(guard)


def longer_than_a_week_allows(facts: EmployeeFacts, slot: Slot, index: ProblemIndex) -> bool:
    return slot.minutes + _external_total(facts) > facts.limits.max_weekly


def weekly_max(ctx: ModelContext, em: EmployeeModel, guard: list[Any]) -> None:
    """At most 48 h of work a week (35 h for minors), external work included."""
    limit = em.facts.limits.max_weekly - em.facts.employee.external_weekly_minutes
    if em.max_week_minutes() > limit:
        ctx.model.add(em.week_minutes() <= limit).only_enforce_if(guard)


def average_weekly_max(ctx: ModelContext, em: EmployeeModel, guard: list[Any]) -> None:
    """At most 44 h a week on average over the 12 weeks ending with this one.

    Weeks before the known history count as not worked.
    """
    s = ctx.settings
    history = em.facts.employee.previous_weeks_minutes[-(s.average_weeks - 1) :]
    limit = (
        s.max_average_weekly_minutes * s.average_weeks
        - sum(history)
        - em.facts.employee.external_weekly_minutes
    )
    if em.max_week_minutes() > limit:
        ctx.model.add(em.week_minutes() <= limit).only_enforce_if(guard)


def beyond_part_time_cap(facts: EmployeeFacts, slot: Slot, index: ProblemIndex) -> bool:
    cap = facts.limits.group_weekly_cap
    return cap is not None and slot.minutes > cap


def part_time_hours(ctx: ModelContext, em: EmployeeModel, guard: list[Any]) -> None:
    """Part-time: contract hours plus complementary hours, and never the legal 35 h."""
    cap = em.facts.limits.group_weekly_cap
    if cap is None:
        return
    if em.max_week_minutes(group_only=True) > cap:
        ctx.model.add(em.week_minutes(group_only=True) <= cap).only_enforce_if(guard)


def agreed_minutes(ctx: ModelContext, em: EmployeeModel, guard: list[Any]) -> None:
    """Minutes agreed between the group and a member for this employee, kept (min and max)."""
    for agreed in em.facts.employee.agreed_minutes:
        at_member = sum(
            it.minutes * it.lit
            for it in em.items
            if it.slot is not None and it.slot.member_id == agreed.member_id
        )
        if agreed.min_minutes > 0:
            ctx.model.add(at_member >= agreed.min_minutes).only_enforce_if(guard)
        if agreed.max_minutes is not None:
            ctx.model.add(at_member <= agreed.max_minutes).only_enforce_if(guard)


RULES.append(
    HardRule(
        "daily_max",
        "At most 10 hours of work a day (8 for minors), travel and other employers included.",
        legal_limit("daily_max"),
        longer_than_a_day_allows,
        daily_max,
    )
)
RULES.append(
    HardRule(
        "weekly_max",
        "At most 48 hours of work a week (35 for minors), other employers included.",
        legal_limit("weekly_max"),
        longer_than_a_week_allows,
        weekly_max,
    )
)
RULES.append(
    HardRule(
        "average_weekly_max",
        "At most 44 hours a week on average over 12 consecutive weeks.",
        legal_limit("average_weekly_max"),
        None,
        average_weekly_max,
    )
)
RULES.append(
    HardRule(
        "part_time_hours",
        "Part-time: at most contract hours plus complementary hours, always under 35 hours.",
        legal_limit("part_time_hours"),
        beyond_part_time_cap,
        part_time_hours,
    )
)
RULES.append(
    HardRule(
        "agreed_minutes",
        "Hours agreed with a member for an employee are kept (minimum and maximum).",
        legal_limit("agreed_minutes"),
        None,
        agreed_minutes,
    )
)
