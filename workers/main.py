"""Running a worker process: the planner and webhook consumers, the webhook sender, optionally
the relay, signals and health."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scheduler import process_signals
from scheduler.bootstrap import Application
from scheduler.messages.events import Event
from scheduler.service import webhooks
from scheduler.service.local_bus import LocalBus, new_worker_id
from scheduler.service.webhook_dispatch import WebhookDispatcher
from workers import amqp
from workers.config import WorkerSettings
from workers.planner import PlannerConsumer
from workers.relay import AmqpRelay
from workers.topology import WEBHOOKS, Topology

log = logging.getLogger(__name__)


def topology_of(settings: WorkerSettings) -> Topology:
    return Topology(
        namespace=settings.namespace,
        delays=settings.retry_delays,
        busy_delay=settings.busy_delay,
        delivery_limit=settings.delivery_limit,
    )


def planner_handler(app: Application) -> Callable[[Event, str], Any]:
    def handle(event: Event, owner: str) -> Any:
        return app.bus.react(event, worker_id=owner)

    return handle


def make_relay(app: Application, url: str, settings: WorkerSettings, name: str) -> AmqpRelay:
    return AmqpRelay(
        app.engine,
        app.clock,
        url,
        topology_of(settings),
        name=f"partage-relay-{name}",
        batch_size=settings.relay_batch,
        poll_seconds=settings.relay_poll,
        heartbeat=settings.heartbeat,
        backoff=amqp.Backoff(settings.reconnect_initial, settings.reconnect_max),
    )


def make_consumer(
    app: Application, url: str, settings: WorkerSettings, worker_id: str
) -> PlannerConsumer:
    return PlannerConsumer(
        planner_handler(app),
        url,
        topology_of(settings),
        retry=settings.retry,
        concurrency=settings.concurrency,
        worker_id=worker_id,
        heartbeat=settings.heartbeat,
        backoff=amqp.Backoff(settings.reconnect_initial, settings.reconnect_max),
        shutdown_grace=settings.shutdown_grace,
    )


def make_webhook_consumer(
    dispatcher: WebhookDispatcher, url: str, settings: WorkerSettings, worker_id: str
) -> PlannerConsumer:
    """The ``<ns>.webhooks`` consumer: acks once the deliveries of an event are committed."""

    def handle(event: Event, _owner: str) -> int:
        return dispatcher.record(event)

    return PlannerConsumer(
        handle,
        url,
        topology_of(settings),
        retry=settings.retry,
        concurrency=1,  # recording is a short transaction
        worker_id=worker_id,
        heartbeat=settings.heartbeat,
        backoff=amqp.Backoff(settings.reconnect_initial, settings.reconnect_max),
        shutdown_grace=settings.shutdown_grace,
        consumer=WEBHOOKS,
        accepted=webhooks.EVENT_TYPES,
    )


def _on_signals(stop: Callable[[], None]) -> None:
    process_signals.listen(stop, what="finishing the current messages")


def _write_health(path: Path, state: dict[str, Any]) -> None:
    # Write beside and rename: a probe never reads half a file.
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(state, default=str) + "\n", encoding="utf-8")
    partial.replace(path)


def run_worker(
    app: Application,
    url: str,
    settings: WorkerSettings,
    *,
    relay: bool = True,
    worker_id: str | None = None,
    health_file: Path | None = None,
) -> int:
    """A planner and webhook worker (and, with ``relay``, a standby-or-active relay).

    Returns an exit code.
    """
    worker_id = worker_id or new_worker_id()
    consumer = make_consumer(app, url, settings, worker_id)
    dispatcher = WebhookDispatcher(app)
    hooks = make_webhook_consumer(dispatcher, url, settings, worker_id)
    stop = threading.Event()
    relay_obj = make_relay(app, url, settings, worker_id) if relay else None
    relay_thread = None
    if relay_obj is not None:
        relay_thread = threading.Thread(target=relay_obj.run, args=(stop,), name="relay")
        relay_thread.start()

    def stop_all() -> None:
        stop.set()
        consumer.stop()
        hooks.stop()

    def run_hooks() -> None:
        try:
            hooks.run()
        except Exception:  # fatal (e.g. refused credentials): the worker stops as a whole
            log.exception("webhook consumer stopped on an error")
            stop_all()

    _on_signals(stop_all)
    hooks_thread = threading.Thread(target=run_hooks, name="webhooks-consumer")
    hooks_thread.start()
    dispatcher.start()
    health_thread = None
    if health_file is not None:

        def report_health() -> None:
            while not stop.wait(2.0):
                state = {
                    "at": time.time(),
                    "pid": os.getpid(),
                    **consumer.health(),
                    "webhooks": hooks.health(),
                    "relay_active": relay_obj.active if relay_obj else None,
                    "relay_published": relay_obj.published if relay_obj else None,
                }
                try:
                    _write_health(health_file, state)
                except OSError:
                    log.warning("cannot write %s", health_file, exc_info=True)

        health_thread = threading.Thread(target=report_health, name="health", daemon=True)
        health_thread.start()
    code = 0
    try:
        consumer.run()
    except Exception:
        log.exception("worker stopped on an error")
        code = 1
    finally:
        stop_all()
        hooks_thread.join(timeout=settings.shutdown_grace + 10)
        dispatcher.stop()
        if relay_thread is not None:
            relay_thread.join(timeout=10)
    if hooks.fatal is not None or (relay_obj is not None and relay_obj.fatal is not None):
        code = 1
    log.info("worker %s stopped: %s", worker_id, dict(consumer.stats))
    if consumer.stats.get("handed_back"):
        # A handed-back solve may still run in CP-SAT's native threads; letting the interpreter
        # finalise around them aborts the process (SIGABRT). Its message is back in the queue
        # and nothing of it was committed, so leave at once with the intended exit code.
        logging.shutdown()
        os._exit(code)
    return code


def run_relay_process(
    app: Application, url: str, settings: WorkerSettings, *, name: str | None = None
) -> int:
    """Only the relay (active, or standing by while another holds the lock)."""
    relay = make_relay(app, url, settings, name or new_worker_id("relay"))
    stop = threading.Event()
    _on_signals(stop.set)
    relay.run(stop)
    return 1 if relay.fatal is not None else 0


def run_embedded(app: Application, *, concurrency: int, settings: WorkerSettings) -> int:
    """No broker configured: relay, planner and webhooks inside this process until SIGTERM."""
    stop = threading.Event()
    _on_signals(stop.set)
    with LocalBus(
        app.bus,
        app.engine,
        app.clock,
        workers=concurrency,
        retry=settings.retry,
        webhooks=WebhookDispatcher(app),
    ) as bus:
        log.info("embedded mode: no PARTAGE_AMQP_URL, events stay in this process")
        stop.wait()
        log.info("embedded worker stopping (%d dead letter(s))", len(bus.dead_letters))
    return 0
