"""Employees: contract and skills, availability, absences and consents."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlmodel import Session, col, select

from api.deps import ApplicationDep, Id, PagingDep, PrincipalDep, SessionDep, allow, visible
from api.errors import COMMON_RESPONSES
from api.routes.common import group_zone, links, page, planning_horizon
from api.schemas import (
    AbsencePublic,
    Accepted,
    AvailabilityBody,
    AvailabilityPublic,
    ConsentPublic,
    EmployeePublic,
    EmployeeSummary,
    Page,
)
from api.scopes import employee_scope, group_scope
from scheduler import models as m
from scheduler.messages import commands as c
from scheduler.scenario import schema as s
from scheduler.scenario.exporter import weekly_windows
from scheduler.service import access, csv_io
from scheduler.service.access import Role
from scheduler.service.batch import one_transaction
from scheduler.service.errors import FieldError, InvalidInput
from scheduler.service.planning_state import mark_dirty
from scheduler.service.views import employee_wire
from scheduler.service.weeks import weeks_of_span, within

router = APIRouter(prefix="/v1", tags=["employees"], responses=COMMON_RESPONSES)
SELF = (Role.manager, Role.employee)


def visible_employee(session: Session, principal: access.Principal, employee_id: str) -> m.Employee:
    return visible(
        session.get(m.Employee, employee_id),
        principal,
        access.sees_employee,
        "employee",
        employee_id,
    )


def employee_public(session: Session, row: m.Employee) -> EmployeePublic:
    wire = employee_wire(session, row)
    return EmployeePublic(**wire.model_dump(), group_id=row.group_id)


@router.get("/groups/{group_id}/employees", **allow(Role.manager, scope=group_scope))
def list_employees(
    group_id: Id, session: SessionDep, principal: PrincipalDep, paging: PagingDep
) -> Page[EmployeeSummary]:
    query = (
        select(m.Employee)
        .where(m.Employee.group_id == group_id)
        .order_by(col(m.Employee.position), col(m.Employee.id))
    )
    rows, total = page(session, query, paging)
    return Page(
        items=[
            EmployeeSummary(
                id=e.id,
                group_id=e.group_id,
                first_name=e.first_name,
                last_name=e.last_name,
                contract_kind=e.contract_kind,
                weekly_hours=e.weekly_minutes / 60,
            )
            for e in rows
        ],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.put(
    "/groups/{group_id}/employees/{employee_id}",
    status_code=status.HTTP_202_ACCEPTED,
    **allow(Role.manager, scope=group_scope),
)
def put_employee(
    group_id: Id,
    employee_id: Id,
    employee: s.Employee,
    application: ApplicationDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> Accepted:
    """Create or replace an employee (declared external work is kept); the horizon re-plans."""
    if session.get(m.Employee, employee_id) is not None:
        visible_employee(session, principal, employee_id)
    if employee.id != employee_id:
        raise InvalidInput([FieldError(("id",), "must be the id of the URL")])
    with one_transaction(application.engine, application.clock) as uow:
        group = uow.session.get(m.Group, group_id)
        assert group is not None
        errors = csv_io._employee_errors(uow.session, group, [(0, employee)])
        if errors:
            raise InvalidInput([FieldError(e.path[2:], e.reason) for e in errors])
        outcome = csv_io.upsert_employee(uow.session, group, employee)
        weeks: list[str] = []
        if outcome != "unchanged":
            weeks = planning_horizon(application, uow.session, group_id)
            mark_dirty(uow, group_id, weeks, reason=f"employee {employee_id} {outcome}")
        uow.commit_all()
    return Accepted(planning=links(group_id, weeks))


@router.get("/employees/{employee_id}", **allow(*SELF, scope=employee_scope))
def get_employee(employee_id: Id, session: SessionDep, principal: PrincipalDep) -> EmployeePublic:
    return employee_public(session, visible_employee(session, principal, employee_id))


@router.get("/employees/{employee_id}/availability", **allow(*SELF, scope=employee_scope))
def get_availability(
    employee_id: Id, session: SessionDep, principal: PrincipalDep
) -> AvailabilityPublic:
    employee = visible_employee(session, principal, employee_id)
    rows = session.exec(
        select(m.AvailabilityWindow).where(m.AvailabilityWindow.employee_id == employee.id)
    ).all()
    return AvailabilityPublic(employee_id=employee.id, availability=weekly_windows(list(rows)))


@router.put(
    "/employees/{employee_id}/availability",
    status_code=status.HTTP_202_ACCEPTED,
    **allow(*SELF, scope=employee_scope),
)
def put_availability(
    employee_id: Id,
    body: AvailabilityBody,
    application: ApplicationDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> AvailabilityPublic:
    """Replace the weekly availability; the weeks of the horizon are re-planned."""
    employee = visible_employee(session, principal, employee_id)
    application.bus.handle(
        c.ChangeAvailability(
            group_id=employee.group_id, employee_id=employee.id, availability=body.availability
        )
    )
    weeks = planning_horizon(application, session, employee.group_id)
    return AvailabilityPublic(
        employee_id=employee.id,
        availability=body.availability,
        planning=links(employee.group_id, weeks),
    )


@router.get("/employees/{employee_id}/absences", **allow(*SELF, scope=employee_scope))
def list_absences(
    employee_id: Id, session: SessionDep, principal: PrincipalDep, paging: PagingDep
) -> Page[AbsencePublic]:
    employee = visible_employee(session, principal, employee_id)
    query = (
        select(m.Absence)
        .where(m.Absence.employee_id == employee.id)
        .order_by(col(m.Absence.start), col(m.Absence.id))
    )
    rows, total = page(session, query, paging)
    return Page(
        items=[
            AbsencePublic(
                id=a.id,
                employee_id=a.employee_id,
                kind=s.AbsenceKind(a.kind),
                period=s.Interval(start=a.start, end=a.end),
                note=a.note,
            )
            for a in rows
        ],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post(
    "/employees/{employee_id}/absences",
    status_code=status.HTTP_202_ACCEPTED,
    **allow(*SELF, scope=employee_scope),
)
def declare_absence(
    employee_id: Id,
    absence: s.Absence,
    application: ApplicationDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> Accepted:
    """Declare an absence (or unavailability); the weeks it touches are re-planned."""
    employee = visible_employee(session, principal, employee_id)
    if absence.employee_id != employee.id:
        raise InvalidInput([FieldError(("employee_id",), "must be the employee of the URL")])
    application.bus.handle(c.DeclareAbsence(group_id=employee.group_id, absence=absence))
    touched = weeks_of_span(
        absence.period.start, absence.period.end, group_zone(session, employee.group_id)
    )
    weeks = within(touched, planning_horizon(application, session, employee.group_id))
    return Accepted(planning=links(employee.group_id, weeks))


@router.get("/employees/{employee_id}/consents", **allow(*SELF, scope=employee_scope))
def list_consents(
    employee_id: Id, session: SessionDep, principal: PrincipalDep, paging: PagingDep
) -> Page[ConsentPublic]:
    employee = visible_employee(session, principal, employee_id)
    query = (
        select(m.Consent)
        .where(m.Consent.employee_id == employee.id)
        .order_by(col(m.Consent.start), col(m.Consent.id))
    )
    rows, total = page(session, query, paging)
    return Page(
        items=[
            ConsentPublic(
                id=x.id,
                employee_id=x.employee_id,
                week=x.week,
                period=s.Interval(start=x.start, end=x.end),
                given_at=x.given_at,
                note=x.note,
            )
            for x in rows
        ],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post(
    "/employees/{employee_id}/consents",
    status_code=status.HTTP_202_ACCEPTED,
    **allow(*SELF, scope=employee_scope),
)
def record_consent(
    employee_id: Id,
    consent: s.Consent,
    application: ApplicationDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> Accepted:
    """Agree to a change of hours inside the notice window; the week is planned again."""
    employee = visible_employee(session, principal, employee_id)
    if consent.employee_id != employee.id:
        raise InvalidInput([FieldError(("employee_id",), "must be the employee of the URL")])
    application.bus.handle(c.RecordConsent(group_id=employee.group_id, consent=consent))
    return Accepted(planning=links(employee.group_id, [consent.week]))
