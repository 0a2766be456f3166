"""Calendar feeds: secret, revocable iCalendar URLs of an employee's published roster."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status

from api.deps import (
    ApiSettingsDep,
    ApplicationDep,
    Id,
    PrincipalDep,
    SessionDep,
    allow,
    visible,
)
from api.errors import COMMON_RESPONSES, ErrorMessage
from api.schemas import FeedCreated, FeedPublic
from api.scopes import employee_scope, feed_scope
from scheduler import models as m
from scheduler.service import access, calendar
from scheduler.service.access import Role
from scheduler.service.errors import NotFound

router = APIRouter(tags=["calendar"])
SELF = (Role.manager, Role.employee)


@router.post(
    "/v1/employees/{employee_id}/calendar-feeds",
    status_code=status.HTTP_201_CREATED,
    responses=COMMON_RESPONSES,
    **allow(*SELF, scope=employee_scope),
)
def create_feed(
    employee_id: Id,
    request: Request,
    application: ApplicationDep,
    settings: ApiSettingsDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> FeedCreated:
    """A new secret feed URL (shown once) that phone calendars can subscribe to."""
    visible(
        session.get(m.Employee, employee_id),
        principal,
        access.sees_employee,
        "employee",
        employee_id,
    )
    with application.uow() as uow:
        row, token = calendar.create_feed(
            uow.session, employee_id=employee_id, clock=application.clock
        )
        uow.commit()
    base = settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")
    return FeedCreated(
        id=row.id,
        employee_id=row.employee_id,
        created_at=row.created_at,
        revoked_at=None,
        url=f"{base}/calendar/{token}.ics",
    )


@router.get(
    "/v1/employees/{employee_id}/calendar-feeds",
    responses=COMMON_RESPONSES,
    **allow(*SELF, scope=employee_scope),
)
def list_feeds(employee_id: Id, session: SessionDep, principal: PrincipalDep) -> list[FeedPublic]:
    visible(
        session.get(m.Employee, employee_id),
        principal,
        access.sees_employee,
        "employee",
        employee_id,
    )
    return [FeedPublic.model_validate(x) for x in calendar.feeds_of(session, employee_id)]


@router.delete(
    "/v1/calendar-feeds/{feed_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=COMMON_RESPONSES,
    **allow(*SELF, scope=feed_scope),
)
def revoke_feed(
    feed_id: Id, application: ApplicationDep, session: SessionDep, principal: PrincipalDep
) -> None:
    """Revoke a feed: its URL stops working at once (revoking twice is fine)."""
    visible(
        session.get(m.CalendarFeed, feed_id), principal, access.sees_feed, "calendar feed", feed_id
    )
    with application.uow() as uow:
        calendar.revoke_feed(uow.session, feed_id, application.clock)
        uow.commit()


@router.get(
    "/calendar/{token}.ics",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {}}, "description": "The iCalendar file"},
        404: {"model": ErrorMessage, "description": "Unknown or revoked feed"},
    },
)
def feed(
    token: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{20,100}$")],
    application: ApplicationDep,
    session: SessionDep,
) -> Response:
    """The feed itself: the secret in the URL is the credential (calendars send no headers)."""
    row = calendar.feed_by_token(session, token)
    if row is None:
        raise NotFound("calendar feed", "(token)")
    body = calendar.employee_calendar(session, row.employee_id, now=application.clock.now())
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )
