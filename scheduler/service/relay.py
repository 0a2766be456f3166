"""The outbox relay's broker-agnostic core: one active relay, rows out in commit order.

The unit of work writes events to the outbox table in the same transaction as the change that
caused them. A relay reads the unsent rows in id order, hands each to a ``publish`` function
(RabbitMQ with publisher confirms in ``workers.relay``, the in-process bus of the embedded mode
in ``scheduler.service.local_bus``) and marks the published ones sent.

Only one relay publishes at a time (``RelayLock``), so two relays can never interleave one
group's events out of order. A relay that dies between publishing and marking publishes the
same rows again when it (or another) takes over: consumers are idempotent by ``event_id``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, ClassVar

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from scheduler.clock import Clock
from scheduler.db import session_scope
from scheduler.models.messaging import OutboxMessage
from scheduler.service import outbox

log = logging.getLogger(__name__)

LOCK_NAME = "partage.outbox.relay"

PublishRow = Callable[[OutboxMessage], None]


def _advisory_key(name: str) -> int:
    # pg advisory locks take a signed 64-bit key; derive a stable one from the name.
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class RelayLock:
    """The right to be the active relay of one database, released when its holder dies.

    PostgreSQL: a session advisory lock on a dedicated connection (the server drops it when the
    connection goes, even after ``kill -9``). SQLite: ``flock`` on a file beside the database
    (the kernel drops it with the process). Other URLs (in-memory SQLite): a process-local lock.
    """

    _process_locks: ClassVar[dict[str, threading.Lock]] = {}
    _process_guard: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, engine: Engine, name: str = LOCK_NAME) -> None:
        self.engine = engine
        self.name = name
        self._connection: Connection | None = None
        self._file: IO[bytes] | None = None
        self._local: threading.Lock | None = None
        self._held = False

    @property
    def held(self) -> bool:
        return self._held

    def acquire(self) -> bool:
        """Try to take the lock without waiting; True if this object holds it now."""
        if self._held:
            return True
        dialect = self.engine.dialect.name
        database = self.engine.url.database
        if dialect == "postgresql":
            self._held = self._acquire_advisory()
        elif dialect == "sqlite" and database and database != ":memory:":
            self._held = self._acquire_file(Path(database))
        else:
            self._held = self._acquire_local(str(self.engine.url))
        return self._held

    def check(self) -> bool:
        """Whether the lock is still ours (the PostgreSQL connection holding it may have died)."""
        if not self._held:
            return False
        if self._connection is not None:
            try:
                self._connection.execute(text("select 1"))
            except Exception:
                log.warning("the relay lock's database connection was lost", exc_info=True)
                self.release()
                return False
        return True

    def release(self) -> None:
        if self._connection is not None:
            # A dead connection has released the lock already.
            with contextlib.suppress(Exception):
                self._connection.execute(
                    text("select pg_advisory_unlock(:key)"), {"key": _advisory_key(self.name)}
                )
            with contextlib.suppress(Exception):
                self._connection.close()
            self._connection = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._local is not None:
            self._local.release()
            self._local = None
        self._held = False

    def _acquire_advisory(self) -> bool:
        try:
            connection = self.engine.connect()
            # Autocommit: the lock belongs to the session and must not pin a transaction open.
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            got = connection.execute(
                text("select pg_try_advisory_lock(:key)"), {"key": _advisory_key(self.name)}
            ).scalar()
        except Exception:
            log.warning("cannot reach the database to take the relay lock", exc_info=True)
            return False
        if got:
            self._connection = connection
            return True
        connection.close()
        return False

    def _acquire_file(self, database: Path) -> bool:
        handle = open(database.with_name(database.name + ".relay.lock"), "ab")  # noqa: SIM115
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def _acquire_local(self, key: str) -> bool:
        with self._process_guard:
            lock = self._process_locks.setdefault(key, threading.Lock())
        if lock.acquire(blocking=False):
            self._local = lock
            return True
        return False


class OutboxRelay:
    """Moves outbox rows to a publish function, in id order, marking them sent."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        publish: PublishRow,
        *,
        batch_size: int = 200,
        lock: RelayLock | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.publish = publish
        self.batch_size = batch_size
        self.lock = lock or RelayLock(engine)
        self.published = 0

    def relay_batch(self) -> int:
        """Publish one batch of unsent rows; the number published (0: nothing to do).

        Stops at the first row that fails, after marking the ones before it sent, and raises:
        the failed row and those after it stay unsent, so the order is kept when it resumes.
        """
        if not self.lock.check() and not self.lock.acquire():
            return 0
        # A plain (deferred) session: reading the outbox must not take SQLite's write lock.
        with Session(self.engine, expire_on_commit=False) as session:
            rows = outbox.pending(session, self.batch_size)
        done: list[int] = []
        try:
            for row in rows:
                self.publish(row)
                assert row.id is not None
                done.append(row.id)
        finally:
            if done:
                self._mark_sent(done)
        return len(done)

    def drain(self) -> int:
        """Publish until the outbox is empty (or another relay is active); the count."""
        total = 0
        while True:
            count = self.relay_batch()
            total += count
            if count < self.batch_size:
                return total

    def _mark_sent(self, ids: list[int]) -> None:
        with session_scope(self.engine) as session:
            outbox.mark_sent(session, ids, self.clock.now())
        self.published += len(ids)

    def close(self) -> None:
        self.lock.release()


def run_relay(
    relay: OutboxRelay,
    stop: threading.Event,
    *,
    poll_seconds: float = 0.1,
    standby_seconds: float = 1.0,
    on_error: Callable[[BaseException], float] | None = None,
    on_idle: Callable[[], None] | None = None,
) -> None:
    """Relay until ``stop`` is set: drain, then poll; a standby relay retries the lock.

    ``on_error`` decides how long to wait after a failed batch (the AMQP relay reconnects
    there); without it, errors are logged and retried after a second. ``on_idle`` runs at
    every empty poll (the AMQP relay serves its connection's heartbeats there).
    """
    try:
        while not stop.is_set():
            try:
                if not relay.lock.check() and not relay.lock.acquire():
                    stop.wait(standby_seconds)
                    continue
                count = relay.drain()
            except Exception as error:
                wait = on_error(error) if on_error else 1.0
                if on_error is None:
                    log.exception("outbox relay failed; retrying in %.1f s", wait)
                stop.wait(wait)
                continue
            if count == 0:
                if on_idle is not None:
                    try:
                        on_idle()
                    except Exception as error:
                        stop.wait(on_error(error) if on_error else 1.0)
                        continue
                stop.wait(poll_seconds)
    finally:
        relay.close()
