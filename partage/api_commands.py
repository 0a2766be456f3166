"""`partage` commands of the api side (registered by partage.cli)."""

from __future__ import annotations

from typing import Annotated

import typer

keys_app = typer.Typer(help="API keys: create (shown once), list, revoke.", no_args_is_help=True)

DatabaseOption = Annotated[
    str | None, typer.Option("--database-url", help="Default: PARTAGE_DATABASE_URL.")
]


def _url(url: str | None) -> str:
    from scheduler.settings import get_settings

    return url or get_settings().database_url


def api(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Processes.")] = 1,
    log_level: Annotated[str, typer.Option()] = "info",
    log_format: Annotated[str, typer.Option("--log-format", help="json or text.")] = "json",
    planner: Annotated[
        bool,
        typer.Option(
            "--planner/--no-planner",
            help="Without a broker, also plan in this process (off: run `partage worker`).",
        ),
    ] = True,
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs) with uvicorn."""
    import uvicorn

    from scheduler import db
    from scheduler.bootstrap import bootstrap
    from scheduler.service.local_bus import LocalBus
    from scheduler.service.webhook_dispatch import WebhookDispatcher
    from scheduler.settings import get_settings

    settings = get_settings()
    # Migrate once here, not in every worker process at the same time.
    db.upgrade(settings.database_url)
    created = _prepare_metrics_folder(workers)
    application, embedded = None, None
    if planner and not settings.amqp_url:
        # No broker: what the API accepts is planned by an in-process bus in this (supervising)
        # process; uvicorn's workers only serve requests.
        application = bootstrap(settings, migrate=False)
        embedded = LocalBus(
            application.bus,
            application.engine,
            application.clock,
            workers=1,
            webhooks=WebhookDispatcher(application),
        )
        embedded.start()
    try:
        uvicorn.run(
            "api.main:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=log_level,
            log_config=log_config(log_level, log_format),
        )
    finally:
        if embedded is not None and application is not None:
            embedded.stop()
            application.close()
        if created is not None:
            import shutil

            shutil.rmtree(created, ignore_errors=True)


def log_config(level: str, fmt: str) -> dict[str, object]:
    """uvicorn's logging as one JSON object a line (or text), like the worker and scheduler."""
    formatter = (
        {"()": "workers.logs.JsonFormatter"}
        if fmt == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    handler = {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}
    upper = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"main": handler},
        "loggers": {
            "uvicorn": {"handlers": ["main"], "level": upper, "propagate": False},
            "uvicorn.access": {"handlers": ["main"], "level": upper, "propagate": False},
        },
        "root": {"handlers": ["main"], "level": upper},
    }


def _prepare_metrics_folder(workers: int) -> str | None:
    """Several processes answer /metrics in turn: make each expose the sum of all of them.

    That is Prometheus' multiprocess mode: every process writes its counters and histograms to
    files in ``PROMETHEUS_MULTIPROC_DIR``, which must be empty when the server starts. Without
    the variable and with several workers, a fresh temporary folder is used (and returned,
    for removal at the end).
    """
    import os
    import tempfile
    from pathlib import Path

    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder is None:
        if workers == 1:
            return None  # one process, one registry
        created = tempfile.mkdtemp(prefix="partage-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = created  # inherited by uvicorn's workers
        return created
    Path(folder).mkdir(parents=True, exist_ok=True)
    for stale in Path(folder).glob("*.db"):  # a previous run's counts
        stale.unlink()
    return None


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="manager, member or employee.")],
    subject: Annotated[str, typer.Option("--for", help="The group, member or employee id.")],
    label: Annotated[str | None, typer.Option(help="A note to recognise the key by.")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create an API key and print it once (only its digest is stored)."""
    from partage.cli import fail
    from scheduler import db
    from scheduler.clock import SystemClock
    from scheduler.scenario.validation import FieldError
    from scheduler.service import access
    from scheduler.service.errors import NotFound

    try:
        chosen = access.Role(role)
    except ValueError:
        fail([FieldError(("role",), "must be manager, member or employee")])
    url = _url(database_url)
    db.upgrade(url)
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine) as session:
            row, key = access.create_key(
                session, role=chosen, subject_id=subject, clock=SystemClock(), label=label
            )
    except NotFound as error:
        fail([FieldError(("for",), str(error))])
    finally:
        engine.dispose()
    typer.echo(f"key {row.id}: {row.role} for {row.subject_id} (group {row.group_id})", err=True)
    typer.echo("shown once, store it now:", err=True)
    typer.echo(key)


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (the part after pk_).")],
    database_url: DatabaseOption = None,
) -> None:
    """Revoke a key: requests with it answer 401 from now on."""
    from partage.cli import fail
    from scheduler import db
    from scheduler.clock import SystemClock
    from scheduler.scenario.validation import FieldError
    from scheduler.service import access
    from scheduler.service.errors import NotFound

    engine = db.make_engine(_url(database_url))
    try:
        with db.session_scope(engine) as session:
            access.revoke_key(session, key_id, SystemClock())
    except NotFound as error:
        fail([FieldError(("key_id",), str(error))])
    finally:
        engine.dispose()
    typer.echo(f"key {key_id} revoked")


@keys_app.command("list")
def keys_list(
    group: Annotated[str, typer.Option(help="The group whose keys to list.")],
    database_url: DatabaseOption = None,
) -> None:
    """List a group's keys (never the keys themselves)."""
    from scheduler import db
    from scheduler.service import access

    engine = db.make_engine(_url(database_url))
    try:
        with db.session_scope(engine) as session:
            rows = access.keys_of_group(session, group)
    finally:
        engine.dispose()
    for row in rows:
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
        typer.echo(f"{row.id}\t{row.role}\t{row.subject_id}\t{state}\t{row.label or ''}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the CLI."""
    app.command("api")(api)
    app.add_typer(keys_app, name="keys")
