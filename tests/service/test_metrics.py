"""Prometheus metrics of the planner and of the database: solves, solve time, lags, uncovered."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from scheduler import metrics
from scheduler.bootstrap import Application
from scheduler.clock import ManualClock
from scheduler.messages import commands as c
from scheduler.service.handlers.planning import PlanOutcome
from tests.service.test_needs import new_need
from tests.service.test_planning import events


def sample(name: str, labels: dict[str, str] | None = None) -> float:
    """A sample of this process's metrics (0 when never recorded)."""
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


def scraped(app: Application) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """What a scrape of the application's registry answers, parsed as Prometheus does."""
    text = generate_latest(metrics.registry(app.engine, app.clock)).decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_a_solve_is_counted_by_outcome_and_timed(app: Application) -> None:
    planned = sample("partage_solves_total", {"outcome": "planned"})
    timed = sample("partage_solve_seconds_count")
    app.bus.handle(c.SubmitNeed(group_id="ge1", need=new_need()))
    [request] = events(app, "plan.requested")

    assert app.bus.react(request, worker_id="w1").outcome == PlanOutcome.PLANNED

    assert sample("partage_solves_total", {"outcome": "planned"}) == planned + 1
    assert sample("partage_solve_seconds_count") == timed + 1
    assert sample("partage_solve_seconds_sum") > 0


def test_queue_lags_are_the_ages_of_the_oldest_waiting_rows(
    app: Application, clock: ManualClock
) -> None:
    before = scraped(app)
    assert before[("partage_metrics_database_up", ())] == 1
    assert before[("partage_planning_queue_lag_seconds", ())] == 0

    app.bus.handle(c.SubmitNeed(group_id="ge1", need=new_need()))  # queues W50, unsent events
    clock.advance(timedelta(seconds=90))

    after = scraped(app)
    assert after[("partage_outbox_lag_seconds", ())] >= 90
    assert after[("partage_planning_queue_lag_seconds", ())] == 90


def test_uncovered_hours_come_from_the_latest_version_of_each_week(app: Application) -> None:
    app.bus.handle(c.SubmitNeed(group_id="ge1", need=new_need()))
    [request] = events(app, "plan.requested")
    app.bus.react(request, worker_id="w1")
    [updated] = events(app, "roster.updated")

    gauges = scraped(app)

    key = ("partage_uncovered_hours", (("group_id", "ge1"), ("week", "2026-W50")))
    assert gauges[key] == updated.uncovered_hours  # type: ignore[attr-defined]


def test_a_database_that_does_not_answer_gives_up_zero_not_an_error(
    app: Application,
) -> None:
    from sqlalchemy import create_engine

    dead = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", pool_pre_ping=False)
    text = generate_latest(metrics.registry(dead, app.clock)).decode()
    families = {f.name: f for f in text_string_to_metric_families(text)}
    assert families["partage_metrics_database_up"].samples[0].value == 0
    assert "partage_uncovered_hours" not in families
