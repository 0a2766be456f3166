"""The planner consumer: ``plan.requested`` messages in, solved weeks out.

Threads, and why:

- the connection thread owns the pika connection (pika is not thread-safe): it receives
  deliveries, serves heartbeats, and is the only one to ack, nack or publish;
- ``concurrency`` handler threads run the handler (a solve can take many seconds), then pass
  the verdict back with ``add_callback_threadsafe``, so heartbeats keep flowing meanwhile.

A message is acked only after the handler's transaction committed. A failure is republished to
the delay queue of its attempt (then acked); after ``max_attempts`` it goes to the dead-letter
queue, as does at once a message that cannot be parsed or that the handler rejects for good.
A week another worker holds is looked at again after ``busy_delay``, which is not a failure.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from pika.adapters.blocking_connection import BlockingChannel, BlockingConnection
from pika.spec import Basic, BasicProperties

from scheduler.messages.events import Event, parse_event
from scheduler.service.bus import PLANNER_EVENTS
from scheduler.service.handlers.planning import PlanOutcome, PlanReport
from scheduler.service.local_bus import PERMANENT_ERRORS, RetryPolicy, new_worker_id
from workers import amqp
from workers.topology import PLANNER, Topology, declare

log = logging.getLogger(__name__)

# Headers the consumer sets on messages it republishes.
ATTEMPT = "x-partage-attempt"  # the attempt the message is on (1 for the first delivery)
BUSY = "x-partage-busy"  # how many times the week was found held by another worker
REASON = "x-partage-reason"  # dead letters: unparseable | rejected | retries_exhausted | ...
ERROR = "x-partage-error"
ROUTING_KEY = "x-partage-routing-key"
WORKER = "x-partage-worker"

Handler = Callable[[Event, str], Any]
"""``handler(event, owner)``: react to an event as lease owner ``owner``; raise to retry."""


@dataclass
class Delivery:
    generation: int
    tag: int
    envelope: amqp.Envelope
    event: Event
    attempt: int
    busy: int
    received: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Verdict:
    action: str  # ack | retry | dead
    outcome: str  # what the log and the counters say
    delay: float = 0.0
    headers: dict[str, Any] = field(default_factory=dict)


class PlannerConsumer:
    """Consumes one consumer queue of the topology until ``stop()``; reconnects on its own."""

    def __init__(
        self,
        handler: Handler,
        url: str,
        topology: Topology,
        *,
        retry: RetryPolicy | None = None,
        concurrency: int = 2,
        worker_id: str | None = None,
        heartbeat: int = 30,
        backoff: amqp.Backoff | None = None,
        shutdown_grace: float = 30.0,
        consumer: str = PLANNER,
        accepted: Collection[str] = PLANNER_EVENTS,
    ) -> None:
        self.handler = handler
        self.url = url
        self.topology = topology
        self.retry = retry or RetryPolicy(delays=topology.delays, busy_delay=topology.busy_delay)
        missing = {*self.retry.delays, self.retry.busy_delay} - set(topology.all_delays())
        if missing:
            raise ValueError(f"retry delays without a delay queue: {sorted(missing)}")
        self.concurrency = concurrency
        self.worker_id = worker_id or new_worker_id()
        self.heartbeat = heartbeat
        self.backoff = backoff or amqp.Backoff()
        self.shutdown_grace = shutdown_grace
        self.consumer = consumer
        self.accepted = frozenset(accepted)
        self.stats: Counter[str] = Counter()
        self.connected = threading.Event()
        self.fatal: BaseException | None = None
        self._stopping = threading.Event()
        self._connection: BlockingConnection | None = None
        self._channel: BlockingChannel | None = None
        self._publisher: BlockingChannel | None = None
        self._generation = 0
        self._in_flight: dict[int, Delivery] = {}
        self._work: queue.Queue[Delivery | None] = queue.Queue()
        self._sequence = itertools.count(1)
        self._ever_connected = False
        # Daemon threads: after the shutdown grace, a solve still running must not keep the
        # process alive (its message was handed back; its lease expires on its own).
        self._threads = [
            threading.Thread(target=self._work_loop, name=f"{consumer}-{i}", daemon=True)
            for i in range(concurrency)
        ]

    # ------------------------------------------------------------------ public

    def stop(self) -> None:
        """Ask the consumer to stop (safe from a signal handler or another thread)."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def health(self) -> dict[str, Any]:
        return {
            "worker_id": self.worker_id,
            "connected": self.connected.is_set(),
            "in_flight": len(self._in_flight),
            "stats": dict(self.stats),
        }

    def run(self) -> None:
        """Consume until ``stop()``; reconnects with capped back-off on connection loss."""
        for thread in self._threads:
            thread.start()
        try:
            while not self._stopping.is_set():
                try:
                    self._consume()
                except Exception as error:
                    self._lost()
                    if amqp.is_fatal(error, ever_connected=self._ever_connected):
                        log.error("consumer stops: %r", error)
                        self.fatal = error
                        raise
                    delay = self.backoff.next()
                    if isinstance(error, amqp.CONNECTION_ERRORS):
                        log.warning(
                            "consumer lost the broker (%r); retrying in %.1f s", error, delay
                        )
                    else:
                        log.exception("consumer failed; reconnecting in %.1f s", delay)
                    self._stopping.wait(delay)
        finally:
            for _ in self._threads:
                self._work.put(None)

    # ------------------------------------------------------------------ connection thread

    def _consume(self) -> None:
        connection = amqp.connect(
            self.url, name=f"partage-{self.consumer}-{self.worker_id}", heartbeat=self.heartbeat
        )
        self._connection = connection
        self._generation += 1
        channel = connection.channel()
        declare(channel, self.topology)
        self._publisher = amqp.confirming_channel(connection)
        # Bounded prefetch: a worker holds no more messages than it has threads, so the rest
        # stay in the queue for other workers.
        channel.basic_qos(prefetch_count=self.concurrency)
        tag = channel.basic_consume(self.topology.queue(self.consumer), self._on_message)
        self._channel = channel
        if self._ever_connected:
            log.info("consumer reconnected to the broker")
        self._ever_connected = True
        self.backoff.reset()
        self.connected.set()
        log.info("consuming %s as %s", self.topology.queue(self.consumer), self.worker_id)
        while not self._stopping.is_set():
            connection.process_data_events(time_limit=0.2)
        self._shut_down(channel, tag)

    def _shut_down(self, channel: BlockingChannel, consumer_tag: str) -> None:
        """Stop taking messages, let running ones finish, hand back what is left."""
        channel.basic_cancel(consumer_tag)
        deadline = time.monotonic() + self.shutdown_grace
        assert self._connection is not None
        while self._in_flight and time.monotonic() < deadline:
            self._connection.process_data_events(time_limit=0.2)
        for tag, delivery in list(self._in_flight.items()):
            log.warning("handing back %s (still running at shutdown)", delivery.event.event_id)
            channel.basic_nack(tag, requeue=True)
            self.stats["handed_back"] += 1
        self._in_flight.clear()
        self.connected.clear()
        self._connection.close()
        self._connection = self._channel = self._publisher = None

    def _lost(self) -> None:
        """Forget a broken connection; its unacked messages go back to the queue by themselves."""
        self.connected.clear()
        self._in_flight.clear()
        connection, self._connection = self._connection, None
        self._channel = self._publisher = None
        if connection is not None and connection.is_open:
            with contextlib.suppress(Exception):
                connection.close()

    def _on_message(
        self, channel: BlockingChannel, method: Basic.Deliver, properties: BasicProperties,
        body: bytes,
    ) -> None:  # fmt: skip
        assert method.delivery_tag is not None
        headers = properties.headers or {}
        # A retried message comes back from its delay queue under the work queue's name; the
        # key it was first published with travels in a header.
        routing_key = str(headers.get(ROUTING_KEY) or method.routing_key or "")
        envelope = amqp.Envelope(body, properties, routing_key)
        try:
            event = parse_event(body)
        except Exception as error:
            # A poison message: no retry can make it parse. Park it, keep going.
            log.error("unparseable message %s: %s", properties.message_id, str(error)[:300])
            self._dead_letter(envelope, "unparseable", str(error), attempts=1)
            channel.basic_ack(method.delivery_tag)
            self.stats["unparseable"] += 1
            return
        if event.type not in self.accepted:
            channel.basic_ack(method.delivery_tag)
            self.stats["ignored"] += 1
            return
        delivery = Delivery(
            generation=self._generation,
            tag=method.delivery_tag,
            envelope=envelope,
            event=event,
            attempt=_int(headers.get(ATTEMPT), 1),
            busy=_int(headers.get(BUSY), 0),
        )
        self._in_flight[delivery.tag] = delivery
        self._work.put(delivery)

    def _settle(self, delivery: Delivery, verdict: Verdict) -> None:
        """Runs on the connection thread: republish if needed, then ack."""
        if delivery.generation != self._generation or self._channel is None:
            # Received on a connection that has since died: the broker redelivers it.
            log.info("dropping the verdict on %s: its connection is gone", delivery.event.event_id)
            return
        if self._in_flight.pop(delivery.tag, None) is None:
            return  # handed back at shutdown meanwhile
        assert self._publisher is not None
        if verdict.action == "retry":
            queue_name = self.topology.delay_queue(self.consumer, verdict.delay)
            headers = {ROUTING_KEY: delivery.envelope.routing_key, **verdict.headers}
            amqp.republish(self._publisher, queue_name, delivery.envelope, headers)
        elif verdict.action == "dead":
            self._dead_letter(
                delivery.envelope,
                verdict.outcome,
                str(verdict.headers.get(ERROR, "")),
                attempts=delivery.attempt,
            )
        self._channel.basic_ack(delivery.tag)
        self.stats[verdict.outcome] += 1
        log.info(
            "%s %s %s/%s: %s",
            delivery.event.type,
            delivery.event.event_id,
            delivery.event.group_id,
            delivery.event.week,
            verdict.outcome,
            extra={
                "event_id": str(delivery.event.event_id),
                "outcome": verdict.outcome,
                "attempt": delivery.attempt,
                "seconds": round(time.monotonic() - delivery.received, 3),
            },
        )

    def _dead_letter(
        self, envelope: amqp.Envelope, reason: str, error: str, *, attempts: int
    ) -> None:
        assert self._publisher is not None
        amqp.republish(
            self._publisher,
            self.topology.dead_queue(self.consumer),
            envelope,
            {
                REASON: reason,
                ERROR: error[:1000],
                ATTEMPT: attempts,
                ROUTING_KEY: envelope.routing_key,
                WORKER: self.worker_id,
            },
        )

    # ------------------------------------------------------------------ handler threads

    def _work_loop(self) -> None:
        while True:
            delivery = self._work.get()
            if delivery is None:
                return
            verdict = self._verdict(delivery)
            connection = self._connection
            if connection is None:
                continue
            try:
                connection.add_callback_threadsafe(
                    functools.partial(self._settle, delivery, verdict)
                )
            except Exception:  # the connection closed meanwhile: the broker redelivers
                log.info("cannot settle %s: connection closed", delivery.event.event_id)

    def _verdict(self, delivery: Delivery) -> Verdict:
        # Each handling gets its own lease owner: a redelivered copy of a message this process
        # is still working on must find the week busy, not re-enter the running solve's lease.
        owner = f"{self.worker_id}#{next(self._sequence)}"
        policy = self.retry
        try:
            result = self.handler(delivery.event, owner)
        except PERMANENT_ERRORS as error:
            return Verdict("dead", "rejected", headers={ERROR: repr(error)})
        except Exception as error:
            log.warning(
                "handling %s failed (attempt %d): %r",
                delivery.event.event_id,
                delivery.attempt,
                error,
                exc_info=True,
            )
            if delivery.attempt >= policy.max_attempts:
                return Verdict("dead", "retries_exhausted", headers={ERROR: repr(error)})
            return Verdict(
                "retry",
                "retried",
                delay=policy.delay(delivery.attempt),
                headers={ATTEMPT: delivery.attempt + 1, ERROR: repr(error)[:1000]},
            )
        if isinstance(result, PlanReport) and result.outcome == PlanOutcome.BUSY:
            if delivery.busy + 1 >= policy.max_busy:
                return Verdict("dead", "busy_exhausted", headers={ERROR: "week always busy"})
            return Verdict(
                "retry", "busy", delay=policy.busy_delay, headers={BUSY: delivery.busy + 1}
            )
        outcome = result.outcome.value if isinstance(result, PlanReport) else "handled"
        return Verdict("ack", outcome)


def _int(value: object, default: int) -> int:
    try:
        return int(value)  # type: ignore[call-overload,no-any-return]
    except (TypeError, ValueError):
        return default
