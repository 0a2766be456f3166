"""The unit of work: one transaction, and the events it raised, committed together."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.engine import Engine
from sqlmodel import Session

from scheduler.clock import Clock
from scheduler.db import begin_writing
from scheduler.messages.events import Event
from scheduler.models.messaging import OutboxMessage


class UnitOfWork:
    """``with uow: ...; uow.commit()`` — anything not committed is rolled back.

    Events passed to ``emit`` are written to the outbox inside the same transaction, so a
    state change is never stored without its events, nor an event sent for a change that was
    rolled back.
    """

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock
        self.committed_events: list[Event] = []
        self._pending: list[Event] = []
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its `with` block")
        return self._session

    def __enter__(self) -> Self:
        self._session = Session(self.engine, expire_on_commit=False)
        begin_writing(self._session)
        self._pending = []
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Closing rolls back whatever was not committed; unlike rollback() it leaves the
        # objects read in the block usable (detached, not expired) by the caller.
        self._pending = []
        self.session.close()
        self._session = None

    def emit(self, event: Event) -> None:
        """Record an event to be committed with this transaction."""
        self._pending.append(event)

    def commit(self) -> None:
        for event in self._pending:
            self.session.add(outbox_row(event, self.clock))
        self.session.commit()
        self.committed_events.extend(self._pending)
        self._pending = []
        # The next statement opens a new transaction, again as a writer.
        begin_writing(self.session)

    def rollback(self) -> None:
        self._pending = []
        self.session.rollback()


def outbox_row(event: Event, clock: Clock) -> OutboxMessage:
    return OutboxMessage(
        event_id=str(event.event_id),
        type=event.type,
        group_id=event.group_id,
        week=event.week,
        routing_key=event.routing_key,
        payload=event.model_dump(mode="json"),
        created_at=clock.now(),
    )


UnitOfWorkFactory = Callable[[], UnitOfWork]
