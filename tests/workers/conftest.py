"""Fixtures of the pipeline tests: an application on a small territory, the broker topology of
this test, a tap on the events exchange, and workers and relays run in threads or processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pika
import pytest

from scheduler import db
from scheduler.bootstrap import Application, bootstrap
from scheduler.messages.events import Event, parse_event
from scheduler.scenario.importer import import_scenario
from scheduler.settings import Settings
from tests.workers.territory import territory
from workers import topology as topo
from workers.config import WorkerSettings
from workers.main import make_consumer, make_relay, topology_of
from workers.planner import Handler, PlannerConsumer
from workers.relay import AmqpRelay

REPO_ROOT = Path(__file__).resolve().parents[2]

# Planning settings for every pipeline test: a short debounce and lease keep tests quick.
PLANNING = {
    "debounce_seconds": 0.3,
    "lease_seconds": 3.0,
    "solve_time_limit": 5.0,
    "solve_workers": 1,
}


def wait_until(
    condition: Callable[[], Any],
    timeout: float,
    what: str,
    details: Callable[[], str] | None = None,
) -> Any:
    """Poll ``condition`` until it returns something truthy; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            more = f": {details()}" if details is not None else ""
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}{more}")
        time.sleep(0.05)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, amqp_url=None, **PLANNING)


@pytest.fixture
def app(settings: Settings) -> Iterator[Application]:
    application = bootstrap(settings)
    with db.session_scope(application.engine) as session:
        import_scenario(session, territory())
    yield application
    application.close()


@pytest.fixture
def worker_settings(amqp_namespace: str) -> WorkerSettings:
    return WorkerSettings(
        namespace=amqp_namespace,
        retry_delays=(0.2, 0.4),
        max_attempts=3,
        busy_delay=0.5,
        heartbeat=10,
        reconnect_initial=0.2,
        reconnect_max=2.0,
        shutdown_grace=5.0,
        relay_poll=0.02,
    )


def _channel(amqp_url: str) -> tuple[pika.BlockingConnection, Any]:
    params = pika.URLParameters(amqp_url)
    params.connection_attempts = 1
    connection = pika.BlockingConnection(params)
    return connection, connection.channel()


@pytest.fixture
def topology(amqp_url: str, worker_settings: WorkerSettings) -> Iterator[topo.Topology]:
    """This test's topology, declared up front and deleted afterwards."""
    layout = topology_of(worker_settings)
    connection, channel = _channel(amqp_url)
    topo.declare(channel, layout)
    connection.close()
    yield layout
    try:
        connection, channel = _channel(amqp_url)
        topo.delete(channel, layout)
        connection.close()
    except Exception:  # the broker may be down after a failed outage test; names are unique
        pass


class Tap:
    """A durable queue on the events exchange that the test reads, like any other consumer."""

    def __init__(self, amqp_url: str, layout: topo.Topology, keys: tuple[str, ...]) -> None:
        self.amqp_url = amqp_url
        self.name = f"{layout.namespace}.tap.{uuid.uuid4().hex[:6]}"
        self.events: list[Event] = []
        self.raw: list[bytes] = []
        connection, channel = _channel(amqp_url)
        channel.queue_declare(self.name, durable=True)
        for key in keys:
            channel.queue_bind(self.name, layout.events_exchange, routing_key=key)
        connection.close()
        self._connection: pika.BlockingConnection | None = None

    def _get_channel(self) -> Any:
        if self._connection is None or not self._connection.is_open:
            self._connection, self._chan = _channel(self.amqp_url)
        return self._chan

    def poll(self) -> list[Event]:
        """Take what is in the queue now; survives broker restarts by reconnecting."""
        try:
            channel = self._get_channel()
            while True:
                method, _properties, body = channel.basic_get(self.name, auto_ack=True)
                if method is None:
                    break
                self.raw.append(body)
                try:
                    self.events.append(parse_event(body))
                except ValueError:  # a poison message some test sent on purpose
                    continue
        except (pika.exceptions.AMQPError, OSError):
            self._connection = None
        return self.events

    def wait_for(
        self,
        predicate: Callable[[list[Event]], Any],
        timeout: float,
        what: str,
        details: Callable[[], str] | None = None,
    ) -> Any:
        return wait_until(lambda: predicate(self.poll()), timeout, what, details)

    def of_type(self, kind: str) -> list[Event]:
        return [e for e in self.events if e.type == kind]

    def close(self) -> None:
        try:
            connection, channel = _channel(self.amqp_url)
            channel.queue_delete(self.name)
            connection.close()
            if self._connection is not None and self._connection.is_open:
                self._connection.close()
        except Exception:
            pass


