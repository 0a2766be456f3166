"""Loading a scenario into the database, all or nothing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, SQLModel, select

from scheduler import models as m
from scheduler.scenario import schema as s
from scheduler.scenario.common import OPEN_ENDED, clock_minutes, week_of
from scheduler.scenario.validation import ID_KINDS, FieldError, InvalidInput, Path


class AlreadyImported(InvalidInput):
    """The database already holds some of the document's ids."""


def _minutes(hours: float | None) -> int | None:
    return None if hours is None else round(hours * 60)


def import_scenario(session: Session, scenario: s.Scenario, *, replace: bool = False) -> None:
    """Add a checked scenario to ``session``; the caller's transaction makes it all or nothing.

    With ``replace``, a territory of the same name is deleted first; otherwise any id that is
    already stored is an error naming it.
    """
    if replace:
        from scheduler.scenario.exporter import delete_territory

        delete_territory(session, scenario.name)
    _refuse_existing(session, scenario)
    zone = ZoneInfo(scenario.time_zone)
    # Tables have no ORM relationships, so the unit of work cannot order parents before
    # children: each level is flushed before the next.
    session.add(m.Territory(id=scenario.name, time_zone=scenario.time_zone, weeks=scenario.weeks))
    session.flush()
    for index, skill in enumerate(scenario.skills):
        session.add(
            m.Skill(id=skill.id, position=index, territory_id=scenario.name, label=skill.label)
        )
    session.flush()
    for index, group in enumerate(scenario.groups):
        _import_group(session, scenario, group, index, zone)
    session.flush()


MAX_REPORTED = 20  # a re-import of a whole territory would list every id otherwise

_TABLES_BY_KIND: dict[str, type[SQLModel]] = {
    "member": m.Member,
    "site": m.Site,
    "training centre": m.TrainingCentre,
    "employee": m.Employee,
    "need": m.Need,
    "placement": m.Placement,
    "training session": m.TrainingSession,
    "absence": m.Absence,
    "consent": m.Consent,
}


def _refuse_existing(session: Session, scenario: s.Scenario) -> None:
    errors: list[FieldError] = []
    if session.get(m.Territory, scenario.name) is not None:
        errors.append(FieldError(("name",), f"territory {scenario.name!r} is already imported"))
    located: dict[str, list[tuple[Path, str]]] = {
        "skill": [(("skills", i), x.id) for i, x in enumerate(scenario.skills)],
        "group": [(("groups", i), g.id) for i, g in enumerate(scenario.groups)],
    }
    tables: dict[str, type[SQLModel]] = {"skill": m.Skill, "group": m.Group, **_TABLES_BY_KIND}
    for kind, collect in ID_KINDS.items():
        located[kind] = list(collect(scenario))
    for kind, places in located.items():
        table: Any = tables[kind]
        ids = [ident for _, ident in places]
        stored = (
            set(session.exec(select(table.id).where(table.id.in_(ids))).all()) if ids else set()
        )
        errors.extend(
            FieldError((*path, "id"), f"{kind} id {ident!r} is already stored")
            for path, ident in places
            if ident in stored
        )
    if len(errors) > MAX_REPORTED:
        more = len(errors) - MAX_REPORTED
        errors = [*errors[:MAX_REPORTED], FieldError((), f"... and {more} more stored ids")]
    if errors:
        raise AlreadyImported(errors)


def _import_group(
    session: Session, scenario: s.Scenario, group: s.Group, position: int, zone: ZoneInfo
) -> None:
    session.add(
        m.Group(
            id=group.id,
            position=position,
            territory_id=scenario.name,
            name=group.name,
            kind=group.kind.value,
            non_profit=group.non_profit,
            rules=group.rules.model_dump(mode="json"),
            publication_cron=group.publication_cron,
            time_zone=scenario.time_zone,
        )
    )
    session.flush()
    for index, member in enumerate(group.members):
        session.add(
            m.Member(
                id=member.id,
                position=index,
                group_id=group.id,
                name=member.name,
                siret=member.siret,
            )
        )
    session.flush()
    for member in group.members:
        for s_index, site in enumerate(member.sites):
            session.add(
                m.Site(
                    id=site.id,
                    position=s_index,
                    member_id=member.id,
                    name=site.name,
                    address=site.place.address,
                    latitude=site.place.latitude,
                    longitude=site.place.longitude,
                )
            )
    for index, centre in enumerate(group.training_centres):
        session.add(
            m.TrainingCentre(
                id=centre.id,
                position=index,
                group_id=group.id,
                name=centre.name,
                address=centre.place.address,
                latitude=centre.place.latitude,
                longitude=centre.place.longitude,
            )
        )
    session.flush()
    for index, employee in enumerate(group.employees):
        _import_employee(session, group.id, employee, index)
    session.flush()
    for index, need in enumerate(group.needs):
        session.add(need_row(group.id, need, index, zone))
    session.flush()
    for need in group.needs:
        session.add_all(need_span_rows(need))
    for index, placement in enumerate(group.placements):
        session.add(
            m.Placement(
                id=placement.id,
                position=index,
                group_id=group.id,
                employee_id=placement.employee_id,
                host_member_id=placement.host_member_id,
                tutor_name=placement.tutor_name,
                start=placement.start,
                end=placement.end,
            )
        )
        session.flush()
        session.add_all(placement_child_rows(placement))
    session.add_all(absence_row(absence, index) for index, absence in enumerate(group.absences))
    session.add_all(consent_row(consent, index) for index, consent in enumerate(group.consents))
    session.flush()
    for roster in group.rosters:
        version = m.RosterVersion(
            group_id=group.id,
            week=roster.week,
            number=roster.version,
            status=roster.status.value,
            created_at=roster.created_at,
            published_at=roster.published_at,
        )
        session.add(version)
        session.flush()
        for assignment in roster.assignments:
            session.add(
                m.Assignment(
                    roster_version_id=version.id,
                    employee_id=assignment.employee_id,
                    member_id=assignment.member_id,
                    site_id=assignment.site_id,
                    need_id=assignment.need_id,
                    start=assignment.period.start,
                    end=assignment.period.end,
                )
            )


