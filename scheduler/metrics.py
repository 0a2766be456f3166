"""Prometheus metrics: every definition in one place, and what each process exposes.

Two kinds of metrics:

- **process metrics** (counters and histograms) are recorded where things happen: solves in the
  planner (``scheduler.service.handlers.planning``), request latency in the API's middleware.
  Each process counts its own; with ``PROMETHEUS_MULTIPROC_DIR`` set (several uvicorn workers)
  they are written to files in that folder and any process exposes the sum of all of them.
- **database gauges** (queue lag, uncovered hours) describe shared state, so they are read from
  the database when scraped (``DatabaseCollector``), whichever process is asked.

Defining a metric does no I/O; nothing here touches a database until a scrape calls
``collect()``.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler import models as m
from scheduler.clock import Clock

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# -- process metrics -------------------------------------------------------------------------

SOLVES = Counter(
    "partage_solves",
    "Solve rounds of a week, by outcome: planned (a version stored), failed (no roster: "
    "infeasible or out of time), lease_lost (result dropped) or error (an exception).",
    ["outcome"],
)
SOLVE_SECONDS = Histogram(
    "partage_solve_seconds",
    "Wall time of the solver in one solve round, in seconds.",
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600),
)
API_REQUEST_SECONDS = Histogram(
    "partage_api_request_seconds",
    "Time to answer an HTTP request, by method, route template and status code.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

# Outcomes of a solve round (the ``outcome`` label of ``partage_solves_total``).
PLANNED, FAILED, LEASE_LOST, ERROR = "planned", "failed", "lease_lost", "error"


@contextmanager
def timed_solve() -> Iterator[None]:
    """Observe the solver's wall time of the block in ``partage_solve_seconds``."""
    started = time.perf_counter()
    try:
        yield
    finally:
        SOLVE_SECONDS.observe(time.perf_counter() - started)


def count_solve(outcome: str) -> None:
    SOLVES.labels(outcome=outcome).inc()


# -- database gauges -------------------------------------------------------------------------


class DatabaseCollector:
    """Queue lag and uncovered hours, read from the database at each scrape.

    A database that does not answer yields ``partage_metrics_database_up 0`` and no gauges,
    rather than failing the whole scrape.
    """

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def describe(self) -> Iterable[Metric]:
        return []  # computed at scrape time; nothing to check at registration

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily(
            "partage_metrics_database_up", "1 when the database answered this scrape."
        )
        try:
            with Session(self.engine) as session:
                families = list(_database_families(session, self.clock.now()))
        except Exception:
            log.warning("metrics: the database did not answer", exc_info=True)
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        return [up, *families]


def _age(now: datetime, since: datetime | None) -> float:
    return max(0.0, (now - since).total_seconds()) if since is not None else 0.0


def _database_families(session: Session, now: datetime) -> Iterator[Metric]:
    oldest_unsent = session.exec(
        select(func.min(m.OutboxMessage.created_at)).where(col(m.OutboxMessage.sent_at).is_(None))
    ).one()
    outbox = GaugeMetricFamily(
        "partage_outbox_lag_seconds",
        "Age of the oldest outbox event not yet published (0 when none waits).",
    )
    outbox.add_metric([], _age(now, _aware(oldest_unsent)))
    yield outbox

    oldest_queued = session.exec(
        select(func.min(m.PlanningState.first_requested_at)).where(
            m.PlanningState.status == "queued"
        )
    ).one()
    queued = GaugeMetricFamily(
        "partage_planning_queue_lag_seconds",
        "Age of the oldest week waiting to be planned (status queued; 0 when none waits).",
    )
    queued.add_metric([], _age(now, _aware(oldest_queued)))
    yield queued

    uncovered = GaugeMetricFamily(
        "partage_uncovered_hours",
        "Hours of needs the latest roster version of a week leaves uncovered, this week on.",
        labels=["group_id", "week"],
    )
    for group_id, week, hours in uncovered_hours(session, now):
        uncovered.add_metric([group_id, week], hours)
    yield uncovered


def uncovered_hours(session: Session, now: datetime) -> list[tuple[str, str, float]]:
    """(group, week, uncovered hours) of the latest version of each week from ``now``'s on."""
    year, week, _ = now.isocalendar()
    first_week = f"{year}-W{week:02d}"  # ISO week strings sort in time order
    latest = (
        select(
            m.RosterVersion.group_id,
            m.RosterVersion.week,
            func.max(m.RosterVersion.number).label("number"),
        )
        .where(m.RosterVersion.week >= first_week)
        .group_by(m.RosterVersion.group_id, m.RosterVersion.week)
        .subquery()
    )
    rows = session.exec(
        select(m.RosterVersion.group_id, m.RosterVersion.week, m.RosterVersion.summary)
        .join(
            latest,
            (col(m.RosterVersion.group_id) == latest.c.group_id)
            & (col(m.RosterVersion.week) == latest.c.week)
            & (col(m.RosterVersion.number) == latest.c.number),
        )
        .order_by(m.RosterVersion.group_id, m.RosterVersion.week)
    ).all()
    return [
        (
            group_id,
            week,
            round(sum(float(u.get("hours", 0)) for u in (summary or {}).get("uncovered") or []), 2),
        )
        for group_id, week, summary in rows
    ]


def _aware(value: datetime | None) -> datetime | None:
    """SQLite's aggregate returns what was stored: naive UTC text read back without a zone."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


# -- what a process exposes ------------------------------------------------------------------


class _ThisProcess:
    """The metrics recorded in this process (the default registry)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def registry(engine: Engine | None = None, clock: Clock | None = None) -> CollectorRegistry:
    """A registry of what to expose: the process metrics, and the database gauges if given.

    With ``PROMETHEUS_MULTIPROC_DIR`` set, the process metrics are those of every process
    writing to that folder (summed), without the per-process ``process_*`` and ``python_*``.
    """
    chosen = CollectorRegistry(auto_describe=False)
    if multiprocess_dir() is not None:
        MultiProcessCollector(chosen)
    else:
        chosen.register(_ThisProcess())
    if engine is not None:
        from scheduler.clock import SystemClock

        chosen.register(DatabaseCollector(engine, clock or SystemClock()))
    return chosen


def serve(port: int, exposed: CollectorRegistry, addr: str = "0.0.0.0") -> Any:
    """Serve ``exposed`` on ``http://addr:port/metrics`` from a daemon thread; the server."""
    from prometheus_client import start_http_server

    server, _thread = start_http_server(port, addr=addr, registry=exposed)
    return server
