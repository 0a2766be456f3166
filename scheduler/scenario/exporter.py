"""Writing a stored territory back as a scenario document."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import Session, SQLModel, col, delete, select

from scheduler import models as m
from scheduler.rules import GroupRules
from scheduler.scenario import schema as s
from scheduler.scenario.common import OPEN_ENDED, Weekday


class UnknownTerritory(LookupError):
    pass


Row = TypeVar("Row", bound=SQLModel)


def _by(rows: Iterable[Row], key: str) -> dict[Any, list[Row]]:
    grouped: dict[Any, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return grouped


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _window(row: Any) -> s.WeeklyWindow:
    return s.WeeklyWindow(
        day=list(Weekday)[row.weekday], start=_clock(row.start_minute), end=_clock(row.end_minute)
    )


def _hours(minutes: int | None) -> float | None:
    return None if minutes is None else minutes / 60


def in_zone(zone: ZoneInfo) -> tuple[Any, Any]:
    """Functions writing stored UTC instants in the territory's time zone."""

    def local(value: datetime) -> datetime:
        return value.astimezone(zone)

    def span(start: datetime, end: datetime) -> s.Interval:
        return s.Interval(start=local(start), end=local(end))

    return local, span


def weekly_windows(rows: Iterable[Any]) -> list[s.WeeklyWindow]:
    """Stored weekly windows (availability, tutor presence...) in their scenario order."""
    return [_window(r) for r in sorted(rows, key=lambda r: r.position)]


def employee_to_wire(
    e: m.Employee,
    skills: Iterable[m.EmployeeSkill],
    agreements: Iterable[m.EmployeeMember],
    availability: Iterable[m.AvailabilityWindow],
    externals: Iterable[tuple[m.ExternalWork, Iterable[m.ExternalWorkWindow]]],
) -> s.Employee:
    """A stored employee and its child rows in the scenario's wire form."""
    return s.Employee(
        id=e.id,
        first_name=e.first_name,
        last_name=e.last_name,
        birth_date=e.birth_date,
        contract=s.Contract(
            kind=s.ContractKind(e.contract_kind),
            weekly_hours=e.weekly_minutes / 60,
            start=e.contract_start,
            end=e.contract_end,
            members=[
                s.MemberAgreement(member_id=a.member_id, weekly_hours=_hours(a.agreed_minutes))
                for a in sorted(agreements, key=lambda a: a.position)
            ],
        ),
        skills=[k.skill_id for k in sorted(skills, key=lambda k: k.position)],
        availability=weekly_windows(availability),
        home=s.Place(address=e.home_address, latitude=e.home_latitude, longitude=e.home_longitude),
        travel_mode=s.TravelMode(e.travel_mode),
        external_work=[
            s.ExternalWork(
                employer=x.employer,
                weekly_hours=x.weekly_minutes / 60,
                windows=weekly_windows(windows),
            )
            for x, windows in sorted(externals, key=lambda pair: pair[0].position)
        ],
    )


def need_to_wire(n: m.Need, spans: Iterable[m.NeedSpan], span: Any) -> s.Need:
    """A stored need and its spans in the wire form; ``span`` writes an interval locally."""
    own = [span(x.start, x.end) for x in sorted(spans, key=lambda x: x.position)]
    is_blocks = n.kind == s.NeedKind.blocks
    return s.Need(
        id=n.id,
        member_id=n.member_id,
        site_id=n.site_id,
        skill=n.skill_id,
        kind=s.NeedKind(n.kind),
        headcount=n.headcount,
        priority=n.priority,
        recurrence=n.recurrence,  # type: ignore[arg-type]
        last_week=(n.last_week if n.recurrence == "weekly" and n.last_week != OPEN_ENDED else None),
        blocks=own if is_blocks else [],
        windows=[] if is_blocks else own,
        weekly_hours=_hours(n.weekly_minutes),
        min_block_hours=_hours(n.min_block_minutes),
        max_block_hours=_hours(n.max_block_minutes),
        cancelled=n.cancelled,
    )


