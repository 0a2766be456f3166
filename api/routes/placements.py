"""GEIQ placements (work-study employee, host member, tutor) and training sessions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlmodel import Session, col, select

from api.deps import ApplicationDep, Id, PagingDep, PrincipalDep, SessionDep, allow, visible
from api.errors import COMMON_RESPONSES
from api.routes.common import group_zone, links, page, planning_horizon
from api.schemas import Page, PlacementAccepted, PlacementPublic, TrainingSessionPublic
from api.scopes import group_scope, placement_scope
from scheduler import models as m
from scheduler.messages import commands as c
from scheduler.scenario import schema as s
from scheduler.scenario.common import week_monday
from scheduler.scenario.exporter import weekly_windows
from scheduler.service import access
from scheduler.service.access import Principal, Role
from scheduler.service.batch import relocate
from scheduler.service.errors import FieldError, InvalidInput

router = APIRouter(prefix="/v1", tags=["placements"], responses=COMMON_RESPONSES)
ALL = (Role.manager, Role.member, Role.employee)
WEEK = r"^\d{4}-W\d{2}$"


def placement_public(session: Session, row: m.Placement) -> PlacementPublic:
    zone = group_zone(session, row.group_id)
    presence = session.exec(
        select(m.TutorPresence).where(m.TutorPresence.placement_id == row.id)
    ).all()
    training = session.exec(
        select(m.TrainingSession)
        .where(m.TrainingSession.placement_id == row.id)
        .order_by(col(m.TrainingSession.position))
    ).all()
    return PlacementPublic(
        id=row.id,
        group_id=row.group_id,
        employee_id=row.employee_id,
        host_member_id=row.host_member_id,
        tutor_name=row.tutor_name,
        tutor_presence=weekly_windows(list(presence)),  # type: ignore[arg-type]
        start=row.start,
        end=row.end,
        training=[
            s.TrainingSession(
                id=t.id,
                centre_id=t.centre_id,
                period=s.Interval(start=t.start.astimezone(zone), end=t.end.astimezone(zone)),
            )
            for t in training
        ],
    )


def visible_placement(session: Session, principal: Principal, placement_id: str) -> m.Placement:
    return visible(
        session.get(m.Placement, placement_id),
        principal,
        access.sees_placement,
        "placement",
        placement_id,
    )


@router.get("/groups/{group_id}/placements", **allow(*ALL, scope=group_scope))
def list_placements(
    group_id: Id, session: SessionDep, principal: PrincipalDep, paging: PagingDep
) -> Page[PlacementPublic]:
    """Manager: all; member: those it hosts; employee: their own."""
    query = select(m.Placement).where(m.Placement.group_id == group_id)
    if principal.role == Role.member:
        query = query.where(m.Placement.host_member_id == principal.subject_id)
    elif principal.role == Role.employee:
        query = query.where(m.Placement.employee_id == principal.subject_id)
    query = query.order_by(col(m.Placement.position), col(m.Placement.id))
    rows, total = page(session, query, paging)
    return Page(
        items=[placement_public(session, x) for x in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/placements/{placement_id}", **allow(*ALL, scope=placement_scope))
def get_placement(
    placement_id: Id, session: SessionDep, principal: PrincipalDep
) -> PlacementPublic:
    return placement_public(session, visible_placement(session, principal, placement_id))


@router.put(
    "/groups/{group_id}/placements/{placement_id}",
    status_code=status.HTTP_202_ACCEPTED,
    **allow(Role.manager, scope=group_scope),
)
def put_placement(
    group_id: Id,
    placement_id: Id,
    placement: s.Placement,
    application: ApplicationDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> PlacementAccepted:
    """Create or replace a placement with its tutor presence and training sessions."""
    if session.get(m.Placement, placement_id) is not None:
        visible_placement(session, principal, placement_id)
    if placement.id != placement_id:
        raise InvalidInput([FieldError(("id",), "must be the id of the URL")])
    try:
        row = application.bus.handle(c.ChangePlacement(group_id=group_id, placement=placement))
    except InvalidInput as error:
        raise InvalidInput(relocate(error.errors, ())) from None
    session.commit()  # end the read snapshot taken before the change (SQLite keeps it)
    return PlacementAccepted(
        placement=placement_public(session, row),
        planning=links(group_id, planning_horizon(application, session, group_id)),
    )


def _sessions(session: Session, query: object) -> list[TrainingSessionPublic]:
    found = []
    for training, placement, centre in session.exec(query).all():  # type: ignore[call-overload]
        zone = group_zone(session, placement.group_id)
        found.append(
            TrainingSessionPublic(
                id=training.id,
                placement_id=placement.id,
                employee_id=placement.employee_id,
                centre_id=centre.id,
                centre_name=centre.name,
                centre_address=centre.address,
                start=training.start.astimezone(zone),
                end=training.end.astimezone(zone),
            )
        )
    return found


def _session_query():  # type: ignore[no-untyped-def]
    return (
        select(m.TrainingSession, m.Placement, m.TrainingCentre)
        .join(m.Placement, col(m.Placement.id) == col(m.TrainingSession.placement_id))
        .join(m.TrainingCentre, col(m.TrainingCentre.id) == col(m.TrainingSession.centre_id))
    )


@router.get("/placements/{placement_id}/training-sessions", **allow(*ALL, scope=placement_scope))
def list_placement_sessions(
    placement_id: Id, session: SessionDep, principal: PrincipalDep
) -> list[TrainingSessionPublic]:
    placement = visible_placement(session, principal, placement_id)
    query = (
        _session_query()
        .where(m.TrainingSession.placement_id == placement.id)
        .order_by(col(m.TrainingSession.start))
    )
    return _sessions(session, query)


@router.get("/groups/{group_id}/training-sessions", **allow(*ALL, scope=group_scope))
def list_group_sessions(
    group_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    week: Annotated[str | None, Query(pattern=WEEK)] = None,
) -> list[TrainingSessionPublic]:
    """Training sessions of the group (of one week), within what the caller may see."""
    query = _session_query().where(m.Placement.group_id == group_id)
    if principal.role == Role.member:
        query = query.where(m.Placement.host_member_id == principal.subject_id)
    elif principal.role == Role.employee:
        query = query.where(m.Placement.employee_id == principal.subject_id)
    if week is not None:
        from datetime import datetime, time, timedelta

        try:
            monday = week_monday(week)
        except ValueError:
            raise InvalidInput([FieldError(("query", "week"), f"{week} does not exist")]) from None
        zone = group_zone(session, group_id)
        start = datetime.combine(monday, time(), zone)
        query = query.where(
            col(m.TrainingSession.start) >= start,
            col(m.TrainingSession.start) < start + timedelta(days=7),
        )
    return _sessions(session, query.order_by(col(m.TrainingSession.start)))
