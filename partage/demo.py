"""``partage demo``: a territory planned end to end and served on localhost.

Generates a territory (a GE, a non-profit GE and two GEIQs), loads it, plans the coming weeks
through the same events as production (the in-process bus, or RabbitMQ workers when
``PARTAGE_AMQP_URL`` is set), publishes the next week, creates one key per role, and serves the
API and the web pages until interrupted.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import typer
from platformdirs import user_data_dir
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func
from sqlmodel import Session, col, select

from scheduler import db
from scheduler import models as m
from scheduler.bootstrap import Application, bootstrap
from scheduler.generator import generate
from scheduler.messages import commands as c
from scheduler.scenario import schema as s
from scheduler.scenario.common import week_of
from scheduler.scenario.exporter import delete_territory, territory_names
from scheduler.scenario.importer import import_scenario
from scheduler.service import access
from scheduler.service.access import Role
from scheduler.service.calendar import create_feed
from scheduler.service.planning_state import DONE, FAILED
from scheduler.settings import Settings


@dataclass
class DemoKeys:
    manager: tuple[str, str]  # (subject, key)
    member: tuple[str, str]
    employee: tuple[str, str]
    feed_token: str


def demo_database_url() -> str:
    """The demo's own SQLite file, so it never mixes with a real territory."""
    folder = Path(user_data_dir("partage", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'demo.db'}"


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description:<34}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        transient=False,
    )


def load_territory(app: Application, scenario: s.Scenario) -> None:
    """The demo starts from a clean slate: every earlier territory of this database goes."""
    with db.session_scope(app.engine) as session:
        for name in territory_names(session):
            delete_territory(session, name)
        import_scenario(session, scenario)


@contextmanager
def planners(app: Application, workers: int) -> Iterator[None]:
    """Whatever plans weeks: RabbitMQ workers when a broker is configured, else in-process."""
    if app.settings.amqp_url:
        env = {**os.environ, "PARTAGE_DATABASE_URL": app.settings.database_url}
        started = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "partage",
                    "worker",
                    "--concurrency",
                    "1",
                    "--log-level",
                    "WARNING",
                ],
                env=env,
            )
            for _ in range(workers)
        ]
        try:
            yield
        finally:
            for process in started:
                process.terminate()
            for process in started:
                process.wait(timeout=60)
        return
    from scheduler.service.local_bus import LocalBus
    from scheduler.service.webhook_dispatch import WebhookDispatcher

    with LocalBus(app.bus, app.engine, app.clock, workers=workers, webhooks=WebhookDispatcher(app)):
        yield


def plan_weeks(app: Application, scenario: s.Scenario, timeout: float) -> dict[str, int]:
    """Request every group-week and wait for the planners; counts by final status."""
    weeks = [(g.id, w) for g in scenario.groups for w in scenario.weeks]
    for group_id, week in weeks:
        app.bus.handle(c.RequestPlan(group_id=group_id, week=week, reason="demo"))
    deadline = time.monotonic() + timeout
    with _progress() as progress:
        task = progress.add_task("Planning weeks (CP-SAT)", total=len(weeks))
        while True:
            with Session(app.engine) as session:
                states = session.exec(select(m.PlanningState)).all()
            finished = {
                (x.group_id, x.week): x.status for x in states if x.status in (DONE, FAILED)
            }
            progress.update(task, completed=len(finished))
            if len(finished) == len(weeks) or time.monotonic() > deadline:
                break
            time.sleep(0.3)
    counts: dict[str, int] = {}
    for status in finished.values():
        counts[status] = counts.get(status, 0) + 1
    counts["unfinished"] = len(weeks) - len(finished)
    return counts


def publish_first_week(app: Application, scenario: s.Scenario) -> list[str]:
    published = []
    for group in scenario.groups:
        try:
            app.bus.handle(c.PublishWeek(group_id=group.id, week=scenario.weeks[0]))
            published.append(group.id)
        except LookupError:
            pass  # that group's week was not planned (reported above)
    return published


