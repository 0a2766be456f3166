"""Absences, availability, consents and placements: changes on the employees' side."""

from __future__ import annotations

from sqlmodel import delete, select

from scheduler import models as m
from scheduler.messages import commands as c
from scheduler.messages.events import AbsenceDeclared, AvailabilityChanged, PlacementChanged
from scheduler.scenario.importer import (
    absence_row,
    availability_rows,
    consent_row,
    placement_child_rows,
)
from scheduler.scenario.schema import WORK_STUDY
from scheduler.service.errors import FieldError, InvalidInput, NotFound
from scheduler.service.handlers.context import (
    PlanningConfig,
    group_or_404,
    planning_weeks,
    zone_of,
)
from scheduler.service.planning_state import announce, mark_dirty
from scheduler.service.unit_of_work import UnitOfWork
from scheduler.service.weeks import weeks_of_span, within


def employee_or_404(uow: UnitOfWork, group_id: str, employee_id: str) -> m.Employee:
    employee = uow.session.get(m.Employee, employee_id)
    if employee is None or employee.group_id != group_id:
        raise NotFound("employee", employee_id)
    return employee


def declare_absence(
    uow: UnitOfWork, command: c.DeclareAbsence, config: PlanningConfig
) -> m.Absence:
    group = group_or_404(uow, command.group_id)
    absence = command.absence
    employee_or_404(uow, group.id, absence.employee_id)
    if uow.session.get(m.Absence, absence.id) is not None:
        raise InvalidInput([FieldError(("absence", "id"), f"absence id {absence.id!r} exists")])
    row = absence_row(absence, position=0)
    uow.session.add(row)
    touched = weeks_of_span(absence.period.start, absence.period.end, zone_of(group))
    weeks = within(touched, planning_weeks(uow, group, config))
    announce(
        uow,
        group.id,
        weeks,
        AbsenceDeclared,
        f"absence of {row.employee_id}",
        fallback_week=touched[0],
        absence_id=row.id,
        employee_id=row.employee_id,
    )
    uow.commit()
    return row


def change_availability(
    uow: UnitOfWork, command: c.ChangeAvailability, config: PlanningConfig
) -> list[m.AvailabilityWindow]:
    group = group_or_404(uow, command.group_id)
    employee = employee_or_404(uow, group.id, command.employee_id)
    uow.session.exec(
        delete(m.AvailabilityWindow).where(m.AvailabilityWindow.employee_id == employee.id)  # type: ignore[call-overload]
    )
    rows = availability_rows(employee.id, command.availability)
    uow.session.add_all(rows)
    weeks = planning_weeks(uow, group, config)
    announce(
        uow,
        group.id,
        weeks,
        AvailabilityChanged,
        f"availability of {employee.id}",
        employee_id=employee.id,
    )
    uow.commit()
    return rows


def record_consent(uow: UnitOfWork, command: c.RecordConsent, config: PlanningConfig) -> m.Consent:
    group = group_or_404(uow, command.group_id)
    consent = command.consent
    employee_or_404(uow, group.id, consent.employee_id)
    if uow.session.get(m.Consent, consent.id) is not None:
        raise InvalidInput([FieldError(("consent", "id"), f"consent id {consent.id!r} exists")])
    row = consent_row(consent, position=0)
    uow.session.add(row)
    # A consent lets the planner change frozen hours: the week is worth another look.
    mark_dirty(uow, group.id, [consent.week], reason=f"consent of {consent.employee_id}")
    uow.commit()
    return row


def change_placement(
    uow: UnitOfWork, command: c.ChangePlacement, config: PlanningConfig
) -> m.Placement:
    group = group_or_404(uow, command.group_id)
    placement = command.placement
    employee = employee_or_404(uow, group.id, placement.employee_id)
    errors = []
    if employee.contract_kind not in {k.value for k in WORK_STUDY}:
        errors.append(FieldError(("placement", "employee_id"), "only work-study employees"))
    host = uow.session.get(m.Member, placement.host_member_id)
    if host is None or host.group_id != group.id:
        errors.append(
            FieldError(
                ("placement", "host_member_id"), f"unknown member {placement.host_member_id!r}"
            )
        )
    centres = set(
        uow.session.exec(select(m.TrainingCentre.id).where(m.TrainingCentre.group_id == group.id))
    )
    for index, session in enumerate(placement.training):
        if session.centre_id not in centres:
            errors.append(
                FieldError(
                    ("placement", "training", index, "centre_id"),
                    f"unknown training centre {session.centre_id!r}",
                )
            )
    row = uow.session.get(m.Placement, placement.id)
    if row is not None and row.group_id != group.id:
        errors.append(FieldError(("placement", "id"), f"placement id {placement.id!r} exists"))
    if errors:
        raise InvalidInput(errors)
    if row is None:
        row = m.Placement(id=placement.id, group_id=group.id, **_placement_fields(placement))
    else:
        for key, value in _placement_fields(placement).items():
            setattr(row, key, value)
        uow.session.exec(delete(m.TutorPresence).where(m.TutorPresence.placement_id == row.id))  # type: ignore[call-overload]
        uow.session.exec(
            delete(m.TrainingSession).where(m.TrainingSession.placement_id == row.id)  # type: ignore[call-overload]
        )
    uow.session.add(row)
    uow.session.flush()
    uow.session.add_all(placement_child_rows(placement))
    weeks = planning_weeks(uow, group, config)
    announce(
        uow,
        group.id,
        weeks,
        PlacementChanged,
        f"placement {row.id} changed",
        placement_id=row.id,
        employee_id=row.employee_id,
    )
    uow.commit()
    return row


def _placement_fields(placement: c.s.Placement) -> dict[str, object]:
    return {
        "employee_id": placement.employee_id,
        "host_member_id": placement.host_member_id,
        "tutor_name": placement.tutor_name,
        "start": placement.start,
        "end": placement.end,
    }
