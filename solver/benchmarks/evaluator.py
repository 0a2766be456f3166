"""Independent evaluator of Curtois & Qu rosters: the benchmark's objective and its hard rules.

A roster maps each employee id to one entry per day of the horizon: a shift id, or None for a
day off. One shift a day is therefore structural. The objective is, as the benchmark defines
it, the sum of

- under-cover: for each (day, shift) with a cover line, ``weight_under × missing people``;
- over-cover: ``weight_over × extra people``;
- each shift-on request whose shift is not worked that day: its weight;
- each shift-off request whose shift is worked that day: its weight.

Hard rules (each broken one is listed in words, the objective is still computed):
forbidden successions, most shifts per type, total minutes between min and max, runs of
consecutive shifts between min and max, runs of days off at least min, at most MaxWeekends
worked weekends (a weekend is worked if its Saturday or its Sunday is), fixed days off.

**Edges of the horizon.** Whether a minimum-run rule binds a run that touches the first or the
last day is not written in the files. The default, ``EdgeReading.OPEN``, leaves such runs free:
the roster may continue a run begun before the horizon or finished after it. It is the
reading of the benchmark's own integer model (minimum runs are forbidden patterns
"off, n days on, off" that need a day on both sides) and it reproduces the published optimum 607
of Instance1; ``EdgeReading.BOUND`` binds every run and gives 807 there. Maximum-run rules bind
every run under both readings: a run that is already too long inside the horizon is too long.

Standard library only, and no code shared with the solver's model, so that a mistake in one is
unlikely to be repeated in the other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from solver.benchmarks.curtois import DAYS_PER_WEEK, SATURDAY, SUNDAY, Instance, Staff

Line = Sequence[str | None]  # one employee's horizon: a shift id or None (off) per day
Roster = Mapping[str, Line]

FORBIDDEN_SUCCESSION = "forbidden_succession"
MAX_SHIFTS = "max_shifts"
MIN_TOTAL_MINUTES = "min_total_minutes"
MAX_TOTAL_MINUTES = "max_total_minutes"
MAX_CONSECUTIVE_SHIFTS = "max_consecutive_shifts"
MIN_CONSECUTIVE_SHIFTS = "min_consecutive_shifts"
MIN_CONSECUTIVE_DAYS_OFF = "min_consecutive_days_off"
MAX_WEEKENDS = "max_weekends"
FIXED_DAY_OFF = "fixed_day_off"
HARD_RULES = (
    FORBIDDEN_SUCCESSION,
    MAX_SHIFTS,
    MIN_TOTAL_MINUTES,
    MAX_TOTAL_MINUTES,
    MAX_CONSECUTIVE_SHIFTS,
    MIN_CONSECUTIVE_SHIFTS,
    MIN_CONSECUTIVE_DAYS_OFF,
    MAX_WEEKENDS,
    FIXED_DAY_OFF,
)


class EdgeReading(StrEnum):
    """How minimum-run rules treat runs that touch the first or the last day of the horizon."""

    OPEN = "open"  # not bound (default: reproduces the published values)
    BOUND = "bound"  # bound like any other run


class RosterShapeError(ValueError):
    """The roster is not a roster of this instance (employee, length or shift id)."""


@dataclass(frozen=True, slots=True, order=True)
class Violation:
    """One broken hard rule, in plain words; ``day`` is where it starts (None: whole horizon)."""

    rule: str
    employee_id: str
    day: int | None
    message: str


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The objective broken down by term (each already weighted) and every hard violation."""

    under_cover: int
    over_cover: int
    shift_on: int
    shift_off: int
    violations: tuple[Violation, ...]

    @property
    def objective(self) -> int:
        return self.under_cover + self.over_cover + self.shift_on + self.shift_off

    @property
    def feasible(self) -> bool:
        return not self.violations

    def broken_rules(self) -> set[str]:
        return {v.rule for v in self.violations}


def evaluate(
    instance: Instance, roster: Roster, *, edges: EdgeReading = EdgeReading.OPEN
) -> Evaluation:
    """The benchmark objective of ``roster`` and every hard-rule violation, in words."""
    check_shape(instance, roster)
    violations: list[Violation] = []
    for staff in instance.staff:
        violations.extend(
            employee_violations(
                instance,
                staff,
                roster[staff.id],
                edges=edges,
                fixed_off=instance.fixed_days_off(staff.id),
            )
        )
    on = sum(
        r.weight for r in instance.shift_on_requests if roster[r.employee_id][r.day] != r.shift_id
    )
    off = sum(
        r.weight for r in instance.shift_off_requests if roster[r.employee_id][r.day] == r.shift_id
    )
    working_on: Counter[tuple[int, str]] = Counter(
        (day, sid) for line in roster.values() for day, sid in enumerate(line) if sid is not None
    )
    under = over = 0
    for c in instance.cover:
        # Cover lines are unique per (day, shift): the loader rejects duplicates. A (day, shift)
        # without a line has no target, so nobody working it costs nothing.
        working = working_on[(c.day, c.shift_id)]
        under += c.weight_under * max(0, c.requirement - working)
        over += c.weight_over * max(0, working - c.requirement)
    return Evaluation(under, over, on, off, tuple(sorted(violations)))


