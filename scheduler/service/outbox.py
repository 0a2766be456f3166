"""Reading and settling the outbox (the relay's side of the transactional outbox)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from scheduler.messages.events import EVENT_ADAPTER, Event
from scheduler.models.messaging import OutboxMessage


def pending(session: Session, limit: int = 500) -> list[OutboxMessage]:
    """Unsent messages in commit order (the id is the order they were written in)."""
    return list(
        session.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.sent_at).is_(None))
            .order_by(col(OutboxMessage.id))
            .limit(limit)
        ).all()
    )


def mark_sent(session: Session, ids: Iterable[int], at: datetime) -> None:
    ids = list(ids)
    if ids:
        session.execute(
            update(OutboxMessage).where(col(OutboxMessage.id).in_(ids)).values(sent_at=at)
        )


def event_of(row: OutboxMessage) -> Event:
    """The event an outbox row holds."""
    return EVENT_ADAPTER.validate_python(row.payload)
