"""The independent checker's own reading of the problem (no code shared with the model).

It imports only the problem and roster types, and derives every limit again from the
settings, so a mistake in the model and a mistake here are unlikely to agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from solver.problem import (
    DAYS_PER_WEEK,
    MINUTES_PER_DAY,
    ContractKind,
    Employee,
    Interval,
    Problem,
)
from solver.roster import Assignment

# Checks that are the shape of a roster rather than rules of the group (an assignment matches
# its need, nobody is in two places, no block over its cap): ``enabled_rules`` cannot turn
# them off, as the model builds them in whatever rules it is given.
STRUCTURAL_RULES = frozenset({"need_match", "no_overlap", "headcount"})


@dataclass(frozen=True, slots=True, order=True)
class Violation:
    """One broken hard rule, in plain words."""

    rule: str
    employee_id: str | None
    start: int | None
    end: int | None
    message: str


@dataclass(frozen=True, slots=True)
class Work:
    """A piece of an employee's work: an assignment, a training session, external work."""

    start: int
    end: int
    location: str | None
    source: str  # "assignment", "training", "external"
    assignment: Assignment | None = None
    # Work outside the horizon counts on its nearest day, as the model places it there.
    last_day: int = DAYS_PER_WEEK - 1

    @property
    def day(self) -> int:
        return min(self.last_day, max(0, self.start // MINUTES_PER_DAY))


@dataclass(frozen=True, slots=True)
class PersonLimits:
    daily: int
    weekly: int
    stretch: int
    pause: int
    rest: int
    minor: bool
    part_time: bool
    cap: int | None
    under_24h: bool


def person_limits(problem: Problem, e: Employee) -> PersonLimits:
    s = problem.settings
    part_time = e.contract_kind == ContractKind.PERMANENT_PART_TIME or (
        e.contract_kind != ContractKind.FULL_TIME
        and e.weekly_contract_minutes < s.full_time_weekly_minutes
    )
    cap = None
    if part_time:
        extra = int(e.weekly_contract_minutes * s.complementary_hours_ratio)
        cap = min(e.weekly_contract_minutes + extra, s.part_time_ceiling_minutes - 1)
    if e.is_minor:
        return PersonLimits(
            s.minor_max_daily_minutes,
            s.minor_max_weekly_minutes,
            s.minor_break_after_minutes,
            s.minor_break_minutes,
            s.minor_min_daily_rest_minutes,
            True,
            part_time,
            cap,
            part_time and e.weekly_contract_minutes < s.short_contract_threshold_minutes,
        )
    return PersonLimits(
        s.max_daily_minutes,
        s.max_weekly_minutes,
        s.break_after_minutes,
        s.break_minutes,
        s.min_daily_rest_minutes,
        False,
        part_time,
        cap,
        part_time and e.weekly_contract_minutes < s.short_contract_threshold_minutes,
    )


class Lookups:
    """Dictionaries the checks need, built once per problem."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.last_day = problem.horizon_days - 1
        self.employees = {e.id: e for e in problem.employees}
        self.sites = {s.id: s for s in problem.sites}
        self.blocks = {n.id: n for n in problem.needs}
        self.quotas = {q.id: q for q in problem.quotas}
        self.shift_types = {t.id: t for t in problem.shift_types}
        self.travel: dict[tuple[str, str, str], int] = {}
        for t in problem.travel_times:
            self.travel[(t.mode, t.from_location, t.to_location)] = t.minutes
        for t in problem.travel_times:
            self.travel.setdefault((t.mode, t.to_location, t.from_location), t.minutes)
        self.limits = {e.id: person_limits(problem, e) for e in problem.employees}
        self.placement = {p.employee_id: p for p in problem.placements}
        self.training: dict[str, list[Interval]] = {}
        self.training_work: dict[str, list[Work]] = {}
        for t in problem.training_sessions:
            self.training.setdefault(t.employee_id, []).append(Interval(t.start, t.end))
            self.training_work.setdefault(t.employee_id, []).append(
                Work(t.start, t.end, t.location_id, "training", last_day=self.last_day)
            )
        self.absences: dict[str, list[Interval]] = {}
        for a in problem.absences:
            self.absences.setdefault(a.employee_id, []).append(Interval(a.start, a.end))
        self.consents: dict[str, list] = {}
        for c in problem.consents:
            self.consents.setdefault(c.employee_id, []).append(c)

    def reports(self, rule: str) -> bool:
        """Whether a violation of ``rule`` counts: its rule is enabled, or it is structural."""
        return rule in STRUCTURAL_RULES or self.problem.rule_enabled(rule)

    def enabled_only(self, violations: list[Violation]) -> list[Violation]:
        return [v for v in violations if self.reports(v.rule)]

    def travel_between(self, e: Employee, a: Work, b: Work) -> int:
        if a.location is None or b.location is None or a.location == b.location:
            return 0
        return self.travel.get((e.travel_mode, a.location, b.location), 0)

    def location_of(self, a: Assignment) -> str | None:
        site = self.sites.get(a.site_id)
        return site.location_id if site else None

    def consented(self, employee_id: str, start: int, end: int) -> bool:
        return any(c.covers(start, end) for c in self.consents.get(employee_id, ()))
