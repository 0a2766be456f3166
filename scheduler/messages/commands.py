"""Commands: what a user or a clock asks the application to do.

Commands are handled in the process that receives them (the API, the CLI, a clock job); what
they change is committed together with the events they raise (the outbox).
"""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from scheduler.scenario import schema as s
from scheduler.scenario.common import Id, Week


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SubmitNeed(Command):
    group_id: Id
    need: s.Need


class ChangeNeed(Command):
    group_id: Id
    need: s.Need
    expected_version: int = Field(ge=1, description="The version the change was based on.")


class CancelNeed(Command):
    group_id: Id
    need_id: Id
    expected_version: int | None = Field(None, ge=1)


class DeclareAbsence(Command):
    group_id: Id
    absence: s.Absence


class ChangeAvailability(Command):
    group_id: Id
    employee_id: Id
    availability: list[s.WeeklyWindow]


class ChangePlacement(Command):
    group_id: Id
    placement: s.Placement


class RecordConsent(Command):
    group_id: Id
    consent: s.Consent


class RequestPlan(Command):
    group_id: Id
    week: Week
    reason: str = Field("requested", max_length=200)


class PlanWeek(Command):
    """Solve a week now (the planner's own command, run by a worker, never by the API)."""

    group_id: Id
    week: Week
    worker_id: str = "local"


class PublishWeek(Command):
    group_id: Id
    week: Week
    version: int | None = Field(None, ge=1, description="Default: the latest draft.")


class RemindUncovered(Command):
    """Announce what a week's roster leaves uncovered before it is published (a clock job)."""

    group_id: Id
    week: Week
    publication_at: AwareDatetime = Field(description="The publication the reminder is for.")


class RequeueStalledPlan(Command):
    """Put back in the queue a week whose planner stopped renewing its lease (a clock job)."""

    group_id: Id
    week: Week
    reason: str = Field("planner lease expired", max_length=200)


class RequeueQueuedPlan(Command):
    """Request again a week queued for too long: its ``plan.requested`` was lost (a clock job).

    A week that is queued takes no new request from changes (one is on its way), so a request
    that was dead-lettered would leave the week queued forever without this.
    """

    group_id: Id
    week: Week
    queued_seconds: float = Field(gt=0, description="Queued at least this long.")
    reason: str = Field("queued too long", max_length=200)
