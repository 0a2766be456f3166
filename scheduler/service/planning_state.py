"""The planning state of each group-week: coalescing requests and leasing the right to solve.

Every change that touches a week bumps ``requested_seq``; only the change that finds the week
idle emits a ``plan.requested`` event, so a burst of changes leads to one request. A planner
solves a week only while it holds the lease on its row; the lease is renewed while the solve
runs, so a worker that dies (even ``kill -9``) loses it within ``lease_seconds``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from scheduler.messages.events import Event, PlanRequested
from scheduler.models.messaging import PlanningState
from scheduler.service.unit_of_work import UnitOfWork

IDLE, QUEUED, SOLVING, DONE, FAILED = "idle", "queued", "solving", "done", "failed"


def _ensure_rows(session: Session, group_id: str, weeks: Iterable[str]) -> None:
    rows = [{"group_id": group_id, "week": week, "progress": {}} for week in weeks]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(PlanningState).values(rows).on_conflict_do_nothing())


def locked_state(session: Session, group_id: str, week: str) -> PlanningState:
    """The week's state row, created if missing, locked for this transaction."""
    query = (
        select(PlanningState)
        .where(PlanningState.group_id == group_id, PlanningState.week == week)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    # The row exists for every week planned once: try it first, insert only when missing.
    state = session.exec(query).first()
    if state is None:
        _ensure_rows(session, group_id, [week])
        state = session.exec(query).one()
    return state


def mark_dirty(uow: UnitOfWork, group_id: str, weeks: Iterable[str], reason: str) -> list[str]:
    """Record that ``weeks`` changed; returns the weeks for which a plan was requested."""
    now = uow.clock.now()
    requested = []
    # Sorted, so two transactions touching the same weeks lock them in the same order.
    for week in sorted(set(weeks)):
        state = locked_state(uow.session, group_id, week)
        state.requested_seq += 1
        state.last_requested_at = now
        if state.status not in (QUEUED, SOLVING):
            state.status = QUEUED
            state.first_requested_at = now
            state.error = None
            uow.emit(PlanRequested(occurred_at=now, group_id=group_id, week=week, reason=reason))
            requested.append(week)
        uow.session.add(state)
    return requested


def announce(
    uow: UnitOfWork,
    group_id: str,
    weeks: list[str],
    event: type[Event],
    reason: str,
    *,
    fallback_week: str | None = None,
    **fields: Any,
) -> None:
    """One ``event`` per week a change touches, committed with it, and those weeks marked for
    planning; with no planned week, a single event for ``fallback_week`` (when given)."""
    now = uow.clock.now()
    for week in weeks or ([fallback_week] if fallback_week else []):
        uow.emit(event(occurred_at=now, group_id=group_id, week=week, **fields))
    mark_dirty(uow, group_id, weeks, reason=reason)


def claim(uow: UnitOfWork, group_id: str, week: str, owner: str, lease_seconds: float) -> bool:
    """Take the lease on a week unless a live worker holds it; commits at once."""
    now = uow.clock.now()
    _ensure_rows(uow.session, group_id, [week])
    result = uow.session.execute(
        update(PlanningState)
        .where(
            and_(
                col(PlanningState.group_id) == group_id,
                col(PlanningState.week) == week,
                or_(
                    col(PlanningState.lease_owner).is_(None),
                    col(PlanningState.lease_owner) == owner,
                    col(PlanningState.lease_until) < now,
                ),
            )
        )
        .values(
            lease_owner=owner,
            lease_until=now + timedelta(seconds=lease_seconds),
            status=SOLVING,
            started_at=now,
        )
    )
    uow.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def renew(
    uow: UnitOfWork,
    group_id: str,
    week: str,
    owner: str,
    lease_seconds: float,
    progress: dict[str, object] | None = None,
) -> bool:
    """Extend a held lease (and store progress); False when the lease was lost."""
    now = uow.clock.now()
    values: dict[str, object] = {"lease_until": now + timedelta(seconds=lease_seconds)}
    if progress is not None:
        values["progress"] = progress
    result = uow.session.execute(
        update(PlanningState)
        .where(
            col(PlanningState.group_id) == group_id,
            col(PlanningState.week) == week,
            col(PlanningState.lease_owner) == owner,
        )
        .values(**values)
    )
    uow.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def release(uow: UnitOfWork, group_id: str, week: str, owner: str, status: str) -> None:
    """Give the lease back, leaving the week in ``status`` (or queued if it changed since)."""
    state = locked_state(uow.session, group_id, week)
    if state.lease_owner != owner:
        uow.rollback()
        return
    now = uow.clock.now()
    state.lease_owner = None
    state.lease_until = None
    state.finished_at = now
    state.status = status
    if status == DONE and state.requested_seq > state.solved_seq:
        # A change arrived while we solved; its command saw "solving" and relied on us.
        state.status = QUEUED
        state.first_requested_at = now  # queued anew: the recovery job measures from here
        uow.emit(
            PlanRequested(occurred_at=now, group_id=group_id, week=week, reason="changed meanwhile")
        )
    uow.session.add(state)
    uow.commit()


def get_state(session: Session, group_id: str, week: str) -> PlanningState | None:
    return session.get(PlanningState, (group_id, week))
