"""Rest: daily rest between working days, weekly rest, working days, minors' days off.

A working day is a day on which some work starts. Daily rest runs from the last end of a
working day to the first start of the next one (and from the last work of the previous week);
weekly rest is one gap of at least 35 h between two pieces of work, or between the last work
before the week and the first, or between the last and the end of the week. When the last work
before the week is unknown, the person is taken as rested on Monday (a rest that runs from one
week into the next is counted by the later week, which knows where it started).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from solver.problem import DAYS_PER_WEEK, MINUTES_PER_WEEK
from solver.rules.registry import HardRule, legal_limit

if TYPE_CHECKING:
    from solver.candidates import Slot
    from solver.facts import EmployeeFacts, ProblemIndex
    from solver.model import EmployeeModel, ModelContext


RULES: list[HardRule] = []  # in the order the registry lists them


def too_soon_after_last_week(facts: EmployeeFacts, slot: Slot, index: ProblemIndex) -> bool:
    last = facts.employee.last_work_end
    return last is not None and slot.start < last + facts.limits.daily_rest


def daily_rest(ctx: ModelContext, em: EmployeeModel, guard: list[Any]) -> None:
    """11 consecutive hours of rest between two working days (12 h for minors)."""
    rest = em.facts.limits.daily_rest
    model = ctx.model
    last = em.facts.employee.last_work_end
    if last is not None:
        for it in em.items:
            if it.fixed_by is not None and it.start < last + rest:
                model.add(it.lit == 0).only_enforce_if(guard)
    for today, tomorrow in zip(em.days, em.days[1:], strict=False):
        if not today.items or not tomorrow.items:
            continue
        latest_end = max(it.end for it in today.items)
        earliest_start = min(it.start for it in tomorrow.items)
        if earliest_start - latest_end >= rest:
            continue
        model.add(tomorrow.first_start() - today.last_end() >= rest).only_enforce_if(
            [today.works, tomorrow.works, *guard]
        )


def weekly_rest(ctx: ModelContext, em: EmployeeModel, guard: list[Any]) -> None:
    """One rest of 35 consecutive hours in the week."""
    model = ctx.model
    need = em.facts.limits.weekly_rest
    days = em.days
    worked = [d for d in range(DAYS_PER_WEEK) if days[d].items]
    last = em.facts.employee.last_work_end
    if last is None:
        return  # rested since before the week: the leading gap is long enough
    before = last
    options: list[Any] = []

    def off(lo: int, hi: int) -> list[Any]:
        return [days[k].works.Not() for k in worked if lo < k < hi]

    if not worked:
        return
    # Leading rest: from the last work before the week to the first working day.
    for d in worked:
        if max(it.start for it in days[d].items) - before >= need:
            g = model.new_bool_var(f"weekly_rest[{em.id}|<{d}]")
            model.add_bool_and([days[d].works, *off(-1, d)]).only_enforce_if(g)
            model.add(days[d].first_start() - before >= need).only_enforce_if(g)
            options.append(g)
    for i, d in enumerate(worked):
        latest = max(it.end for it in days[d].items)
        earliest = min(it.end for it in days[d].items)
        if MINUTES_PER_WEEK - earliest >= need:
            g = model.new_bool_var(f"weekly_rest[{em.id}|{d}>]")
            model.add_bool_and([days[d].works, *off(d, DAYS_PER_WEEK)]).only_enforce_if(g)
            model.add(MINUTES_PER_WEEK - days[d].last_end() >= need).only_enforce_if(g)
            options.append(g)
        for d2 in worked[i + 1 :]:
            if max(it.start for it in days[d2].items) - earliest < need:
                continue
            g = model.new_bool_var(f"weekly_rest[{em.id}|{d}>{d2}]")
            model.add_bool_and([days[d].works, days[d2].works, *off(d, d2)]).only_enforce_if(g)
            if min(it.start for it in days[d2].items) - latest < need:
                model.add(days[d2].first_start() - days[d].last_end() >= need).only_enforce_if(g)
            options.append(g)
    nothing = model.new_bool_var(f"weekly_rest[{em.id}|none]")
    model.add_bool_and(off(-1, DAYS_PER_WEEK)).only_enforce_if(nothing)
    options.append(nothing)
    model.add_bool_or(options).only_enforce_if(guard)


def working_days_max(ctx: ModelContext, em: EmployeeModel, guard: list[Any]) -> None:
    """At most 6 working days in the week."""
    worked = [day.works for day in em.days if day.items]
    limit = em.facts.limits.max_working_days
    if len(worked) > limit:
        ctx.model.add(sum(worked) <= limit).only_enforce_if(guard)


def minor_days_off(ctx: ModelContext, em: EmployeeModel, guard: list[Any]) -> None:
    """Employees under 18 get two consecutive days off in the week."""
    if not em.facts.limits.minor:
        return
    model = ctx.model
    run = ctx.settings.minor_consecutive_days_off
    options = []
    for d in range(DAYS_PER_WEEK - run + 1):
        days = [em.days[k] for k in range(d, d + run) if em.days[k].items]
        if not days:
            return  # already free on those days, whatever the roster
        g = model.new_bool_var(f"days_off[{em.id}|{d}]")
        model.add_bool_and([day.works.Not() for day in days]).only_enforce_if(g)
        options.append(g)
    model.add_bool_or(options).only_enforce_if(guard)


RULES.append(
    HardRule(
        "daily_rest",
        "At least 11 consecutive hours of rest between two working days (12 for minors).",
        legal_limit("daily_rest"),
        too_soon_after_last_week,
        daily_rest,
    )
)
RULES.append(
    HardRule(
        "weekly_rest",
        "At least 35 consecutive hours of rest in the week.",
        legal_limit("weekly_rest"),
        None,
        weekly_rest,
    )
)
RULES.append(
    HardRule(
        "working_days_max",
        "At most 6 working days a week.",
        legal_limit("working_days_max"),
        None,
        working_days_max,
    )
)
RULES.append(
    HardRule(
        "minor_days_off",
        "Employees under 18 have two consecutive days off.",
        legal_limit("minor_days_off"),
        None,
        minor_days_off,
    )
)