@pytest.fixture
def tap_factory(amqp_url: str, topology: topo.Topology) -> Iterator[Callable[..., Tap]]:
    taps: list[Tap] = []

    def make(*keys: str) -> Tap:
        tap = Tap(amqp_url, topology, keys or ("#",))
        taps.append(tap)
        return tap

    yield make
    for tap in taps:
        tap.close()


@pytest.fixture
def tap(tap_factory: Callable[..., Tap]) -> Tap:
    """Every event the relay publishes."""
    return tap_factory("#")


class Pipeline:
    """Relays and consumers of this test, each in its own thread, all stopped at the end."""

    def __init__(self, app: Application, amqp_url: str, settings: WorkerSettings) -> None:
        self.app = app
        self.amqp_url = amqp_url
        self.settings = settings
        self.consumers: list[PlannerConsumer] = []
        self.relays: list[AmqpRelay] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def relay(self) -> AmqpRelay:
        relay = make_relay(self.app, self.amqp_url, self.settings, f"t{len(self.relays)}")
        thread = threading.Thread(target=relay.run, args=(self._stop,), daemon=True)
        thread.start()
        self.relays.append(relay)
        self._threads.append(thread)
        return relay

    def consumer(
        self,
        *,
        handler: Handler | None = None,
        concurrency: int | None = None,
        wait: bool = True,
    ) -> PlannerConsumer:
        settings = self.settings
        if concurrency is not None:
            settings = settings.model_copy(update={"concurrency": concurrency})
        consumer = make_consumer(
            self.app, self.amqp_url, settings, f"test-worker-{len(self.consumers)}"
        )
        if handler is not None:
            consumer.handler = handler
        thread = threading.Thread(target=consumer.run, daemon=True)
        thread.start()
        self.consumers.append(consumer)
        self._threads.append(thread)
        if wait:
            wait_until(consumer.connected.is_set, 20, "the consumer to connect")
        return consumer

    def stop(self) -> None:
        self._stop.set()
        for consumer in self.consumers:
            consumer.stop()
        for thread in self._threads:
            thread.join(timeout=15)


@pytest.fixture
def pipeline(
    app: Application, amqp_url: str, worker_settings: WorkerSettings, topology: topo.Topology
) -> Iterator[Pipeline]:
    running = Pipeline(app, amqp_url, worker_settings)
    yield running
    running.stop()


def dead_letters(amqp_url: str, layout: topo.Topology) -> list[tuple[dict[str, Any], bytes]]:
    """Take every message of the planner's dead-letter queue: (headers, body)."""
    connection, channel = _channel(amqp_url)
    found = []
    try:
        while True:
            method, properties, body = channel.basic_get(
                layout.dead_queue(topo.PLANNER), auto_ack=True
            )
            if method is None:
                return found
            found.append((dict(properties.headers or {}), body))
    finally:
        connection.close()


def publish_raw(amqp_url: str, layout: topo.Topology, routing_key: str, body: bytes) -> None:
    connection, channel = _channel(amqp_url)
    channel.confirm_delivery()
    channel.basic_publish(
        layout.events_exchange,
        routing_key,
        body,
        pika.BasicProperties(delivery_mode=2, content_type="application/json"),
    )
    connection.close()


@contextmanager
def worker_process(
    database_url: str,
    amqp_url: str,
    settings: WorkerSettings,
    *,
    name: str,
    log_path: Path,
    planning: dict[str, Any] | None = None,
    relay: bool = False,
) -> Iterator[subprocess.Popen[bytes]]:
    """``partage worker`` in a child process, with this test's namespace and settings."""
    env = dict(os.environ)
    env.update(
        {
            "PARTAGE_DATABASE_URL": database_url,
            "PARTAGE_AMQP_URL": amqp_url,
            "PARTAGE_WORKER_NAMESPACE": settings.namespace,
            "PARTAGE_WORKER_RETRY_DELAYS": str(list(settings.retry_delays)),
            "PARTAGE_WORKER_MAX_ATTEMPTS": str(settings.max_attempts),
            "PARTAGE_WORKER_BUSY_DELAY": str(settings.busy_delay),
            "PARTAGE_WORKER_HEARTBEAT": str(settings.heartbeat),
            "PARTAGE_WORKER_RECONNECT_MAX": str(settings.reconnect_max),
            "PARTAGE_WORKER_SHUTDOWN_GRACE": str(settings.shutdown_grace),
        }
    )
    for key, value in (planning or PLANNING).items():
        env[f"PARTAGE_{key.upper()}"] = str(value)
    command = [
        sys.executable,
        "-m",
        "partage",
        "worker",
        "--concurrency",
        "1",
        "--worker-id",
        name,
        "--relay" if relay else "--no-relay",
        "--log-format",
        "text",
    ]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=log)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
