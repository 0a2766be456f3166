"""The event pipeline over the real RabbitMQ: outbox relay, planner workers, coalescing."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, func, select

from scheduler import models as m
from scheduler.bootstrap import Application
from scheduler.messages import commands as c
from scheduler.messages.events import RosterUpdated
from scheduler.models.messaging import OutboxMessage, PlanningState
from tests.workers.conftest import Pipeline, Tap
from tests.workers.territory import burst_need, need, target_week

POSTGRES_ONLY = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def roster_versions(app: Application, group_id: str, week: str) -> list[m.RosterVersion]:
    with Session(app.engine) as session:
        return list(
            session.exec(
                select(m.RosterVersion)
                .where(m.RosterVersion.group_id == group_id, m.RosterVersion.week == week)
                .order_by(col(m.RosterVersion.number))
            ).all()
        )


def planning_state(app: Application, group_id: str, week: str) -> PlanningState:
    with Session(app.engine) as session:
        state = session.get(PlanningState, (group_id, week))
        assert state is not None
        return state


def reflected_needs(app: Application, version: m.RosterVersion) -> set[str]:
    """Needs a version assigns or explains as uncovered: the ones its solve knew about."""
    with Session(app.engine) as session:
        assigned = session.exec(
            select(m.Assignment.need_id).where(m.Assignment.roster_version_id == version.id)
        ).all()
    uncovered = {u["need_id"] for u in version.summary.get("uncovered", [])}
    return {n for n in assigned if n} | uncovered


def test_a_submitted_need_leads_to_a_roster_update_that_covers_it(
    app: Application, pipeline: Pipeline, tap: Tap
) -> None:
    pipeline.relay()
    pipeline.consumer()
    week = target_week()

    app.bus.handle(c.SubmitNeed(group_id="ga", need=need("ga", 1, week=week)))

    updates = tap.wait_for(
        lambda events: [e for e in events if e.type == "roster.updated"], 30, "roster.updated"
    )
    assert len(updates) == 1
    update = updates[0]
    assert isinstance(update, RosterUpdated)
    assert (update.group_id, update.week) == ("ga", week)
    assert "ga-n1" in update.need_ids
    assert update.diff.added >= 1
    assert [v.number for v in roster_versions(app, "ga", week)] == [update.roster_version]
    # The whole story went through the broker, in order: the change, the request, the result.
    assert [e.type for e in tap.events] == ["need.submitted", "plan.requested", "roster.updated"]


@POSTGRES_ONLY
def test_a_burst_of_200_needs_is_planned_in_a_handful_of_solves(
    app: Application, pipeline: Pipeline, tap: Tap
) -> None:
    pipeline.relay()
    pipeline.consumer()
    pipeline.consumer()
    week = target_week()

    for number in range(200):
        app.bus.handle(c.SubmitNeed(group_id="ga", need=burst_need("ga", number, week=week)))

    def settled() -> bool:
        state = planning_state(app, "ga", week)
        return state.status == "done" and state.solved_seq == state.requested_seq

    tap.wait_for(
        lambda _events: settled(),
        90,
        "the burst to be planned",
        details=lambda: f"state {planning_state(app, 'ga', week)}, events {len(tap.events)}",
    )
    state = planning_state(app, "ga", week)
    versions = roster_versions(app, "ga", week)
    assert state.requested_seq == 200
    assert 1 <= state.solves <= 5, f"{state.solves} solves for one burst"
    assert len(versions) == state.solves
    assert len(tap.of_type("plan.requested")) <= 5
    assert reflected_needs(app, versions[-1]) == {f"ga-n{k}" for k in range(200)}


def outbox_count(app: Application) -> int:
    with Session(app.engine) as session:
        return session.exec(select(func.count()).select_from(OutboxMessage)).one()
