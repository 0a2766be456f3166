"""A week left "solving" by a dead planner is queued again; a live planner keeps its week."""

from __future__ import annotations

from datetime import timedelta

from scheduler.bootstrap import Application
from scheduler.clock import ManualClock
from scheduler.jobs.tasks import requeue_stalled_plans
from scheduler.messages import commands as c
from scheduler.service import planning_state as ps
from tests.jobs.conftest import events

WEEK = "2026-W51"


def budget(app: Application) -> timedelta:
    """The time limit plus the margin: a solve older than this, unrenewed, is presumed dead."""
    seconds = app.config.time_limit_seconds + app.settings.recovery_margin_seconds
    return timedelta(seconds=seconds)


def start_solving(app: Application, owner: str = "w1") -> None:
    with app.uow() as uow:
        assert ps.claim(uow, "ge1", WEEK, owner, app.config.lease_seconds)


def state(app: Application) -> ps.PlanningState:
    with app.uow() as uow:
        found = ps.get_state(uow.session, "ge1", WEEK)
        assert found is not None
        return found


def test_a_week_stuck_solving_under_an_expired_lease_is_queued_again(
    app: Application, clock: ManualClock
) -> None:
    start_solving(app)
    clock.advance(budget(app) + timedelta(seconds=1))

    detail = requeue_stalled_plans(app, clock.now())

    assert detail == f"re-queued ge1 {WEEK}"
    after = state(app)
    assert (after.status, after.lease_owner, after.lease_until) == (ps.QUEUED, None, None)
    [request] = events(app, "plan.requested")
    assert (request.group_id, request.week) == ("ge1", WEEK)
    assert "w1" in request.reason  # type: ignore[attr-defined]


def test_a_live_planner_renewing_its_lease_keeps_its_week(
    app: Application, clock: ManualClock
) -> None:
    start_solving(app)
    for _ in range(4):  # a long solve, its lease renewed all along
        clock.advance(budget(app) / 2)
        with app.uow() as uow:
            assert ps.renew(uow, "ge1", WEEK, "w1", app.config.lease_seconds)

    assert requeue_stalled_plans(app, clock.now()) == "nothing stalled"
    assert (state(app).status, state(app).lease_owner) == (ps.SOLVING, "w1")
    assert events(app, "plan.requested") == []


def test_an_expired_lease_within_the_time_limit_is_left_alone(
    app: Application, clock: ManualClock
) -> None:
    start_solving(app)
    clock.advance(timedelta(seconds=app.config.lease_seconds + 1))
    assert requeue_stalled_plans(app, clock.now()) == "nothing stalled"
    assert state(app).status == ps.SOLVING


def test_the_dead_planner_loses_the_week_if_it_comes_back(
    app: Application, clock: ManualClock
) -> None:
    start_solving(app)
    clock.advance(budget(app) + timedelta(seconds=1))
    requeue_stalled_plans(app, clock.now())
    with app.uow() as uow:
        assert not ps.renew(uow, "ge1", WEEK, "w1", app.config.lease_seconds)


def test_the_requeue_command_checks_the_lease_again(app: Application, clock: ManualClock) -> None:
    start_solving(app)
    # The job saw the week stalled, but the planner renewed before the command ran.
    assert app.bus.handle(c.RequeueStalledPlan(group_id="ge1", week=WEEK)) is False
    clock.advance(budget(app) + timedelta(seconds=1))
    assert app.bus.handle(c.RequeueStalledPlan(group_id="ge1", week=WEEK)) is True
    assert app.bus.handle(c.RequeueStalledPlan(group_id="ge1", week=WEEK)) is False
    assert len(events(app, "plan.requested")) == 1
