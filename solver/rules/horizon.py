"""A rota's rules over the whole horizon: shift types, successions, runs, weekends, totals.

These are the limits of a rota contract (a hospital ward, a cleaning company on a 4-week
cycle, the public shift-scheduling benchmarks): each binds one employee, and each reads only
``Employee.horizon_limits``, the shift types of the problem and the days of the timeline, so a
group without them pays nothing.

Runs of working days and of days off are written as forbidden patterns over the days' ``works``
literals: "off, then k days on, then off" for every k below the minimum. A run that touches the
first or last day of the horizon may go on outside it, so its length inside is only a lower
bound: unless ``RuleSettings.min_runs_bind_at_edges``, such runs are not held to the minimum.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ortools.sat.python import cp_model

from solver.problem import DAYS_PER_WEEK, HorizonLimits
from solver.rules.registry import HardRule, legal_limit

if TYPE_CHECKING:
    from solver.candidates import Slot
    from solver.facts import EmployeeFacts, ProblemIndex
    from solver.model import DayModel, EmployeeModel, ModelContext

SATURDAY, SUNDAY = 5, 6

RULES: list[HardRule] = []  # in the order the registry lists them


def _limits(em: EmployeeModel) -> HorizonLimits | None:
    return em.facts.employee.horizon_limits


def never_this_type(facts: EmployeeFacts, slot: Slot, index: ProblemIndex) -> bool:
    return slot.shift_type in facts.never_shift_types


def shift_type_max(ctx: ModelContext, em: EmployeeModel, guard: list[Any]) -> None:
    """At most n shifts of a type over the horizon."""
    limits = _limits(em)
    if limits is None or not limits.max_shifts_per_type:
        return
    caps = dict(limits.max_shifts_per_type)
    by_type: dict[str, list[Any]] = {}
    for it in em.slot_items():
        if it.slot.shift_type in caps:
            by_type.setdefault(it.slot.shift_type, []).append(it.lit)
    for shift_type, lits in by_type.items():
        if len(lits) > caps[shift_type]:
            ctx.model.add(cp_model.LinearExpr.sum(lits) <= caps[shift_type]).only_enforce_if(guard)


def forbidden_succession(ctx: ModelContext, em: EmployeeModel, guard: list[Any]) -> None:
    """A shift type may not be followed the next day by one of its forbidden successors."""
    forbidden = {t.id: frozenset(t.forbidden_next) for t in ctx.problem.shift_types}
    if not any(forbidden.values()):
        return
    model = ctx.model
    for today, tomorrow in zip(em.days, em.days[1:], strict=False):
        if not today.items or not tomorrow.items:
            continue
        later = _by_type(tomorrow)
        # Types sharing one forbidden set make one constraint: with at most one shift a day,
        # "one of them today" and "one of the set tomorrow" exclude each other.
        by_set: dict[frozenset[str], list[Any]] = {}
        for shift_type, lits in _by_type(today).items():
            banned = forbidden.get(shift_type, frozenset()) & later.keys()
            if banned:
                by_set.setdefault(frozenset(banned), []).extend(lits)
        for banned, lits in by_set.items():
            following = [lit for t in sorted(banned) for lit in later[t]]
            if today.one_item and tomorrow.one_item:
                model.add(cp_model.LinearExpr.sum([*lits, *following]) <= 1).only_enforce_if(guard)
            else:
                for a in lits:
                    for b in following:
                        model.add_bool_or([a.Not(), b.Not(), *(g.Not() for g in guard)])


def _by_type(day: DayModel) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for it in day.items:
        if it.slot is not None and it.slot.shift_type is not None:
            out.setdefault(it.slot.shift_type, []).append(it.lit)
    return out


def horizon_minutes(ctx: ModelContext, em: EmployeeModel, guard: list[Any]) -> None:
    """Minutes of shifts worked over the horizon, between the contract's bounds."""
    limits = _limits(em)
    if limits is None or (not limits.min_total_minutes and limits.max_total_minutes is None):
        return
    # Minutes of the shifts worked (the rota's contract counts shifts, not training or travel).
    slots = em.slot_items()
    total = cp_model.LinearExpr.weighted_sum([it.lit for it in slots], [it.minutes for it in slots])
    if limits.min_total_minutes:
        if sum(it.minutes for it in slots) < limits.min_total_minutes:
            ctx.forbid(guard)
        else:
            ctx.model.add(total >= limits.min_total_minutes).only_enforce_if(guard)
    if limits.max_total_minutes is not None:
        ctx.model.add(total <= limits.max_total_minutes).only_enforce_if(guard)


