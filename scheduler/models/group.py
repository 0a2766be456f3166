"""Employer groups, their members and sites, training centres, and the skill catalogue."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class Territory(SQLModel, table=True):
    """The area a scenario covers: its groups share a skill catalogue and a time zone."""

    id: str = Field(primary_key=True, max_length=200)
    time_zone: str = Field(default="Europe/Paris", max_length=64)
    weeks: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Skill(SQLModel, table=True):
    """A trade skill of the territory (``cleaning``, ``plumbing``...)."""

    id: str = Field(primary_key=True, max_length=64)
    territory_id: str = Field(foreign_key="territory.id", index=True, max_length=200)
    position: int = 0  # order in the scenario file, kept for lossless export
    label: str = Field(max_length=120)


class Group(SQLModel, table=True):
    """A GE or GEIQ: the legal employer of the shared staff."""

    id: str = Field(primary_key=True, max_length=64)
    position: int = 0  # order in the scenario file, kept for lossless export
    territory_id: str = Field(foreign_key="territory.id", index=True, max_length=200)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=8)
    non_profit: bool = False
    # The group's rule settings (`scheduler.rules.GroupRules`), kept whole: a branch agreement
    # changes several numbers at once and they are always read together.
    rules: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    publication_cron: str = Field(default="0 12 * * fri", max_length=100)
    time_zone: str = Field(default="Europe/Paris", max_length=64)


class Member(SQLModel, table=True):
    """An *adhérent*: a company, association or local authority of one group."""

    id: str = Field(primary_key=True, max_length=64)
    position: int = 0  # order in the scenario file, kept for lossless export
    group_id: str = Field(foreign_key="group.id", index=True, max_length=64)
    name: str = Field(max_length=200)
    siret: str | None = Field(default=None, max_length=14)


class Site(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    position: int = 0  # order in the scenario file, kept for lossless export
    member_id: str = Field(foreign_key="member.id", index=True, max_length=64)
    name: str = Field(max_length=200)
    address: str = Field(max_length=300)
    latitude: float
    longitude: float


class TrainingCentre(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    position: int = 0  # order in the scenario file, kept for lossless export
    group_id: str = Field(foreign_key="group.id", index=True, max_length=64)
    name: str = Field(max_length=200)
    address: str = Field(max_length=300)
    latitude: float
    longitude: float
