"""GEIQ placements: a work-study employee at a host member, with tutor and training."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from scheduler.models.types import UTCDateTime


class Placement(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    position: int = 0  # order in the scenario file, kept for lossless export
    group_id: str = Field(foreign_key="group.id", index=True, max_length=64)
    employee_id: str = Field(foreign_key="employee.id", index=True, max_length=64)
    host_member_id: str = Field(foreign_key="member.id", index=True, max_length=64)
    tutor_name: str = Field(max_length=200)
    start: date
    end: date


class TutorPresence(SQLModel, table=True):
    """When the tutor is on site: host-company time is only possible then."""

    id: int | None = Field(default=None, primary_key=True)
    placement_id: str = Field(foreign_key="placement.id", index=True, max_length=64)
    weekday: int = Field(ge=0, le=6)
    start_minute: int
    end_minute: int
    position: int = 0


class TrainingSession(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    position: int = 0  # order in the scenario file, kept for lossless export
    placement_id: str = Field(foreign_key="placement.id", index=True, max_length=64)
    centre_id: str = Field(foreign_key="trainingcentre.id", max_length=64)
    start: datetime = Field(sa_type=UTCDateTime, index=True)
    end: datetime = Field(sa_type=UTCDateTime)
