"""The message bus: commands to their handler, events to their reactions.

Command handlers raise (the caller must know); what events set off runs where the events are
consumed — a RabbitMQ worker, or the in-process bus of the embedded mode.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from scheduler.messages import commands as c
from scheduler.messages.events import Event, PlanRequested
from scheduler.service.handlers import needs, people, planning, recovery, reminders
from scheduler.service.handlers.context import PlanningConfig
from scheduler.service.unit_of_work import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, Any, PlanningConfig], Any]

COMMAND_HANDLERS: dict[type[c.Command], Handler] = {
    c.SubmitNeed: needs.submit_need,
    c.ChangeNeed: needs.change_need,
    c.CancelNeed: needs.cancel_need,
    c.DeclareAbsence: people.declare_absence,
    c.ChangeAvailability: people.change_availability,
    c.RecordConsent: people.record_consent,
    c.ChangePlacement: people.change_placement,
    c.RequestPlan: planning.request_plan,
    c.PublishWeek: planning.publish_week,
    c.RemindUncovered: reminders.remind_uncovered,
    c.RequeueStalledPlan: recovery.requeue_stalled_plan,
    c.RequeueQueuedPlan: recovery.requeue_queued_plan,
}


class MessageBus:
    def __init__(self, uow_factory: UnitOfWorkFactory, config: PlanningConfig) -> None:
        self.uow_factory = uow_factory
        self.config = config

    def handle(self, command: c.Command) -> Any:
        """Run a command's handler in its own unit of work; its errors reach the caller."""
        if isinstance(command, c.PlanWeek):
            return planning.plan_week(self.uow_factory, command, self.config)
        handler = COMMAND_HANDLERS[type(command)]
        with self.uow_factory() as uow:
            return handler(uow, command, self.config)

    def react(self, event: Event, *, worker_id: str) -> Any:
        """What a consumer does with an event; raises so the consumer can retry."""
        if isinstance(event, PlanRequested) and event.week is not None:
            return planning.plan_week(
                self.uow_factory,
                c.PlanWeek(group_id=event.group_id, week=event.week, worker_id=worker_id),
                self.config,
                event_id=str(event.event_id),
            )
        return None


# Events the planner consumes; the others are for webhooks, notifications and the record.
PLANNER_EVENTS = frozenset({"plan.requested"})
