"""The event pipeline over the real RabbitMQ: outbox relay, planner workers, coalescing."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass

import pytest

from scheduler.bootstrap import Application
from scheduler.messages import commands as c
from scheduler.messages.events import Event, RosterUpdated
from tests.workers.conftest import Pipeline, Tap
from tests.workers.queries import planning_state, reflected_needs, roster_versions
from tests.workers.territory import burst_need, need, target_week

POSTGRES_ONLY = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


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


@dataclass
class Handling:
    group_id: str
    week: str
    start: float
    end: float
    solves: int


@POSTGRES_ONLY
def test_two_workers_solve_two_groups_in_parallel_and_never_one_week_twice_at_once(
    app: Application, pipeline: Pipeline, tap: Tap
) -> None:
    handlings: list[Handling] = []
    lock = threading.Lock()

    def recording(event: Event, owner: str) -> object:
        start = time.monotonic()
        report = app.bus.react(event, worker_id=owner)
        with lock:
            handlings.append(
                Handling(event.group_id, event.week or "", start, time.monotonic(), report.solves)
            )
        return report

    pipeline.relay()
    pipeline.consumer(handler=recording, concurrency=1)
    pipeline.consumer(handler=recording, concurrency=1)
    week = target_week()

    # Three waves of changes to both groups; the plan.requested of a wave may meet the solve
    # of the previous one, on either worker.
    for wave in range(3):
        for group in ("ga", "gb"):
            for k in range(3):
                number = 10 * wave + k
                app.bus.handle(
                    c.SubmitNeed(group_id=group, need=burst_need(group, number, week=week))
                )
        tap.wait_for(
            lambda _e, wave=wave: all(
                planning_state(app, g, week).solved_seq == 3 * (wave + 1) for g in ("ga", "gb")
            ),
            60,
            f"wave {wave} to be planned",
        )

    solving = [h for h in handlings if h.solves]
    for group in ("ga", "gb"):
        mine = sorted((h for h in solving if h.group_id == group), key=lambda h: h.start)
        for before, after in itertools.pairwise(mine):
            assert before.end <= after.start, f"{group} solved twice at once"
    parallel = [
        (a, b)
        for a in solving
        if a.group_id == "ga"
        for b in solving
        if b.group_id == "gb" and a.start < b.end and b.start < a.end
    ]
    assert parallel, "the two groups were never solved at the same time"
    # Every solve stored one version, and the last covers the last wave.
    for group in ("ga", "gb"):
        versions = roster_versions(app, group, week)
        assert len(versions) == planning_state(app, group, week).solves
        assert {f"{group}-n2{k}" for k in range(3)} <= reflected_needs(app, versions[-1])
