"""Needs (member): submit, change and cancel needs; see who comes when."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from sqlmodel import Session
from starlette.responses import Response

from api.deps import ID_PATTERN, ApplicationDep, SessionDep, visible
from api.web.forms import FormErrors, collect_field_errors, text
from api.web.i18n import Translator
from api.web.member_view import (
    SLOTS,
    form_values,
    member_needs,
    member_sites,
    need_values,
    parse_need,
    place_need_error,
    territory_skills,
    visits,
)
from api.web.reading import (
    current_week,
    group_of,
    shown_published_week,
    valid_week,
    week_nav,
    zone_of,
)
from api.web.rendering import WebRoute, redirect, render, translator
from api.web.security import CsrfUserDep, MemberDep, WebUser
from scheduler import models as m
from scheduler.bootstrap import Application
from scheduler.messages import commands as c
from scheduler.service import access
from scheduler.service.errors import InvalidInput, VersionConflict

router = APIRouter(prefix="/app/needs", route_class=WebRoute, include_in_schema=False)
DONE = ("submitted", "changed", "cancelled", "conflict")
NeedId = Annotated[str, Path(pattern=ID_PATTERN, max_length=64)]
WeekParam = Annotated[str | None, Query(max_length=10)]


def _member(session: Session, user: WebUser) -> m.Member:
    member = session.get(m.Member, user.principal.subject_id)
    assert member is not None  # the key's own subject
    return member


def _own_need(session: Session, user: WebUser, need_id: str) -> m.Need:
    """The member's need, or NotFound (another member's need looks like a missing one)."""
    return visible(session.get(m.Need, need_id), user.principal, access.sees_need, "need", need_id)


def _labels(t: Translator, errors: FormErrors) -> list[tuple[str, str, str]]:
    """(field, label, reason) of every error, for the summary at the top of the form."""
    found = []
    for name, reason in errors.by_field.items():
        if name.startswith("slot-"):
            _, row, part = name.split("-")
            label = t("need.slot_field", n=int(row) + 1, part=t(f"need.part.{part}"))
        else:
            label = t(f"need.field.{name}")
        found.append((name, label, reason))
    return found


def _form_context(
    request: Request, session: Session, member: m.Member, errors: FormErrors
) -> dict[str, Any]:
    group = group_of(session, member.group_id)
    return {
        "sites": member_sites(session, member.id),
        "skills": territory_skills(session, group),
        "slots": SLOTS,
        "errors": errors,
        "error_list": _labels(translator(request), errors),
    }


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
    done: str | None = None,
) -> Response:
    t = translator(request)
    member = _member(session, user)
    zone = zone_of(group_of(session, member.group_id))
    now_week = current_week(application.clock.now(), zone)
    week = shown_published_week(session, member.group_id, asked, now_week)
    nav = week_nav(week, now_week, t)
    version, days = visits(session, member, week, nav.days, zone)
    return render(
        request,
        "needs.html",
        user=user,
        status_code=status_code,
        nav=nav,
        needs=member_needs(session, member, zone, now_week),
        version=version,
        days=days,
        values=values or {"kind": "blocks", "headcount": "1", "priority": "2"},
        done=done if done in DONE else None,
        **_form_context(request, session, member, errors or FormErrors()),
    )


@router.get("")
def needs(
    request: Request,
    user: MemberDep,
    session: SessionDep,
    application: ApplicationDep,
    week: WeekParam = None,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """The member's needs, a form to submit one, and who comes when."""
    return _page(request, user, session, application, week, done=done)


@router.post("")
async def submit(
    request: Request,
    user: MemberDep,
    _: CsrfUserDep,
    session: SessionDep,
    application: ApplicationDep,
) -> Response:
    """Submit a need (SubmitNeed): the weeks it touches re-plan."""
    t = translator(request)
    form = dict(await request.form())
    member = _member(session, user)
    zone = zone_of(group_of(session, member.group_id))
    errors = FormErrors()
    need, used = parse_need(form, need_id=None, member=member, zone=zone, errors=errors, t=t)
    if need is not None:
        try:
            application.bus.handle(c.SubmitNeed(group_id=member.group_id, need=need))
        except InvalidInput as error:
            collect_field_errors(t, error.errors, errors, place_need_error(used))
    week = text(form, "week", limit=10) or None
    if errors or need is None:
        return _page(
            request,
            user,
            session,
            application,
            week,
            status_code=422,
            errors=errors,
            values=form_values(form),
        )
    return redirect(f"/app/needs?week={valid_week(week) or ''}&done=submitted")


def _edit_page(
    request: Request,
    user: WebUser,
    session: Session,
    row: m.Need,
    values: dict[str, str],
    *,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "need_edit.html",
        user=user,
        status_code=status_code,
        need=row,
        values=values,
        **_form_context(request, session, _member(session, user), errors or FormErrors()),
    )


@router.get("/{need_id}")
def edit(request: Request, need_id: NeedId, user: MemberDep, session: SessionDep) -> Response:
    """The form to change one of the member's needs."""
    row = _own_need(session, user, need_id)
    zone = zone_of(group_of(session, row.group_id))
    return _edit_page(request, user, session, row, need_values(session, row, zone))


@router.post("/{need_id}")
async def change(
    request: Request,
    need_id: NeedId,
    user: MemberDep,
    _: CsrfUserDep,
    session: SessionDep,
    application: ApplicationDep,
) -> Response:
    """Change a need (ChangeNeed, based on the version the form showed)."""
    t = translator(request)
    row = _own_need(session, user, need_id)
    form = dict(await request.form())
    member = _member(session, user)
    zone = zone_of(group_of(session, member.group_id))
    errors = FormErrors()
    expected = text(form, "expected_version", limit=10)
    need, used = parse_need(form, need_id=row.id, member=member, zone=zone, errors=errors, t=t)
    if need is not None and expected.isdigit():
        try:
            application.bus.handle(
                c.ChangeNeed(group_id=row.group_id, need=need, expected_version=int(expected))
            )
        except VersionConflict:
            return redirect("/app/needs?done=conflict")
        except InvalidInput as error:
            collect_field_errors(t, error.errors, errors, place_need_error(used))
    if errors or need is None:
        return _edit_page(
            request, user, session, row, form_values(form), errors=errors, status_code=422
        )
    return redirect("/app/needs?done=changed")


@router.post("/{need_id}/cancel")
async def cancel(
    request: Request,
    need_id: NeedId,
    user: MemberDep,
    _: CsrfUserDep,
    session: SessionDep,
    application: ApplicationDep,
) -> Response:
    """Cancel a need (CancelNeed); a need changed meanwhile is not cancelled blindly."""
    row = _own_need(session, user, need_id)
    form = await request.form()
    expected = text(form, "expected_version", limit=10)
    try:
        application.bus.handle(
            c.CancelNeed(
                group_id=row.group_id,
                need_id=row.id,
                expected_version=int(expected) if expected.isdigit() else None,
            )
        )
    except VersionConflict:
        return redirect("/app/needs?done=conflict")
    return redirect("/app/needs?done=cancelled")
