"""The shape of a working day: breaks, part-time interruptions, grouping of short contracts.

Definitions shared with the checker (which implements them on its own):

- *rest* between two consecutive pieces of work of a day is the gap between them minus the
  travel from the first site to the second (travel is work).
- a *stretch* is a run of consecutive pieces of work whose rests are all shorter than the due
  break; from its first start to its last end it lasts at most ``break_after`` (6 h; 4 h 30 for
  minors): so a break of 20 minutes (30 for minors) comes before 6 h of continuous work.
- an *interruption* is a rest longer than the due break.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from solver.rules.registry import HardRule, legal_limit

if TYPE_CHECKING:
    from solver.candidates import Slot
    from solver.facts import EmployeeFacts, ProblemIndex
    from solver.model import DayModel, EmployeeModel, ModelContext


RULES: list[HardRule] = []  # in the order the registry lists them


def longer_than_a_stretch(facts: EmployeeFacts, slot: Slot, index: ProblemIndex) -> bool:
    return slot.minutes > facts.limits.break_after


def break_rule(ctx: ModelContext, em: EmployeeModel, guard: list[Any]) -> None:
    """No stretch of work longer than 6 h without a 20-minute break (4 h 30 / 30 min minors)."""
    limits = em.facts.limits
    for day in em.days:
        if not day.arcs:
            continue
        joined = [a for a in day.arcs if a.rest < limits.break_minutes]
        earliest = {it.pos: it.start for it in day.items}
        for a in sorted(joined, key=lambda a: a.head.start):
            earliest[a.head.pos] = min(earliest[a.head.pos], earliest[a.tail.pos])
        if all(it.end - earliest[it.pos] <= limits.break_after for it in day.items):
            continue
        _stretch_starts(ctx, em, day, guard)


def _stretch_starts(ctx: ModelContext, em: EmployeeModel, day: DayModel, guard: list[Any]) -> None:
    model = ctx.model
    limits = em.facts.limits
    lo = min(it.start for it in day.items)
    start_of = {
        it.pos: model.new_int_var(lo, it.start, f"stretch[{em.id}|{it.pos}]") for it in day.items
    }
    for it in day.items:
        model.add(start_of[it.pos] == it.start).only_enforce_if(day.first[it.pos])
        model.add(it.end - start_of[it.pos] <= limits.break_after).only_enforce_if([it.lit, *guard])
    for a in day.arcs:
        if a.rest < limits.break_minutes:
            model.add(start_of[a.head.pos] == start_of[a.tail.pos]).only_enforce_if(a.lit)
        else:
            model.add(start_of[a.head.pos] == a.head.start).only_enforce_if(a.lit)


def part_time_interruptions(ctx: ModelContext, em: EmployeeModel, guard: list[Any]) -> None:
    """Part-time: at most one interruption a day, of at most 2 hours."""
    if not em.facts.limits.part_time:
        return
    s = ctx.settings
    for day in em.days:
        breaks = [a for a in day.arcs if a.rest > em.facts.limits.break_minutes]
        for a in breaks:
            if a.rest > s.max_interruption_minutes:
                ctx.model.add(a.lit == 0).only_enforce_if(guard)
        if len(breaks) > s.max_interruptions_per_day:
            ctx.model.add(
                sum(a.lit for a in breaks) <= s.max_interruptions_per_day
            ).only_enforce_if(guard)


def short_contract_grouping(ctx: ModelContext, em: EmployeeModel, guard: list[Any]) -> None:
    """Part-time under 24 h: hours grouped in regular half days or whole days.

    Each working day is either a *half day* — one stretch without interruption, of at least
    ``half_day_min_minutes`` (3 h) — or a *whole day* — at least ``whole_day_min_minutes``
    (6 h) of work with at most the part-time interruptions. So no scattered short pieces.
    """
    if not em.facts.limits.short_contract:
        return
    s = ctx.settings
    limits = em.facts.limits
    for day in em.days:
        if not day.items:
            continue
        works = _works_for_group(ctx, em, day)
        if works is None:
            continue
        minutes = day.minutes(group_only=True)
        ctx.model.add(minutes >= s.half_day_min_minutes).only_enforce_if([works, *guard])
        for a in day.arcs:
            if a.rest > limits.break_minutes:
                ctx.model.add(minutes >= s.whole_day_min_minutes).only_enforce_if([a.lit, *guard])


def _works_for_group(ctx: ModelContext, em: EmployeeModel, day: DayModel) -> Any | None:
    """Whether the day has work for the group (None: it never has).

    A day of work for another employer only is no day of the part-time contract, so the
    grouping rule leaves it alone.
    """
    if all(it.for_group for it in day.items):
        return day.works
    mine = [it.lit for it in day.items if it.for_group]
    if not mine:
        return None
    works = ctx.model.new_bool_var(f"works_for_group[{em.id}|{day.day}]")
    ctx.model.add_max_equality(works, mine)
    return works


RULES.append(
    HardRule(
        "break",
        "A 20-minute break before 6 hours of continuous work (30 minutes after 4 h 30, minors).",
        legal_limit("break"),
        longer_than_a_stretch,
        break_rule,
    )
)
RULES.append(
    HardRule(
        "part_time_interruptions",
        "Part-time: at most one interruption per working day, of at most 2 hours.",
        legal_limit("part_time_interruptions"),
        None,
        part_time_interruptions,
    )
)
RULES.append(
    HardRule(
        "short_contract_grouping",
        "Part-time under 24 hours: work grouped in regular half days or whole days.",
        legal_limit("short_contract_grouping"),
        None,
        short_contract_grouping,
    )
)