def check_shape(instance: Instance, roster: Roster) -> None:
    """Raise ``RosterShapeError`` unless the roster has exactly the instance's employees, one
    entry per day each, and only known shift ids."""
    staff_ids = [s.id for s in instance.staff]
    missing = [e for e in staff_ids if e not in roster]
    extra = [e for e in roster if e not in set(staff_ids)]
    if missing or extra:
        raise RosterShapeError(f"roster employees differ: missing {missing}, unknown {extra}")
    known = {s.id for s in instance.shifts}
    for eid in staff_ids:
        line = roster[eid]
        if len(line) != instance.days:
            raise RosterShapeError(
                f"{eid} has {len(line)} days in the roster, the horizon has {instance.days}"
            )
        for day, sid in enumerate(line):
            if sid is not None and sid not in known:
                raise RosterShapeError(f"{eid} works unknown shift {sid!r} on day {day}")


def employee_violations(
    instance: Instance,
    staff: Staff,
    line: Line,
    *,
    edges: EdgeReading = EdgeReading.OPEN,
    fixed_off: frozenset[int] | None = None,
) -> list[Violation]:
    """Every hard rule ``line`` breaks for one employee (every hard rule binds one employee)."""
    eid = staff.id
    fixed_off = instance.fixed_days_off(eid) if fixed_off is None else fixed_off
    shifts = {s.id: s for s in instance.shifts}
    out: list[Violation] = []

    def add(rule: str, day: int | None, message: str) -> None:
        out.append(Violation(rule, eid, day, message))

    for day, (today, tomorrow) in enumerate(pairwise(line)):
        if today is not None and tomorrow is not None and tomorrow in shifts[today].forbidden_next:
            add(
                FORBIDDEN_SUCCESSION,
                day,
                f"{eid} works {today} on day {day} then {tomorrow} on day {day + 1}, "
                f"but {tomorrow} may not follow {today}",
            )

    for s in instance.shifts:
        limit = staff.max_shifts_of(s.id)
        count = sum(1 for sid in line if sid == s.id)
        if limit is not None and count > limit:
            add(MAX_SHIFTS, None, f"{eid} works {count} {s.id} shifts, at most {limit} allowed")

    minutes = sum(shifts[sid].minutes for sid in line if sid is not None)
    if minutes < staff.min_total_minutes:
        add(
            MIN_TOTAL_MINUTES,
            None,
            f"{eid} works {minutes} minutes, fewer than the minimum {staff.min_total_minutes}",
        )
    if minutes > staff.max_total_minutes:
        add(
            MAX_TOTAL_MINUTES,
            None,
            f"{eid} works {minutes} minutes, more than the maximum {staff.max_total_minutes}",
        )

    last = len(line) - 1
    for start, length, working in _runs(line):
        end = start + length - 1
        span = f"day {start}" if length == 1 else f"days {start}-{end}"
        # Under the open reading a run touching an edge may continue outside the horizon, so
        # its length here is only a lower bound of its real length: a minimum cannot fail.
        bound = edges is EdgeReading.BOUND or (start > 0 and end < last)
        if working and length > staff.max_consecutive_shifts:
            add(
                MAX_CONSECUTIVE_SHIFTS,
                start,
                f"{eid} works {length} days in a row ({span}), "
                f"more than the {staff.max_consecutive_shifts} allowed",
            )
        if working and bound and length < staff.min_consecutive_shifts:
            add(
                MIN_CONSECUTIVE_SHIFTS,
                start,
                f"{eid} works only {length} day(s) in a row ({span}), "
                f"fewer than the {staff.min_consecutive_shifts} required",
            )
        if not working and bound and length < staff.min_consecutive_days_off:
            add(
                MIN_CONSECUTIVE_DAYS_OFF,
                start,
                f"{eid} has only {length} day(s) off in a row ({span}), "
                f"fewer than the {staff.min_consecutive_days_off} required",
            )

    worked = [
        w
        for w in range(len(line) // DAYS_PER_WEEK)
        if line[w * DAYS_PER_WEEK + SATURDAY] is not None
        or line[w * DAYS_PER_WEEK + SUNDAY] is not None
    ]
    if len(worked) > staff.max_weekends:
        listed = ", ".join(str(w) for w in worked)
        add(
            MAX_WEEKENDS,
            None,
            f"{eid} works {len(worked)} weekends (weeks {listed}), "
            f"at most {staff.max_weekends} allowed",
        )

    for day in sorted(fixed_off):
        if line[day] is not None:
            add(FIXED_DAY_OFF, day, f"{eid} works {line[day]} on day {day}, a fixed day off")
    return out


def request_penalties(instance: Instance, employee_id: str, line: Line) -> tuple[int, int]:
    """(unmet shift-on weight, violated shift-off weight) of one employee's line."""
    on = sum(
        r.weight
        for r in instance.shift_on_requests
        if r.employee_id == employee_id and line[r.day] != r.shift_id
    )
    off = sum(
        r.weight
        for r in instance.shift_off_requests
        if r.employee_id == employee_id and line[r.day] == r.shift_id
    )
    return on, off


def _runs(line: Line) -> list[tuple[int, int, bool]]:
    """Maximal runs of working days and of days off: (first day, length, working)."""
    runs: list[tuple[int, int, bool]] = []
    start = 0
    for day in range(1, len(line) + 1):
        if day == len(line) or (line[day] is None) != (line[start] is None):
            runs.append((start, day - start, line[start] is not None))
            start = day
    return runs
