"""Connecting to RabbitMQ, backing off between attempts, and publishing with confirms."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pika
import pika.exceptions
from pika.adapters.blocking_connection import BlockingChannel, BlockingConnection

from scheduler.models.messaging import OutboxMessage

log = logging.getLogger(__name__)

# Errors after which reconnecting may help (the broker restarted, the network dropped).
# Channel errors (a queue declared with other arguments, a missing exchange) are bugs or
# misconfiguration: the caller stops on them instead of looping.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    pika.exceptions.AMQPConnectionError,
    pika.exceptions.ConnectionWrongStateError,
    pika.exceptions.ChannelWrongStateError,
    pika.exceptions.StreamLostError,
    ConnectionError,
    OSError,
)


def is_fatal(error: BaseException, *, ever_connected: bool) -> bool:
    """Whether a connection-level error should stop the process rather than reconnect.

    Bad credentials at the first attempt are a configuration error; once connected, a refusal
    may only be the broker booting again, so it is retried like any outage.
    """
    if isinstance(error, pika.exceptions.AMQPChannelError):
        return True
    auth = (
        pika.exceptions.ProbableAuthenticationError,
        pika.exceptions.ProbableAccessDeniedError,
        pika.exceptions.AuthenticationError,
    )
    return isinstance(error, auth) and not ever_connected


def connect(url: str, *, name: str, heartbeat: int = 30) -> BlockingConnection:
    """One connection attempt (the callers own the retry loop and its back-off)."""
    params = pika.URLParameters(url)
    params.heartbeat = heartbeat
    params.connection_attempts = 1
    params.socket_timeout = 5
    # A broker short of memory or disk blocks publishers; fail instead of hanging forever.
    params.blocked_connection_timeout = 60
    params.client_properties = {"connection_name": name}
    return pika.BlockingConnection(params)


class Backoff:
    """Capped exponential back-off with jitter: 0.5, 1, 2, 4 ... up to ``cap`` seconds."""

    def __init__(self, initial: float = 0.5, cap: float = 30.0) -> None:
        self.initial = initial
        self.cap = cap
        self._next = initial

    def next(self) -> float:
        delay = self._next
        self._next = min(self.cap, self._next * 2)
        # Jitter, so that many workers do not knock on a restarted broker all at once.
        return delay * random.uniform(0.8, 1.2)

    def reset(self) -> None:
        self._next = self.initial


@dataclass(frozen=True)
class Envelope:
    """What a worker needs to republish a message it received (to a delay or dead queue)."""

    body: bytes
    properties: pika.BasicProperties
    routing_key: str


def event_properties(row: OutboxMessage) -> pika.BasicProperties:
    """Persistent JSON, identified by the event id (the consumers' idempotency key)."""
    return pika.BasicProperties(
        content_type="application/json",
        delivery_mode=pika.DeliveryMode.Persistent,
        message_id=row.event_id,
        type=row.type,
        timestamp=int(row.created_at.timestamp()),
        headers={"group_id": row.group_id, "week": row.week, "outbox_id": row.id},
    )


def event_body(row: OutboxMessage) -> bytes:
    return json.dumps(row.payload, separators=(",", ":"), ensure_ascii=False).encode()


def confirming_channel(connection: BlockingConnection) -> BlockingChannel:
    """A channel whose ``basic_publish`` returns only once the broker has the message.

    With confirms, a publish that the broker refuses raises (NackError, or UnroutableError with
    ``mandatory``) instead of vanishing; persistent messages to durable queues are confirmed
    once written to disk.
    """
    channel = connection.channel()
    channel.confirm_delivery()
    return channel


def republish(
    channel: BlockingChannel,
    queue: str,
    envelope: Envelope,
    headers: Mapping[str, Any],
) -> None:
    """Send a received message to ``queue`` (default exchange), with extra headers."""
    old = envelope.properties
    merged = dict(old.headers or {})
    merged.update(headers)
    # The broker's own bookkeeping from earlier dead-letterings only bloats the message.
    merged.pop("x-death", None)
    properties = pika.BasicProperties(
        content_type=old.content_type or "application/json",
        delivery_mode=pika.DeliveryMode.Persistent,
        message_id=old.message_id,
        type=old.type,
        timestamp=old.timestamp,
        headers=merged,
    )
    channel.basic_publish("", queue, envelope.body, properties, mandatory=True)
