"""Absences, and consents to changes inside the notice window."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from scheduler.models.types import UTCDateTime


class Absence(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    position: int = 0  # order in the scenario file, kept for lossless export
    employee_id: str = Field(foreign_key="employee.id", index=True, max_length=64)
    kind: str = Field(max_length=32)
    start: datetime = Field(sa_type=UTCDateTime)
    end: datetime = Field(sa_type=UTCDateTime)
    note: str | None = Field(default=None, max_length=500)


class Consent(SQLModel, table=True):
    """A part-time employee's agreement to a change inside the notice window (L3123-31)."""

    id: str = Field(primary_key=True, max_length=64)
    position: int = 0  # order in the scenario file, kept for lossless export
    employee_id: str = Field(foreign_key="employee.id", index=True, max_length=64)
    week: str = Field(index=True, max_length=8)
    start: datetime = Field(sa_type=UTCDateTime)
    end: datetime = Field(sa_type=UTCDateTime)
    given_at: datetime = Field(sa_type=UTCDateTime)
    note: str | None = Field(default=None, max_length=500)
