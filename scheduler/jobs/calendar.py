"""Calendar arithmetic of the clock jobs: crontab strings, publication instants and targets."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from scheduler.scenario.common import add_weeks, week_monday, week_of

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab numbering: 0 = Sunday
_DAY_ITEM = re.compile(r"^(?P<range>\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:/(?P<step>\d+))?$")


def _crontab_day(token: str) -> int:
    if token.isdigit():
        number = int(token)
        if not 0 <= number <= 7:
            raise ValueError(f"day of week {token} is not between 0 and 7")
        return number % 7
    if token[:3] in _DAY_NAMES and len(token) == 3:
        return _DAY_NAMES.index(token)
    raise ValueError(f"unknown day of week {token!r}")


def _days_of_week(field: str) -> str:
    """A crontab day-of-week field as APScheduler 3 day names.

    APScheduler 3 numbers days from Monday = 0 while crontab numbers them from Sunday = 0, so
    "0 12 * * 5" would fire on Saturdays if passed through; names mean the same in both.
    """
    if field == "*":
        return field
    days: set[int] = set()
    for item in field.lower().split(","):
        match = _DAY_ITEM.match(item)
        if match is None:
            raise ValueError(f"cannot read day of week {item!r}")
        span, step = match["range"], int(match["step"] or 1)
        if step < 1:
            raise ValueError("a step must be at least 1")
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            low, high = span.split("-")
            first, last = _crontab_day(low), _crontab_day(high)
            if high == "7":
                last = 7  # "5-7" is Friday to Sunday
            if last < first:
                raise ValueError(f"day range {span!r} runs backwards")
        else:
            first = last = _crontab_day(span)
            if step > 1:  # "1/2" is "1-6/2" in crontab
                last = 6
        days.update(day % 7 for day in range(first, last + 1, step))
    # Monday first, the order APScheduler reads most naturally in logs.
    return ",".join(_DAY_NAMES[day] for day in sorted(days, key=lambda d: (d + 6) % 7))


def crontab_trigger(expression: str, zone: ZoneInfo) -> CronTrigger:
    """An APScheduler trigger for a standard five-field crontab read in ``zone``.

    Raises ValueError with a readable reason for anything a crontab would not accept, and for
    a day-of-month together with a day-of-week: crontab fires when either matches, APScheduler
    only when both do, so such a string would silently mean something else here.
    """
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"a crontab has 5 fields (minute hour day month weekday), not {fields}")
    minute, hour, day, month, weekday = fields
    if day not in ("*", "?") and weekday not in ("*", "?"):
        raise ValueError("restrict the day of the month or the day of the week, not both")
    try:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day="*" if day == "?" else day,
            month=month,
            day_of_week=_days_of_week("*" if weekday == "?" else weekday),
            timezone=zone,
        )
    except ValueError as error:
        raise ValueError(f"invalid crontab {expression!r}: {error}") from None


def next_fire(trigger: CronTrigger, after: datetime) -> datetime:
    """The first instant strictly after ``after`` the trigger fires at."""
    instant = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
    if instant is None:  # a crontab always fires again; kept for the type checker
        raise ValueError("the trigger never fires again")
    return instant


def week_start(week: str, zone: ZoneInfo) -> datetime:
    """Monday 00:00 of ``week``, local time in ``zone``."""
    return datetime.combine(week_monday(week), time(0), tzinfo=zone)


def publication_target(instant: datetime, zone: ZoneInfo, notice_days: int) -> str:
    """The week a publication at ``instant`` publishes.

    The week after next (with the default Friday noon and seven days of notice, ten and a half
    days ahead), or a later one when the group's notice period (*délai de prévenance*,
    L3123-31) asks for more: every hour of the published week is at least ``notice_days`` away.
    """
    week = add_weeks(week_of(instant.astimezone(zone).date()), 2)
    while week_start(week, zone) < instant + timedelta(days=notice_days):
        week = add_weeks(week, 1)
    return week
