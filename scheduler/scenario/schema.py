"""The scenario file's models: the wire format of a territory, independent of the database.

The JSON Schema in ``docs/scenario.schema.json`` is generated from these models
(``partage schema scenario``); ``docs/scenario.md`` explains them.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from scheduler.rules import GroupRules
from scheduler.scenario.common import (
    Clock,
    Hours,
    Id,
    Interval,
    Strict,
    Week,
    Weekday,
    clock_minutes,
)

SCHEMA_VERSION = 1


class GroupKind(StrEnum):
    ge = "ge"  # groupement d'employeurs: shares part-time staff among its members
    geiq = "geiq"  # groupement d'employeurs pour l'insertion et la qualification


class ContractKind(StrEnum):
    permanent_part_time = "permanent_part_time"  # CDI à temps partagé
    full_time = "full_time"
    fixed_term = "fixed_term"  # CDD
    professionalisation = "professionalisation"  # contrat de professionnalisation
    apprenticeship = "apprenticeship"  # contrat d'apprentissage


WORK_STUDY = frozenset({ContractKind.professionalisation, ContractKind.apprenticeship})


class TravelMode(StrEnum):
    car = "car"
    public_transport = "public_transport"
    bike = "bike"
    walk = "walk"


class AbsenceKind(StrEnum):
    sick_leave = "sick_leave"
    holiday = "holiday"
    training = "training"
    personal = "personal"


class RosterStatus(StrEnum):
    draft = "draft"
    published = "published"


class Place(Strict):
    """A point on the map with its postal address."""

    address: str = Field(min_length=1, max_length=300)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class Skill(Strict):
    id: Id
    label: str = Field(min_length=1, max_length=120)


class Site(Strict):
    id: Id
    name: str = Field(min_length=1, max_length=200)
    place: Place


class Member(Strict):
    """An *adhérent*: a company, association or local authority using the group's staff."""

    id: Id
    name: str = Field(min_length=1, max_length=200)
    siret: str | None = Field(None, pattern=r"^\d{14}$")
    sites: list[Site] = Field(min_length=1)


class TrainingCentre(Strict):
    id: Id
    name: str = Field(min_length=1, max_length=200)
    place: Place


class WeeklyWindow(Strict):
    """A recurring time of the week, e.g. every Tuesday 08:00–12:00 (local time)."""

    day: Weekday
    start: Clock
    end: Clock

    @model_validator(mode="after")
    def _ordered(self) -> WeeklyWindow:
        if clock_minutes(self.end) <= clock_minutes(self.start):
            raise ValueError("end must be after start")
        return self


class MemberAgreement(Strict):
    """A member the employment contract lists, and the weekly hours agreed there if any."""

    member_id: Id
    weekly_hours: Hours | None = Field(None, le=48)


class ExternalWork(Strict):
    """Hours the employee declares for another employer; they count towards legal maxima."""

    employer: str = Field(min_length=1, max_length=200)
    weekly_hours: Hours = Field(le=48)
    windows: list[WeeklyWindow] = Field(default_factory=list)


class Contract(Strict):
    kind: ContractKind
    weekly_hours: Hours = Field(gt=0, le=48)
    start: date
    end: date | None = None
    members: list[MemberAgreement] = Field(
        min_length=1, description="The user companies the contract names (GE) or the host (GEIQ)."
    )

    @model_validator(mode="after")
    def _coherent(self) -> Contract:
        if self.end is not None and self.end < self.start:
            raise ValueError("end must not be before start")
        if self.kind == ContractKind.fixed_term and self.end is None:
            raise ValueError("a fixed-term contract needs an end date")
        agreed = sum(m.weekly_hours or 0 for m in self.members)
        if agreed > self.weekly_hours * (1 + 1 / 3) + 1e-9:
            raise ValueError("hours agreed with members exceed the contract's hours")
        return self


class Employee(Strict):
    id: Id
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    birth_date: date
    contract: Contract
    skills: list[Id] = Field(default_factory=list)
    availability: list[WeeklyWindow] = Field(
        default_factory=list, description="When the person can work; empty means never."
    )
    home: Place
    travel_mode: TravelMode
    external_work: list[ExternalWork] = Field(default_factory=list)


class NeedKind(StrEnum):
    blocks = "blocks"  # fixed time blocks: "Tue 08:00–12:00"
    quota = "quota"  # a number of hours inside windows, placed by the solver


