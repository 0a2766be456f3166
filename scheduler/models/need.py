"""Needs: what members ask for at their sites, as fixed blocks or weekly quotas."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from scheduler.models.types import UTCDateTime


class Need(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    position: int = 0  # order in the scenario file, kept for lossless export
    group_id: str = Field(foreign_key="group.id", index=True, max_length=64)
    member_id: str = Field(foreign_key="member.id", index=True, max_length=64)
    site_id: str = Field(foreign_key="site.id", max_length=64)
    skill_id: str = Field(foreign_key="skill.id", max_length=64)
    kind: str = Field(max_length=16)
    headcount: int = 1
    priority: int = 2
    recurrence: str = Field(default="once", max_length=16)
    # ISO week labels sort as text, so "which needs touch week W" is a range query.
    first_week: str = Field(index=True, max_length=8)
    last_week: str = Field(index=True, max_length=8)
    weekly_minutes: int | None = None
    min_block_minutes: int | None = None
    max_block_minutes: int | None = None
    cancelled: bool = False
    # Optimistic concurrency: a change names the version it read (HTTP 409 otherwise).
    version: int = 1


class NeedSpan(SQLModel, table=True):
    """A block of a blocks need, or a window of a quota need, in its first week."""

    id: int | None = Field(default=None, primary_key=True)
    position: int = 0  # order in the scenario file, kept for lossless export
    need_id: str = Field(foreign_key="need.id", index=True, max_length=64)
    role: str = Field(max_length=8)  # "block" | "window"
    start: datetime = Field(sa_type=UTCDateTime)
    end: datetime = Field(sa_type=UTCDateTime)
