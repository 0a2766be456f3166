"""Checks on one employee's week taken as a whole: overlaps, durations, rest, breaks."""

from __future__ import annotations

import itertools

from solver.checker.core import Lookups, PersonLimits, Violation, Work
from solver.checker.horizon import check_horizon
from solver.problem import DAYS_PER_WEEK, Employee
from solver.roster import Assignment


def employee_work(lk: Lookups, e: Employee, assignments: list[Assignment]) -> list[Work]:
    """Assignments, training sessions and placed external work, sorted by start."""
    last = lk.last_day
    work = [
        Work(a.start, a.end, lk.location_of(a), "assignment", a, last_day=last) for a in assignments
    ]
    work += lk.training_work.get(e.id, [])
    work += [Work(x.start, x.end, None, "external", last_day=last) for x in e.external_intervals]
    return sorted(work, key=lambda w: (w.start, w.end))


def check_employee_week(lk: Lookups, e: Employee, assignments: list[Assignment]) -> list[Violation]:
    """Every hard rule on the employee's timeline."""
    limits = lk.limits[e.id]
    work = employee_work(lk, e, assignments)
    out: list[Violation] = []

    def bad(rule: str, start: int | None, end: int | None, message: str) -> None:
        out.append(Violation(rule, e.id, start, end, message))

    days: dict[int, list[Work]] = {}
    for w in work:
        days.setdefault(w.day, []).append(w)
    # Nobody in two places at once; travel between consecutive pieces fits in the gap.
    for a, b in itertools.pairwise(work):
        if b.start < a.end:
            bad("no_overlap", b.start, a.end, f"{e.id} has overlapping work")
        elif b.start - a.end < lk.travel_between(e, a, b):
            bad("no_overlap", a.end, b.start, f"{e.id} cannot travel in time")
    travel_by_day = {d: _travel(lk, e, items) for d, items in days.items()}
    minutes_by_day = {
        d: sum(w.end - w.start for w in items) + travel_by_day[d] for d, items in days.items()
    }
    for d, minutes in minutes_by_day.items():
        if minutes > limits.daily:
            bad(
                "daily_max",
                None,
                None,
                f"{e.id} works {minutes} min on day {d} (max {limits.daily})",
            )
    total = sum(minutes_by_day.values()) + e.external_weekly_minutes
    if total > limits.weekly:
        bad("weekly_max", None, None, f"{e.id} works {total} min this week (max {limits.weekly})")
    s = lk.problem.settings
    history = sum(e.previous_weeks_minutes[-(s.average_weeks - 1) :])
    if total + history > s.max_average_weekly_minutes * s.average_weeks:
        bad(
            "average_weekly_max",
            None,
            None,
            f"{e.id} averages over {s.max_average_weekly_minutes} min/week over "
            f"{s.average_weeks} weeks",
        )
    group = sum(w.end - w.start for w in work if w.source != "external") + sum(
        travel_by_day.values()
    )
    if limits.cap is not None and group > limits.cap:
        bad("part_time_hours", None, None, f"{e.id} works {group} min (part-time cap {limits.cap})")
    out += _rest(lk, e, limits, days, work)
    out += _day_shapes(lk, e, limits, days)
    out += _agreed(e, assignments)
    out += check_horizon(lk, e, assignments, work)
    return out


def _travel(lk: Lookups, e: Employee, items: list[Work]) -> int:
    return sum(lk.travel_between(e, a, b) for a, b in itertools.pairwise(items))


