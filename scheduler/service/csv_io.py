"""CSV import and export of a group's members, employees and needs, for spreadsheet users.

An import is checked line by line first; any error is reported as ``line.N.column: reason``
(line 1 is the header, as a spreadsheet numbers rows) and nothing is stored. A line whose id
is stored already updates that object; objects missing from the file are left as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from scheduler import models as m
from scheduler.clock import Clock
from scheduler.scenario import schema as s
from scheduler.scenario.common import clock_minutes
from scheduler.scenario.validation import field_errors
from scheduler.service.batch import one_transaction, submit_needs
from scheduler.service.errors import FieldError, InvalidInput, NotFound
from scheduler.service.handlers.context import PlanningConfig, planning_weeks
from scheduler.service.planning_state import mark_dirty
from scheduler.service.views import employee_wire, member_wire, need_wire

KINDS = ("members", "employees", "needs")
MAX_LINES = 10_000

MEMBER_COLUMNS = [
    "member_id", "member_name", "siret", "site_id", "site_name", "address", "latitude",
    "longitude",
]  # fmt: skip
EMPLOYEE_COLUMNS = [
    "id", "first_name", "last_name", "birth_date", "contract_kind", "weekly_hours",
    "contract_start", "contract_end", "members", "skills", "availability", "home_address",
    "home_latitude", "home_longitude", "travel_mode",
]  # fmt: skip
NEED_COLUMNS = [
    "id", "member_id", "site_id", "skill", "kind", "headcount", "priority", "recurrence",
    "last_week", "spans", "weekly_hours", "min_block_hours", "max_block_hours", "cancelled",
]  # fmt: skip
COLUMNS = {"members": MEMBER_COLUMNS, "employees": EMPLOYEE_COLUMNS, "needs": NEED_COLUMNS}


@dataclass
class ImportReport:
    kind: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    weeks: list[str] = field(default_factory=list)  # weeks whose planning was requested


# --------------------------------------------------------------------------- export


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _write(columns: list[str], rows: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()


def _group(session: Session, group_id: str) -> m.Group:
    group = session.get(m.Group, group_id)
    if group is None:
        raise NotFound("group", group_id)
    return group


def export_csv(session: Session, group_id: str, kind: str) -> str:
    """The group's members (one line per site), employees or needs as CSV text."""
    group = _group(session, group_id)
    if kind == "members":
        members = session.exec(
            select(m.Member).where(m.Member.group_id == group.id).order_by(col(m.Member.position))
        ).all()
        return _write(MEMBER_COLUMNS, _member_lines(session, members))
    if kind == "employees":
        employees = session.exec(
            select(m.Employee)
            .where(m.Employee.group_id == group.id)
            .order_by(col(m.Employee.position))
        ).all()
        return _write(
            EMPLOYEE_COLUMNS, (_employee_line(employee_wire(session, e)) for e in employees)
        )
    if kind == "needs":
        zone = ZoneInfo(group.time_zone)
        needs = session.exec(
            select(m.Need).where(m.Need.group_id == group.id).order_by(col(m.Need.position))
        ).all()
        return _write(NEED_COLUMNS, (_need_line(need_wire(session, n, zone)) for n in needs))
    raise NotFound("csv kind", kind)


def _member_lines(session: Session, members: Iterable[m.Member]) -> Iterable[dict[str, Any]]:
    for row in members:
        member = member_wire(session, row)
        for site in member.sites:
            yield {
                "member_id": member.id,
                "member_name": member.name,
                "siret": member.siret,
                "site_id": site.id,
                "site_name": site.name,
                "address": site.place.address,
                "latitude": site.place.latitude,
                "longitude": site.place.longitude,
            }


def _employee_line(e: s.Employee) -> dict[str, Any]:
    return {
        "id": e.id,
        "first_name": e.first_name,
        "last_name": e.last_name,
        "birth_date": e.birth_date.isoformat(),
        "contract_kind": e.contract.kind.value,
        "weekly_hours": _num(e.contract.weekly_hours),
        "contract_start": e.contract.start.isoformat(),
        "contract_end": e.contract.end.isoformat() if e.contract.end else "",
        "members": ";".join(
            a.member_id + ("" if a.weekly_hours is None else f"={_num(a.weekly_hours)}")
            for a in e.contract.members
        ),
        "skills": ";".join(e.skills),
        "availability": ";".join(f"{w.day.value} {w.start}-{w.end}" for w in e.availability),
        "home_address": e.home.address,
        "home_latitude": e.home.latitude,
        "home_longitude": e.home.longitude,
        "travel_mode": e.travel_mode.value,
    }


