"""The embedded mode: the same handlers on an in-process bus, no broker (SQLite and PostgreSQL)."""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

from sqlmodel import Session

from scheduler.bootstrap import Application
from scheduler.messages import commands as c
from scheduler.messages.events import Event, PlanRequested, RosterUpdated
from scheduler.service import outbox
from scheduler.service.handlers.planning import PlanOutcome, PlanReport
from scheduler.service.local_bus import LocalBus, RetryPolicy
from scheduler.service.relay import RelayLock
from tests.workers.conftest import wait_until
from tests.workers.queries import planning_state, reflected_needs, roster_versions
from tests.workers.territory import burst_need, need, target_week

QUICK = RetryPolicy(delays=(0.05, 0.1), max_attempts=3, busy_delay=0.05, max_busy=50)


class Collector:
    def __init__(self) -> None:
        self.events: list[Event] = []
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        with self._lock:
            self.events.append(event)

    def of_type(self, kind: str) -> list[Event]:
        with self._lock:
            return [e for e in self.events if e.type == kind]


def local_bus(app: Application, bus: Any = None, **kwargs: Any) -> LocalBus:
    return LocalBus(bus or app.bus, app.engine, app.clock, retry=QUICK, **kwargs)


def test_embedded_mode_plans_a_submitted_need_without_a_broker(app: Application) -> None:
    seen = Collector()
    week = target_week()
    with local_bus(app) as bus:
        bus.subscribe(seen)
        app.bus.handle(c.SubmitNeed(group_id="ga", need=need("ga", 1, week=week)))
        assert bus.wait_idle(30)

    (update,) = seen.of_type("roster.updated")
    assert isinstance(update, RosterUpdated)
    assert "ga-n1" in update.need_ids
    assert [e.type for e in seen.events] == ["need.submitted", "plan.requested", "roster.updated"]
    assert [r.outcome for r in bus.reports] == [PlanOutcome.PLANNED]
    with Session(app.engine) as session:
        assert outbox.pending(session) == []


def test_embedded_mode_coalesces_a_burst_into_few_solves(app: Application) -> None:
    week = target_week()
    with local_bus(app) as bus:
        for number in range(30):
            app.bus.handle(c.SubmitNeed(group_id="ga", need=burst_need("ga", number, week=week)))
        assert bus.wait_idle(60)

    state = planning_state(app, "ga", week)
    assert state.solved_seq == state.requested_seq == 30
    assert 1 <= state.solves <= 3
    versions = roster_versions(app, "ga", week)
    assert reflected_needs(app, versions[-1]) == {f"ga-n{k}" for k in range(30)}


class ScriptedBus:
    """A bus whose reactions follow a script: an exception to raise, or a report to return."""

    def __init__(self, script: list[Any]) -> None:
        self.script = list(script)
        self.calls: list[tuple[float, str]] = []

    def react(self, event: Event, *, worker_id: str) -> Any:
        self.calls.append((time.monotonic(), worker_id))
        step = self.script.pop(0) if self.script else PlanReport(PlanOutcome.UP_TO_DATE, [])
        if isinstance(step, BaseException):
            raise step
        return step


def _request(app: Application, group_id: str = "ga") -> None:
    app.bus.handle(c.RequestPlan(group_id=group_id, week=target_week()))


def test_a_failing_reaction_is_retried_with_back_off_then_dead_lettered(
    app: Application,
) -> None:
    scripted = ScriptedBus([RuntimeError("boom")] * 5)
    with local_bus(app, scripted) as bus:
        _request(app)
        assert bus.wait_idle(10)

    assert len(scripted.calls) == QUICK.max_attempts
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(scripted.calls)]
    assert gaps[0] >= 0.05 * 0.9 and gaps[1] >= 0.1 * 0.9
    (dead,) = bus.dead_letters
    assert (dead.reason, dead.attempts) == ("retries_exhausted", QUICK.max_attempts)
    assert "boom" in dead.error
    # Each attempt had its own lease owner name.
    assert len({owner for _, owner in scripted.calls}) == QUICK.max_attempts


def test_a_busy_week_is_looked_at_again_without_counting_as_a_failure(app: Application) -> None:
    busy = PlanReport(PlanOutcome.BUSY, [])
    scripted = ScriptedBus([busy] * 6 + [PlanReport(PlanOutcome.PLANNED, [1], 1)])
    with local_bus(app, scripted) as bus:
        _request(app)
        assert bus.wait_idle(10)

    assert len(scripted.calls) == 7  # more than max_attempts: BUSY is not a failure
    assert bus.dead_letters == []
    assert bus.reports[-1].outcome == PlanOutcome.PLANNED


def test_a_rejected_event_is_dead_lettered_at_once(app: Application) -> None:
    week = target_week()
    with local_bus(app) as bus:
        event = PlanRequested(occurred_at=app.clock.now(), group_id="nope", week=week, reason="t")
        bus.publish(event)
        assert bus.wait_idle(10)
    (dead,) = bus.dead_letters
    assert (dead.reason, dead.attempts) == ("rejected", 1)


def test_weeks_a_crash_left_queued_are_planned_at_start(app: Application) -> None:
    week = target_week()
    app.bus.handle(c.SubmitNeed(group_id="gb", need=need("gb", 1, week=week)))
    # The crash: the events were relayed (marked sent) but never handled.
    with app.uow() as uow:
        outbox.mark_sent(uow.session, [r.id for r in outbox.pending(uow.session)], app.clock.now())
        uow.commit()
    assert planning_state(app, "gb", week).status == "queued"

    with local_bus(app) as bus:
        assert bus.wait_idle(30)

    state = planning_state(app, "gb", week)
    assert (state.status, state.solved_seq, state.requested_seq) == ("done", 1, 1)
    assert len(roster_versions(app, "gb", week)) == 1


def test_only_one_relay_holds_the_lock_at_a_time(app: Application) -> None:
    first, second = RelayLock(app.engine), RelayLock(app.engine)
    try:
        assert first.acquire()
        assert first.check()
        assert not second.acquire()
        first.release()
        wait_until(second.acquire, 5, "the lock to be free again")
        assert not first.acquire()
    finally:
        first.release()
        second.release()
