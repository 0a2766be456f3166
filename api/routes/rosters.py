"""Rosters: a group's weeks (any version, diffs), planning status, publication, and the
rosters of one member and of one employee."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query, status
from sqlmodel import Session

from api.cache import TimedLRU
from api.deps import ApplicationDep, Id, PrincipalDep, SessionDep, allow, visible
from api.errors import COMMON_RESPONSES
from api.routes.common import group_zone, links
from api.schemas import (
    Accepted,
    AssignmentPublic,
    DiffPublic,
    PlanningStatus,
    PlanRequest,
    PublishRequest,
    RosterPublic,
    VersionPublic,
)
from api.scopes import employee_scope, group_scope, member_scope
from scheduler import models as m
from scheduler.messages import commands as c
from scheduler.scenario.common import week_monday
from scheduler.service import access
from scheduler.service.access import Principal, Role
from scheduler.service.errors import FieldError, InvalidInput, NotFound
from scheduler.service.planning_state import get_state
from scheduler.service.rosters import diff
from scheduler.service.views import RosterLine, roster_lines, version_of, versions_of

router = APIRouter(prefix="/v1", tags=["rosters"], responses=COMMON_RESPONSES)
WEEK_PATTERN = r"^\d{4}-W\d{2}$"
WeekPath = Annotated[str, Path(pattern=WEEK_PATTERN, examples=["2026-W50"])]
WeekQuery = Annotated[str, Query(pattern=WEEK_PATTERN, examples=["2026-W50"])]
Status = Literal["draft", "published"]


def _real_week(week: str, where: str) -> str:
    try:
        week_monday(week)
    except ValueError:
        raise InvalidInput([FieldError((where, "week"), f"{week} does not exist")]) from None
    return week


def _group(session: Session, principal: Principal, group_id: str) -> m.Group:
    return visible(
        session.get(m.Group, group_id), principal, access.sees_group_row, "group", group_id
    )


def _assignment(line: RosterLine) -> AssignmentPublic:
    return AssignmentPublic(**line.__dict__)


_PUBLISHED_LINES: TimedLRU[list[RosterLine]] = TimedLRU()


def _roster(
    session: Session,
    version: m.RosterVersion,
    *,
    employee_id: str | None = None,
    member_id: str | None = None,
) -> RosterPublic:
    assert version.id is not None
    version_id = version.id

    def load() -> list[RosterLine]:
        zone = group_zone(session, version.group_id)
        return roster_lines(session, version_id, zone, employee_id=employee_id, member_id=member_id)

    # Employees and members read the published week over and over; it never changes.
    if version.status == "published":
        lines = _PUBLISHED_LINES.get_or_load((version_id, employee_id, member_id), load)
    else:
        lines = load()
    return RosterPublic(
        group_id=version.group_id,
        week=version.week,
        version=version.number,
        status=version.status,
        created_at=version.created_at,
        published_at=version.published_at,
        assignments=[_assignment(x) for x in lines],
    )


def _version(
    session: Session, group_id: str, week: str, number: int | None, wanted: str | None
) -> m.RosterVersion:
    version = version_of(session, group_id, week, number=number, status=wanted)
    if version is None:
        label = f"{group_id}/{week}" + (f"/v{number}" if number else "")
        raise NotFound("roster", label)
    return version


@router.get("/groups/{group_id}/weeks/{week}/roster", **allow(Role.manager, scope=group_scope))
def group_roster(
    group_id: Id,
    week: WeekPath,
    session: SessionDep,
    principal: PrincipalDep,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    roster_status: Annotated[Status | None, Query(alias="status")] = None,
) -> RosterPublic:
    """A version of the week (default: the latest; ``status`` picks the latest of a kind)."""
    _real_week(week, "path")
    return _roster(session, _version(session, group_id, week, version, roster_status))


@router.get("/groups/{group_id}/weeks/{week}/versions", **allow(Role.manager, scope=group_scope))
def list_versions(
    group_id: Id, week: WeekPath, session: SessionDep, principal: PrincipalDep
) -> list[VersionPublic]:
    """Every version of the week, with what the solver said of it."""
    return [VersionPublic.model_validate(v) for v in versions_of(session, group_id, week)]


@router.get(
    "/groups/{group_id}/weeks/{week}/versions/{version}", **allow(Role.manager, scope=group_scope)
)
def get_version(
    group_id: Id,
    week: WeekPath,
    version: Annotated[int, Path(ge=1, le=1_000_000)],
    session: SessionDep,
    principal: PrincipalDep,
) -> RosterPublic:
    _real_week(week, "path")
    return _roster(session, _version(session, group_id, week, version, None))


@router.get("/groups/{group_id}/weeks/{week}/diff", **allow(Role.manager, scope=group_scope))
def diff_versions(
    group_id: Id,
    week: WeekPath,
    session: SessionDep,
    principal: PrincipalDep,
    from_version: Annotated[int, Query(ge=1, le=1_000_000)],
    to_version: Annotated[int, Query(ge=1, le=1_000_000)],
) -> DiffPublic:
    """What changed from one version of the week to another."""
    _real_week(week, "path")
    zone = group_zone(session, group_id)
    before = _version(session, group_id, week, from_version, None)
    after = _version(session, group_id, week, to_version, None)
    assert before.id is not None and after.id is not None
    old = roster_lines(session, before.id, zone)
    new = roster_lines(session, after.id, zone)

    def key(x: RosterLine) -> tuple[object, ...]:
        return (x.employee_id, x.member_id, x.site_id, x.need_id, x.start, x.end)

    old_keys, new_keys = {key(x) for x in old}, {key(x) for x in new}
    summary = diff(_as_rows(old), _as_rows(new))
    return DiffPublic(
        group_id=group_id,
        week=week,
        from_version=from_version,
        to_version=to_version,
        added=[_assignment(x) for x in new if key(x) not in old_keys],
        removed=[_assignment(x) for x in old if key(x) not in new_keys],
        unchanged=summary.unchanged,
        employees_affected=summary.employees_affected,
        members_affected=summary.members_affected,
    )


def _as_rows(lines: list[RosterLine]) -> list[m.Assignment]:
    return [
        m.Assignment(
            roster_version_id=0,
            employee_id=x.employee_id,
            member_id=x.member_id,
            site_id=x.site_id,
            need_id=x.need_id,
            start=x.start,
            end=x.end,
        )
        for x in lines
    ]


@router.get(
    "/groups/{group_id}/weeks/{week}/planning",
    **allow(Role.manager, Role.member, scope=group_scope),
)
def planning_status(
    group_id: Id, week: WeekPath, session: SessionDep, principal: PrincipalDep
) -> PlanningStatus:
    """Queued, solving (with progress), done or failed (with the reason)."""
    _real_week(week, "path")
    state = get_state(session, group_id, week)
    latest = version_of(session, group_id, week, number=None, status=None)
    published = version_of(session, group_id, week, number=None, status="published")
    return PlanningStatus(
        group_id=group_id,
        week=week,
        status=state.status if state else "idle",  # type: ignore[arg-type]
        progress=state.progress if state else {},
        error=state.error if state else None,
        requested_at=state.first_requested_at if state else None,
        started_at=state.started_at if state else None,
        finished_at=state.finished_at if state else None,
        latest_version=latest.number if latest else None,
        latest_published_version=published.number if published else None,
    )


@router.post(
    "/groups/{group_id}/weeks/{week}/plan",
    status_code=status.HTTP_202_ACCEPTED,
    **allow(Role.manager, scope=group_scope),
)
def request_plan(
    group_id: Id,
    week: WeekPath,
    application: ApplicationDep,
    session: SessionDep,
    principal: PrincipalDep,
    body: Annotated[PlanRequest | None, Body()] = None,
) -> Accepted:
    """Ask for the week to be planned again; a worker solves it (never this request)."""
    _real_week(week, "path")
    reason = body.reason if body else PlanRequest().reason
    application.bus.handle(c.RequestPlan(group_id=group_id, week=week, reason=reason))
    return Accepted(planning=links(group_id, [week]))


@router.post("/groups/{group_id}/weeks/{week}/publish", **allow(Role.manager, scope=group_scope))
def publish_week(
    group_id: Id,
    week: WeekPath,
    application: ApplicationDep,
    session: SessionDep,
    principal: PrincipalDep,
    body: Annotated[PublishRequest | None, Body()] = None,
) -> VersionPublic:
    """Publish a version (default: the latest); employees and members see it from now on."""
    _real_week(week, "path")
    version = application.bus.handle(
        c.PublishWeek(group_id=group_id, week=week, version=body.version if body else None)
    )
    return VersionPublic.model_validate(version)


@router.get("/members/{member_id}/roster", **allow(Role.manager, Role.member, scope=member_scope))
def member_roster(
    member_id: Id,
    week: WeekQuery,
    session: SessionDep,
    principal: PrincipalDep,
    roster_status: Annotated[Status, Query(alias="status")] = "published",
) -> RosterPublic:
    """Who comes when to the member's sites (members see published versions only)."""
    member = visible(
        session.get(m.Member, member_id), principal, access.sees_member, "member", member_id
    )
    _real_week(week, "query")
    wanted = "published" if principal.role != Role.manager else roster_status
    version = _version(session, member.group_id, week, None, wanted)
    return _roster(session, version, member_id=member.id)


@router.get(
    "/employees/{employee_id}/roster", **allow(Role.manager, Role.employee, scope=employee_scope)
)
def employee_roster(
    employee_id: Id,
    week: WeekQuery,
    session: SessionDep,
    principal: PrincipalDep,
    roster_status: Annotated[Status, Query(alias="status")] = "published",
) -> RosterPublic:
    """The employee's week (employees see published versions only)."""
    employee = visible(
        session.get(m.Employee, employee_id),
        principal,
        access.sees_employee,
        "employee",
        employee_id,
    )
    _real_week(week, "query")
    wanted = "published" if principal.role != Role.manager else roster_status
    version = _version(session, employee.group_id, week, None, wanted)
    return _roster(session, version, employee_id=employee.id)
