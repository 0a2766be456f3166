"""Converting between instants and the solver's week minutes.

The solver counts minutes of local wall-clock time from Monday 00:00 of the planned week. In a
week with a daylight-saving change the wall clock skips or repeats an hour; an assignment
crossing 02:00–03:00 that night is rare in practice, and counting wall-clock minutes keeps
"Tuesday 08:00" at the same minute every week, which is what rosters and needs speak in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler.scenario.common import week_monday

MINUTES_PER_WEEK = 7 * 24 * 60


@dataclass(frozen=True)
class WeekClock:
    """The clock of one ISO week in one time zone."""

    week: str
    zone: ZoneInfo

    @property
    def monday(self) -> datetime:
        return datetime.combine(week_monday(self.week), time(0), tzinfo=self.zone)

    def minute(self, instant: datetime) -> int:
        """Wall-clock minutes from Monday 00:00 (negative before the week)."""
        local = instant.astimezone(self.zone).replace(tzinfo=None)
        return int((local - self.monday.replace(tzinfo=None)).total_seconds() // 60)

    def instant(self, minute: int) -> datetime:
        """The aware local datetime at a week minute (the first one when the clock repeats)."""
        naive = self.monday.replace(tzinfo=None) + timedelta(minutes=minute)
        return naive.replace(tzinfo=self.zone)

    def clip(self, start: datetime, end: datetime) -> tuple[int, int] | None:
        """The part of ``[start, end)`` inside the week, in minutes, or None."""
        low, high = max(self.minute(start), 0), min(self.minute(end), MINUTES_PER_WEEK)
        return (low, high) if low < high else None
