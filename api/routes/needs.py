"""Needs: submit, bulk submit, change (409 on a stale version), cancel, list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlmodel import Session, col, select

from api.deps import (
    ID_PATTERN,
    ApplicationDep,
    Id,
    PagingDep,
    PrincipalDep,
    SessionDep,
    allow,
    visible,
)
from api.errors import COMMON_RESPONSES, CONFLICT_RESPONSE
from api.routes.common import group_zone, links, page, planning_horizon
from api.schemas import BulkNeeds, NeedAccepted, NeedChange, NeedPublic, NeedsAccepted, Page
from api.scopes import group_scope, need_scope
from scheduler import models as m
from scheduler.messages import commands as c
from scheduler.scenario import schema as s
from scheduler.service import access
from scheduler.service.access import Principal, Role
from scheduler.service.batch import relocate, submit_needs
from scheduler.service.errors import FieldError, InvalidInput
from scheduler.service.views import need_wire
from scheduler.service.weeks import weeks_between, within

router = APIRouter(prefix="/v1", tags=["needs"], responses=COMMON_RESPONSES)
WRITERS = (Role.manager, Role.member)
WEEK = r"^\d{4}-W\d{2}$"


def need_public(session: Session, row: m.Need) -> NeedPublic:
    wire = need_wire(session, row, group_zone(session, row.group_id))
    return NeedPublic(**wire.model_dump(), group_id=row.group_id, version=row.version)


def visible_need(session: Session, principal: Principal, need_id: str) -> m.Need:
    return visible(session.get(m.Need, need_id), principal, access.sees_need, "need", need_id)


def _check_owner(principal: Principal, need: s.Need, at: tuple[str | int, ...] = ()) -> None:
    # A member submits for itself only; naming another member is a field error, like an
    # unknown member would be (it says nothing the member could not know).
    if principal.role == Role.member and need.member_id != principal.subject_id:
        raise InvalidInput([FieldError((*at, "member_id"), "must be your own member id")])


def _weeks(application: object, session: Session, row: m.Need) -> list[str]:
    return within(
        weeks_between(row.first_week, row.last_week),
        planning_horizon(application, session, row.group_id),  # type: ignore[arg-type]
    )


@router.get("/groups/{group_id}/needs", **allow(*WRITERS, scope=group_scope))
def list_needs(
    group_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    paging: PagingDep,
    member_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    site_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    skill: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    week: Annotated[str | None, Query(pattern=WEEK, description="Needs touching it")] = None,
    kind: s.NeedKind | None = None,
    include_cancelled: bool = False,
) -> Page[NeedPublic]:
    """The group's needs (a member sees its own), filtered, oldest first."""
    query = select(m.Need).where(m.Need.group_id == group_id)
    if principal.role == Role.member:
        query = query.where(m.Need.member_id == principal.subject_id)
    if member_id is not None:
        query = query.where(m.Need.member_id == member_id)
    if site_id is not None:
        query = query.where(m.Need.site_id == site_id)
    if skill is not None:
        query = query.where(m.Need.skill_id == skill)
    if week is not None:
        query = query.where(col(m.Need.first_week) <= week, col(m.Need.last_week) >= week)
    if kind is not None:
        query = query.where(m.Need.kind == kind.value)
    if not include_cancelled:
        query = query.where(col(m.Need.cancelled).is_(False))
    rows, total = page(session, query.order_by(col(m.Need.position), col(m.Need.id)), paging)
    return Page(
        items=[need_public(session, x) for x in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post(
    "/groups/{group_id}/needs",
    status_code=status.HTTP_202_ACCEPTED,
    **allow(*WRITERS, scope=group_scope),
)
def submit_need(
    group_id: Id,
    need: s.Need,
    application: ApplicationDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> NeedAccepted:
    """Submit a need; the weeks it touches are planned (follow ``planning[].status_url``)."""
    _check_owner(principal, need)
    try:
        row = application.bus.handle(c.SubmitNeed(group_id=group_id, need=need))
    except InvalidInput as error:
        raise InvalidInput(relocate(error.errors, ())) from None
    session.commit()  # end the read snapshot taken before the change (SQLite keeps it)
    return NeedAccepted(
        need=need_public(session, row), planning=links(group_id, _weeks(application, session, row))
    )


@router.post(
    "/groups/{group_id}/needs/bulk",
    status_code=status.HTTP_202_ACCEPTED,
    **allow(*WRITERS, scope=group_scope),
)
def submit_needs_in_bulk(
    group_id: Id,
    body: BulkNeeds,
    application: ApplicationDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> NeedsAccepted:
    """Submit (or change) up to 500 needs at once: all are stored, or none with every error."""
    errors: list[FieldError] = []
    for index, need in enumerate(body.needs):
        try:
            _check_owner(principal, need, ("needs", index))
        except InvalidInput as error:
            errors.extend(error.errors)
    if errors:
        raise InvalidInput(errors)
    rows = submit_needs(
        application.engine,
        application.clock,
        application.config,
        group_id,
        body.needs,
        at=("needs",),
    )
    session.commit()  # end the read snapshot taken before the change (SQLite keeps it)
    weeks = sorted({w for row in rows for w in _weeks(application, session, row)})
    return NeedsAccepted(
        needs=[need_public(session, row) for row in rows], planning=links(group_id, weeks)
    )


@router.get("/needs/{need_id}", **allow(*WRITERS, scope=need_scope))
def get_need(need_id: Id, session: SessionDep, principal: PrincipalDep) -> NeedPublic:
    return need_public(session, visible_need(session, principal, need_id))


@router.put(
    "/needs/{need_id}",
    status_code=status.HTTP_202_ACCEPTED,
    responses=CONFLICT_RESPONSE,
    **allow(*WRITERS, scope=need_scope),
)
def change_need(
    need_id: Id,
    change: NeedChange,
    application: ApplicationDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> NeedAccepted:
    """Replace a need; ``expected_version`` must be its current version (409 otherwise)."""
    stored = visible_need(session, principal, need_id)
    if change.id != need_id:
        raise InvalidInput([FieldError(("id",), "must be the id of the URL")])
    need = s.Need.model_validate(change.model_dump(exclude={"expected_version"}))
    _check_owner(principal, need)
    try:
        row = application.bus.handle(
            c.ChangeNeed(
                group_id=stored.group_id, need=need, expected_version=change.expected_version
            )
        )
    except InvalidInput as error:
        raise InvalidInput(relocate(error.errors, ())) from None
    session.commit()  # end the read snapshot taken before the change (SQLite keeps it)
    weeks = sorted(
        set(_weeks(application, session, stored)) | set(_weeks(application, session, row))
    )
    return NeedAccepted(need=need_public(session, row), planning=links(row.group_id, weeks))


@router.delete(
    "/needs/{need_id}",
    status_code=status.HTTP_202_ACCEPTED,
    responses=CONFLICT_RESPONSE,
    **allow(*WRITERS, scope=need_scope),
)
def cancel_need(
    need_id: Id,
    application: ApplicationDep,
    session: SessionDep,
    principal: PrincipalDep,
    expected_version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> NeedAccepted:
    """Cancel a need (cancelling twice is the same as once)."""
    stored = visible_need(session, principal, need_id)
    row = application.bus.handle(
        c.CancelNeed(group_id=stored.group_id, need_id=need_id, expected_version=expected_version)
    )
    session.commit()  # end the read snapshot taken before the change (SQLite keeps it)
    return NeedAccepted(
        need=need_public(session, row),
        planning=links(row.group_id, _weeks(application, session, row)),
    )
