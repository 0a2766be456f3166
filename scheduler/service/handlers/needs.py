"""Submitting, changing and cancelling needs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import delete, select

from scheduler import models as m
from scheduler.messages import commands as c
from scheduler.messages.events import Event, NeedCancelled, NeedChanged, NeedSubmitted
from scheduler.scenario import schema as s
from scheduler.scenario.importer import need_row, need_span_rows
from scheduler.service.errors import FieldError, InvalidInput, NotFound, VersionConflict
from scheduler.service.handlers.context import (
    PlanningConfig,
    group_or_404,
    planning_weeks,
    zone_of,
)
from scheduler.service.planning_state import announce
from scheduler.service.unit_of_work import UnitOfWork


def need_reference_errors(uow: UnitOfWork, group: m.Group, need: s.Need) -> list[FieldError]:
    """What the stored group says of a need's member, site and skill."""
    errors = []
    member = uow.session.get(m.Member, need.member_id)
    if member is None or member.group_id != group.id:
        errors.append(FieldError(("need", "member_id"), f"unknown member {need.member_id!r}"))
    site = uow.session.get(m.Site, need.site_id)
    if site is None or (member is not None and member.group_id != group.id):
        errors.append(FieldError(("need", "site_id"), f"unknown site {need.site_id!r}"))
    elif site.member_id != need.member_id:
        errors.append(
            FieldError(
                ("need", "site_id"),
                f"site {need.site_id!r} belongs to member {site.member_id!r}, "
                f"not {need.member_id!r}",
            )
        )
    skill = uow.session.get(m.Skill, need.skill)
    if skill is None or skill.territory_id != group.territory_id:
        errors.append(FieldError(("need", "skill"), f"unknown skill {need.skill!r}"))
    return errors


def _weeks_of(row: m.Need, horizon: list[str]) -> list[str]:
    """The weeks of the horizon the need applies to (weekly needs may be open-ended)."""
    return [week for week in horizon if row.first_week <= week <= row.last_week]


def _announce(
    uow: UnitOfWork, event: type[Event], row: m.Need, weeks: list[str], verb: str, **extra: Any
) -> None:
    announce(
        uow,
        row.group_id,
        weeks,
        event,
        f"need {row.id} {verb}",
        fallback_week=row.first_week,
        need_id=row.id,
        member_id=row.member_id,
        **extra,
    )


def submit_need(uow: UnitOfWork, command: c.SubmitNeed, config: PlanningConfig) -> m.Need:
    group = group_or_404(uow, command.group_id)
    errors = need_reference_errors(uow, group, command.need)
    if uow.session.get(m.Need, command.need.id) is not None:
        errors.append(FieldError(("need", "id"), f"need id {command.need.id!r} already exists"))
    if errors:
        raise InvalidInput(errors)
    position = uow.session.exec(
        select(func.count()).select_from(m.Need).where(m.Need.group_id == group.id)
    ).one()
    row = need_row(group.id, command.need, position, zone_of(group))
    uow.session.add(row)
    uow.session.flush()
    uow.session.add_all(need_span_rows(command.need))
    weeks = _weeks_of(row, planning_weeks(uow, group, config))
    _announce(uow, NeedSubmitted, row, weeks, "submitted")
    uow.commit()
    return row


def _current(uow: UnitOfWork, group_id: str, need_id: str, expected: int | None) -> m.Need:
    row = uow.session.get(m.Need, need_id)
    if row is None or row.group_id != group_id:
        raise NotFound("need", need_id)
    if expected is not None and row.version != expected:
        raise VersionConflict("need", need_id, expected, row.version)
    return row


def change_need(uow: UnitOfWork, command: c.ChangeNeed, config: PlanningConfig) -> m.Need:
    group = group_or_404(uow, command.group_id)
    row = _current(uow, group.id, command.need.id, command.expected_version)
    errors = need_reference_errors(uow, group, command.need)
    if errors:
        raise InvalidInput(errors)
    horizon = planning_weeks(uow, group, config)
    before = _weeks_of(row, horizon)
    changed = need_row(group.id, command.need, row.position, zone_of(group))
    for field in m.Need.model_fields:
        if field not in {"id", "position", "group_id", "version"}:
            setattr(row, field, getattr(changed, field))
    row.version += 1
    uow.session.exec(delete(m.NeedSpan).where(m.NeedSpan.need_id == row.id))  # type: ignore[call-overload]
    uow.session.add(row)
    uow.session.add_all(need_span_rows(command.need))
    weeks = sorted(set(before) | set(_weeks_of(row, horizon)))
    _announce(uow, NeedChanged, row, weeks, "changed", need_version=row.version)
    uow.commit()
    return row


def cancel_need(uow: UnitOfWork, command: c.CancelNeed, config: PlanningConfig) -> m.Need:
    group = group_or_404(uow, command.group_id)
    row = _current(uow, group.id, command.need_id, command.expected_version)
    if row.cancelled:
        return row  # cancelling twice is the same as once
    row.cancelled = True
    row.version += 1
    uow.session.add(row)
    weeks = _weeks_of(row, planning_weeks(uow, group, config))
    _announce(uow, NeedCancelled, row, weeks, "cancelled")
    uow.commit()
    return row
