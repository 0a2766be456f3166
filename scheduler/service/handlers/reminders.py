"""Reminding managers and members of needs a week's roster still leaves uncovered."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy.exc import IntegrityError

from scheduler import models as m
from scheduler.messages import commands as c
from scheduler.messages.events import UncoveredReminder
from scheduler.service.handlers.context import PlanningConfig, group_or_404
from scheduler.service.rosters import latest_version
from scheduler.service.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
REMINDERS = "reminders"  # the consumer name in the processed-message ledger
# Reminder ids are derived from what they are about, so the same reminder always has the same
# id: in the ledger, in the outbox and for whoever receives the event.
_NAMESPACE = uuid.UUID("6f1d3c0e-5b8a-4d43-9f77-2a52c1f0e6b4")


class ReminderOutcome(StrEnum):
    SENT = "sent"
    ALREADY_SENT = "already_sent"  # once per week and publication
    COVERED = "covered"  # the latest roster covers every need: nothing to say
    NO_ROSTER = "no_roster"  # nothing planned yet; the nightly re-planning will


def reminder_id(group_id: str, week: str, publication_at: datetime) -> uuid.UUID:
    """The id of the reminder of one week before one publication."""
    return uuid.uuid5(_NAMESPACE, f"{group_id}/{week}/{publication_at.astimezone(UTC).isoformat()}")


def remind_uncovered(
    uow: UnitOfWork, command: c.RemindUncovered, config: PlanningConfig
) -> ReminderOutcome:
    """Emit ``needs.uncovered`` for the week's latest roster, once per week and publication."""
    group = group_or_404(uow, command.group_id)
    key = reminder_id(group.id, command.week, command.publication_at)
    if uow.session.get(m.ProcessedMessage, (REMINDERS, str(key))) is not None:
        return ReminderOutcome.ALREADY_SENT
    version = latest_version(uow.session, group.id, command.week)
    if version is None:
        return ReminderOutcome.NO_ROSTER
    uncovered = [u for u in version.summary.get("uncovered") or [] if u.get("hours", 0) > 0]
    if not uncovered:
        return ReminderOutcome.COVERED
    now = uow.clock.now()
    uow.session.add(m.ProcessedMessage(consumer=REMINDERS, event_id=str(key), processed_at=now))
    uow.emit(
        UncoveredReminder(
            event_id=key,
            occurred_at=now,
            group_id=group.id,
            week=command.week,
            uncovered_hours=round(sum(float(u["hours"]) for u in uncovered), 2),
            need_ids=sorted({u["need_id"] for u in uncovered if u.get("need_id")}),
        )
    )
    try:
        uow.commit()
    except IntegrityError:
        # Another scheduler sent the same reminder between our check and our commit.
        uow.rollback()
        return ReminderOutcome.ALREADY_SENT
    return ReminderOutcome.SENT
