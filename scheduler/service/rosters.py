"""Storing roster versions and comparing them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from scheduler import models as m
from scheduler.messages.events import RosterDiff
from scheduler.planning.roster_file import GroupRoster, RosterAssignment

Key = tuple[str, str, str, str | None, datetime, datetime]


def _key(a: m.Assignment | RosterAssignment) -> Key:
    if isinstance(a, RosterAssignment):
        return (a.employee_id, a.member_id, a.site_id, a.need_id, a.period.start, a.period.end)
    return (a.employee_id, a.member_id, a.site_id, a.need_id, a.start, a.end)


def latest_version(
    session: Session, group_id: str, week: str, *, status: str | None = None
) -> m.RosterVersion | None:
    query = select(m.RosterVersion).where(
        m.RosterVersion.group_id == group_id, m.RosterVersion.week == week
    )
    if status is not None:
        query = query.where(m.RosterVersion.status == status)
    return session.exec(query.order_by(col(m.RosterVersion.number).desc()).limit(1)).first()


def assignments_of(session: Session, version_id: int) -> list[m.Assignment]:
    return list(
        session.exec(
            select(m.Assignment)
            .where(m.Assignment.roster_version_id == version_id)
            .order_by(m.Assignment.start, m.Assignment.employee_id)
        ).all()
    )


def diff(before: Iterable[m.Assignment | RosterAssignment], after: Iterable[Any]) -> RosterDiff:
    """What changed between two sets of assignments, and for whom."""
    old = {_key(a) for a in before}
    new = {_key(a) for a in after}
    changed = old ^ new
    return RosterDiff(
        added=len(new - old),
        removed=len(old - new),
        unchanged=len(old & new),
        employees_affected=sorted({k[0] for k in changed}),
        members_affected=sorted({k[1] for k in changed}),
    )


def store_draft(
    session: Session, group_id: str, roster: GroupRoster, now: datetime
) -> tuple[m.RosterVersion, RosterDiff]:
    """A new draft version of the week, numbered after the latest, with its diff."""
    previous = latest_version(session, group_id, roster.week)
    before = assignments_of(session, previous.id) if previous and previous.id else []
    number = (
        session.exec(
            select(func.max(m.RosterVersion.number)).where(
                m.RosterVersion.group_id == group_id, m.RosterVersion.week == roster.week
            )
        ).one()
        or 0
    ) + 1
    changes = diff(before, roster.assignments)
    summary = roster.model_dump(mode="json", exclude={"assignments", "changes"})
    summary["diff"] = changes.model_dump(mode="json")
    summary["based_on"] = previous.number if previous else None
    version = m.RosterVersion(
        group_id=group_id,
        week=roster.week,
        number=number,
        status="draft",
        created_at=now,
        summary=summary,
    )
    session.add(version)
    session.flush()
    session.add_all(
        m.Assignment(
            roster_version_id=version.id,
            employee_id=a.employee_id,
            member_id=a.member_id,
            site_id=a.site_id,
            need_id=a.need_id,
            start=a.period.start,
            end=a.period.end,
        )
        for a in roster.assignments
    )
    return version, changes
