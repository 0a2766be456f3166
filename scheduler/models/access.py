"""API keys and calendar feed tokens: secrets stored only as their SHA-256 digest."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from scheduler.models.types import UTCDateTime


class ApiKey(SQLModel, table=True):
    """A key for one role acting for one subject (a group, a member or an employee).

    The key itself is shown once; only its digest is kept. The keys are long random tokens,
    so a plain SHA-256 is enough (a slow password hash would only slow every request down).
    """

    id: str = Field(primary_key=True, max_length=32)
    secret_hash: str = Field(unique=True, max_length=64)
    role: str = Field(max_length=16)  # manager | member | employee
    subject_id: str = Field(max_length=64)
    group_id: str = Field(foreign_key="group.id", index=True, max_length=64)
    label: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CalendarFeed(SQLModel, table=True):
    """A secret, revocable URL serving one employee's published roster as iCalendar."""

    id: str = Field(primary_key=True, max_length=32)
    token_hash: str = Field(unique=True, max_length=64)
    employee_id: str = Field(foreign_key="employee.id", index=True, max_length=64)
    group_id: str = Field(foreign_key="group.id", index=True, max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
