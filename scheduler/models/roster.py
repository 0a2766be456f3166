"""Roster versions of a group's week and their assignments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from scheduler.models.types import UTCDateTime


class RosterVersion(SQLModel, table=True):
    """One version of a group's week; a published version is never changed again."""

    __table_args__ = (UniqueConstraint("group_id", "week", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: str = Field(foreign_key="group.id", index=True, max_length=64)
    week: str = Field(index=True, max_length=8)
    number: int
    status: str = Field(max_length=16)  # "draft" | "published"
    created_at: datetime = Field(sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # What the solver said of this version (objective, gap, uncovered reasons...), for display.
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Assignment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    roster_version_id: int = Field(foreign_key="rosterversion.id", index=True)
    employee_id: str = Field(foreign_key="employee.id", index=True, max_length=64)
    member_id: str = Field(foreign_key="member.id", index=True, max_length=64)
    site_id: str = Field(foreign_key="site.id", max_length=64)
    need_id: str | None = Field(default=None, foreign_key="need.id", max_length=64)
    start: datetime = Field(sa_type=UTCDateTime)
    end: datetime = Field(sa_type=UTCDateTime)
