"""Recovering weeks whose planner died in the middle of a solve, or whose request was lost."""

from __future__ import annotations

from datetime import timedelta

from scheduler.messages import commands as c
from scheduler.messages.events import PlanRequested
from scheduler.service import planning_state as ps
from scheduler.service.handlers.context import PlanningConfig, group_or_404
from scheduler.service.unit_of_work import UnitOfWork


def requeue_stalled_plan(
    uow: UnitOfWork, command: c.RequeueStalledPlan, config: PlanningConfig
) -> bool:
    """Re-queue a week still "solving" under an expired lease; False when it is alive or done.

    The lease is checked again under the row lock: a planner that renewed it since the clock
    job looked keeps its week. One whose lease we clear loses it at its next renewal and drops
    its result (``LeaseLost``), so the week is never planned by two workers at once.
    """
    group_or_404(uow, command.group_id)
    if ps.get_state(uow.session, command.group_id, command.week) is None:
        return False
    state = ps.locked_state(uow.session, command.group_id, command.week)
    now = uow.clock.now()
    if state.status != ps.SOLVING or (state.lease_until is not None and state.lease_until >= now):
        uow.rollback()
        return False
    owner = state.lease_owner or "unknown"
    state.lease_owner = None
    state.lease_until = None
    state.status = ps.QUEUED
    state.first_requested_at = now
    uow.session.add(state)
    uow.emit(
        PlanRequested(
            occurred_at=now,
            group_id=command.group_id,
            week=command.week,
            reason=f"{command.reason} (was {owner})"[:200],
        )
    )
    uow.commit()
    return True


def requeue_queued_plan(
    uow: UnitOfWork, command: c.RequeueQueuedPlan, config: PlanningConfig
) -> bool:
    """Emit ``plan.requested`` again for a week queued ``queued_seconds`` or more; else False.

    Checked again under the row lock: a planner that claimed the week since the clock job
    looked, or a live lease, keeps it. The week's queued time restarts, so a request still on
    its way (a long backlog) is doubled at most once per ``queued_seconds``; a duplicate does
    nothing more than find the week planned or busy.
    """
    group_or_404(uow, command.group_id)
    if ps.get_state(uow.session, command.group_id, command.week) is None:
        return False
    state = ps.locked_state(uow.session, command.group_id, command.week)
    now = uow.clock.now()
    since = state.first_requested_at
    if (
        state.status != ps.QUEUED
        or (state.lease_until is not None and state.lease_until >= now)
        or (since is not None and since > now - timedelta(seconds=command.queued_seconds))
    ):
        uow.rollback()
        return False
    state.lease_owner = None
    state.lease_until = None
    state.first_requested_at = now
    uow.session.add(state)
    uow.emit(
        PlanRequested(
            occurred_at=now, group_id=command.group_id, week=command.week, reason=command.reason
        )
    )
    uow.commit()
    return True
