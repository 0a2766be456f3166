"""Events: what happened, as versioned JSON messages.

Every event carries ``event_id``, ``type``, ``schema_version``, ``occurred_at``, ``group_id``
and ``week`` (``None`` when it is not about one week). ``docs/events.md`` lists them with the
exchange and routing keys; ``partage schema events`` prints their JSON Schemas.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter


class Event(BaseModel):
    """Base of every event; subclasses fix ``type`` with a Literal."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str
    version: int = Field(1, ge=1, description="Schema version of this event type.")
    occurred_at: AwareDatetime
    group_id: str
    week: str | None = None

    @property
    def routing_key(self) -> str:
        """``<type>.<group_id>``: consumers can bind to one kind of event or one group."""
        return f"{self.type}.{self.group_id}"


class NeedSubmitted(Event):
    type: Literal["need.submitted"] = "need.submitted"
    need_id: str
    member_id: str


class NeedChanged(Event):
    type: Literal["need.changed"] = "need.changed"
    need_id: str
    member_id: str
    need_version: int


class NeedCancelled(Event):
    type: Literal["need.cancelled"] = "need.cancelled"
    need_id: str
    member_id: str


class AbsenceDeclared(Event):
    type: Literal["absence.declared"] = "absence.declared"
    absence_id: str
    employee_id: str


class AvailabilityChanged(Event):
    type: Literal["availability.changed"] = "availability.changed"
    employee_id: str


class PlacementChanged(Event):
    type: Literal["placement.changed"] = "placement.changed"
    placement_id: str
    employee_id: str


class PlanRequested(Event):
    """A week must be (re)planned; many changes of one week lead to one such request."""

    type: Literal["plan.requested"] = "plan.requested"
    reason: str = Field(max_length=200)


class RosterDiff(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    added: int = 0
    removed: int = 0
    unchanged: int = 0
    employees_affected: list[str] = Field(default_factory=list)
    members_affected: list[str] = Field(default_factory=list)


class RosterUpdated(Event):
    """A new draft version of a week was stored."""

    type: Literal["roster.updated"] = "roster.updated"
    roster_version: int
    status: str
    diff: RosterDiff
    covered_hours: float
    uncovered_hours: float
    need_ids: list[str] = Field(default_factory=list, description="Needs this version covers.")


class RosterPublished(Event):
    type: Literal["roster.published"] = "roster.published"
    roster_version: int
    members_affected: list[str] = Field(default_factory=list)
    employees_affected: list[str] = Field(default_factory=list)


class PlanFailed(Event):
    type: Literal["plan.failed"] = "plan.failed"
    reason: str
    conflicts: list[dict[str, Any]] = Field(default_factory=list)


class UncoveredReminder(Event):
    """Needs still uncovered shortly before their week is published."""

    type: Literal["needs.uncovered"] = "needs.uncovered"
    uncovered_hours: float
    need_ids: list[str] = Field(default_factory=list)


AnyEvent = Annotated[
    NeedSubmitted
    | NeedChanged
    | NeedCancelled
    | AbsenceDeclared
    | AvailabilityChanged
    | PlacementChanged
    | PlanRequested
    | RosterUpdated
    | RosterPublished
    | PlanFailed
    | UncoveredReminder,
    Field(discriminator="type"),
]
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(AnyEvent)
EVENT_TYPES: dict[str, type[Event]] = {
    cls.model_fields["type"].default: cls
    for cls in (
        NeedSubmitted,
        NeedChanged,
        NeedCancelled,
        AbsenceDeclared,
        AvailabilityChanged,
        PlacementChanged,
        PlanRequested,
        RosterUpdated,
        RosterPublished,
        PlanFailed,
        UncoveredReminder,
    )
}


def parse_event(body: bytes | str) -> Event:
    """An event from its JSON text; raises pydantic's ValidationError when malformed."""
    return EVENT_ADAPTER.validate_json(body)
