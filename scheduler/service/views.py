"""Read models: rosters as people read them (names, addresses, local times).

Queries only; they never change anything, so the API can run them on a plain session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from scheduler import models as m
from scheduler.scenario import schema as s
from scheduler.scenario.exporter import (
    employee_to_wire,
    in_zone,
    member_to_wire,
    need_to_wire,
)
from scheduler.service.rosters import latest_version


@dataclass(frozen=True)
class RosterLine:
    """One assignment with what its reader needs to act on it."""

    employee_id: str
    employee_name: str
    member_id: str
    member_name: str
    site_id: str
    site_name: str
    site_address: str
    need_id: str | None
    start: datetime
    end: datetime


def version_of(
    session: Session, group_id: str, week: str, *, number: int | None, status: str | None
) -> m.RosterVersion | None:
    """Version ``number`` of a week, or its latest version (of ``status`` when given)."""
    if number is None:
        return latest_version(session, group_id, week, status=status)
    query = select(m.RosterVersion).where(
        m.RosterVersion.group_id == group_id,
        m.RosterVersion.week == week,
        m.RosterVersion.number == number,
    )
    if status is not None:
        query = query.where(m.RosterVersion.status == status)
    return session.exec(query).first()


def versions_of(session: Session, group_id: str, week: str) -> list[m.RosterVersion]:
    return list(
        session.exec(
            select(m.RosterVersion)
            .where(m.RosterVersion.group_id == group_id, m.RosterVersion.week == week)
            .order_by(col(m.RosterVersion.number))
        ).all()
    )


def roster_lines(
    session: Session,
    version_id: int,
    zone: ZoneInfo,
    *,
    employee_id: str | None = None,
    member_id: str | None = None,
) -> list[RosterLine]:
    """A version's assignments, for one employee or one member when asked, in local time."""
    query = (
        select(m.Assignment, m.Employee, m.Member, m.Site)
        .join(m.Employee, col(m.Employee.id) == col(m.Assignment.employee_id))
        .join(m.Member, col(m.Member.id) == col(m.Assignment.member_id))
        .join(m.Site, col(m.Site.id) == col(m.Assignment.site_id))
        .where(m.Assignment.roster_version_id == version_id)
    )
    if employee_id is not None:
        query = query.where(m.Assignment.employee_id == employee_id)
    if member_id is not None:
        query = query.where(m.Assignment.member_id == member_id)
    query = query.order_by(col(m.Assignment.start), col(m.Assignment.employee_id))
    return [
        RosterLine(
            employee_id=employee.id,
            employee_name=f"{employee.first_name} {employee.last_name}",
            member_id=member.id,
            member_name=member.name,
            site_id=site.id,
            site_name=site.name,
            site_address=site.address,
            need_id=assignment.need_id,
            start=assignment.start.astimezone(zone),
            end=assignment.end.astimezone(zone),
        )
        for assignment, employee, member, site in session.exec(query).all()
    ]


def published_weeks(session: Session, group_id: str, since_week: str) -> list[m.RosterVersion]:
    """The latest published version of every week from ``since_week`` on."""
    versions = session.exec(
        select(m.RosterVersion)
        .where(
            m.RosterVersion.group_id == group_id,
            m.RosterVersion.status == "published",
            col(m.RosterVersion.week) >= since_week,
        )
        .order_by(col(m.RosterVersion.week), col(m.RosterVersion.number))
    ).all()
    latest: dict[str, m.RosterVersion] = {}
    for version in versions:
        latest[version.week] = version
    return list(latest.values())


def need_wire(session: Session, row: m.Need, zone: ZoneInfo) -> s.Need:
    """A stored need in the scenario's wire form (local times)."""
    spans = session.exec(select(m.NeedSpan).where(m.NeedSpan.need_id == row.id)).all()
    _, span = in_zone(zone)
    return need_to_wire(row, spans, span)


def employee_wire(session: Session, row: m.Employee) -> s.Employee:
    """A stored employee in the scenario's wire form (external work included)."""

    def children(table: Any, key: Any, value: object) -> list[Any]:
        return list(session.exec(select(table).where(key == value)).all())

    externals = children(m.ExternalWork, m.ExternalWork.employee_id, row.id)
    return employee_to_wire(
        row,
        children(m.EmployeeSkill, m.EmployeeSkill.employee_id, row.id),
        children(m.EmployeeMember, m.EmployeeMember.employee_id, row.id),
        children(m.AvailabilityWindow, m.AvailabilityWindow.employee_id, row.id),
        [
            (x, children(m.ExternalWorkWindow, m.ExternalWorkWindow.external_work_id, x.id))
            for x in externals
        ],
    )


def member_wire(session: Session, row: m.Member) -> s.Member:
    return member_to_wire(row, session.exec(select(m.Site).where(m.Site.member_id == row.id)).all())
