"""The embedded mode: the event pipeline inside one process, for when no broker is configured.

The same pieces as over RabbitMQ, without the network: a relay thread moves the outbox to
in-process subscribers, and a small thread pool runs ``MessageBus.react`` for the events the
planner consumes, with the same retry policy (bounded attempts with back-off; a week held by
another worker is retried later without counting as a failure).

What the embedded mode cannot do is keep a message across a crash: an event marked sent but not
yet handled is lost with the process. ``recover`` (run at start) re-requests the weeks a crash
left queued or half-solved, so a restart picks them up again.
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Self

from sqlalchemy import or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.clock import Clock
from scheduler.messages.events import Event, PlanRequested
from scheduler.models.messaging import OutboxMessage, PlanningState
from scheduler.scenario.validation import InvalidInput
from scheduler.service import outbox
from scheduler.service import planning_state as ps
from scheduler.service.bus import PLANNER_EVENTS, MessageBus
from scheduler.service.errors import NotFound
from scheduler.service.handlers.planning import PlanOutcome, PlanReport
from scheduler.service.relay import OutboxRelay, RelayLock, run_relay

if TYPE_CHECKING:
    from scheduler.service.webhook_dispatch import WebhookDispatcher

log = logging.getLogger(__name__)

Subscriber = Callable[[Event], None]
# Errors retrying cannot fix: the message goes to the dead letters at once.
PERMANENT_ERRORS: tuple[type[BaseException], ...] = (NotFound, InvalidInput)


@dataclass(frozen=True)
class RetryPolicy:
    """How a failing reaction is retried; shared by the embedded and the RabbitMQ consumers."""

    delays: tuple[float, ...] = (1.0, 5.0, 30.0)  # before the 2nd, 3rd, 4th... attempt
    max_attempts: int = 4  # failed attempts before the message is dead-lettered
    busy_delay: float = 2.0  # a week held by another worker: look again after this long
    max_busy: int = 300  # ... at most this many times (a live holder re-requests anyway)

    def delay(self, attempt: int) -> float:
        """The wait before attempt ``attempt + 1`` (attempts count from 1)."""
        return self.delays[min(attempt, len(self.delays)) - 1] if self.delays else 0.0


def new_worker_id(prefix: str = "worker") -> str:
    """A name unique to this process, readable in the planning state's ``lease_owner``."""
    return f"{prefix}@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class DeadLetter:
    event: Event
    reason: str
    error: str
    attempts: int


def stale_weeks(session: Session, now: datetime) -> list[tuple[str, str]]:
    """Weeks waiting for a plan that nobody is solving: queued, or solving on an expired lease."""
    rows = session.exec(
        select(PlanningState).where(
            col(PlanningState.status).in_([ps.QUEUED, ps.SOLVING]),
            or_(
                col(PlanningState.lease_owner).is_(None),
                col(PlanningState.lease_until) < now,
            ),
        )
    ).all()
    return [(row.group_id, row.week) for row in rows]


