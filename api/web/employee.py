"""My week (employee, phone first): published hours, unavailability, consents, calendar feed."""

from __future__ import annotations

import secrets
from datetime import time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from sqlmodel import Session
from starlette.responses import Response

from api.deps import ApiSettingsDep, ApplicationDep, SessionDep, visible
from api.web.employee_view import (
    consent_requests,
    employee_week,
    live_feeds,
    upcoming_absences,
)
from api.web.forms import (
    FormErrors,
    collect_field_errors,
    local,
    parse_date,
    parse_time,
    text,
)
from api.web.reading import (
    current_week,
    group_of,
    notice_days,
    shown_published_week,
    valid_week,
    week_nav,
    zone_of,
)
from api.web.rendering import WebRoute, redirect, render, translator
from api.web.security import CsrfUserDep, EmployeeDep, WebUser
from scheduler import models as m
from scheduler.bootstrap import Application
from scheduler.messages import commands as c
from scheduler.scenario import schema as s
from scheduler.service import access, calendar
from scheduler.service.errors import InvalidInput

router = APIRouter(prefix="/app/week", route_class=WebRoute, include_in_schema=False)
DONE = ("absence", "consent", "consent_gone", "feed_revoked")
WeekParam = Annotated[str | None, Query(max_length=10)]


def _week(
    session: Session, application: Application, employee: m.Employee, asked: str | None
) -> tuple[str, str]:
    """The week to show, and the current week."""
    group = group_of(session, employee.group_id)
    now_week = current_week(application.clock.now(), zone_of(group))
    return shown_published_week(session, group.id, asked, now_week), now_week


def _page(
    request: Request,
    user: WebUser,
    session: Session,
    application: Application,
    asked: str | None,
    *,
    status_code: int = 200,
    errors: FormErrors | None = None,
    values: dict[str, str] | None = None,
    new_feed_url: str | None = None,
    done: str | None = None,
) -> Response:
    t = translator(request)
    employee = session.get(m.Employee, user.principal.subject_id)
    assert employee is not None  # the key's own subject
    group = group_of(session, employee.group_id)
    zone = zone_of(group)
    week, now_week = _week(session, application, employee, asked)
    nav = week_nav(week, now_week, t)
    now = application.clock.now()
    return render(
        request,
        "week.html",
        user=user,
        status_code=status_code,
        nav=nav,
        view=employee_week(session, employee, week, nav.days, zone),
        requests=consent_requests(session, employee, group, now, zone),
        absences=[
            (a, a.start.astimezone(zone), a.end.astimezone(zone))
            for a in upcoming_absences(session, employee.id, now)
        ],
        feeds=live_feeds(session, employee.id),
        new_feed_url=new_feed_url,
        notice_days=notice_days(group),
        errors=errors or FormErrors(),
        values=values or {},
        done=done if done in DONE else None,
    )


