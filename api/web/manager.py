"""The coverage grid (manager): the week at a glance, publication and planning status."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlmodel import Session
from starlette.responses import JSONResponse, Response

from api.deps import ApplicationDep, SessionDep
from api.web.forms import text
from api.web.grid_view import coverage_grid, planning_view
from api.web.reading import current_week, first_week_with, group_of, valid_week, week_nav, zone_of
from api.web.rendering import WebRoute, error_page, redirect, render, translator
from api.web.security import SECURITY_HEADERS, CsrfUserDep, ManagerDep
from scheduler.bootstrap import Application
from scheduler.messages import commands as c
from scheduler.service.errors import InvalidInput, NotFound

router = APIRouter(prefix="/app/grid", route_class=WebRoute, include_in_schema=False)
DONE = ("published", "planned")
WeekParam = Annotated[str | None, Query(max_length=10)]


def _week(session: Session, application: Application, group_id: str, asked: str | None) -> str:
    """The week asked, else the first with a draft to review, else this week."""
    week = valid_week(asked)
    if week is not None:
        return week
    now_week = current_week(application.clock.now(), zone_of(group_of(session, group_id)))
    return first_week_with(session, group_id, now_week, status="draft") or now_week


@router.get("")
def grid(
    request: Request,
    user: ManagerDep,
    session: SessionDep,
    application: ApplicationDep,
    week: WeekParam = None,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Members × days for a week, with what stays uncovered and why."""
    t = translator(request)
    group = group_of(session, user.principal.group_id)
    zone = zone_of(group)
    label = _week(session, application, group.id, week)
    nav = week_nav(label, current_week(application.clock.now(), zone), t)
    return render(
        request,
        "grid.html",
        user=user,
        nav=nav,
        grid=coverage_grid(session, group.id, label, nav.days, zone),
        planning=planning_view(session, group.id, label),
        done=done if done in DONE else None,
    )


@router.get("/status")
def status(user: ManagerDep, session: SessionDep, week: WeekParam = None) -> Response:
    """The week's planning status, polled by the grid while the planner works."""
    label = valid_week(week)
    if label is None:
        return JSONResponse({"detail": "week"}, status_code=422, headers=SECURITY_HEADERS)
    view = planning_view(session, user.principal.group_id, label)
    return JSONResponse(asdict(view), headers=SECURITY_HEADERS)


@router.post("/publish")
async def publish(
    request: Request,
    user: ManagerDep,
    _: CsrfUserDep,
    application: ApplicationDep,
) -> Response:
    """Publish the version the manager was looking at (PublishWeek), not whatever is latest."""
    form = await request.form()
    week = valid_week(text(form, "week", limit=10))
    version = text(form, "version", limit=10)
    if week is None or not version.isdigit():
        return error_page(request, 422, "error.bad_form")
    try:
        application.bus.handle(
            c.PublishWeek(group_id=user.principal.group_id, week=week, version=int(version))
        )
    except (InvalidInput, NotFound):
        return error_page(request, 409, "grid.publish_failed")
    return redirect(f"/app/grid?week={week}&done=published")


@router.post("/plan")
async def plan(
    request: Request,
    user: ManagerDep,
    _: CsrfUserDep,
    application: ApplicationDep,
) -> Response:
    """Ask for the week to be planned again now (RequestPlan)."""
    form = await request.form()
    week = valid_week(text(form, "week", limit=10))
    if week is None:
        return error_page(request, 422, "error.bad_form")
    application.bus.handle(
        c.RequestPlan(group_id=user.principal.group_id, week=week, reason="asked from the grid")
    )
    return redirect(f"/app/grid?week={week}&done=planned")