def demo_keys(app: Application, scenario: s.Scenario) -> DemoKeys:
    """One key per role, for people who have something to see in the published week."""
    group = scenario.groups[0]
    with db.session_scope(app.engine) as session:
        version = session.exec(
            select(m.RosterVersion)
            .where(m.RosterVersion.group_id == group.id, m.RosterVersion.status == "published")
            .order_by(col(m.RosterVersion.number).desc())
        ).first()

        def busiest(column: object) -> str | None:
            if version is None:
                return None
            row = session.exec(
                select(column, func.count())  # type: ignore[call-overload]
                .where(m.Assignment.roster_version_id == version.id)
                .group_by(column)
                .order_by(func.count().desc(), column)
            ).first()
            return row[0] if row else None

        member_id = busiest(m.Assignment.member_id) or group.members[0].id
        employee_id = busiest(m.Assignment.employee_id) or group.employees[0].id
        keys = {}
        for role, subject in (
            (Role.manager, group.id),
            (Role.member, member_id),
            (Role.employee, employee_id),
        ):
            _, key = access.create_key(
                session, role=role, subject_id=subject, clock=app.clock, label="demo"
            )
            keys[role] = (subject, key)
        _, token = create_feed(session, employee_id=employee_id, clock=app.clock)
    return DemoKeys(keys[Role.manager], keys[Role.member], keys[Role.employee], token)


def run_demo(
    *,
    size: str,
    seed: int,
    weeks: int,
    host: str,
    port: int,
    serve: bool,
    time_limit: float,
    settings: Settings,
) -> None:
    first_week = week_of(date.today() + timedelta(weeks=1))
    settings = settings.model_copy(update={"solve_time_limit": time_limit})
    typer.echo(f"database: {settings.database_url}")
    typer.echo(
        f"events:   {'RabbitMQ ' + settings.amqp_url if settings.amqp_url else 'in-process'}"
    )
    app = bootstrap(settings)
    try:
        with _progress() as progress:
            task = progress.add_task("Generating the territory", total=2)
            scenario = generate(size, seed, first_week=first_week, weeks=weeks)
            progress.update(task, advance=1, description="Loading it into the database")
            load_territory(app, scenario)
            progress.update(task, advance=1)
        for group in scenario.groups:
            typer.echo(
                f"  {group.id:<6} {group.kind.value.upper():<5} {group.name}: "
                f"{len(group.members)} members, {len(group.employees)} employees, "
                f"{len(group.needs)} needs, {len(group.placements)} placements"
            )
        with planners(app, workers=2):
            counts = plan_weeks(
                app, scenario, timeout=len(scenario.groups) * weeks * (time_limit + 30)
            )
            typer.echo("planned: " + ", ".join(f"{v} {k}" for k, v in counts.items() if v))
            published = publish_first_week(app, scenario)
            typer.echo(f"published {scenario.weeks[0]} for {', '.join(published) or 'no group'}")
            keys = demo_keys(app, scenario)
            base = f"http://{host}:{port}"
            typer.echo(
                "\n".join(
                    [
                        "",
                        f"API docs       {base}/docs",
                        f"web pages      {base}/app/",
                        f"calendar feed  {base}/calendar/{keys.feed_token}.ics",
                        "",
                        f"manager  of {keys.manager[0]:<14} {keys.manager[1]}",
                        f"member   {keys.member[0]:<17} {keys.member[1]}",
                        f"employee {keys.employee[0]:<17} {keys.employee[1]}",
                        "",
                        f"try: curl -H 'Authorization: Bearer {keys.employee[1]}' "
                        f"'{base}/v1/employees/{keys.employee[0]}/roster?week={scenario.weeks[0]}'",
                    ]
                )
            )
            if serve:
                import uvicorn

                from api.app import create_app

                typer.echo(f"\nserving on {base} (Ctrl-C stops)")
                uvicorn.run(create_app(app), host=host, port=port, log_level="warning")
    finally:
        app.close()
