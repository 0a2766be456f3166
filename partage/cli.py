"""``partage``: the command-line tool for the demo, scenario files and the services."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from scheduler.scenario.validation import FieldError, InvalidInput

app = typer.Typer(
    name="partage",
    help="Rostering for employer groups (GE, GEIQ): scenarios, solver, services.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")

EXIT_BAD_INPUT = 2


class UsageProblem(Exception):
    """A problem the user can fix; reported in one line with exit code 2."""


def fail(errors: list[FieldError] | str) -> None:
    if isinstance(errors, str):
        typer.echo(f"error: {errors}", err=True)
    else:
        for error in errors:
            typer.echo(f"error: {error}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def _read(path: Path) -> str:
    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageProblem(f"{path}: no such file") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as error:
        raise UsageProblem(f"{path}: cannot be read ({error})") from None


def _write(text: str, out: Path | None) -> None:
    if out is None or str(out) == "-":
        sys.stdout.write(text)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        # Write beside and rename, so an interrupted run never leaves half a file.
        partial = out.with_name(out.name + ".partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(out)
    except OSError as error:
        raise UsageProblem(f"{out}: cannot be written ({error})") from None


def _database_url(url: str | None) -> str:
    from scheduler.settings import get_settings

    return url or get_settings().database_url


DatabaseOption = Annotated[
    str | None, typer.Option("--database-url", help="Default: PARTAGE_DATABASE_URL.")
]


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseOption = None, revision: str = "head") -> None:
    """Bring the database to the latest schema (an empty database included)."""
    from scheduler import db

    url = _database_url(database_url)
    db.upgrade(url, revision)
    typer.echo(f"database at revision {db.current_revision(url)}")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="Scenario JSON file, or - for stdin.")],
    replace: Annotated[bool, typer.Option(help="Replace a territory of the same name.")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Check a scenario file and load it into the database, all or nothing."""
    from scheduler import db
    from scheduler.scenario.importer import import_scenario
    from scheduler.scenario.validation import parse_scenario

    scenario = parse_scenario(_read(file))
    url = _database_url(database_url)
    db.upgrade(url)
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine) as session:
            import_scenario(session, scenario, replace=replace)
    finally:
        engine.dispose()
    counts = {
        "groups": len(scenario.groups),
        "members": sum(len(g.members) for g in scenario.groups),
        "employees": sum(len(g.employees) for g in scenario.groups),
        "needs": sum(len(g.needs) for g in scenario.groups),
    }
    typer.echo(f"imported {scenario.name!r}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


@app.command("export")
def export(
    territory: Annotated[str | None, typer.Option(help="Needed when several are stored.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Default: stdout.")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Write a stored territory back as a scenario file."""
    from scheduler import db
    from scheduler.scenario.exporter import UnknownTerritory, export_scenario

    engine = db.make_engine(_database_url(database_url))
    try:
        with db.session_scope(engine) as session:
            scenario = export_scenario(session, territory)
    except UnknownTerritory as error:
        raise UsageProblem(str(error)) from None
    finally:
        engine.dispose()
    _write(scenario.model_dump_json(indent=2, exclude_none=True) + "\n", out)


@app.command("generate")
def generate(
    size: Annotated[str, typer.Option(help="S, M, L or XL (DESIGN §5).")] = "S",
    seed: Annotated[int, typer.Option(help="Same seed, same file.")] = 1,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Default: stdout.")] = None,
    first_week: Annotated[str, typer.Option(help="ISO week, e.g. 2026-W50.")] = "2026-W50",
    weeks: Annotated[int, typer.Option(min=1, max=12)] = 2,
) -> None:
    """Write a realistic territory: a GE, a non-profit GE and GEIQs with their needs."""
    if size.upper() not in {"S", "M", "L", "XL"}:
        fail([FieldError(("size",), "must be one of S, M, L, XL")])
    from scheduler.generator import generate_scenario_json

    _write(generate_scenario_json(size.upper(), seed, first_week=first_week, weeks=weeks), out)


@app.command("schema")
def schema(
    document: Annotated[str, typer.Argument(help="scenario, roster or events")],
    out: Annotated[Path | None, typer.Option("--out", "-o")] = None,
) -> None:
    """Print the JSON Schema of a file format (events: one schema per event type)."""
    from scheduler.scenario.jsonschema import DOCUMENTS, json_schema

    try:
        text = json_schema(document)
    except KeyError:
        fail([FieldError(("document",), f"must be one of {', '.join(DOCUMENTS)}")])
    _write(text, out)


@app.command("solve")
def solve_command(
    scenario_file: Annotated[Path, typer.Argument(metavar="SCENARIO.json")],
    week: Annotated[str, typer.Option(help="ISO week to plan, e.g. 2026-W50.")],
    group: Annotated[str | None, typer.Option(help="One group; default: every group.")] = None,
    time_limit: Annotated[float, typer.Option(min=0.1, max=3600)] = 10.0,
    workers: Annotated[int, typer.Option(min=1, max=64)] = 2,
    seed: Annotated[int, typer.Option()] = 0,
    now: Annotated[
        str | None, typer.Option(help="Instant the notice window starts from; default: now.")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Default: stdout.")] = None,
) -> None:
    """Plan a week of a scenario file and write the roster file."""
    from scheduler.planning.files import plan_scenario
    from scheduler.scenario.common import Week
    from scheduler.scenario.validation import parse_scenario
    from solver.problem import SolveParameters

    week = _parse(Week, week, "week")
    instant = _instant(now)
    scenario = parse_scenario(_read(scenario_file))
    if week not in scenario.weeks:
        raise InvalidInput(
            [FieldError(("week",), f"{week} is not a week of the scenario ({scenario.weeks})")]
        )
    parameters = SolveParameters(
        time_limit_seconds=time_limit, num_workers=workers, random_seed=seed
    )

    def announce(g) -> None:  # type: ignore[no-untyped-def]
        typer.echo(
            f"solving {g.id} ({len(g.employees)} employees, {len(g.needs)} needs)...", err=True
        )

    result = plan_scenario(
        scenario, week, group_id=group, parameters=parameters, now=instant, on_group=announce
    )
    for roster in result.rosters:
        covered = sum(roster.hours_by_member.values())
        uncovered = sum(u.hours for u in roster.uncovered)
        typer.echo(
            f"{roster.group_id}: {roster.status}, {len(roster.assignments)} assignments, "
            f"{covered:.1f} h covered, {uncovered:.1f} h uncovered, gap {roster.gap}, "
            f"{roster.solve_seconds:.1f} s",
            err=True,
        )
    _write(result.model_dump_json(indent=2, exclude_none=True) + "\n", out)


@app.command("check")
def check_command(
    scenario_file: Annotated[Path, typer.Argument(metavar="SCENARIO.json")],
    roster_file: Annotated[Path, typer.Argument(metavar="ROSTER.json")],
) -> None:
    """List every hard-rule violation of a roster file; exit 0 when there is none, 1 otherwise."""
    from pydantic import ValidationError

    from scheduler.planning.files import check_roster_file
    from scheduler.planning.roster_file import RosterFile
    from scheduler.scenario.validation import field_errors, parse_scenario

    scenario = parse_scenario(_read(scenario_file))
    try:
        roster = RosterFile.model_validate_json(_read(roster_file))
    except ValidationError as error:
        raise InvalidInput(field_errors(error)) from None
    violations = check_roster_file(scenario, roster)
    for group_id, violation in violations:
        typer.echo(f"{group_id}: [{violation.rule}] {violation.message}")
    count = sum(len(r.assignments) for r in roster.rosters)
    typer.echo(f"{len(violations)} violation(s) in {count} assignment(s)", err=True)
    raise typer.Exit(1 if violations else 0)


def _parse(kind: object, value: str, field: str):  # type: ignore[no-untyped-def]
    from pydantic import TypeAdapter, ValidationError

    try:
        return TypeAdapter(kind).validate_python(value)
    except ValidationError as error:
        raise InvalidInput(
            [FieldError((field,), e["msg"].removeprefix("Value error, ")) for e in error.errors()]
        ) from None


def _instant(text: str | None):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from pydantic import AwareDatetime

    if text is None:
        return datetime.now(UTC)
    return _parse(AwareDatetime, text, "now")


def _register_services() -> None:
    from partage import api_commands, scheduler_commands, worker_commands

    worker_commands.register(app)
    api_commands.register(app)
    scheduler_commands.register(app)


_register_services()


def main() -> None:
    """Run the CLI; user errors print ``field: reason`` lines and exit 2, never a traceback."""
    try:
        app()
    except InvalidInput as error:
        for item in error.errors:
            typer.echo(f"error: {item}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except UsageProblem as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(EXIT_BAD_INPUT)


@app.command("demo")
def demo(
    size: Annotated[str, typer.Option(help="S or M: the territory to generate.")] = "S",
    seed: Annotated[int, typer.Option()] = 1,
    weeks: Annotated[int, typer.Option(min=1, max=8, help="Weeks to plan from next week.")] = 3,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the API after.")] = True,
    time_limit: Annotated[float, typer.Option(min=0.5, max=600, help="Seconds per solve.")] = 5.0,
    database_url: DatabaseOption = None,
) -> None:
    """Plan a demo territory end to end (generate, load, plan, publish) and serve it."""
    from partage.demo import demo_database_url, run_demo
    from scheduler.settings import Settings

    if size.upper() not in {"S", "M"}:
        fail([FieldError(("size",), "the demo runs at size S or M")])
    settings = Settings(database_url=database_url or _demo_url(demo_database_url))
    run_demo(
        size=size.upper(),
        seed=seed,
        weeks=weeks,
        host=host,
        port=port,
        serve=serve,
        time_limit=time_limit,
        settings=settings,
    )


def _demo_url(default):  # type: ignore[no-untyped-def]
    import os

    # An explicit PARTAGE_DATABASE_URL wins; otherwise the demo keeps its own file.
    return os.environ.get("PARTAGE_DATABASE_URL") or default()
