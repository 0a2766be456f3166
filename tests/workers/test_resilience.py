"""What the pipeline survives: dead workers, broker outages, duplicates and poison messages."""

from __future__ import annotations

import itertools
import json
import os
import signal
import time
from pathlib import Path

import pika
import pytest
from sqlmodel import Session, col, select

from scheduler.bootstrap import Application
from scheduler.messages import commands as c
from scheduler.messages.events import Event, PlanRequested
from scheduler.models.messaging import OutboxMessage, ProcessedMessage
from scheduler.service.handlers.planning import PLANNER
from tests.conftest import BrokerControl
from tests.workers.conftest import (
    PLANNING,
    Pipeline,
    Tap,
    dead_letters,
    publish_raw,
    wait_until,
    worker_process,
)
from tests.workers.queries import planning_state, roster_versions
from tests.workers.territory import burst_need, need, target_week
from workers import planner as p
from workers.config import WorkerSettings
from workers.topology import Topology

POSTGRES_ONLY = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def outbox_rows(app: Application) -> list[OutboxMessage]:
    with Session(app.engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


@POSTGRES_ONLY
@pytest.mark.slow
def test_a_worker_killed_mid_solve_is_replaced_and_the_week_planned_once(
    app: Application,
    database_url: str,
    amqp_url: str,
    worker_settings: WorkerSettings,
    pipeline: Pipeline,
    tap_factory,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    updates = tap_factory("roster.updated.#")
    week = target_week()
    # Enough work that the solver runs until its time limit: a long solve to kill.
    for number in range(110):
        app.bus.handle(c.SubmitNeed(group_id="gb", need=burst_need("gb", number, week=week)))
    pipeline.relay()
    slow = {**PLANNING, "solve_time_limit": 60.0}
    quick = {**PLANNING, "solve_time_limit": 3.0}
    log = tmp_path / "workers.log"

    with worker_process(
        database_url, amqp_url, worker_settings, name="doomed", log_path=log, planning=slow
    ) as doomed:

        def mid_solve() -> bool:
            state = planning_state(app, "gb", week)
            owner = state.lease_owner or ""
            return state.status == "solving" and owner.startswith("doomed") and bool(state.progress)

        wait_until(mid_solve, 60, "the first worker to be mid-solve", lambda: log.read_text())
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)

        with worker_process(
            database_url, amqp_url, worker_settings, name="heir", log_path=log, planning=quick
        ):
            updates.wait_for(
                lambda events: events, 60, "the heir's roster.updated", lambda: log.read_text()
            )
            state = wait_until(
                lambda: (s := planning_state(app, "gb", week)).status == "done" and s,
                30,
                "the week to be released",
            )

    assert doomed.returncode == -signal.SIGKILL
    versions = roster_versions(app, "gb", week)
    assert len(versions) == 1, "one effective change, one version"
    assert [e.roster_version for e in updates.events] == [versions[0].number]
    assert state.solved_seq == state.requested_seq == 110
    assert state.solves == 1  # the killed solve stored nothing
    (request,) = [r for r in outbox_rows(app) if r.type == "plan.requested"]
    with Session(app.engine) as session:
        assert session.get(ProcessedMessage, (PLANNER, request.event_id)) is not None
    assert "heir" in log.read_text()


@POSTGRES_ONLY
@pytest.mark.slow
def test_events_submitted_while_the_broker_is_down_are_all_delivered_in_order(
    app: Application, pipeline: Pipeline, tap: Tap, broker_control: BrokerControl
) -> None:
    relay = pipeline.relay()
    pipeline.consumer()
    week = target_week()
    app.bus.handle(c.SubmitNeed(group_id="ga", need=need("ga", 1, week=week)))
    tap.wait_for(lambda events: len(events) >= 3, 30, "the first need to be planned")

    broker_control.stop()
    for number in range(2, 12):
        for group in ("ga", "gb"):
            app.bus.handle(
                c.SubmitNeed(group_id=group, need=need(group, number, week=week, day=number % 5))
            )
    # Nothing is lost while the broker is away: the rows wait in the outbox.
    assert sum(r.sent_at is None for r in outbox_rows(app)) >= 20
    broker_control.start()

    def everything_delivered() -> bool:
        rows = outbox_rows(app)
        received = {str(e.event_id) for e in tap.poll()}
        settled = all(planning_state(app, g, week).status == "done" for g in ("ga", "gb"))
        return settled and all(r.sent_at for r in rows) and {r.event_id for r in rows} <= received

    wait_until(everything_delivered, 90, "every event after the outage")
    rows = outbox_rows(app)
    # Per group, the events arrive in the order they were committed (first copies: a publish
    # whose confirm was lost in the outage is sent again, and consumers are idempotent).
    first_seen: dict[str, int] = {}
    for position, event in enumerate(tap.events):
        first_seen.setdefault(str(event.event_id), position)
    for group in ("ga", "gb"):
        committed = [r.event_id for r in rows if r.group_id == group]
        assert sorted(committed, key=first_seen.__getitem__) == committed
    for group in ("ga", "gb"):
        last = roster_versions(app, group, week)[-1]
        covered = {n for e in tap.of_type("roster.updated") if e.group_id == group
                   for n in e.need_ids}  # fmt: skip
        assert {f"{group}-n{k}" for k in range(2, 12)} <= covered
        assert last.number == max(
            e.roster_version for e in tap.of_type("roster.updated") if e.group_id == group
        )
    assert relay.active


@POSTGRES_ONLY
def test_a_duplicated_message_has_one_effect(
    app: Application, amqp_url: str, topology: Topology, pipeline: Pipeline, tap: Tap
) -> None:
    relay = pipeline.relay()
    week = target_week()
    app.bus.handle(c.SubmitNeed(group_id="ga", need=need("ga", 1, week=week)))
    wait_until(lambda: all(r.sent_at for r in outbox_rows(app)), 20, "the relay to publish")
    (request,) = [r for r in outbox_rows(app) if r.type == "plan.requested"]
    # The same message twice more, as a relay that crashed before marking it sent would do.
    body = json.dumps(request.payload).encode()
    publish_raw(amqp_url, topology, request.routing_key, body)
    publish_raw(amqp_url, topology, request.routing_key, body)
    consumer = pipeline.consumer(concurrency=2)

    wait_until(
        lambda: sum(v for k, v in consumer.stats.items() if k != "busy") == 3,
        30,
        "the three copies to be handled",
        lambda: str(consumer.stats),
    )
    assert consumer.stats["planned"] == 1
    assert consumer.stats["up_to_date"] == 2
    assert len(roster_versions(app, "ga", week)) == 1
    assert len(tap.wait_for(lambda ev: [e for e in ev if e.type == "roster.updated"], 10, "")) == 1
    with Session(app.engine) as session:
        ledger = session.exec(
            select(ProcessedMessage).where(ProcessedMessage.event_id == request.event_id)
        ).all()
    assert len(ledger) == 1
    assert relay.published == 3  # need.submitted, plan.requested, roster.updated


@POSTGRES_ONLY
def test_poison_messages_end_in_the_dead_letter_queue_and_the_worker_goes_on(
    app: Application,
    amqp_url: str,
    topology: Topology,
    worker_settings: WorkerSettings,
    pipeline: Pipeline,
    tap: Tap,
) -> None:
    attempts: dict[str, list[float]] = {}

    def flaky_for_gb(event: Event, owner: str) -> object:
        attempts.setdefault(str(event.event_id), []).append(time.monotonic())
        if event.group_id == "gb":
            raise RuntimeError("the planner of gb is broken")
        return app.bus.react(event, worker_id=owner)

    pipeline.relay()
    consumer = pipeline.consumer(handler=flaky_for_gb)
    week = target_week()

    publish_raw(amqp_url, topology, "plan.requested.ga", b"{not json")
    unknown = PlanRequested(occurred_at=app.clock.now(), group_id="nope", week=week, reason="t")
    publish_raw(amqp_url, topology, unknown.routing_key, unknown.model_dump_json().encode())
    app.bus.handle(c.SubmitNeed(group_id="gb", need=need("gb", 1, week=week)))
    app.bus.handle(c.SubmitNeed(group_id="ga", need=need("ga", 1, week=week)))

    dead: list[tuple[dict[str, object], bytes]] = []
    wait_until(
        lambda: dead.extend(dead_letters(amqp_url, topology)) or len(dead) >= 3,
        30,
        "three dead letters",
        lambda: str(consumer.stats),
    )
    reasons = {str(h[p.REASON]): h for h, _ in dead}
    assert set(reasons) == {"unparseable", "rejected", "retries_exhausted"}
    assert reasons["unparseable"][p.ATTEMPT] == 1
    assert reasons["rejected"][p.ATTEMPT] == 1  # a group that does not exist: no retry
    exhausted = reasons["retries_exhausted"]
    assert exhausted[p.ATTEMPT] == worker_settings.max_attempts
    assert "the planner of gb is broken" in str(exhausted[p.ERROR])
    assert exhausted[p.ROUTING_KEY] == "plan.requested.gb"
    (times,) = [t for e, t in attempts.items() if len(t) > 1]
    assert len(times) == worker_settings.max_attempts
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(
        gap >= delay * 0.9 for gap, delay in zip(gaps, worker_settings.retry_delays, strict=False)
    ), f"retries came back too early: {gaps}"
    # The worker went on: ga was planned meanwhile, and a later change is planned too.
    app.bus.handle(c.SubmitNeed(group_id="ga", need=need("ga", 2, week=week, day=1)))
    tap.wait_for(
        lambda events: any(
            e.type == "roster.updated" and "ga-n2" in getattr(e, "need_ids", []) for e in events
        ),
        30,
        "ga to be planned after the poison",
    )
    assert consumer.stats["unparseable"] == 1
    assert consumer.stats["retried"] == worker_settings.max_attempts - 1


def queue_depth(amqp_url: str, name: str) -> int:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        return connection.channel().queue_declare(name, passive=True).method.message_count
    finally:
        connection.close()


@POSTGRES_ONLY
@pytest.mark.slow
def test_sigterm_hands_back_what_it_cannot_finish_and_finishes_what_it_can(
    app: Application,
    database_url: str,
    amqp_url: str,
    worker_settings: WorkerSettings,
    topology: Topology,
    pipeline: Pipeline,
    tap_factory,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    updates = tap_factory("roster.updated.#")
    week = target_week()
    for number in range(110):
        app.bus.handle(c.SubmitNeed(group_id="gb", need=burst_need("gb", number, week=week)))
    pipeline.relay()
    log = tmp_path / "workers.log"
    planning = {**PLANNING, "solve_time_limit": 4.0}

    def solving_by(name: str) -> bool:
        state = planning_state(app, "gb", week)
        owner = state.lease_owner or ""
        return state.status == "solving" and owner.startswith(name) and bool(state.progress)

    impatient = worker_settings.model_copy(update={"shutdown_grace": 0.0})
    with worker_process(
        database_url, amqp_url, impatient, name="impatient", log_path=log, planning=planning
    ) as first:
        wait_until(lambda: solving_by("impatient"), 60, "the first solve", log.read_text)
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=15) == 0
    # Handed back: the message is in the queue again, nothing was stored.
    assert queue_depth(amqp_url, topology.queue("planner")) == 1
    assert roster_versions(app, "gb", week) == []

    # Grace well above the 4-s solve, so a loaded machine (CI) still finishes within it.
    patient = worker_settings.model_copy(update={"shutdown_grace": 30.0})
    with worker_process(
        database_url, amqp_url, patient, name="patient", log_path=log, planning=planning
    ) as second:
        wait_until(lambda: solving_by("patient"), 60, "the second solve", log.read_text)
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=60) == 0
    # Finished within the grace: planned, announced and acked.
    updates.wait_for(lambda events: events, 20, "roster.updated")
    assert len(roster_versions(app, "gb", week)) == 1
    assert queue_depth(amqp_url, topology.queue("planner")) == 0
    assert "handing back" in log.read_text()
