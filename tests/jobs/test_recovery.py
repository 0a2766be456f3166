"""A week left "solving" by a dead planner is queued again; a live planner keeps its week."""

from __future__ import annotations

from datetime import timedelta

from scheduler.bootstrap import Application
from scheduler.clock import ManualClock
from scheduler.jobs.tasks import requeue_stalled_plans
from scheduler.messages import commands as c
from scheduler.service import outbox
from scheduler.service import planning_state as ps
from tests.jobs.conftest import NOW, events

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


# -- a week left "queued" because its plan.requested was lost (dead-lettered) ----------------


def queued_limit(app: Application) -> timedelta:
    return timedelta(seconds=app.settings.recovery_queued_seconds)


def lose_the_request(app: Application) -> None:
    """A change queues the week; its plan.requested is then lost (marked sent, never planned)."""
    app.bus.handle(c.RequestPlan(group_id="ge1", week=WEEK, reason="a change"))
    with app.uow() as uow:
        outbox.mark_sent(uow.session, [r.id for r in outbox.pending(uow.session) if r.id], NOW)
        uow.commit()


def test_a_week_queued_too_long_is_requested_again(app: Application, clock: ManualClock) -> None:
    lose_the_request(app)
    # Changes to a queued week raise no new request: without recovery it would wait forever.
    app.bus.handle(c.RequestPlan(group_id="ge1", week=WEEK, reason="another change"))
    assert events(app, "plan.requested") == []

    clock.advance(queued_limit(app) + timedelta(seconds=1))
    detail = requeue_stalled_plans(app, clock.now())

    assert detail == f"re-requested ge1 {WEEK}"
    [request] = events(app, "plan.requested")
    assert (request.group_id, request.week) == ("ge1", WEEK)
    assert "queued over" in request.reason  # type: ignore[attr-defined]
    after = state(app)
    assert (after.status, after.first_requested_at) == (ps.QUEUED, clock.now())


def test_a_week_queued_less_than_the_setting_is_left_alone(
    app: Application, clock: ManualClock
) -> None:
    lose_the_request(app)
    clock.advance(queued_limit(app) - timedelta(seconds=1))
    assert requeue_stalled_plans(app, clock.now()) == "nothing stalled"
    assert events(app, "plan.requested") == []


def test_a_re_requested_week_waits_the_whole_setting_again(
    app: Application, clock: ManualClock
) -> None:
    lose_the_request(app)
    clock.advance(queued_limit(app) + timedelta(seconds=1))
    requeue_stalled_plans(app, clock.now())
    clock.advance(queued_limit(app) / 2)
    assert requeue_stalled_plans(app, clock.now()) == "nothing stalled"
    assert len(events(app, "plan.requested")) == 1


def test_the_command_leaves_a_week_a_planner_took_meanwhile(
    app: Application, clock: ManualClock
) -> None:
    lose_the_request(app)
    clock.advance(queued_limit(app) + timedelta(seconds=1))
    start_solving(app)  # a late copy of the request reached a planner after the job looked
    command = c.RequeueQueuedPlan(
        group_id="ge1", week=WEEK, queued_seconds=app.settings.recovery_queued_seconds
    )
    assert app.bus.handle(command) is False
    assert events(app, "plan.requested") == []


def test_a_week_queued_again_after_a_solve_counts_from_then(
    app: Application, clock: ManualClock
) -> None:
    lose_the_request(app)
    clock.advance(queued_limit(app) + timedelta(seconds=1))
    start_solving(app)
    app.bus.handle(c.RequestPlan(group_id="ge1", week=WEEK, reason="changed while solving"))
    with app.uow() as uow:
        ps.release(uow, "ge1", WEEK, "w1", ps.DONE)  # queued again: "changed meanwhile"
    assert state(app).first_requested_at == clock.now()
    clock.advance(timedelta(seconds=1))
    assert requeue_stalled_plans(app, clock.now()) == "nothing stalled"