def _need_line(n: s.Need) -> dict[str, Any]:
    return {
        "id": n.id,
        "member_id": n.member_id,
        "site_id": n.site_id,
        "skill": n.skill,
        "kind": n.kind.value,
        "headcount": n.headcount,
        "priority": n.priority,
        "recurrence": n.recurrence,
        "last_week": n.last_week or "",
        "spans": ";".join(
            f"{x.start.isoformat()}/{x.end.isoformat()}" for x in (n.blocks or n.windows)
        ),
        "weekly_hours": _num(n.weekly_hours),
        "min_block_hours": _num(n.min_block_hours),
        "max_block_hours": _num(n.max_block_hours),
        "cancelled": "true" if n.cancelled else "false",
    }


# --------------------------------------------------------------------------- parsing


class _LineError(ValueError):
    def __init__(self, column: str, reason: str) -> None:
        self.column = column
        super().__init__(reason)


def _lines(text: str, kind: str) -> list[tuple[int, dict[str, str]]]:
    """The data lines with their spreadsheet row numbers; header problems are errors."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    expected = COLUMNS[kind]
    missing = [c for c in expected if c not in header]
    unknown = [c for c in header if c not in expected]
    errors = [FieldError(("line", 1, c), "missing column") for c in missing]
    errors += [FieldError(("line", 1, c), "unknown column") for c in unknown]
    if errors:
        raise InvalidInput(errors)
    lines = []
    for row in reader:
        number = reader.line_num
        if None in row:
            raise InvalidInput([FieldError(("line", number), "more cells than columns")])
        if not any((v or "").strip() for v in row.values()):
            continue  # blank lines are common at the end of exported sheets
        lines.append((number, {k: (v or "").strip() for k, v in row.items()}))
        if len(lines) > MAX_LINES:
            raise InvalidInput([FieldError(("line", number), f"more than {MAX_LINES} lines")])
    return lines


def _opt(value: str) -> str | None:
    return value or None


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _agreements(value: str) -> list[dict[str, Any]]:
    found = []
    for part in _list(value):
        member_id, _, hours = part.partition("=")
        found.append({"member_id": member_id.strip(), "weekly_hours": _opt(hours.strip())})
    return found


def _windows(value: str, column: str) -> list[dict[str, str]]:
    found = []
    for part in _list(value):
        try:
            day, span = part.split()
            start, end = span.split("-")
        except ValueError:
            raise _LineError(column, f"{part!r} is not like 'mon 08:00-12:00'") from None
        found.append({"day": day, "start": start, "end": end})
    return found


def _spans(value: str, column: str) -> list[dict[str, str]]:
    found = []
    for part in _list(value):
        start, slash, end = part.partition("/")
        if not slash:
            raise _LineError(column, f"{part!r} is not like START/END")
        found.append({"start": start, "end": end})
    return found


def _bool(value: str, column: str) -> bool:
    if value.lower() in ("", "false", "0", "no", "non"):
        return False
    if value.lower() in ("true", "1", "yes", "oui"):
        return True
    raise _LineError(column, f"{value!r} is not true or false")


# Which CSV column a path of the scenario model comes from, to name the right cell.
_EMPLOYEE_PATHS = {
    "contract.kind": "contract_kind",
    "contract.weekly_hours": "weekly_hours",
    "contract.start": "contract_start",
    "contract.end": "contract_end",
    "contract.members": "members",
    "contract": "contract_kind",
    "home.address": "home_address",
    "home.latitude": "home_latitude",
    "home.longitude": "home_longitude",
}
_NEED_PATHS = {"blocks": "spans", "windows": "spans"}
_MEMBER_PATHS = {
    "id": "member_id",
    "name": "member_name",
    "sites.0.id": "site_id",
    "sites.0.name": "site_name",
    "sites.0.place.address": "address",
    "sites.0.place.latitude": "latitude",
    "sites.0.place.longitude": "longitude",
}


def _column(path: tuple[str | int, ...], names: dict[str, str]) -> str:
    parts = [str(p) for p in path]
    for length in range(len(parts), 0, -1):
        key = ".".join(parts[:length])
        if key in names:
            return names[key]
    return parts[0] if parts else "(line)"


def _parse(
    lines: list[tuple[int, dict[str, str]]],
    build: Callable[[dict[str, str]], dict[str, Any]],
    model: type[Any],
    paths: dict[str, str],
) -> tuple[list[tuple[int, Any]], list[FieldError]]:
    parsed, errors = [], []
    for number, row in lines:
        try:
            parsed.append((number, model.model_validate(build(row))))
        except _LineError as error:
            errors.append(FieldError(("line", number, error.column), str(error)))
        except ValidationError as error:
            errors.extend(
                FieldError(("line", number, _column(e.path, paths)), e.reason)
                for e in field_errors(error)
            )
    return parsed, errors


def _member_dict(row: dict[str, str]) -> dict[str, Any]:
    return {
        "id": row["member_id"],
        "name": row["member_name"],
        "siret": _opt(row["siret"]),
        "sites": [
            {
                "id": row["site_id"],
                "name": row["site_name"],
                "place": {
                    "address": row["address"],
                    "latitude": row["latitude"],
                    "longitude": row["longitude"],
                },
            }
        ],
    }


def _employee_dict(row: dict[str, str]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "birth_date": row["birth_date"],
        "contract": {
            "kind": row["contract_kind"],
            "weekly_hours": row["weekly_hours"],
            "start": row["contract_start"],
            "end": _opt(row["contract_end"]),
            "members": _agreements(row["members"]),
        },
        "skills": _list(row["skills"]),
        "availability": _windows(row["availability"], "availability"),
        "home": {
            "address": row["home_address"],
            "latitude": row["home_latitude"],
            "longitude": row["home_longitude"],
        },
        "travel_mode": row["travel_mode"],
    }


def _need_dict(row: dict[str, str]) -> dict[str, Any]:
    spans = _spans(row["spans"], "spans")
    blocks = row["kind"] == "blocks"
    return {
        "id": row["id"],
        "member_id": row["member_id"],
        "site_id": row["site_id"],
        "skill": row["skill"],
        "kind": row["kind"],
        "headcount": row["headcount"] or 1,
        "priority": row["priority"] or 2,
        "recurrence": row["recurrence"] or "once",
        "last_week": _opt(row["last_week"]),
        "blocks": spans if blocks else [],
        "windows": [] if blocks else spans,
        "weekly_hours": _opt(row["weekly_hours"]),
        "min_block_hours": _opt(row["min_block_hours"]),
        "max_block_hours": _opt(row["max_block_hours"]),
        "cancelled": _bool(row["cancelled"], "cancelled"),
    }


# --------------------------------------------------------------------------- import


def import_csv(
    engine: Engine, clock: Clock, config: PlanningConfig, group_id: str, kind: str, text: str
) -> ImportReport:
    """Check every line, then store them all in one transaction (or nothing, with the errors)."""
    if kind not in KINDS:
        raise NotFound("csv kind", kind)
    lines = _lines(text, kind)
    if kind == "needs":
        return _import_needs(engine, clock, config, group_id, lines)
    with one_transaction(engine, clock) as uow:
        group = _group(uow.session, group_id)
        if kind == "members":
            parsed, errors = _parse(lines, _member_dict, s.Member, _MEMBER_PATHS)
            members = _merge_member_lines(parsed, errors)
            errors += _member_conflicts(uow.session, group, members)
            if errors:
                raise InvalidInput(errors)
            report = ImportReport(kind)
            for member in members.values():
                _sort_into(report, member.id, upsert_member(uow.session, group, member))
        else:
            parsed, errors = _parse(lines, _employee_dict, s.Employee, _EMPLOYEE_PATHS)
            errors += _employee_errors(uow.session, group, parsed)
            if errors:
                raise InvalidInput(errors)
            report = ImportReport(kind)
            for _, employee in parsed:
                _sort_into(report, employee.id, upsert_employee(uow.session, group, employee))
            if report.created or report.updated:
                # New or changed people change what the coming weeks can be.
                weeks = planning_weeks(uow, group, config)
                report.weeks = mark_dirty(uow, group.id, weeks, reason="employees imported")
        uow.commit_all()
    return report


def _sort_into(report: ImportReport, ident: str, outcome: str) -> None:
    getattr(report, outcome).append(ident)


def _merge_member_lines(
    parsed: list[tuple[int, s.Member]], errors: list[FieldError]
) -> dict[str, s.Member]:
    members: dict[str, s.Member] = {}
    seen_sites: dict[str, int] = {}
    for number, line in parsed:
        site = line.sites[0]
        if site.id in seen_sites:
            errors.append(
                FieldError(
                    ("line", number, "site_id"),
                    f"site {site.id!r} is also on line {seen_sites[site.id]}",
                )
            )
            continue
        seen_sites[site.id] = number
        first = members.get(line.id)
        if first is None:
            members[line.id] = line
        elif (first.name, first.siret) != (line.name, line.siret):
            errors.append(
                FieldError(
                    ("line", number, "member_name"),
                    f"member {line.id!r} has another name or siret on an earlier line",
                )
            )
        else:
            members[line.id] = first.model_copy(update={"sites": [*first.sites, site]})
    return members


def _member_conflicts(
    session: Session, group: m.Group, members: dict[str, s.Member]
) -> list[FieldError]:
    errors = []
    for member in members.values():
        stored = session.get(m.Member, member.id)
        if stored is not None and stored.group_id != group.id:
            errors.append(FieldError(("member", member.id), "id is used by another group"))
        for site in member.sites:
            stored_site = session.get(m.Site, site.id)
            if stored_site is not None and stored_site.member_id != member.id:
                errors.append(FieldError(("site", site.id), "id is used by another member"))
    return errors


def upsert_member(session: Session, group: m.Group, member: s.Member) -> str:
    """Create or update a member and its sites; returns created, updated or unchanged."""
    row = session.get(m.Member, member.id)
    if (
        row is not None
        and member_wire(session, row).model_dump()
        == _with_stored_sites(session, member).model_dump()
    ):
        return "unchanged"
    outcome = "updated" if row is not None else "created"
    if row is None:
        count = len(session.exec(select(m.Member.id).where(m.Member.group_id == group.id)).all())
        row = m.Member(id=member.id, group_id=group.id, position=count, name=member.name)
    row.name, row.siret = member.name, member.siret
    session.add(row)
    session.flush()
    for index, site in enumerate(member.sites):
        stored = session.get(m.Site, site.id)
        if stored is None:
            stored = m.Site(
                id=site.id, member_id=member.id, position=index, name=site.name,
                address=site.place.address, latitude=site.place.latitude,
                longitude=site.place.longitude,
            )  # fmt: skip
        stored.name, stored.address = site.name, site.place.address
        stored.latitude, stored.longitude = site.place.latitude, site.place.longitude
        session.add(stored)
    session.flush()
    return outcome


def _with_stored_sites(session: Session, member: s.Member) -> s.Member:
    # Sites the file leaves out are kept: compare with them included.
    listed = {x.id for x in member.sites}
    stored = session.exec(
        select(m.Site).where(m.Site.member_id == member.id).order_by(col(m.Site.position))
    ).all()
    kept = [
        s.Site(
            id=x.id,
            name=x.name,
            place=s.Place(address=x.address, latitude=x.latitude, longitude=x.longitude),
        )
        for x in stored
        if x.id not in listed
    ]
    order = {x.id: i for i, x in enumerate(stored)}
    sites = sorted([*member.sites, *kept], key=lambda x: order.get(x.id, len(order)))
    return member.model_copy(update={"sites": sites})


def _employee_errors(
    session: Session, group: m.Group, parsed: list[tuple[int, s.Employee]]
) -> list[FieldError]:
    errors = []
    members = set(session.exec(select(m.Member.id).where(m.Member.group_id == group.id)).all())
    skills = set(
        session.exec(select(m.Skill.id).where(m.Skill.territory_id == group.territory_id)).all()
    )
    seen: dict[str, int] = {}
    for number, employee in parsed:
        at = ("line", number)
        if employee.id in seen:
            errors.append(FieldError((*at, "id"), f"also on line {seen[employee.id]}"))
        seen.setdefault(employee.id, number)
        stored = session.get(m.Employee, employee.id)
        if stored is not None and stored.group_id != group.id:
            errors.append(FieldError((*at, "id"), "id is used by another group"))
        for agreement in employee.contract.members:
            if agreement.member_id not in members:
                errors.append(
                    FieldError((*at, "members"), f"unknown member {agreement.member_id!r}")
                )
        for skill in employee.skills:
            if skill not in skills:
                errors.append(FieldError((*at, "skills"), f"unknown skill {skill!r}"))
        if employee.contract.kind in s.WORK_STUDY and group.kind != "geiq":
            errors.append(
                FieldError((*at, "contract_kind"), "work-study contracts belong to a GEIQ group")
            )
    return errors


def upsert_employee(session: Session, group: m.Group, employee: s.Employee) -> str:
    """Create or update an employee; external work declared before is kept."""
    row = session.get(m.Employee, employee.id)
    if row is not None:
        stored = employee_wire(session, row)
        employee = employee.model_copy(update={"external_work": stored.external_work})
        if stored.model_dump() == employee.model_dump():
            return "unchanged"
    outcome = "updated" if row is not None else "created"
    contract = employee.contract
    fields: dict[str, Any] = {
        "first_name": employee.first_name,
        "last_name": employee.last_name,
        "birth_date": employee.birth_date,
        "contract_kind": contract.kind.value,
        "weekly_minutes": round(contract.weekly_hours * 60),
        "contract_start": contract.start,
        "contract_end": contract.end,
        "home_address": employee.home.address,
        "home_latitude": employee.home.latitude,
        "home_longitude": employee.home.longitude,
        "travel_mode": employee.travel_mode.value,
    }
    if row is None:
        count = len(
            session.exec(select(m.Employee.id).where(m.Employee.group_id == group.id)).all()
        )
        row = m.Employee(id=employee.id, group_id=group.id, position=count, **fields)
    else:
        for key, value in fields.items():
            setattr(row, key, value)
    session.add(row)
    session.flush()
    for table in (m.EmployeeSkill, m.EmployeeMember, m.AvailabilityWindow):
        session.exec(delete(table).where(table.employee_id == employee.id))  # type: ignore[call-overload]
    session.add_all(
        m.EmployeeSkill(employee_id=employee.id, skill_id=skill, position=i)
        for i, skill in enumerate(employee.skills)
    )
    session.add_all(
        m.EmployeeMember(
            employee_id=employee.id,
            member_id=a.member_id,
            agreed_minutes=None if a.weekly_hours is None else round(a.weekly_hours * 60),
            position=i,
        )
        for i, a in enumerate(contract.members)
    )
    session.add_all(
        m.AvailabilityWindow(
            employee_id=employee.id,
            position=i,
            weekday=w.day.index,
            start_minute=clock_minutes(w.start),
            end_minute=clock_minutes(w.end),
        )
        for i, w in enumerate(employee.availability)
    )
    session.flush()
    return outcome


def _import_needs(
    engine: Engine,
    clock: Clock,
    config: PlanningConfig,
    group_id: str,
    lines: list[tuple[int, dict[str, str]]],
) -> ImportReport:
    parsed, errors = _parse(lines, _need_dict, s.Need, _NEED_PATHS)
    if errors:
        raise InvalidInput(errors)
    report = ImportReport("needs")
    changed: list[tuple[int, s.Need]] = []
    with Session(engine) as session:
        group = _group(session, group_id)
        zone = ZoneInfo(group.time_zone)
        for number, need in parsed:
            stored = session.get(m.Need, need.id)
            if stored is not None and stored.group_id == group.id:
                if need_wire(session, stored, zone).model_dump() == need.model_dump():
                    report.unchanged.append(need.id)
                    continue
                report.updated.append(need.id)
            else:
                report.created.append(need.id)
            changed.append((number, need))
    if not changed:
        return report
    try:
        submit_needs(engine, clock, config, group_id, [n for _, n in changed], at=("line",))
    except InvalidInput as error:
        # submit_needs names the index among the changed lines: give back the file's line.
        numbers = [number for number, _ in changed]
        raise InvalidInput(
            [
                FieldError(("line", numbers[int(e.path[1])], *e.path[2:]), e.reason)
                if len(e.path) > 1 and isinstance(e.path[1], int)
                else e
                for e in error.errors
            ]
        ) from None
    with Session(engine) as session:
        weeks = session.exec(
            select(m.PlanningState.week).where(
                m.PlanningState.group_id == group_id, m.PlanningState.status == "queued"
            )
        ).all()
    report.weeks = sorted(weeks)
    return report


def today(clock: Clock, zone: ZoneInfo) -> date:
    return clock.now().astimezone(zone).date()