@router.get("")
def my_week(
    request: Request,
    user: EmployeeDep,
    session: SessionDep,
    application: ApplicationDep,
    week: WeekParam = None,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """The employee's published week, day by day."""
    return _page(request, user, session, application, week, done=done)


def _absence(
    form: dict[str, Any], employee: m.Employee, zone: Any, errors: FormErrors, t: Any
) -> s.Absence | None:
    start_day = parse_date(form, "start_date", errors, t)
    end_day = parse_date(form, "end_date", errors, t)
    start_clock = parse_time(form, "start_time", errors, t, default=time(0, 0))
    end_clock = parse_time(form, "end_time", errors, t, default=time(0, 0))
    if errors or not (start_day and end_day and start_clock is not None and end_clock is not None):
        return None
    start = local(start_day, start_clock, zone)
    # Without an end time the absence covers the whole end day.
    end = (
        local(end_day, end_clock, zone)
        if text(form, "end_time")
        else local(end_day + timedelta(days=1), time(0, 0), zone)
    )
    if end <= start:
        errors.add("end_date", t("form.end_after_start"))
        return None
    return s.Absence(
        id=f"{employee.id}-a{secrets.token_hex(4)}"[-64:],
        employee_id=employee.id,
        kind=s.AbsenceKind.personal,
        period=s.Interval(start=start, end=end),
        note=text(form, "note", limit=500) or None,
    )


@router.post("/absence")
async def declare_unavailability(
    request: Request,
    user: EmployeeDep,
    _: CsrfUserDep,
    session: SessionDep,
    application: ApplicationDep,
) -> Response:
    """Declare a personal unavailability (DeclareAbsence, kind personal): the week re-plans."""
    t = translator(request)
    form = dict(await request.form())
    week = text(form, "week", limit=10) or None
    employee = session.get(m.Employee, user.principal.subject_id)
    assert employee is not None
    zone = zone_of(group_of(session, employee.group_id))
    errors = FormErrors()
    absence = _absence(form, employee, zone, errors, t)
    if absence is not None:
        try:
            application.bus.handle(c.DeclareAbsence(group_id=employee.group_id, absence=absence))
        except InvalidInput as error:
            collect_field_errors(t, error.errors, errors, lambda loc, _: "start_date")
    if errors or absence is None:
        values = {k: text(form, k) for k in ("start_date", "start_time", "end_date", "end_time")}
        values["note"] = text(form, "note")
        return _page(
            request, user, session, application, week, status_code=422, errors=errors, values=values
        )
    return redirect(f"/app/week?week={valid_week(week) or ''}&done=absence#absences")


@router.post("/consent")
async def give_consent(
    request: Request,
    user: EmployeeDep,
    _: CsrfUserDep,
    session: SessionDep,
    application: ApplicationDep,
) -> Response:
    """Agree to hours asked inside the notice window (RecordConsent): the week re-plans."""
    form = dict(await request.form())
    week = valid_week(text(form, "week", limit=10)) or ""
    employee = session.get(m.Employee, user.principal.subject_id)
    assert employee is not None
    group = group_of(session, employee.group_id)
    now = application.clock.now()
    # The request is looked up again rather than trusted from the form: one can only agree
    # to hours the planner is asking for right now.
    wanted = text(form, "request", limit=200)
    asked = consent_requests(session, employee, group, now, zone_of(group))
    match = next((r for r in asked if r.key == wanted), None)
    if match is None:
        return redirect(f"/app/week?week={week}&done=consent_gone")
    consent = s.Consent(
        id=f"{employee.id}-c{secrets.token_hex(4)}"[-64:],
        employee_id=employee.id,
        week=match.week,
        period=s.Interval(start=match.start, end=match.end),
        given_at=now,
        note=f"{match.member_name} — {match.site_name}"[:500],
    )
    application.bus.handle(c.RecordConsent(group_id=employee.group_id, consent=consent))
    return redirect(f"/app/week?week={week}&done=consent")


@router.post("/feed")
async def create_feed(
    request: Request,
    user: EmployeeDep,
    _: CsrfUserDep,
    session: SessionDep,
    application: ApplicationDep,
    settings: ApiSettingsDep,
) -> Response:
    """A new calendar feed; its secret URL is shown on this answer only (never in a URL)."""
    form = dict(await request.form())
    with application.uow() as uow:
        _, token = calendar.create_feed(
            uow.session, employee_id=user.principal.subject_id, clock=application.clock
        )
        uow.commit()
    base = settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")
    session.commit()  # end the read snapshot taken before the change (SQLite keeps it)
    return _page(
        request,
        user,
        session,
        application,
        text(form, "week", limit=10) or None,
        new_feed_url=f"{base}/calendar/{token}.ics",
    )


@router.post("/feed/{feed_id}/revoke")
async def revoke_feed(
    request: Request,
    feed_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9]{1,64}$")],
    user: EmployeeDep,
    _: CsrfUserDep,
    session: SessionDep,
    application: ApplicationDep,
) -> Response:
    """Stop a calendar feed (another employee's feed is a 404, like a missing one)."""
    visible(
        session.get(m.CalendarFeed, feed_id),
        user.principal,
        access.sees_feed,
        "calendar feed",
        feed_id,
    )
    form = dict(await request.form())
    with application.uow() as uow:
        calendar.revoke_feed(uow.session, feed_id, application.clock)
        uow.commit()
    week = valid_week(text(form, "week", limit=10)) or ""
    return redirect(f"/app/week?week={week}&done=feed_revoked#calendar")
