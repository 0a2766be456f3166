"""Lookups computed once per problem: sites, travel, and each employee's limits and calendar.

Model side only: the independent checker re-derives what it needs on its own.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from solver.problem import (
    WORK_STUDY_KINDS,
    ContractKind,
    Employee,
    Interval,
    PreviousAssignment,
    Problem,
    RuleSettings,
    Site,
)


@dataclass(frozen=True, slots=True)
class Limits:
    """The numbers of the hard rules that apply to one employee (adult or minor)."""

    max_daily: int
    max_weekly: int
    break_after: int
    break_minutes: int
    daily_rest: int
    weekly_rest: int
    max_working_days: int
    minor: bool
    part_time: bool
    # Part-time: contract plus complementary hours, below the legal duration.
    group_weekly_cap: int | None
    short_contract: bool


def limits_for(employee: Employee, settings: RuleSettings) -> Limits:
    """The limits of ``settings`` that bind ``employee``."""
    minor = employee.is_minor
    part_time = employee.contract_kind == ContractKind.PERMANENT_PART_TIME or (
        employee.contract_kind != ContractKind.FULL_TIME
        and employee.weekly_contract_minutes < settings.full_time_weekly_minutes
    )
    cap = None
    if part_time:
        contract = employee.weekly_contract_minutes
        cap = min(
            contract + int(contract * settings.complementary_hours_ratio),
            settings.part_time_ceiling_minutes - 1,
        )
    return Limits(
        max_daily=settings.minor_max_daily_minutes if minor else settings.max_daily_minutes,
        max_weekly=settings.minor_max_weekly_minutes if minor else settings.max_weekly_minutes,
        break_after=settings.minor_break_after_minutes if minor else settings.break_after_minutes,
        break_minutes=settings.minor_break_minutes if minor else settings.break_minutes,
        daily_rest=(
            settings.minor_min_daily_rest_minutes if minor else settings.min_daily_rest_minutes
        ),
        weekly_rest=settings.min_weekly_rest_minutes,
        max_working_days=settings.max_working_days,
        minor=minor,
        part_time=part_time,
        group_weekly_cap=cap,
        short_contract=part_time
        and employee.weekly_contract_minutes < settings.short_contract_threshold_minutes,
    )


@dataclass(frozen=True, slots=True)
class EmployeeFacts:
    """One employee with everything the rules ask about them."""

    employee: Employee
    limits: Limits
    # Absences merged and sorted by start: a slot's overlap is one bisection (a year's rota
    # has 1.7 M slot-employee pairs).
    absences: tuple[Interval, ...]
    training: tuple[tuple[Interval, str], ...]  # (interval, training centre location)
    host_member_id: str | None
    tutor_presence: tuple[Interval, ...] | None
    consents: tuple[tuple[int | None, int | None], ...]
    notice_applies: bool
    previous: tuple[PreviousAssignment, ...]
    # Shift types the employee may never work (HorizonLimits: at most 0 of them).
    never_shift_types: frozenset[str] = frozenset()

    @property
    def id(self) -> str:
        return self.employee.id

    def absent_during(self, start: int, end: int) -> bool:
        k = bisect.bisect_left(self.absences, end, key=lambda a: a.start) - 1
        return k >= 0 and self.absences[k].end > start

    def consented(self, start: int, end: int) -> bool:
        for lo, hi in self.consents:
            lo_ = lo if lo is not None else -(10**9)
            hi_ = hi if hi is not None else 10**9
            if lo_ < end and start < hi_:
                return True
        return False


class ProblemIndex:
    """Dictionaries over a problem, built once (insertion-ordered for determinism)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.sites: dict[str, Site] = {s.id: s for s in problem.sites}
        self.member_ids = [m.id for m in problem.members]
        self.travel: dict[tuple[str, str, str], int] = {}
        for t in problem.travel_times:
            self.travel.setdefault((t.mode, t.to_location, t.from_location), t.minutes)
        for t in problem.travel_times:
            self.travel[(t.mode, t.from_location, t.to_location)] = t.minutes
        grouped: dict[str, dict[str, list]] = {
            e.id: {"absences": [], "training": [], "placements": [], "consents": [], "previous": []}
            for e in problem.employees
        }
        for kind, records in (
            ("absences", problem.absences),
            ("training", problem.training_sessions),
            ("placements", problem.placements),
            ("consents", problem.consents),
            ("previous", problem.previous_assignments),
        ):
            for r in records:
                if r.employee_id in grouped:
                    grouped[r.employee_id][kind].append(r)
        self.facts: dict[str, EmployeeFacts] = {
            e.id: _facts(problem, e, grouped[e.id]) for e in problem.employees
        }

    def travel_minutes(self, mode: str, a: str | None, b: str | None) -> int:
        """Travel between two locations; unknown or same location costs nothing."""
        if a is None or b is None or a == b:
            return 0
        return self.travel.get((mode, a, b), 0)


def _facts(problem: Problem, e: Employee, mine: dict[str, list]) -> EmployeeFacts:
    settings = problem.settings
    limits = limits_for(e, settings)
    placement = mine["placements"][0] if mine["placements"] else None
    is_work_study = e.contract_kind in WORK_STUDY_KINDS
    horizon = e.horizon_limits
    return EmployeeFacts(
        employee=e,
        limits=limits,
        absences=_merged(Interval(a.start, a.end) for a in mine["absences"]),
        training=tuple((Interval(t.start, t.end), t.location_id) for t in mine["training"]),
        host_member_id=placement.member_id if placement else None,
        tutor_presence=placement.tutor_presence if placement and is_work_study else None,
        consents=tuple((c.start, c.end) for c in mine["consents"]),
        notice_applies=problem.notice_cutoff is not None
        and (limits.part_time or not settings.notice_part_time_only),
        previous=tuple(mine["previous"]),
        never_shift_types=frozenset(
            t for t, n in (horizon.max_shifts_per_type if horizon else ()) if n <= 0
        ),
    )


def _merged(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    out: list[Interval] = []
    for iv in sorted(intervals, key=lambda i: (i.start, i.end)):
        if iv.end <= iv.start:
            continue
        if out and iv.start <= out[-1].end:
            out[-1] = Interval(out[-1].start, max(out[-1].end, iv.end))
        else:
            out.append(iv)
    return tuple(out)
