"""Which weeks a change touches, within the planning horizon."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from scheduler.scenario.common import add_weeks, week_of


def horizon(now: datetime, zone: ZoneInfo, weeks: int) -> list[str]:
    """The current week and the ``weeks - 1`` after it."""
    first = week_of(now.astimezone(zone).date())
    return [add_weeks(first, k) for k in range(weeks)]


def weeks_between(first: str, last: str) -> list[str]:
    found, week = [], first
    while week <= last:
        found.append(week)
        week = add_weeks(week, 1)
    return found


def weeks_of_span(start: datetime, end: datetime, zone: ZoneInfo) -> list[str]:
    """Weeks an instant range touches (its end excluded)."""
    first = week_of(start.astimezone(zone).date())
    last = week_of((end.astimezone(zone)).date()) if end > start else first
    return weeks_between(first, last)


def within(weeks: list[str], allowed: list[str]) -> list[str]:
    keep = set(allowed)
    return [w for w in weeks if w in keep]
