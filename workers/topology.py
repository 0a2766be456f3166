"""Every exchange, queue and binding, declared in this one place (idempotently, at start).

::

    <ns>.events            topic exchange; every event, routing key <type>.<group_id>
    <ns>.planner           quorum queue, bound to plan.requested.#  (the planner workers)
    <ns>.planner.delay.<ms>ms  one TTL queue per retry delay; expired messages go back to
                           <ns>.planner through the default exchange
    <ns>.planner.dead      the dead letters: poison messages, retries or redeliveries exhausted
    <ns>.webhooks          quorum queue, bound to roster.published.# and roster.updated.#
                           (webhook deliveries are recorded from it); its own delay and dead
                           queues, as the planner's

A consumer republishes a failed message to the delay queue of its attempt and then acks it; the
broker moves it back to the work queue when its TTL expires. One TTL per queue (not per message)
so a long delay never holds back a short one behind it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pika.adapters.blocking_connection import BlockingChannel

PLANNER = "planner"
WEBHOOKS = "webhooks"


@dataclass(frozen=True)
class ConsumerQueue:
    """A consumer's work queue and the routing keys it takes from the events exchange."""

    name: str
    bindings: tuple[str, ...]


@dataclass(frozen=True)
class Topology:
    namespace: str = "partage"
    delays: tuple[float, ...] = (1.0, 5.0, 30.0)
    busy_delay: float = 2.0
    delivery_limit: int = 20
    consumers: tuple[ConsumerQueue, ...] = field(
        default=(
            ConsumerQueue(PLANNER, ("plan.requested.#",)),
            ConsumerQueue(WEBHOOKS, ("roster.published.#", "roster.updated.#")),
        )
    )

    @property
    def events_exchange(self) -> str:
        return f"{self.namespace}.events"

    def queue(self, consumer: str) -> str:
        return f"{self.namespace}.{consumer}"

    def dead_queue(self, consumer: str) -> str:
        return f"{self.namespace}.{consumer}.dead"

    def delay_queue(self, consumer: str, seconds: float) -> str:
        return f"{self.namespace}.{consumer}.delay.{_millis(seconds)}ms"

    def all_delays(self) -> list[float]:
        return sorted({*self.delays, self.busy_delay})

    def queues(self) -> list[str]:
        """Every queue name of this topology (for inspection and clean-up)."""
        names = []
        for consumer in self.consumers:
            names.append(self.queue(consumer.name))
            names.append(self.dead_queue(consumer.name))
            names.extend(self.delay_queue(consumer.name, d) for d in self.all_delays())
        return names


def _millis(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def declare(channel: BlockingChannel, topology: Topology) -> None:
    """Declare the whole topology; declaring it again with the same settings changes nothing.

    Changing a queue's arguments (its delivery limit, a delay) is refused by the broker with
    PRECONDITION_FAILED: delays are part of the delay queues' names, so new delays add queues.
    """
    channel.exchange_declare(
        topology.events_exchange, exchange_type="topic", durable=True, auto_delete=False
    )
    for consumer in topology.consumers:
        declare_consumer(channel, topology, consumer.name, consumer.bindings)


def declare_consumer(
    channel: BlockingChannel, topology: Topology, consumer: str, bindings: Iterable[str]
) -> None:
    work, dead = topology.queue(consumer), topology.dead_queue(consumer)
    channel.queue_declare(dead, durable=True)
    channel.queue_declare(
        work,
        durable=True,
        arguments={
            # A quorum queue counts deliveries: a message redelivered `delivery_limit` times
            # (its workers kept dying on it) is dead-lettered by the broker itself.
            "x-queue-type": "quorum",
            "x-delivery-limit": topology.delivery_limit,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": dead,
        },
    )
    for key in bindings:
        channel.queue_bind(work, topology.events_exchange, routing_key=key)
    for seconds in topology.all_delays():
        channel.queue_declare(
            topology.delay_queue(consumer, seconds),
            durable=True,
            arguments={
                "x-message-ttl": _millis(seconds),
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": work,
            },
        )


def delete(channel: BlockingChannel, topology: Topology) -> None:
    """Remove the topology's queues and exchange (tests, and decommissioning a namespace)."""
    for name in topology.queues():
        channel.queue_delete(name)
    channel.exchange_delete(topology.events_exchange)
