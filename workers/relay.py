"""The outbox relay over RabbitMQ: rows out in order, with publisher confirms.

A row is marked sent only after the broker confirmed it. While the broker is down the relay
reconnects with capped back-off and the rows simply wait in the outbox; the API and the command
handlers never notice. Only one relay is active per database (``RelayLock``); others stand by.
"""

from __future__ import annotations

import contextlib
import logging
import threading

from pika.adapters.blocking_connection import BlockingChannel, BlockingConnection
from sqlalchemy.engine import Engine

from scheduler.clock import Clock
from scheduler.models.messaging import OutboxMessage
from scheduler.service.relay import OutboxRelay, RelayLock, run_relay
from workers import amqp
from workers.topology import Topology, declare

log = logging.getLogger(__name__)


class AmqpRelay:
    """Publishes the outbox to the events exchange; ``run(stop)`` until ``stop`` is set."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        url: str,
        topology: Topology,
        *,
        name: str = "partage-relay",
        batch_size: int = 200,
        poll_seconds: float = 0.05,
        heartbeat: int = 30,
        backoff: amqp.Backoff | None = None,
    ) -> None:
        self.url = url
        self.topology = topology
        self.name = name
        self.heartbeat = heartbeat
        self.poll_seconds = poll_seconds
        self.backoff = backoff or amqp.Backoff()
        self.relay = OutboxRelay(
            engine, clock, self._publish, batch_size=batch_size, lock=RelayLock(engine)
        )
        self._connection: BlockingConnection | None = None
        self._channel: BlockingChannel | None = None
        self._ever_connected = False
        self.fatal: BaseException | None = None
        self._stop: threading.Event | None = None

    @property
    def published(self) -> int:
        return self.relay.published

    @property
    def active(self) -> bool:
        """Whether this relay holds the lock (is the one publishing)."""
        return self.relay.lock.held

    def run(self, stop: threading.Event) -> None:
        self._stop = stop
        try:
            run_relay(
                self.relay,
                stop,
                poll_seconds=self.poll_seconds,
                on_error=self._on_error,
                on_idle=self._keep_alive,
            )
        finally:
            self._disconnect()

    def _channel_for_publishing(self) -> BlockingChannel:
        if self._channel is not None and self._channel.is_open:
            # Serve the connection's heartbeats between batches; publishing alone does too.
            assert self._connection is not None
            self._connection.process_data_events(time_limit=0)
            return self._channel
        self._disconnect()
        self._connection = amqp.connect(self.url, name=self.name, heartbeat=self.heartbeat)
        channel = amqp.confirming_channel(self._connection)
        # The relay declares the topology too: a plan.requested published before any worker
        # ever started must still land in the planner's queue, not in the void.
        declare(channel, self.topology)
        self._channel = channel
        if self._ever_connected:
            log.info("relay reconnected to the broker")
        self._ever_connected = True
        self.backoff.reset()
        return channel

    def _keep_alive(self) -> None:
        # An idle relay must still answer heartbeats, or the broker drops its connection.
        if self._connection is not None and self._connection.is_open:
            self._connection.process_data_events(time_limit=0)

    def _publish(self, row: OutboxMessage) -> None:
        channel = self._channel_for_publishing()
        channel.basic_publish(
            self.topology.events_exchange,
            row.routing_key,
            amqp.event_body(row),
            amqp.event_properties(row),
        )

    def _on_error(self, error: BaseException) -> float:
        self._disconnect()
        if amqp.is_fatal(error, ever_connected=self._ever_connected):
            log.error("relay stops: %r", error)
            self.fatal = error
            if self._stop is not None:
                self._stop.set()
            return 0.0
        delay = self.backoff.next()
        if isinstance(error, amqp.CONNECTION_ERRORS):
            log.warning("relay lost the broker (%r); retrying in %.1f s", error, delay)
        else:  # e.g. the database is down: the rows wait, and so do we
            log.warning("relay failed (%r); retrying in %.1f s", error, delay, exc_info=True)
        return delay

    def _disconnect(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            with contextlib.suppress(Exception):
                connection.close()
