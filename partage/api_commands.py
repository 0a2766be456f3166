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
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs) with uvicorn."""
    import uvicorn

    from scheduler import db
    from scheduler.settings import get_settings

    # Migrate once here, not in every worker process at the same time.
    db.upgrade(get_settings().database_url)
    uvicorn.run(
        "api.main:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
    )


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