def member_to_wire(x: m.Member, sites: Iterable[m.Site]) -> s.Member:
    return s.Member(
        id=x.id,
        name=x.name,
        siret=x.siret,
        sites=[
            s.Site(
                id=t.id,
                name=t.name,
                place=s.Place(address=t.address, latitude=t.latitude, longitude=t.longitude),
            )
            for t in sorted(sites, key=lambda t: t.position)
        ],
    )


def territory_names(session: Session) -> list[str]:
    return list(session.exec(select(m.Territory.id).order_by(m.Territory.id)).all())


def export_scenario(session: Session, name: str | None = None) -> s.Scenario:
    """The stored territory ``name`` (or the only one) as a scenario document."""
    if name is None:
        names = territory_names(session)
        if len(names) != 1:
            raise UnknownTerritory(
                "name the territory to export: " + (", ".join(names) or "none is stored")
            )
        name = names[0]
    territory = session.get(m.Territory, name)
    if territory is None:
        raise UnknownTerritory(f"no territory named {name!r}")
    local, span = in_zone(ZoneInfo(territory.time_zone))

    skills = session.exec(
        select(m.Skill).where(m.Skill.territory_id == name).order_by(m.Skill.position)
    ).all()
    groups = session.exec(
        select(m.Group).where(m.Group.territory_id == name).order_by(m.Group.position)
    ).all()
    return s.Scenario(
        name=territory.id,
        time_zone=territory.time_zone,
        weeks=territory.weeks,
        skills=[s.Skill(id=k.id, label=k.label) for k in skills],
        groups=[_export_group(session, group, local, span) for group in groups],
    )


@dataclass(frozen=True)
class RosterWindow:
    """Which roster versions to export: weeks ``first``..``last``, latest versions only."""

    first: str
    last: str


def export_group(
    session: Session, group_id: str, *, rosters: RosterWindow | None = None
) -> tuple[s.Scenario, s.Group]:
    """One stored group inside a scenario of its territory (the planner's view of it).

    With ``rosters``, only the latest published and the latest draft version of each week in
    the window are read: a group's history grows with every solve, the planner needs little.
    """
    group = session.get(m.Group, group_id)
    if group is None:
        raise UnknownTerritory(f"no group {group_id!r}")
    territory = session.get(m.Territory, group.territory_id)
    assert territory is not None  # a foreign key guarantees it
    local, span = in_zone(ZoneInfo(territory.time_zone))

    skills = session.exec(
        select(m.Skill).where(m.Skill.territory_id == territory.id).order_by(m.Skill.position)
    ).all()
    exported = _export_group(session, group, local, span, rosters)
    scenario = s.Scenario.model_construct(
        schema_version=1,
        name=territory.id,
        time_zone=territory.time_zone,
        weeks=territory.weeks,
        skills=[s.Skill(id=k.id, label=k.label) for k in skills],
        groups=[exported],
    )
    return scenario, exported


def _latest_versions(versions: Iterable[m.RosterVersion]) -> list[m.RosterVersion]:
    latest: dict[tuple[str, str], m.RosterVersion] = {}
    for version in versions:
        key = (version.week, version.status)
        if key not in latest or version.number > latest[key].number:
            latest[key] = version
    return sorted(latest.values(), key=lambda v: (v.week, v.number))