class Need(Strict):
    """What a member asks for at one of its sites.

    Blocks and windows are given for the first week; a ``weekly`` need repeats them every week
    up to and including ``last_week``.
    """

    id: Id
    member_id: Id
    site_id: Id
    skill: Id
    kind: NeedKind
    headcount: int = Field(1, ge=1, le=50)
    priority: int = Field(2, ge=1, le=5, description="1 is the most important.")
    recurrence: Literal["once", "weekly"] = "once"
    last_week: Week | None = None
    blocks: list[Interval] = Field(default_factory=list)
    windows: list[Interval] = Field(default_factory=list)
    weekly_hours: Hours | None = Field(None, gt=0, le=60)
    min_block_hours: Hours | None = Field(None, gt=0, le=12)
    max_block_hours: Hours | None = Field(None, gt=0, le=12)
    cancelled: bool = False

    @model_validator(mode="after")
    def _shape(self) -> Need:
        if self.kind == NeedKind.blocks:
            if not self.blocks:
                raise ValueError("a blocks need needs at least one block")
            if self.windows or self.weekly_hours is not None:
                raise ValueError("a blocks need has no windows nor weekly_hours")
            for index, block in enumerate(self.blocks):
                for other in self.blocks[index + 1 :]:
                    if block.start < other.end and other.start < block.end:
                        raise ValueError(
                            f"blocks overlap: {block.start.isoformat()} and "
                            f"{other.start.isoformat()}"
                        )
        else:
            if not self.windows or self.weekly_hours is None:
                raise ValueError("a quota need needs windows and weekly_hours")
            if self.blocks:
                raise ValueError("a quota need has windows, not blocks")
            offered = sum(w.minutes for w in self.windows) / 60
            if self.weekly_hours > offered + 1e-9:
                raise ValueError("weekly_hours exceed the time the windows offer")
            low, high = self.min_block_hours, self.max_block_hours
            if low is not None and high is not None and low > high:
                raise ValueError("min_block_hours exceeds max_block_hours")
        if self.recurrence == "once" and self.last_week is not None:
            raise ValueError("last_week only applies to a weekly need")
        spans = self.blocks or self.windows
        if spans and (max(s.end for s in spans) - min(s.start for s in spans)).days >= 7:
            raise ValueError("blocks and windows of one need lie within one week")
        return self


class TrainingSession(Strict):
    """A fixed day or half-day at the training centre (work-study contracts)."""

    id: Id
    centre_id: Id
    period: Interval


class Placement(Strict):
    """A GEIQ work-study employee's attachment to a host member, with a named tutor."""

    id: Id
    employee_id: Id
    host_member_id: Id
    tutor_name: str = Field(min_length=1, max_length=200)
    tutor_presence: list[WeeklyWindow] = Field(min_length=1)
    start: date
    end: date
    training: list[TrainingSession] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> Placement:
        if self.end < self.start:
            raise ValueError("end must not be before start")
        return self


class Absence(Strict):
    id: Id
    employee_id: Id
    kind: AbsenceKind
    period: Interval
    note: str | None = Field(None, max_length=500)


class Consent(Strict):
    """An employee's agreement to a change of their hours inside the notice window."""

    id: Id
    employee_id: Id
    week: Week
    period: Interval
    given_at: AwareDatetime
    note: str | None = Field(None, max_length=500)


class Assignment(Strict):
    employee_id: Id
    member_id: Id
    site_id: Id
    need_id: Id | None = None
    period: Interval


class Roster(Strict):
    """One version of a group's week."""

    week: Week
    version: int = Field(ge=1)
    status: RosterStatus
    created_at: AwareDatetime
    published_at: AwareDatetime | None = None
    assignments: list[Assignment] = Field(default_factory=list)


class Group(Strict):
    id: Id
    name: str = Field(min_length=1, max_length=200)
    kind: GroupKind
    non_profit: bool = False
    rules: GroupRules = Field(default_factory=GroupRules)
    publication_cron: str = Field("0 12 * * fri", min_length=9, max_length=100)
    members: list[Member] = Field(default_factory=list)
    training_centres: list[TrainingCentre] = Field(default_factory=list)
    employees: list[Employee] = Field(default_factory=list)
    needs: list[Need] = Field(default_factory=list)
    placements: list[Placement] = Field(default_factory=list)
    absences: list[Absence] = Field(default_factory=list)
    consents: list[Consent] = Field(default_factory=list)
    rosters: list[Roster] = Field(default_factory=list)


class Scenario(Strict):
    """A territory: its skill catalogue and employer groups, over one or more weeks."""

    schema_version: Literal[1] = SCHEMA_VERSION
    name: str = Field(min_length=1, max_length=200)
    time_zone: str = "Europe/Paris"
    weeks: list[Week] = Field(min_length=1)
    skills: list[Skill] = Field(default_factory=list)
    groups: list[Group] = Field(default_factory=list)