def _rest(
    lk: Lookups, e: Employee, limits: PersonLimits, days: dict[int, list[Work]], work: list[Work]
) -> list[Violation]:
    s = lk.problem.settings
    out: list[Violation] = []
    worked = sorted(days)
    ends = {d: max(w.end for w in days[d]) for d in worked}
    starts = {d: min(w.start for w in days[d]) for d in worked}
    if e.last_work_end is not None and worked and starts[worked[0]] - e.last_work_end < limits.rest:
        out.append(
            Violation(
                "daily_rest",
                e.id,
                e.last_work_end,
                starts[worked[0]],
                f"{e.id} rests less than {limits.rest} min after last week",
            )
        )
    for d1, d2 in itertools.pairwise(worked):
        if starts[d2] - ends[d1] < limits.rest:
            out.append(
                Violation(
                    "daily_rest",
                    e.id,
                    ends[d1],
                    starts[d2],
                    f"{e.id} rests less than {limits.rest} min between days",
                )
            )
    if len(worked) > s.max_working_days:
        out.append(
            Violation(
                "working_days_max",
                e.id,
                None,
                None,
                f"{e.id} works {len(worked)} days (max {s.max_working_days})",
            )
        )
    if work and e.last_work_end is not None:  # unknown: rested before the week
        end_of_world = lk.problem.horizon_minutes
        gaps = [work[0].start - e.last_work_end, end_of_world - max(w.end for w in work)]
        latest = work[0].end
        for w in work[1:]:
            gaps.append(w.start - latest)
            latest = max(latest, w.end)
        if max(gaps) < s.min_weekly_rest_minutes:
            out.append(
                Violation(
                    "weekly_rest",
                    e.id,
                    None,
                    None,
                    f"{e.id} has no {s.min_weekly_rest_minutes}-minute rest",
                )
            )
    if limits.minor:
        run = s.minor_consecutive_days_off
        # A weekly rule: read on the first week (longer horizons leave it out).
        free = set(range(DAYS_PER_WEEK)) - set(worked)
        if not any(all(d + k in free for k in range(run)) for d in range(DAYS_PER_WEEK - run + 1)):
            out.append(
                Violation(
                    "minor_days_off",
                    e.id,
                    None,
                    None,
                    f"{e.id} is under 18 and lacks {run} consecutive days off",
                )
            )
    return out


def _day_shapes(
    lk: Lookups, e: Employee, limits: PersonLimits, days: dict[int, list[Work]]
) -> list[Violation]:
    s = lk.problem.settings
    out: list[Violation] = []
    for d, items in sorted(days.items()):
        stretch_start = items[0].start
        interruptions = 0
        for a, b in itertools.pairwise(items):
            rest = b.start - a.end - lk.travel_between(e, a, b)
            if rest >= limits.pause:
                stretch_start = b.start
            if rest > limits.pause:
                interruptions += 1
                if limits.part_time and rest > s.max_interruption_minutes:
                    out.append(
                        Violation(
                            "part_time_interruptions",
                            e.id,
                            a.end,
                            b.start,
                            f"{e.id} has a {rest}-minute interruption",
                        )
                    )
            if b.end - stretch_start > limits.stretch:
                out.append(
                    Violation(
                        "break",
                        e.id,
                        stretch_start,
                        b.end,
                        f"{e.id} works over {limits.stretch} min without a break",
                    )
                )
        for w in items:
            if w.end - w.start > limits.stretch:
                out.append(
                    Violation(
                        "break",
                        e.id,
                        w.start,
                        w.end,
                        f"{e.id} works over {limits.stretch} min without a break",
                    )
                )
        if limits.part_time and interruptions > s.max_interruptions_per_day:
            out.append(
                Violation(
                    "part_time_interruptions",
                    e.id,
                    None,
                    None,
                    f"{e.id} has {interruptions} interruptions on day {d}",
                )
            )
        # A day of work for another employer only is no day of the part-time contract.
        if limits.under_24h and any(w.source != "external" for w in items):
            minutes = sum(w.end - w.start for w in items if w.source != "external")
            minutes += sum(lk.travel_between(e, a, b) for a, b in itertools.pairwise(items))
            short = minutes < s.half_day_min_minutes or (
                interruptions > 0 and minutes < s.whole_day_min_minutes
            )
            if short:
                out.append(
                    Violation(
                        "short_contract_grouping",
                        e.id,
                        None,
                        None,
                        f"{e.id} (under 24 h) works a scattered day {d}",
                    )
                )
    return out


def _agreed(e: Employee, assignments: list[Assignment]) -> list[Violation]:
    out = []
    for agreed in e.agreed_minutes:
        minutes = sum(a.end - a.start for a in assignments if a.member_id == agreed.member_id)
        too_few = minutes < agreed.min_minutes
        too_many = agreed.max_minutes is not None and minutes > agreed.max_minutes
        if too_few or too_many:
            out.append(
                Violation(
                    "agreed_minutes",
                    e.id,
                    None,
                    None,
                    f"{e.id} works {minutes} min at {agreed.member_id}, agreed "
                    f"{agreed.min_minutes}–{agreed.max_minutes}",
                )
            )
    return out
