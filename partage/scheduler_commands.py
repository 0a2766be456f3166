"""`partage scheduler`: the clock jobs' process (registered by partage.cli)."""

from __future__ import annotations

import json
import logging
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

log = logging.getLogger("partage.scheduler")

HEALTH_EVERY_SECONDS = 2.0


def register(app: typer.Typer) -> None:
    """Add this module's commands to the CLI."""
    app.command("scheduler")(scheduler)


def scheduler(
    check: Annotated[
        bool,
        typer.Option("--check", help="Print readiness as JSON and exit: 0 ready, 1 not."),
    ] = False,
    health_file: Annotated[
        Path | None,
        typer.Option(help="Write the health report there every 2 s; --check then reads it."),
    ] = None,
    max_age: Annotated[
        float, typer.Option(min=1, help="With --check: the oldest health file still healthy, s.")
    ] = 30.0,
    threads: Annotated[int, typer.Option(min=1, max=32, help="Jobs running at once.")] = 4,
    log_format: Annotated[str, typer.Option("--log-format", help="json or text.")] = "json",
    log_level: Annotated[str, typer.Option("--log-level")] = "INFO",
    metrics_port: Annotated[
        int | None,
        typer.Option(
            min=1, max=65535, help="Serve Prometheus metrics (queue lag, uncovered hours) here."
        ),
    ] = None,
) -> None:
    """Run the clock jobs: weekly publication, nightly re-planning, reminders, recovery.

    Any number of scheduler processes may share a database: each due job runs once. SIGTERM or
    SIGINT stops taking jobs, lets the running ones finish and exits 0.
    """
    if check:
        raise typer.Exit(_check(health_file, max_age))
    from workers import logs

    logs.configure(log_level, log_format)
    raise typer.Exit(_run(health_file, threads, metrics_port))


def _check(health_file: Path | None, max_age: float) -> int:
    from scheduler import db
    from scheduler.jobs.service import readiness
    from scheduler.settings import get_settings

    engine = db.make_engine(get_settings().database_url)
    try:
        report = readiness(engine, datetime.now(UTC))
    finally:
        engine.dispose()
    if health_file is not None:
        process = _read_health(health_file, max_age)
        report["process"] = process
        report["ok"] = report["ok"] and process.get("ok") is True
    sys.stdout.write(json.dumps(report, indent=2, default=str) + "\n")
    return 0 if report["ok"] else 1


def _read_health(path: Path, max_age: float) -> dict[str, Any]:
    try:
        health: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return {"ok": False, "error": f"cannot read {path}: {error}"}
    written = datetime.fromisoformat(health.get("written_at", "1970-01-01T00:00:00+00:00"))
    age = (datetime.now(UTC) - written).total_seconds()
    if age > max_age:
        health["ok"] = False
        health["error"] = f"health file is {age:.0f} s old (process stuck or gone)"
    return health


def _write_health(path: Path | None, health: dict[str, Any]) -> None:
    if path is None:
        return
    health = {**health, "written_at": datetime.now(UTC).isoformat()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(health, default=str), encoding="utf-8")
        partial.replace(path)  # a probe never reads half a file
    except OSError:
        log.warning("cannot write the health file %s", path, exc_info=True)


def _run(health_file: Path | None, threads: int, metrics_port: int | None = None) -> int:
    from scheduler import process_signals
    from scheduler.bootstrap import bootstrap
    from scheduler.jobs.service import ClockService
    from scheduler.settings import get_settings

    stop = threading.Event()
    process_signals.listen(stop.set, what="stopping")  # before the metrics port opens
    try:
        app = bootstrap(get_settings())
    except Exception:
        log.exception("cannot start: the database is unreachable or cannot be migrated")
        return 1
    server = None
    if metrics_port is not None:
        from scheduler import metrics

        try:
            server = metrics.serve(metrics_port, metrics.registry(app.engine, app.clock))
        except OSError:
            log.exception("cannot serve metrics on port %s", metrics_port)
            app.close()
            return 1
    service = ClockService(app, max_workers=threads)
    try:
        report = service.start()
        log.info(
            "scheduler started",
            extra={"owner": service.owner, "jobs": sorted(service.health()["jobs"])},
        )
        if report.problems:
            log.warning("some groups have no publication job", extra={"problems": report.problems})
        while not stop.is_set():
            _write_health(health_file, service.health())
            stop.wait(HEALTH_EVERY_SECONDS)
    except Exception:
        log.exception("scheduler failed")
        return 1
    finally:
        service.stop(wait=True)
        _write_health(health_file, {**service.health(), "ok": False, "state": "stopped"})
        if server is not None:
            server.shutdown()
        app.close()
    log.info("scheduler stopped")
    return 0
