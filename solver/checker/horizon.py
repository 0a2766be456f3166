"""Checks on an employee's whole horizon (shift rostering): shift counts, successions,
total minutes, runs of working days and of days off, weekends.

Read from ``HorizonLimits`` and the shift types again, without the model's code. A working day
is a day of the horizon on which some work of the employee starts (as for the weekly rules);
a day off is any other day of the horizon.
"""

from __future__ import annotations

from collections import Counter

from solver.checker.core import Lookups, Violation, Work
from solver.problem import DAYS_PER_WEEK, MINUTES_PER_DAY, Employee, HorizonLimits
from solver.roster import Assignment

SATURDAY, SUNDAY = 5, 6


def check_horizon(
    lk: Lookups, e: Employee, assignments: list[Assignment], work: list[Work]
) -> list[Violation]:
    """Every horizon rule of ``e``: ``work`` is the employee's timeline (see employee_work)."""
    out = _successions(lk, e, assignments)
    limits = e.horizon_limits
    if limits is None:
        return out
    worked = {w.day for w in work}
    out += _shift_counts(lk, e, limits, assignments)
    out += _total_minutes(e, limits, assignments)
    out += _runs(lk, e, limits, worked)
    out += _weekends(lk, e, limits, worked)
    return out


def shift_type_of(lk: Lookups, a: Assignment) -> str | None:
    """The shift type of the block ``a`` takes (quotas and unknown needs have none)."""
    block = lk.blocks.get(a.need_id)
    return block.shift_type if block is not None else None


def _day_of(lk: Lookups, minute: int) -> int:
    return min(lk.last_day, max(0, minute // MINUTES_PER_DAY))


def _successions(lk: Lookups, e: Employee, assignments: list[Assignment]) -> list[Violation]:
    """A shift type may not be followed the next day by one of its ``forbidden_next``."""
    by_day: dict[int, list[tuple[str, Assignment]]] = {}
    for a in assignments:
        t = shift_type_of(lk, a)
        if t is not None:
            by_day.setdefault(_day_of(lk, a.start), []).append((t, a))
    out = []
    # The last day has no next day: the horizon does not wrap around.
    for d, today in sorted(by_day.items()):
        for t, a in today:
            kind = lk.shift_types.get(t)
            if kind is None or not kind.forbidden_next:
                continue
            for u, b in by_day.get(d + 1, ()):
                if u in kind.forbidden_next:
                    out.append(
                        Violation(
                            "forbidden_succession",
                            e.id,
                            a.start,
                            b.end,
                            f"{e.id} works a {u} shift on day {d + 1} right after a {t} "
                            f"shift on day {d}",
                        )
                    )
    return out


def _shift_counts(
    lk: Lookups, e: Employee, limits: HorizonLimits, assignments: list[Assignment]
) -> list[Violation]:
    counts = Counter(t for a in assignments if (t := shift_type_of(lk, a)) is not None)
    out = []
    for t, n in sorted(counts.items()):
        cap = limits.max_shifts_of(t)
        if cap is not None and n > cap:
            out.append(
                Violation(
                    "shift_type_max",
                    e.id,
                    None,
                    None,
                    f"{e.id} works {n} {t} shifts over the horizon (max {cap})",
                )
            )
    return out


def _total_minutes(
    e: Employee, limits: HorizonLimits, assignments: list[Assignment]
) -> list[Violation]:
    total = sum(a.end - a.start for a in assignments)
    low, high = limits.min_total_minutes, limits.max_total_minutes
    if total < low or (high is not None and total > high):
        bounds = f"min {low}" + (f", max {high}" if high is not None else "")
        return [
            Violation(
                "horizon_minutes",
                e.id,
                None,
                None,
                f"{e.id} works {total} min over the horizon ({bounds})",
            )
        ]
    return []


def _runs(lk: Lookups, e: Employee, limits: HorizonLimits, worked: set[int]) -> list[Violation]:
    """Runs of working days within their minimum and maximum; runs of days off long enough.

    A minimum does not bind a run touching the first or last day unless the settings say so:
    that run may go on outside the horizon. A maximum binds every run.
    """
    last = lk.last_day
    at_edges = lk.problem.settings.min_runs_bind_at_edges
    out = []
    for working, first, end in _day_runs(worked, last + 1):
        length = end - first
        bound = at_edges or (first > 0 and end - 1 < last)
        span = (first * MINUTES_PER_DAY, end * MINUTES_PER_DAY)
        days = f"days {first}–{end - 1}" if length > 1 else f"day {first}"
        if working:
            low, high = limits.min_consecutive_days, limits.max_consecutive_days
            if bound and length < low:
                out.append(
                    Violation(
                        "consecutive_days",
                        e.id,
                        *span,
                        f"{e.id} works only {length} days in a row ({days}, min {low})",
                    )
                )
            if high is not None and length > high:
                out.append(
                    Violation(
                        "consecutive_days",
                        e.id,
                        *span,
                        f"{e.id} works {length} days in a row ({days}, max {high})",
                    )
                )
        elif bound and length < limits.min_consecutive_days_off:
            out.append(
                Violation(
                    "consecutive_days_off",
                    e.id,
                    *span,
                    f"{e.id} has only {length} days off in a row ({days}, "
                    f"min {limits.min_consecutive_days_off})",
                )
            )
    return out


def _day_runs(worked: set[int], days: int) -> list[tuple[bool, int, int]]:
    """Maximal runs ``(working, first day, day after the last)`` covering days 0..days-1."""
    runs: list[tuple[bool, int, int]] = []
    first = 0
    for d in range(1, days + 1):
        if d == days or (d in worked) != (first in worked):
            runs.append((first in worked, first, d))
            first = d
    return runs


def _weekends(lk: Lookups, e: Employee, limits: HorizonLimits, worked: set[int]) -> list[Violation]:
    if limits.max_weekends is None:
        return []
    weeks = (lk.last_day + 1) // DAYS_PER_WEEK
    weekends = [
        k
        for k in range(weeks)
        if {k * DAYS_PER_WEEK + SATURDAY, k * DAYS_PER_WEEK + SUNDAY} & worked
    ]
    if len(weekends) <= limits.max_weekends:
        return []
    listed = ", ".join(str(k) for k in weekends)
    return [
        Violation(
            "weekends_max",
            e.id,
            None,
            None,
            f"{e.id} works {len(weekends)} weekends (weeks {listed}; max {limits.max_weekends})",
        )
    ]
