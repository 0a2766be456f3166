"""Webhooks in running processes: a published week reaches a member's receiver, signed, once.

Embedded (``LocalBus`` with a ``WebhookDispatcher``) on SQLite and PostgreSQL, and over RabbitMQ
(the worker's ``<ns>.webhooks`` consumer and sender loop) on PostgreSQL.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from scheduler import models as m
from scheduler.bootstrap import Application
from scheduler.messages import commands as c
from scheduler.service import webhooks
from scheduler.service.local_bus import LocalBus, RetryPolicy
from scheduler.service.webhook_dispatch import WebhookDispatcher
from tests.api.test_webhooks import Receiver
from tests.workers.conftest import (
    PLANNING,
    Pipeline,
    Tap,
    publish_raw,
    wait_until,
    worker_process,
)
from tests.workers.territory import target_week
from workers import topology as topo
from workers.config import WorkerSettings
from workers.main import make_webhook_consumer


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as server:
        yield server


@pytest.fixture
def allowing(app: Application) -> Application:
    """The application with PARTAGE_WEBHOOKS_ALLOW_PRIVATE=1: the receiver is on localhost."""
    app.settings = app.settings.model_copy(update={"webhooks_allow_private": True})
    return app


def _subscribe(app: Application, url: str) -> str:
    with app.uow() as uow:
        _, secret = webhooks.subscribe(
            uow, member_id="ga-m1", url=url, events=["roster.published"], allow_private=True
        )
    return secret


def _publish_a_week(app: Application) -> str:
    """A draft stored as the planner would (no solve needed), then published."""
    week = target_week()
    with app.uow() as uow:
        uow.session.add(
            m.RosterVersion(
                group_id="ga", week=week, number=1, status="draft", created_at=app.clock.now()
            )
        )
        uow.commit()
    app.bus.handle(c.PublishWeek(group_id="ga", week=week))
    return week


def _deliveries(app: Application) -> list[m.WebhookDelivery]:
    with Session(app.engine) as session:
        return list(session.exec(select(m.WebhookDelivery)).all())


def _check(receiver: Receiver, secret: str, app: Application, week: str) -> None:
    [(headers, body)] = receiver.received
    assert webhooks.verify_signature(secret, body, headers, now=app.clock.now())
    payload = json.loads(body)
    assert (payload["type"], payload["member_id"], payload["week"]) == (
        "roster.published",
        "ga-m1",
        week,
    )
    [delivery] = _deliveries(app)
    assert (delivery.status, delivery.attempts) == (webhooks.DELIVERED, 1)


def test_embedded_mode_posts_a_publication_to_the_members_receiver(
    allowing: Application, receiver: Receiver
) -> None:
    app = allowing
    secret = _subscribe(app, receiver.url)
    quick = RetryPolicy(delays=(0.05,), max_attempts=2, busy_delay=0.05)
    dispatcher = WebhookDispatcher(app)
    with LocalBus(app.bus, app.engine, app.clock, retry=quick, webhooks=dispatcher) as bus:
        week = _publish_a_week(app)
        wait_until(lambda: receiver.received, 20, "the webhook POST")
        assert bus.wait_idle(30)
        dispatcher.send_once()  # nothing more is due

    _check(receiver, secret, app, week)
    assert dispatcher.allow_private  # read from the settings


def test_a_failing_recording_does_not_stop_the_embedded_relay(
    allowing: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = allowing
    seen: list[str] = []

    def broken(uow: object, event: object) -> int:
        raise RuntimeError("database gone")

    monkeypatch.setattr(webhooks, "record_deliveries", broken)
    with LocalBus(app.bus, app.engine, app.clock, webhooks=WebhookDispatcher(app)) as bus:
        bus.subscribe(lambda event: seen.append(event.type))
        _publish_a_week(app)
        assert bus.wait_idle(30)

    assert seen == ["roster.published"]  # the subscriber after the failing one still ran


def test_the_webhooks_queue_takes_the_roster_events_the_webhooks_handle() -> None:
    [queue] = [q for q in topo.Topology().consumers if q.name == topo.WEBHOOKS]
    assert {key.removesuffix(".#") for key in queue.bindings} == set(webhooks.EVENT_TYPES)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_worker_delivers_a_relayed_publication_once_even_if_the_message_comes_twice(
    allowing: Application,
    receiver: Receiver,
    pipeline: Pipeline,
    tap_factory: Callable[..., Tap],
    amqp_url: str,
    worker_settings: WorkerSettings,
    topology: topo.Topology,
) -> None:
    app = allowing
    secret = _subscribe(app, receiver.url)
    tap = tap_factory("roster.published.#")
    pipeline.relay()
    week = _publish_a_week(app)
    tap.wait_for(lambda events: events, 20, "roster.published on the broker")
    # The broker delivers the same message a second time (a relay resending after an outage).
    publish_raw(amqp_url, topology, "roster.published.ga", tap.raw[0])

    dispatcher = WebhookDispatcher(app, interval=0.2)
    consumer = make_webhook_consumer(dispatcher, amqp_url, worker_settings, "test-webhooks")
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    dispatcher.start()
    try:
        wait_until(
            lambda: consumer.stats["handled"] == 2,
            20,
            "both copies handled",
            lambda: str(dict(consumer.stats)),
        )
        wait_until(lambda: receiver.received, 20, "the webhook POST")
        dispatcher.send_once()  # a sender pass after both copies: nothing more is due
    finally:
        consumer.stop()
        dispatcher.stop()
        thread.join(timeout=15)

    _check(receiver, secret, app, week)
    with Session(app.engine) as session:
        processed = session.exec(
            select(func.count())
            .select_from(m.ProcessedMessage)
            .where(m.ProcessedMessage.consumer == webhooks.CONSUMER)
        ).one()
    assert processed == 1
    assert _dead_webhook_letters(amqp_url, topology) == 0


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_poison_message_goes_to_the_webhooks_dead_letters(
    allowing: Application,
    amqp_url: str,
    worker_settings: WorkerSettings,
    topology: topo.Topology,
) -> None:
    dispatcher = WebhookDispatcher(allowing)
    consumer = make_webhook_consumer(dispatcher, amqp_url, worker_settings, "test-webhooks")
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        publish_raw(amqp_url, topology, "roster.published.ga", b'{"type": "roster.published"')
        wait_until(lambda: consumer.stats["unparseable"] == 1, 20, "the poison message handled")
    finally:
        consumer.stop()
        thread.join(timeout=15)
    assert _dead_webhook_letters(amqp_url, topology) == 1


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_partage_worker_relays_consumes_and_sends(
    allowing: Application,
    receiver: Receiver,
    database_url: str,
    amqp_url: str,
    worker_settings: WorkerSettings,
    topology: topo.Topology,
    tmp_path: Path,
) -> None:
    """The whole ``partage worker`` process: relay, ``<ns>.webhooks`` consumer, sender loop."""
    app = allowing
    secret = _subscribe(app, receiver.url)
    log = tmp_path / "worker.log"
    with worker_process(
        database_url,
        amqp_url,
        worker_settings,
        name="hooks",
        log_path=log,
        planning={**PLANNING, "webhooks_allow_private": "true"},
        relay=True,
    ) as process:
        week = _publish_a_week(app)
        wait_until(lambda: receiver.received, 30, "the webhook POST", log.read_text)
    assert process.returncode == 0, log.read_text()
    _check(receiver, secret, app, week)


def _dead_webhook_letters(amqp_url: str, layout: topo.Topology) -> int:
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        frame = connection.channel().queue_declare(layout.dead_queue(topo.WEBHOOKS), passive=True)
        return int(frame.method.message_count)
    finally:
        connection.close()
