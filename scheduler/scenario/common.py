"""Small value types shared by the scenario's models: ids, times, hours, week labels."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_CLOCK = r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$"

Id = Annotated[str, Field(pattern=_ID, description="Stable identifier, unique in its kind.")]


def _whole_minutes(hours: float) -> float:
    if abs(hours * 60 - round(hours * 60)) > 1e-6:
        raise ValueError("must be a whole number of minutes")
    return hours


Hours = Annotated[float, Field(ge=0), AfterValidator(_whole_minutes)]
"""Decimal hours (``24.5`` is 24 h 30), a whole number of minutes."""

Clock = Annotated[str, Field(pattern=_CLOCK, description="Local wall-clock time, HH:MM.")]


def _valid_week(label: str) -> str:
    match = _WEEK.match(label)
    if not match:
        raise ValueError("must be an ISO week like 2026-W50")
    year, week = int(match[1]), int(match[2])
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError as error:
        raise ValueError(f"{label} does not exist") from error
    return label


OPEN_ENDED = "9999-W52"
"""The last week stored for a weekly need that has none: it repeats until cancelled."""

Week = Annotated[str, AfterValidator(_valid_week), Field(examples=["2026-W50"])]


def week_monday(label: str) -> date:
    """The Monday of an ISO week label."""
    year, week = label.split("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def week_of(day: date) -> str:
    """The ISO week label a date falls in."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def add_weeks(label: str, count: int) -> str:
    """The label ``count`` weeks after ``label``."""
    return week_of(week_monday(label) + timedelta(weeks=count))


def clock_minutes(clock: str) -> int:
    """Minutes since midnight of an ``HH:MM`` clock time."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


class Weekday(StrEnum):
    mon = "mon"
    tue = "tue"
    wed = "wed"
    thu = "thu"
    fri = "fri"
    sat = "sat"
    sun = "sun"

    @property
    def index(self) -> int:
        return list(Weekday).index(self)


class Strict(BaseModel):
    """Base of every scenario model: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Interval(Strict):
    """A time range with explicit offsets; naive datetimes are refused."""

    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _ordered(self) -> Interval:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def overlaps(a: Interval, b: Interval) -> bool:
    """Whether two ranges share any time (touching ends do not)."""
    return a.start < b.end and b.start < a.end


def as_aware(value: datetime) -> datetime:
    """Refuse naive datetimes where the type system cannot (internal helpers)."""
    if value.tzinfo is None:
        raise ValueError("datetime has no time zone offset")
    return value
