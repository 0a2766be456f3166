"""Planning a week: leases, coalescing, versions, publication."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from scheduler import models as m
from scheduler.bootstrap import Application
from scheduler.clock import ManualClock
from scheduler.messages import commands as c
from scheduler.messages.events import Event
from scheduler.service import outbox
from scheduler.service import planning_state as ps
from scheduler.service.handlers.planning import PlanOutcome
from scheduler.service.rosters import assignments_of, latest_version
from tests.service.test_needs import new_need


def events(app: Application, kind: str) -> list[Event]:
    with app.uow() as uow:
        return [outbox.event_of(r) for r in outbox.pending(uow.session) if r.type == kind]


def test_a_plan_request_stores_a_draft_that_covers_the_new_need(app: Application) -> None:
    app.bus.handle(c.SubmitNeed(group_id="ge1", need=new_need()))
    [request] = events(app, "plan.requested")
    report = app.bus.react(request, worker_id="w1")
    assert report.outcome == PlanOutcome.PLANNED
    [updated] = events(app, "roster.updated")
    assert "ge1-n9" in updated.need_ids  # type: ignore[attr-defined]
    with app.uow() as uow:
        version = latest_version(uow.session, "ge1", "2026-W50")
        assert version is not None and version.status == "draft"
        assert {a.need_id for a in assignments_of(uow.session, version.id or 0)} >= {"ge1-n9"}
        state = ps.get_state(uow.session, "ge1", "2026-W50")
        assert state is not None and state.status == "done" and state.lease_owner is None


def test_the_same_request_delivered_twice_makes_one_version(app: Application) -> None:
    app.bus.handle(c.SubmitNeed(group_id="ge1", need=new_need()))
    [request] = events(app, "plan.requested")
    first = app.bus.react(request, worker_id="w1")
    second = app.bus.react(request, worker_id="w2")
    assert first.outcome == PlanOutcome.PLANNED
    assert second.outcome == PlanOutcome.UP_TO_DATE and second.versions == []
    assert len(events(app, "roster.updated")) == 1


def test_a_week_leased_by_a_live_worker_is_busy_for_another(
    app: Application, clock: ManualClock
) -> None:
    app.bus.handle(c.SubmitNeed(group_id="ge1", need=new_need()))
    with app.uow() as uow:
        assert ps.claim(uow, "ge1", "2026-W50", "w1", lease_seconds=30)
    [request] = events(app, "plan.requested")
    assert app.bus.react(request, worker_id="w2").outcome == PlanOutcome.BUSY
    # w1 dies without releasing: once its lease runs out, w2 takes the week over.
    clock.advance(timedelta(seconds=31))
    assert app.bus.react(request, worker_id="w2").outcome == PlanOutcome.PLANNED


def test_a_change_while_solving_is_planned_by_the_same_worker(
    app: Application, clock: ManualClock
) -> None:
    # Two weeks ahead, so the published week is outside the notice window: both can be added.
    clock.set(clock.now() - timedelta(days=7))
    app.bus.handle(c.SubmitNeed(group_id="ge1", need=new_need()))
    [request] = events(app, "plan.requested")
    with app.uow() as uow:
        assert ps.claim(uow, "ge1", "2026-W50", "w1", lease_seconds=30)
    # Arrives while w1 holds the week: no new request, w1 will pick it up.
    later = [{"start": "2026-12-07T10:00:00+01:00", "end": "2026-12-07T12:00:00+01:00"}]
    app.bus.handle(c.SubmitNeed(group_id="ge1", need=new_need(id="ge1-n10", blocks=later)))
    assert len(events(app, "plan.requested")) == 1
    report = app.bus.react(request, worker_id="w1")
    assert report.outcome == PlanOutcome.PLANNED and report.solves == 1
    [updated] = events(app, "roster.updated")
    assert {"ge1-n9", "ge1-n10"} <= set(updated.need_ids)  # type: ignore[attr-defined]


def test_publishing_makes_the_draft_the_published_version(app: Application) -> None:
    app.bus.handle(c.SubmitNeed(group_id="ge1", need=new_need()))
    [request] = events(app, "plan.requested")
    [number] = app.bus.react(request, worker_id="w1").versions
    published = app.bus.handle(c.PublishWeek(group_id="ge1", week="2026-W50"))
    assert published.number == number and published.status == "published"
    [event] = events(app, "roster.published")
    assert event.roster_version == number  # type: ignore[attr-defined]
    # Publishing again changes nothing and announces nothing.
    app.bus.handle(c.PublishWeek(group_id="ge1", week="2026-W50"))
    assert len(events(app, "roster.published")) == 1
    with app.uow() as uow:
        versions = uow.session.exec(
            select(m.RosterVersion).where(m.RosterVersion.group_id == "ge1")
        ).all()
        assert sum(v.status == "published" for v in versions) == 2  # the sample's v1 and ours
