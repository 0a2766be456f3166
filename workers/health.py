"""Readiness of the pipeline: database, outbox backlog, broker and queue depths."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pika.exceptions
from sqlalchemy import func, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.clock import Clock
from scheduler.models.messaging import OutboxMessage
from workers import amqp
from workers.topology import Topology


def outbox_backlog(engine: Engine, now: datetime) -> dict[str, Any]:
    """Unsent outbox rows and the age of the oldest, in seconds."""
    with Session(engine) as session:
        count, oldest = session.exec(
            select(func.count(), func.min(OutboxMessage.created_at)).where(
                col(OutboxMessage.sent_at).is_(None)
            )
        ).one()
    age = None
    if oldest is not None:
        age = round((now - oldest).total_seconds(), 3)
    return {"unsent": count, "oldest_seconds": age}


def check(engine: Engine, clock: Clock, url: str | None, topology: Topology) -> dict[str, Any]:
    """A report with ``ok`` false when the database or (if configured) the broker is down."""
    report: dict[str, Any] = {"ok": True}
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        report["database"] = "ok"
        report["outbox"] = outbox_backlog(engine, clock.now())
    except Exception as error:
        report["ok"] = False
        report["database"] = f"error: {error!r}"[:300]
    if url is None:
        report["broker"] = "embedded (no PARTAGE_AMQP_URL)"
        return report
    try:
        connection = amqp.connect(url, name="partage-health", heartbeat=0)
    except Exception as error:
        report["ok"] = False
        report["broker"] = f"error: {error!r}"[:300]
        return report
    try:
        report["broker"] = "ok"
        queues: dict[str, Any] = {}
        for name in topology.queues():
            channel = connection.channel()
            try:
                frame = channel.queue_declare(name, passive=True)
                queues[name] = {
                    "messages": frame.method.message_count,
                    "consumers": frame.method.consumer_count,
                }
            except pika.exceptions.ChannelClosedByBroker:
                queues[name] = "missing (declared by the first worker or relay)"
        report["queues"] = queues
    finally:
        connection.close()
    return report
