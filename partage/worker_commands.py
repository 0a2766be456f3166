"""`partage` commands of the worker side (registered by partage.cli)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

LogFormat = Annotated[str, typer.Option("--log-format", help="json or text.")]
LogLevel = Annotated[str, typer.Option("--log-level")]
MetricsPort = Annotated[
    int | None,
    typer.Option(min=1, max=65535, help="Serve Prometheus metrics on this port (/metrics)."),
]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the CLI."""
    app.command("worker")(worker)
    app.command("relay")(relay)
    app.command("health")(health)
    app.command("events")(events)


def _application():  # type: ignore[no-untyped-def]
    from scheduler.bootstrap import bootstrap
    from scheduler.settings import get_settings

    return bootstrap(get_settings())


def worker(
    concurrency: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Messages at once (PARTAGE_WORKER_CONCURRENCY)."),
    ] = None,
    relay: Annotated[
        bool, typer.Option("--relay/--no-relay", help="Also run the outbox relay (one is active).")
    ] = True,
    worker_id: Annotated[str | None, typer.Option(help="Default: name@host:pid:random.")] = None,
    health_file: Annotated[
        Path | None, typer.Option(help="Write the worker's state there every 2 s (probes).")
    ] = None,
    log_format: LogFormat = "json",
    log_level: LogLevel = "INFO",
    metrics_port: MetricsPort = None,
) -> None:
    """Plan weeks from the event queue (RabbitMQ; in-process when PARTAGE_AMQP_URL is unset)."""
    from scheduler import process_signals
    from scheduler.settings import get_settings
    from workers import logs
    from workers.config import WorkerSettings
    from workers.main import run_embedded, run_worker

    process_signals.install()  # before the metrics port opens
    logs.configure(log_level, log_format)
    settings = WorkerSettings()
    if concurrency is not None:
        settings = settings.model_copy(update={"concurrency": concurrency})
    app = _application()
    url = get_settings().amqp_url
    server = None
    if metrics_port is not None:
        from scheduler import metrics

        # This worker's solves; the database gauges are the scheduler's and the API's.
        server = metrics.serve(metrics_port, metrics.registry())
    try:
        if url is None:
            code = run_embedded(app, concurrency=settings.concurrency, settings=settings)
        else:
            code = run_worker(
                app, url, settings, relay=relay, worker_id=worker_id, health_file=health_file
            )
    finally:
        if server is not None:
            server.shutdown()
        app.close()
    raise typer.Exit(code)


def relay(
    log_format: LogFormat = "json",
    log_level: LogLevel = "INFO",
) -> None:
    """Publish the outbox to RabbitMQ (one relay is active per database, others stand by)."""
    from scheduler import process_signals
    from scheduler.settings import get_settings
    from workers import logs
    from workers.config import WorkerSettings
    from workers.main import run_relay_process

    process_signals.install()
    url = get_settings().amqp_url
    if url is None:
        typer.echo("error: PARTAGE_AMQP_URL is not set (the embedded mode has no relay)", err=True)
        raise typer.Exit(2)
    logs.configure(log_level, log_format)
    app = _application()
    try:
        code = run_relay_process(app, url, WorkerSettings())
    finally:
        app.close()
    raise typer.Exit(code)


def health() -> None:
    """Check the database, the outbox backlog, the broker and the queues; exit 1 if not ready."""
    from scheduler import db
    from scheduler.clock import SystemClock
    from scheduler.settings import get_settings
    from workers.config import WorkerSettings
    from workers.health import check
    from workers.main import topology_of

    settings = get_settings()
    engine = db.make_engine(settings.database_url)
    try:
        report = check(engine, SystemClock(), settings.amqp_url, topology_of(WorkerSettings()))
    finally:
        engine.dispose()
    sys.stdout.write(json.dumps(report, indent=2) + "\n")
    raise typer.Exit(0 if report["ok"] else 1)


def events(
    event_type: Annotated[
        str | None, typer.Argument(metavar="[TYPE]", help="One event type, e.g. roster.updated.")
    ] = None,
) -> None:
    """Print the JSON Schema of any event (one schema, by "type"), or of one type.

    ``partage schema events`` prints every type's schema, keyed by type: the same schemas.
    """
    from scheduler.messages.events import EVENT_TYPES
    from scheduler.scenario.jsonschema import event_schema

    if event_type is not None and event_type not in EVENT_TYPES:
        typer.echo(
            f"error: event_type: unknown event type {event_type!r} "
            f"(one of {', '.join(sorted(EVENT_TYPES))})",
            err=True,
        )
        raise typer.Exit(2)
    schema = event_schema(event_type)
    sys.stdout.write(json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