def need_row(group_id: str, need: s.Need, position: int, zone: ZoneInfo) -> m.Need:
    """The stored form of a need (its spans are ``need_span_rows``)."""
    first = min(span.start for span in need.blocks or need.windows).astimezone(zone).date()
    first_week = week_of(first)
    return m.Need(
        id=need.id,
        position=position,
        group_id=group_id,
        member_id=need.member_id,
        site_id=need.site_id,
        skill_id=need.skill,
        kind=need.kind.value,
        headcount=need.headcount,
        priority=need.priority,
        recurrence=need.recurrence,
        first_week=first_week,
        # A weekly need without a last week repeats until it is cancelled.
        last_week=need.last_week or (OPEN_ENDED if need.recurrence == "weekly" else first_week),
        weekly_minutes=_minutes(need.weekly_hours),
        min_block_minutes=_minutes(need.min_block_hours),
        max_block_minutes=_minutes(need.max_block_hours),
        cancelled=need.cancelled,
    )


def need_span_rows(need: s.Need) -> list[m.NeedSpan]:
    role, spans = (
        ("block", need.blocks) if need.kind == s.NeedKind.blocks else ("window", need.windows)
    )
    return [
        m.NeedSpan(need_id=need.id, position=i, role=role, start=span.start, end=span.end)
        for i, span in enumerate(spans)
    ]


def _import_employee(session: Session, group_id: str, employee: s.Employee, position: int) -> None:
    contract = employee.contract
    session.add(
        m.Employee(
            id=employee.id,
            position=position,
            group_id=group_id,
            first_name=employee.first_name,
            last_name=employee.last_name,
            birth_date=employee.birth_date,
            contract_kind=contract.kind.value,
            weekly_minutes=round(contract.weekly_hours * 60),
            contract_start=contract.start,
            contract_end=contract.end,
            home_address=employee.home.address,
            home_latitude=employee.home.latitude,
            home_longitude=employee.home.longitude,
            travel_mode=employee.travel_mode.value,
        )
    )
    session.flush()
    for index, skill in enumerate(employee.skills):
        session.add(m.EmployeeSkill(employee_id=employee.id, skill_id=skill, position=index))
    for index, agreement in enumerate(contract.members):
        session.add(
            m.EmployeeMember(
                employee_id=employee.id,
                member_id=agreement.member_id,
                agreed_minutes=_minutes(agreement.weekly_hours),
                position=index,
            )
        )
    session.add_all(availability_rows(employee.id, employee.availability))
    for index, external in enumerate(employee.external_work):
        row = m.ExternalWork(
            employee_id=employee.id,
            employer=external.employer,
            weekly_minutes=round(external.weekly_hours * 60),
            position=index,
        )
        session.add(row)
        session.flush()
        for w_index, window in enumerate(external.windows):
            session.add(
                m.ExternalWorkWindow(
                    external_work_id=row.id,
                    position=w_index,
                    weekday=window.day.index,
                    start_minute=clock_minutes(window.start),
                    end_minute=clock_minutes(window.end),
                )
            )


def availability_rows(
    employee_id: str, windows: Iterable[s.WeeklyWindow]
) -> list[m.AvailabilityWindow]:
    return [
        m.AvailabilityWindow(
            employee_id=employee_id,
            position=index,
            weekday=window.day.index,
            start_minute=clock_minutes(window.start),
            end_minute=clock_minutes(window.end),
        )
        for index, window in enumerate(windows)
    ]


def placement_child_rows(placement: s.Placement) -> list[SQLModel]:
    """A placement's tutor presence and training sessions (the placement row is stored)."""
    rows: list[SQLModel] = [
        m.TutorPresence(
            placement_id=placement.id,
            position=index,
            weekday=window.day.index,
            start_minute=clock_minutes(window.start),
            end_minute=clock_minutes(window.end),
        )
        for index, window in enumerate(placement.tutor_presence)
    ]
    rows.extend(
        m.TrainingSession(
            id=training.id,
            position=index,
            placement_id=placement.id,
            centre_id=training.centre_id,
            start=training.period.start,
            end=training.period.end,
        )
        for index, training in enumerate(placement.training)
    )
    return rows


def absence_row(absence: s.Absence, position: int) -> m.Absence:
    return m.Absence(
        id=absence.id,
        position=position,
        employee_id=absence.employee_id,
        kind=absence.kind.value,
        start=absence.period.start,
        end=absence.period.end,
        note=absence.note,
    )


def consent_row(consent: s.Consent, position: int) -> m.Consent:
    return m.Consent(
        id=consent.id,
        position=position,
        employee_id=consent.employee_id,
        week=consent.week,
        start=consent.period.start,
        end=consent.period.end,
        given_at=consent.given_at,
        note=consent.note,
    )