def consecutive_days(ctx: ModelContext, em: EmployeeModel, guard: list[Any]) -> None:
    """Runs of working days between the contract's minimum and maximum."""
    limits = _limits(em)
    if limits is None:
        return
    works = [d.works for d in em.days]
    longest = limits.max_consecutive_days
    if longest is not None:
        for start in range(len(works) - longest):
            window = works[start : start + longest + 1]
            if all(not isinstance(w, int) for w in window):
                ctx.model.add(cp_model.LinearExpr.sum(window) <= longest).only_enforce_if(guard)
    _min_runs(ctx, works, limits.min_consecutive_days, on=True, guard=guard)


def consecutive_days_off(ctx: ModelContext, em: EmployeeModel, guard: list[Any]) -> None:
    """Runs of days off at least the contract's minimum."""
    limits = _limits(em)
    if limits is None:
        return
    works = [d.works for d in em.days]
    _min_runs(ctx, works, limits.min_consecutive_days_off, on=False, guard=guard)


def _min_runs(
    ctx: ModelContext, works: list[Any], shortest: int, *, on: bool, guard: list[Any]
) -> None:
    """Forbid every run (of work if ``on``, else of rest) shorter than ``shortest``.

    A run is closed by a day of the other kind on each side; outside the horizon nothing
    closes it (open edges) unless edges bind, when the horizon's end closes it.
    """
    if shortest <= 1:
        return
    bind_edges = ctx.settings.min_runs_bind_at_edges
    horizon = len(works)
    for start in range(horizon):
        for length in range(1, shortest):
            end = start + length  # first day after the run
            if end > horizon:
                break
            if not bind_edges and (start == 0 or end == horizon):
                continue
            clause = _run_clause(works, start, end, on=on)
            if clause is None:
                continue
            if not clause:
                ctx.forbid(guard)
                return
            ctx.model.add_bool_or([*clause, *(g.Not() for g in guard)])


def _run_clause(works: list[Any], start: int, end: int, *, on: bool) -> list[Any] | None:
    """Literals of "not this run": None when the run cannot happen anyway."""
    clause: list[Any] = []
    # Inside the run every day is of the run's kind; the days around it are of the other kind.
    for d in range(start, end):
        w = works[d]
        if isinstance(w, int):
            if bool(w) != on:
                return None  # this day can never be part of such a run
            continue
        clause.append(w.Not() if on else w)
    for d in (start - 1, end):
        if not 0 <= d < len(works):
            continue
        w = works[d]
        if isinstance(w, int):
            if bool(w) == on:
                return None  # the neighbour can never close the run
            continue
        clause.append(w if on else w.Not())
    return clause


def weekends_max(ctx: ModelContext, em: EmployeeModel, guard: list[Any]) -> None:
    """At most n weekends worked (a weekend counts when its Saturday or Sunday is worked)."""
    limits = _limits(em)
    if limits is None or limits.max_weekends is None:
        return
    model = ctx.model
    worked = []
    for week in range(len(em.days) // DAYS_PER_WEEK):
        days = [em.days[week * DAYS_PER_WEEK + d].works for d in (SATURDAY, SUNDAY)]
        days = [w for w in days if not isinstance(w, int)]
        if not days:
            continue
        if len(days) == 1:
            worked.append(days[0])
            continue
        weekend = model.new_bool_var(f"weekend[{em.id}|{week}]")
        model.add_max_equality(weekend, days)
        worked.append(weekend)
    if len(worked) > limits.max_weekends:
        model.add(cp_model.LinearExpr.sum(worked) <= limits.max_weekends).only_enforce_if(guard)


RULES.append(
    HardRule(
        "shift_type_max",
        "At most the contract's number of shifts of each type over the horizon.",
        legal_limit("shift_type_max"),
        never_this_type,
        shift_type_max,
    )
)
RULES.append(
    HardRule(
        "forbidden_succession",
        "No shift the day after a shift it may not follow.",
        legal_limit("forbidden_succession"),
        constrain=forbidden_succession,
    )
)
RULES.append(
    HardRule(
        "horizon_minutes",
        "Minutes of shifts worked over the horizon between the contract's minimum and maximum.",
        legal_limit("horizon_minutes"),
        constrain=horizon_minutes,
    )
)
RULES.append(
    HardRule(
        "consecutive_days",
        "Runs of working days between the contract's minimum and maximum.",
        legal_limit("consecutive_days"),
        constrain=consecutive_days,
    )
)
RULES.append(
    HardRule(
        "consecutive_days_off",
        "Runs of days off at least the contract's minimum.",
        legal_limit("consecutive_days_off"),
        constrain=consecutive_days_off,
    )
)
RULES.append(
    HardRule(
        "weekends_max",
        "At most the contract's number of weekends worked.",
        legal_limit("weekends_max"),
        constrain=weekends_max,
    )
)