def _export_group(
    session: Session,
    group: m.Group,
    local: Any,
    span: Any,
    window: RosterWindow | None = None,
) -> s.Group:
    def rows(table: type[Row], *where: Any) -> list[Row]:
        return list(session.exec(select(table).where(*where).order_by(table.position)).all())

    members = rows(m.Member, m.Member.group_id == group.id)
    member_ids = [x.id for x in members]
    sites = _by(rows(m.Site, col(m.Site.member_id).in_(member_ids)), "member_id")
    employees = rows(m.Employee, m.Employee.group_id == group.id)
    employee_ids = [e.id for e in employees]
    in_group = col(m.EmployeeSkill.employee_id).in_(employee_ids)
    skills = _by(rows(m.EmployeeSkill, in_group), "employee_id")
    agreements = _by(
        rows(m.EmployeeMember, col(m.EmployeeMember.employee_id).in_(employee_ids)), "employee_id"
    )
    availability = _by(
        rows(m.AvailabilityWindow, col(m.AvailabilityWindow.employee_id).in_(employee_ids)),
        "employee_id",
    )
    externals = rows(m.ExternalWork, col(m.ExternalWork.employee_id).in_(employee_ids))
    external_windows = _by(
        rows(
            m.ExternalWorkWindow,
            col(m.ExternalWorkWindow.external_work_id).in_([x.id for x in externals]),
        ),
        "external_work_id",
    )
    needs = rows(m.Need, m.Need.group_id == group.id)
    spans = _by(rows(m.NeedSpan, col(m.NeedSpan.need_id).in_([n.id for n in needs])), "need_id")
    placements = rows(m.Placement, m.Placement.group_id == group.id)
    placement_ids = [p.id for p in placements]
    presence = _by(
        rows(m.TutorPresence, col(m.TutorPresence.placement_id).in_(placement_ids)), "placement_id"
    )
    training = _by(
        rows(m.TrainingSession, col(m.TrainingSession.placement_id).in_(placement_ids)),
        "placement_id",
    )
    external_by_employee = _by(externals, "employee_id")

    absences = rows(m.Absence, col(m.Absence.employee_id).in_(employee_ids))
    consents = rows(m.Consent, col(m.Consent.employee_id).in_(employee_ids))
    version_query = select(m.RosterVersion).where(m.RosterVersion.group_id == group.id)
    if window is not None:
        version_query = version_query.where(
            col(m.RosterVersion.week) >= window.first, col(m.RosterVersion.week) <= window.last
        )
    versions = list(
        session.exec(version_query.order_by(m.RosterVersion.week, m.RosterVersion.number)).all()
    )
    if window is not None:
        versions = _latest_versions(versions)
    assignments = _by(
        session.exec(
            select(m.Assignment)
            .where(col(m.Assignment.roster_version_id).in_([v.id for v in versions]))
            .order_by(m.Assignment.id)
        ).all(),
        "roster_version_id",
    )
    return s.Group(
        id=group.id,
        name=group.name,
        kind=s.GroupKind(group.kind),
        non_profit=group.non_profit,
        rules=GroupRules.model_validate(group.rules),
        publication_cron=group.publication_cron,
        members=[member_to_wire(x, sites[x.id]) for x in members],
        training_centres=[
            s.TrainingCentre(
                id=c.id,
                name=c.name,
                place=s.Place(address=c.address, latitude=c.latitude, longitude=c.longitude),
            )
            for c in rows(m.TrainingCentre, m.TrainingCentre.group_id == group.id)
        ],
        employees=[
            employee_to_wire(
                e,
                skills[e.id],
                agreements[e.id],
                availability[e.id],
                [(x, external_windows[x.id]) for x in external_by_employee[e.id]],
            )
            for e in employees
        ],
        needs=[need_to_wire(n, spans[n.id], span) for n in needs],
        placements=[
            s.Placement(
                id=p.id,
                employee_id=p.employee_id,
                host_member_id=p.host_member_id,
                tutor_name=p.tutor_name,
                tutor_presence=weekly_windows(presence[p.id]),
                start=p.start,
                end=p.end,
                training=[
                    s.TrainingSession(id=t.id, centre_id=t.centre_id, period=span(t.start, t.end))
                    for t in training[p.id]
                ],
            )
            for p in placements
        ],
        absences=[
            s.Absence(
                id=a.id,
                employee_id=a.employee_id,
                kind=s.AbsenceKind(a.kind),
                period=span(a.start, a.end),
                note=a.note,
            )
            for a in absences
        ],
        consents=[
            s.Consent(
                id=c.id,
                employee_id=c.employee_id,
                week=c.week,
                period=span(c.start, c.end),
                given_at=local(c.given_at),
                note=c.note,
            )
            for c in consents
        ],
        rosters=[
            s.Roster(
                week=v.week,
                version=v.number,
                status=s.RosterStatus(v.status),
                created_at=local(v.created_at),
                published_at=local(v.published_at) if v.published_at else None,
                assignments=[
                    s.Assignment(
                        employee_id=a.employee_id,
                        member_id=a.member_id,
                        site_id=a.site_id,
                        need_id=a.need_id,
                        period=span(a.start, a.end),
                    )
                    for a in assignments[v.id]
                ],
            )
            for v in versions
        ],
    )


