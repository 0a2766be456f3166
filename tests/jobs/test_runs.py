"""The run records: the first claim of a run wins, and old records are forgotten."""

from __future__ import annotations

from datetime import timedelta

from scheduler.bootstrap import Application
from scheduler.clock import ManualClock
from scheduler.jobs import runs
from tests.jobs.conftest import NOW


def test_only_the_first_claim_of_a_run_wins_and_its_end_is_recorded(app: Application) -> None:
    with app.uow() as uow:
        assert runs.claim(uow, "publish:ge1", NOW, "s1") is True
        assert runs.claim(uow, "publish:ge1", NOW, "s2") is False
        assert runs.claim(uow, "publish:ge1", NOW + timedelta(days=7), "s2") is True
        runs.finish(uow, "publish:ge1", NOW, runs.DONE, "ge1 2026-W51: version 1 published")
    with app.uow() as uow:
        first, second = runs.runs_of(uow, "publish:ge1")
    assert (first.owner, first.outcome, first.detail) == (
        "s1",
        runs.DONE,
        "ge1 2026-W51: version 1 published",
    )
    assert (second.owner, second.outcome, second.finished_at) == ("s2", runs.RUNNING, None)


def test_records_older_than_the_retention_are_pruned(app: Application, clock: ManualClock) -> None:
    with app.uow() as uow:
        runs.claim(uow, "nightly-replan", NOW, "s1")
    clock.advance(timedelta(days=31))
    with app.uow() as uow:
        runs.claim(uow, "nightly-replan", clock.now(), "s1")
        assert runs.prune(uow, clock.now() - timedelta(days=30)) == 1
        assert [r.scheduled_for for r in runs.runs_of(uow, "nightly-replan")] == [clock.now()]
