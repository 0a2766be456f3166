"""Read models: rosters as people read them (names, addresses, local times).

Queries only; they never change anything, so the API can run them on a plain session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from scheduler import models as m
from scheduler.scenario import schema as s
from scheduler.scenario.common import Weekday
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


def _hours(minutes: int | None) -> float | None:
    return None if minutes is None else minutes / 60


def need_wire(session: Session, row: m.Need, zone: ZoneInfo) -> s.Need:
    """A stored need in the scenario's wire form (local times)."""
    spans = session.exec(
        select(m.NeedSpan).where(m.NeedSpan.need_id == row.id).order_by(col(m.NeedSpan.position))
    ).all()
    own = [s.Interval(start=x.start.astimezone(zone), end=x.end.astimezone(zone)) for x in spans]
    blocks = row.kind == s.NeedKind.blocks
    return s.Need(
        id=row.id,
        member_id=row.member_id,
        site_id=row.site_id,
        skill=row.skill_id,
        kind=s.NeedKind(row.kind),
        headcount=row.headcount,
        priority=row.priority,
        recurrence=row.recurrence,  # type: ignore[arg-type]
        last_week=row.last_week if row.recurrence == "weekly" else None,
        blocks=own if blocks else [],
        windows=[] if blocks else own,
        weekly_hours=_hours(row.weekly_minutes),
        min_block_hours=_hours(row.min_block_minutes),
        max_block_hours=_hours(row.max_block_minutes),
        cancelled=row.cancelled,
    )


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def weekly_windows(
    rows: list[m.AvailabilityWindow] | list[m.TutorPresence],
) -> list[s.WeeklyWindow]:
    return [
        s.WeeklyWindow(
            day=list(Weekday)[r.weekday], start=_clock(r.start_minute), end=_clock(r.end_minute)
        )
        for r in sorted(rows, key=lambda r: r.position)
    ]


def employee_wire(session: Session, row: m.Employee) -> s.Employee:
    """A stored employee in the scenario's wire form (external work included)."""
    skills = session.exec(
        select(m.EmployeeSkill)
        .where(m.EmployeeSkill.employee_id == row.id)
        .order_by(col(m.EmployeeSkill.position))
    ).all()
    agreements = session.exec(
        select(m.EmployeeMember)
        .where(m.EmployeeMember.employee_id == row.id)
        .order_by(col(m.EmployeeMember.position))
    ).all()
    availability = session.exec(
        select(m.AvailabilityWindow).where(m.AvailabilityWindow.employee_id == row.id)
    ).all()
    externals = session.exec(
        select(m.ExternalWork)
        .where(m.ExternalWork.employee_id == row.id)
        .order_by(col(m.ExternalWork.position))
    ).all()
    external_work = []
    for external in externals:
        windows = session.exec(
            select(m.ExternalWorkWindow).where(m.ExternalWorkWindow.external_work_id == external.id)
        ).all()
        external_work.append(
            s.ExternalWork(
                employer=external.employer,
                weekly_hours=external.weekly_minutes / 60,
                windows=weekly_windows(list(windows)),  # type: ignore[arg-type]
            )
        )
    return s.Employee(
        id=row.id,
        first_name=row.first_name,
        last_name=row.last_name,
        birth_date=row.birth_date,
        contract=s.Contract(
            kind=s.ContractKind(row.contract_kind),
            weekly_hours=row.weekly_minutes / 60,
            start=row.contract_start,
            end=row.contract_end,
            members=[
                s.MemberAgreement(member_id=a.member_id, weekly_hours=_hours(a.agreed_minutes))
                for a in agreements
            ],
        ),
        skills=[k.skill_id for k in skills],
        availability=weekly_windows(list(availability)),
        home=s.Place(
            address=row.home_address, latitude=row.home_latitude, longitude=row.home_longitude
        ),
        travel_mode=s.TravelMode(row.travel_mode),
        external_work=external_work,
    )


def member_wire(session: Session, row: m.Member) -> s.Member:
    sites = session.exec(
        select(m.Site).where(m.Site.member_id == row.id).order_by(col(m.Site.position))
    ).all()
    return s.Member(
        id=row.id,
        name=row.name,
        siret=row.siret,
        sites=[
            s.Site(
                id=x.id,
                name=x.name,
                place=s.Place(address=x.address, latitude=x.latitude, longitude=x.longitude),
            )
            for x in sites
        ],
    )
