"""What the API reads and answers: public models, so table-only fields never leak.

Inputs reuse the scenario's wire models (one definition of a need, an absence...); outputs add
what the server knows (versions, group ids, names and addresses).
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from scheduler.scenario import schema as s
from scheduler.scenario.common import Id

T = TypeVar("T")


class Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(Public, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class PlanningLink(Public):
    group_id: str
    week: str
    status_url: str


class Accepted(Public):
    """The change is stored; planning follows asynchronously (poll ``status_url``)."""

    status: Literal["accepted"] = "accepted"
    planning: list[PlanningLink] = Field(default_factory=list)


# --------------------------------------------------------------------------- directory


class GroupPublic(Public):
    id: str
    name: str
    kind: str
    non_profit: bool
    time_zone: str
    publication_cron: str


class SitePublic(Public):
    id: str
    member_id: str
    name: str
    address: str
    latitude: float
    longitude: float


class MemberPublic(Public):
    id: str
    group_id: str
    name: str
    siret: str | None
    sites: list[SitePublic]


class EmployeeSummary(Public):
    id: str
    group_id: str
    first_name: str
    last_name: str
    contract_kind: str
    weekly_hours: float


class EmployeePublic(s.Employee):
    group_id: str


class AvailabilityBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    availability: list[s.WeeklyWindow] = Field(max_length=100)


class AvailabilityPublic(Public):
    employee_id: str
    availability: list[s.WeeklyWindow]
    planning: list[PlanningLink] = Field(default_factory=list)


class AbsencePublic(s.Absence):
    pass


class ConsentPublic(s.Consent):
    pass


# --------------------------------------------------------------------------- needs


class NeedPublic(s.Need):
    group_id: str
    version: int


class NeedChange(s.Need):
    """A need as it should now be, with the version the change was based on (409 if stale)."""

    expected_version: int = Field(ge=1)


class NeedAccepted(Accepted):
    need: NeedPublic


class NeedsAccepted(Accepted):
    needs: list[NeedPublic]


class BulkNeeds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    needs: list[s.Need] = Field(min_length=1, max_length=500)


# --------------------------------------------------------------------------- placements


class PlacementPublic(s.Placement):
    group_id: str


class PlacementAccepted(Accepted):
    placement: PlacementPublic


class TrainingSessionPublic(Public):
    id: str
    placement_id: str
    employee_id: str
    centre_id: str
    centre_name: str
    centre_address: str
    start: AwareDatetime
    end: AwareDatetime


# --------------------------------------------------------------------------- rosters


class AssignmentPublic(Public):
    employee_id: str
    employee_name: str
    member_id: str
    member_name: str
    site_id: str
    site_name: str
    site_address: str
    need_id: str | None
    start: AwareDatetime
    end: AwareDatetime


class RosterPublic(Public):
    group_id: str
    week: str
    version: int
    status: str
    created_at: AwareDatetime
    published_at: AwareDatetime | None
    assignments: list[AssignmentPublic]


class VersionPublic(Public):
    number: int
    status: str
    created_at: AwareDatetime
    published_at: AwareDatetime | None
    summary: dict[str, Any]


class DiffPublic(Public):
    group_id: str
    week: str
    from_version: int
    to_version: int
    added: list[AssignmentPublic]
    removed: list[AssignmentPublic]
    unchanged: int
    employees_affected: list[str]
    members_affected: list[str]


class PlanningStatus(Public):
    """Where the planning of a week stands: idle, queued, solving, done or failed."""

    group_id: str
    week: str
    status: Literal["idle", "queued", "solving", "done", "failed"]
    progress: dict[str, Any]
    error: str | None
    requested_at: AwareDatetime | None
    started_at: AwareDatetime | None
    finished_at: AwareDatetime | None
    latest_version: int | None
    latest_published_version: int | None


class PublishRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(None, ge=1, description="Default: the latest version.")


class PlanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("requested through the API", min_length=1, max_length=200)


# --------------------------------------------------------------------------- webhooks, feeds, keys

_URL = r"^https?://[^\s/$.?#][^\s]*$"
EventType = Literal["roster.published", "roster.updated"]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(pattern=_URL, max_length=2000)
    events: list[EventType] | None = Field(None, min_length=1, max_length=10)


class WebhookPublic(Public):
    id: str
    member_id: str
    url: str
    events: list[str]
    active: bool
    created_at: AwareDatetime


class WebhookCreated(WebhookPublic):
    secret: str = Field(description="Signing secret, shown once: keep it.")


class DeliveryPublic(Public):
    id: int
    event_id: str
    event_type: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: AwareDatetime | None
    last_error: str | None
    last_status_code: int | None
    created_at: AwareDatetime
    delivered_at: AwareDatetime | None


class FeedPublic(Public):
    id: str
    employee_id: str
    created_at: AwareDatetime
    revoked_at: AwareDatetime | None


class FeedCreated(FeedPublic):
    url: str = Field(description="The secret feed URL, shown once.")


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["manager", "member", "employee"]
    subject_id: Id
    label: str | None = Field(None, max_length=200)


class KeyPublic(Public):
    id: str
    role: str
    subject_id: str
    group_id: str
    label: str | None
    created_at: AwareDatetime
    revoked_at: AwareDatetime | None


class KeyCreated(KeyPublic):
    key: str = Field(description="The API key, shown once.")


class CsvReport(Public):
    kind: str
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    planning: list[PlanningLink]