def delete_territory(session: Session, name: str) -> bool:
    """Remove a territory and everything under it; whether there was one."""
    if session.get(m.Territory, name) is None:
        return False
    group_ids = list(session.exec(select(m.Group.id).where(m.Group.territory_id == name)).all())
    member_ids = list(
        session.exec(select(m.Member.id).where(col(m.Member.group_id).in_(group_ids))).all()
    )
    employee_ids = list(
        session.exec(select(m.Employee.id).where(col(m.Employee.group_id).in_(group_ids))).all()
    )
    need_ids = list(
        session.exec(select(m.Need.id).where(col(m.Need.group_id).in_(group_ids))).all()
    )
    placement_ids = list(
        session.exec(select(m.Placement.id).where(col(m.Placement.group_id).in_(group_ids))).all()
    )
    version_ids = list(
        session.exec(
            select(m.RosterVersion.id).where(col(m.RosterVersion.group_id).in_(group_ids))
        ).all()
    )
    external_ids = list(
        session.exec(
            select(m.ExternalWork.id).where(col(m.ExternalWork.employee_id).in_(employee_ids))
        ).all()
    )
    subscription_ids = list(
        session.exec(
            select(m.WebhookSubscription.id).where(
                col(m.WebhookSubscription.group_id).in_(group_ids)
            )
        ).all()
    )
    # Children before parents, so foreign keys hold at every statement. What the running
    # service added around the territory (keys, feeds, webhooks, planning state) goes too.
    for statement in (
        delete(m.WebhookDelivery).where(
            col(m.WebhookDelivery.subscription_id).in_(subscription_ids)
        ),
        delete(m.WebhookSubscription).where(col(m.WebhookSubscription.id).in_(subscription_ids)),
        delete(m.CalendarFeed).where(col(m.CalendarFeed.group_id).in_(group_ids)),
        delete(m.ApiKey).where(col(m.ApiKey.group_id).in_(group_ids)),
        delete(m.PlanningState).where(col(m.PlanningState.group_id).in_(group_ids)),
        delete(m.Assignment).where(col(m.Assignment.roster_version_id).in_(version_ids)),
        delete(m.RosterVersion).where(col(m.RosterVersion.id).in_(version_ids)),
        delete(m.TrainingSession).where(col(m.TrainingSession.placement_id).in_(placement_ids)),
        delete(m.TutorPresence).where(col(m.TutorPresence.placement_id).in_(placement_ids)),
        delete(m.Placement).where(col(m.Placement.id).in_(placement_ids)),
        delete(m.NeedSpan).where(col(m.NeedSpan.need_id).in_(need_ids)),
        delete(m.Need).where(col(m.Need.id).in_(need_ids)),
        delete(m.Absence).where(col(m.Absence.employee_id).in_(employee_ids)),
        delete(m.Consent).where(col(m.Consent.employee_id).in_(employee_ids)),
        delete(m.ExternalWorkWindow).where(
            col(m.ExternalWorkWindow.external_work_id).in_(external_ids)
        ),
        delete(m.ExternalWork).where(col(m.ExternalWork.id).in_(external_ids)),
        delete(m.AvailabilityWindow).where(col(m.AvailabilityWindow.employee_id).in_(employee_ids)),
        delete(m.EmployeeMember).where(col(m.EmployeeMember.employee_id).in_(employee_ids)),
        delete(m.EmployeeSkill).where(col(m.EmployeeSkill.employee_id).in_(employee_ids)),
        delete(m.Employee).where(col(m.Employee.id).in_(employee_ids)),
        delete(m.Site).where(col(m.Site.member_id).in_(member_ids)),
        delete(m.Member).where(col(m.Member.id).in_(member_ids)),
        delete(m.TrainingCentre).where(col(m.TrainingCentre.group_id).in_(group_ids)),
        delete(m.Group).where(col(m.Group.id).in_(group_ids)),
        delete(m.Skill).where(m.Skill.territory_id == name),
        delete(m.Territory).where(m.Territory.id == name),
    ):
        session.exec(statement)  # type: ignore[call-overload]
    return True