class LocalBus:
    """Relay and planner threads in this process: ``with LocalBus(...) as bus: ...``.

    With ``webhooks``, the relayed ``roster.*`` events also queue webhook deliveries, and the
    dispatcher's sender loop runs from ``start()`` to ``stop()``.
    """

    def __init__(
        self,
        bus: MessageBus,
        engine: Engine,
        clock: Clock,
        *,
        workers: int = 2,
        poll_seconds: float = 0.05,
        retry: RetryPolicy | None = None,
        worker_id: str | None = None,
        webhooks: WebhookDispatcher | None = None,
    ) -> None:
        self.bus = bus
        self.engine = engine
        self.clock = clock
        self.retry = retry or RetryPolicy()
        self.worker_id = worker_id or new_worker_id("local")
        self.poll_seconds = poll_seconds
        self.dead_letters: list[DeadLetter] = []
        self.reports: list[PlanReport] = []
        self._subscribers: list[tuple[frozenset[str] | None, Subscriber]] = []
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="local-planner")
        self._stop = threading.Event()
        self._relay = OutboxRelay(engine, clock, self._dispatch, lock=RelayLock(engine))
        self._relay_thread: threading.Thread | None = None
        self._sequence = itertools.count(1)
        self._lock = threading.Lock()
        self._in_flight = 0
        self._timers: set[threading.Timer] = set()
        self._idle = threading.Condition(self._lock)
        self.webhooks = webhooks
        if webhooks is not None:
            webhooks.attach(self)  # before the relay starts: no event is relayed unseen

    # ------------------------------------------------------------------ lifecycle

    def subscribe(self, callback: Subscriber, types: Iterable[str] | None = None) -> None:
        """Call ``callback`` with every relayed event (of ``types``), on the relay thread."""
        self._subscribers.append((frozenset(types) if types is not None else None, callback))

    def start(self, *, recover: bool = True) -> None:
        if recover:
            self.recover()
        self._relay_thread = threading.Thread(
            target=run_relay,
            args=(self._relay, self._stop),
            kwargs={"poll_seconds": self.poll_seconds},
            name="local-relay",
            daemon=True,
        )
        self._relay_thread.start()
        if self.webhooks is not None:
            self.webhooks.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop relaying, cancel pending retries and wait for running reactions."""
        self._stop.set()
        if self._relay_thread is not None:
            self._relay_thread.join(timeout)
        with self._lock:
            timers, self._timers = list(self._timers), set()
        for timer in timers:
            timer.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self.webhooks is not None:
            self.webhooks.stop()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def recover(self) -> int:
        """Request a plan for every week a crash left without a solver; the count."""
        with Session(self.engine) as session:
            weeks = stale_weeks(session, self.clock.now())
        for group_id, week in weeks:
            event = PlanRequested(
                occurred_at=self.clock.now(), group_id=group_id, week=week, reason="recovered"
            )
            self._submit(event, attempt=1, busy=0)
        if weeks:
            log.info("recovered %d week(s) waiting for a plan", len(weeks))
        return len(weeks)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until the outbox is empty and no reaction runs or waits; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._idle:
                self._idle.wait_for(
                    lambda: self._in_flight == 0, timeout=max(0.0, deadline - time.monotonic())
                )
                busy = self._in_flight
            if busy == 0 and not self._unsent():
                # Re-check after a poll: a reaction that just ended may have written new rows.
                time.sleep(self.poll_seconds)
                with self._lock:
                    busy = self._in_flight
                if busy == 0 and not self._unsent():
                    return True
            time.sleep(self.poll_seconds)
        return False

    def _unsent(self) -> bool:
        with Session(self.engine) as session:
            return bool(
                session.exec(
                    select(OutboxMessage.id).where(col(OutboxMessage.sent_at).is_(None)).limit(1)
                ).first()
            )

    # ------------------------------------------------------------------ dispatch

    def _dispatch(self, row: OutboxMessage) -> None:
        """The relay's publish function."""
        self.publish(outbox.event_of(row))

    def publish(self, event: Event) -> None:
        """Hand an event to the subscribers and, if it is the planner's, to the planner."""
        for types, callback in self._subscribers:
            if types is None or event.type in types:
                try:
                    callback(event)
                except Exception:  # an event reaction logs and continues
                    log.exception("subscriber failed on %s %s", event.type, event.event_id)
        if event.type in PLANNER_EVENTS:
            self._submit(event, attempt=1, busy=0)

    def _submit(self, event: Event, *, attempt: int, busy: int) -> None:
        with self._lock:
            if self._stop.is_set():
                return
            self._in_flight += 1
        try:
            self._pool.submit(self._react, event, attempt, busy)
        except RuntimeError:  # the pool was shut down meanwhile
            self._done()

    def _later(self, delay: float, event: Event, attempt: int, busy: int) -> None:
        def fire() -> None:
            with self._lock:
                self._timers.discard(timer)
            self._submit(event, attempt=attempt, busy=busy)
            self._done()  # the in-flight count moves from the timer to the new task

        timer = threading.Timer(delay, fire)
        timer.daemon = True
        with self._lock:
            if self._stop.is_set():
                return
            self._in_flight += 1
            self._timers.add(timer)
        timer.start()

    def _done(self) -> None:
        with self._idle:
            self._in_flight -= 1
            self._idle.notify_all()

    def _react(self, event: Event, attempt: int, busy: int) -> None:
        owner = f"{self.worker_id}#{next(self._sequence)}"
        try:
            report = self.bus.react(event, worker_id=owner)
        except PERMANENT_ERRORS as error:
            self._dead(event, "rejected", error, attempt)
        except Exception as error:
            if attempt >= self.retry.max_attempts:
                self._dead(event, "retries_exhausted", error, attempt)
            else:
                delay = self.retry.delay(attempt)
                log.warning(
                    "reaction to %s failed (attempt %d), retrying in %.1f s: %s",
                    event.event_id,
                    attempt,
                    delay,
                    error,
                )
                self._later(delay, event, attempt + 1, busy)
        else:
            if isinstance(report, PlanReport):
                self.reports.append(report)
                if report.outcome == PlanOutcome.BUSY:
                    if busy + 1 >= self.retry.max_busy:
                        self._dead(event, "busy_exhausted", None, attempt)
                    else:
                        self._later(self.retry.busy_delay, event, attempt, busy + 1)
        finally:
            self._done()

    def _dead(self, event: Event, reason: str, error: BaseException | None, attempts: int) -> None:
        log.error(
            "giving up on %s %s after %d attempt(s): %s (%s)",
            event.type,
            event.event_id,
            attempts,
            reason,
            error,
        )
        self.dead_letters.append(DeadLetter(event, reason, repr(error) if error else "", attempts))
