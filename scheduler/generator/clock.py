"""Local wall-clock times of a week turned into time-zone-aware datetimes.

Everything the generator places in time is "day ``d`` of week ``W`` at ``HH:MM`` in Paris";
``zoneinfo`` then gives the right offset on each side of a daylight-saving change.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler.scenario.common import Interval, Weekday, week_monday
from scheduler.scenario.schema import WeeklyWindow

WEEKDAYS = list(Weekday)


def clock_text(minutes: int) -> str:
    """``HH:MM`` for minutes since midnight (1440 is written 24:00)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def day_of(week: str, day: int) -> date:
    return week_monday(week) + timedelta(days=day)


def local(week: str, day: int, minutes: int, zone: ZoneInfo) -> datetime:
    """Day ``day`` (0 = Monday) of ``week`` at ``minutes`` past midnight, local time."""
    moment = day_of(week, day) + timedelta(days=minutes // 1440)
    minutes %= 1440
    return datetime.combine(moment, time(minutes // 60, minutes % 60), tzinfo=zone)


def interval(week: str, day: int, start: int, end: int, zone: ZoneInfo) -> Interval:
    """A same-day (or up to midnight) range in local time."""
    return Interval(start=local(week, day, start, zone), end=local(week, day, end, zone))


def weekly_window(day: int, start: int, end: int) -> WeeklyWindow:
    return WeeklyWindow(day=WEEKDAYS[day], start=clock_text(start), end=clock_text(end))


def round_to(value: float, step: float) -> float:
    """``value`` rounded to the nearest multiple of ``step`` (hours in quarters, halves)."""
    return round(value / step) * step
