"""Building the APScheduler scheduler, keeping its jobs in step with the groups, and health."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING, STATE_STOPPED, BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Engine

from scheduler import db
from scheduler.bootstrap import Application
from scheduler.jobs import runs, tasks
from scheduler.jobs.calendar import crontab_trigger
from scheduler.jobs.executor import DURABLE, GuardedExecutor
from scheduler.models.jobs import APSCHEDULER_JOBS, JobRun

log = logging.getLogger(__name__)

RETRY_SECONDS = 1.0
LOCAL = "local"  # job store of each process's own housekeeping (not shared, not guarded)
PUBLISH_PREFIX = "publish:"
NIGHTLY = "nightly-replan"
REMINDERS = "uncovered-reminders"
RECOVERY = "stalled-plan-recovery"
SYNC = "sync-jobs"


@dataclass(frozen=True)
class JobSpec:
    """A job as the groups and settings want it; ``fingerprint`` tells when it changed."""

    id: str
    task: str  # a key of tasks.TASKS
    trigger: BaseTrigger
    fingerprint: str
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _managed(job_id: str) -> bool:
    return job_id.startswith(PUBLISH_PREFIX) or job_id in (NIGHTLY, REMINDERS, RECOVERY)


def wanted_jobs(app: Application) -> tuple[list[JobSpec], dict[str, str]]:
    """The durable jobs the groups and settings call for, and why some groups cannot have one."""
    settings = app.settings
    specs = [
        JobSpec(
            NIGHTLY,
            "nightly",
            crontab_trigger(settings.nightly_cron, settings.zone),
            f"nightly re-planning, cron {settings.nightly_cron!r} {settings.time_zone}",
        ),
        JobSpec(
            REMINDERS,
            "remind",
            IntervalTrigger(seconds=settings.reminder_scan_seconds, timezone=UTC),
            f"uncovered reminders, every {settings.reminder_scan_seconds:g} s",
        ),
        JobSpec(
            RECOVERY,
            "recover",
            IntervalTrigger(seconds=settings.recovery_scan_seconds, timezone=UTC),
            f"stalled plan recovery, every {settings.recovery_scan_seconds:g} s",
        ),
    ]
    problems: dict[str, str] = {}
    for calendar in tasks.group_calendars(app):
        try:
            trigger = crontab_trigger(calendar.publication_cron, calendar.zone)
        except ValueError as error:
            problems[calendar.id] = str(error)
            continue
        specs.append(
            JobSpec(
                PUBLISH_PREFIX + calendar.id,
                "publish",
                trigger,
                f"publication of {calendar.id}, cron {calendar.publication_cron!r} "
                f"{calendar.zone.key}",
                {"group_id": calendar.id},
            )
        )
    return specs, problems


def sync_jobs(scheduler: BaseScheduler, app: Application) -> SyncReport:
    """Add, replace or remove durable jobs so they match the groups and settings.

    A job is replaced only when its definition changed: replacing recomputes its next run from
    now, and a run falling due at that moment would be lost. Several processes may sync at the
    same time; they write the same definitions.
    """
    report = SyncReport()
    specs, problems = wanted_jobs(app)
    for group_id, reason in problems.items():
        report.problems.append(f"group {group_id}: {reason}")
        log.error("bad publication cron: %s", reason, extra={"group_id": group_id})
    existing = {job.id: job for job in scheduler.get_jobs(jobstore=DURABLE)}
    for spec in specs:
        current = existing.get(spec.id)
        if current is not None and current.name == spec.fingerprint:
            continue
        scheduler.add_job(
            tasks.clock_job,
            trigger=spec.trigger,
            args=(spec.task,),
            id=spec.id,
            name=spec.fingerprint,
            kwargs=spec.kwargs,
            jobstore=DURABLE,
            replace_existing=True,
        )
        (report.added if current is None else report.replaced).append(spec.id)
    # A group whose cron became unreadable keeps its last good job rather than losing it.
    keep = {spec.id for spec in specs} | {PUBLISH_PREFIX + group_id for group_id in problems}
    for job_id in existing:
        if _managed(job_id) and job_id not in keep:
            try:
                scheduler.remove_job(job_id, jobstore=DURABLE)
            except JobLookupError:
                continue  # another scheduler's sync removed it first
            report.removed.append(job_id)
    if report.added or report.replaced or report.removed:
        log.info(
            "jobs synchronised",
            extra={"added": report.added, "replaced": report.replaced, "removed": report.removed},
        )
    return report


class DurableScheduler(BackgroundScheduler):
    """A BackgroundScheduler fit for a job store that several processes share.

    Two fixes to APScheduler 3's loop. It checks its state only after one more round of due
    jobs, so a job due at the moment of shutdown is handed to an executor already shut down
    (agronholm/apscheduler #285, #985) and its next run is then advanced in the shared store:
    the run would be lost for every scheduler, not just this one. And an error of the store
    (a job another process removed meanwhile, the database gone) would end the loop's thread.
    """

    def _process_jobs(self) -> float | None:
        if self.state == STATE_STOPPED:
            return None
        try:
            return super()._process_jobs()  # type: ignore[no-any-return]
        except JobLookupError as error:
            # Another scheduler removed the job (a one-off that ran, a group deleted) between
            # our reading it and our updating it. Unhandled, this would end the scheduler's
            # thread for good; the jobs left in this round are simply due at the next.
            log.info("job gone from the shared store meanwhile: %s", error)
            return RETRY_SECONDS
        except Exception:
            # The store failed after a job was handed over (the database went away): its next
            # run was not saved, so it is due again next round, where its run record (same
            # job, same instant) keeps it from running twice. Keep the loop alive meanwhile.
            log.exception("job store error; retrying in %s s", self.jobstore_retry_interval)
            return float(self.jobstore_retry_interval)


def default_owner() -> str:
    """``host:pid:random``: who ran a job, in the run records and logs."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def build_scheduler(
    app: Application, *, owner: str | None = None, max_workers: int = 4
) -> DurableScheduler:
    """A stopped scheduler whose durable jobs live in the application's database."""
    # Its own engine: the job store disposes of it on shutdown, and its short transactions
    # never wait behind the application's pool.
    store = SQLAlchemyJobStore(engine=db.make_engine(app.settings.database_url))
    return DurableScheduler(
        jobstores={DURABLE: store, LOCAL: MemoryJobStore()},
        executors={"default": GuardedExecutor(app, owner or default_owner(), max_workers)},
        job_defaults={
            # After a downtime a job runs once, not once per missed instant, if still in grace.
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": app.settings.jobs_misfire_grace_seconds,
        },
        timezone=UTC,
    )


class ClockService:
    """The scheduler process's core: start, resynchronise, report health, stop."""

    def __init__(self, app: Application, *, owner: str | None = None, max_workers: int = 4) -> None:
        self.app = app
        self.owner = owner or default_owner()
        self.scheduler = build_scheduler(app, owner=self.owner, max_workers=max_workers)
        self.last_sync: datetime | None = None
        self.last_sync_error: str | None = None
        self._lock = threading.Lock()

    def start(self) -> SyncReport:
        """Start the scheduler with its jobs synchronised to the groups."""
        # Paused first: missed runs must find their jobs in the store, not fire before the sync
        # has dropped the jobs of deleted groups.
        self.scheduler.start(paused=True)
        report = self.sync()
        self.scheduler.add_job(
            self.sync,
            IntervalTrigger(seconds=self.app.settings.jobs_sync_seconds, timezone=UTC),
            id=SYNC,
            jobstore=LOCAL,
            replace_existing=True,
        )
        self.scheduler.resume()
        return report

    def sync(self) -> SyncReport:
        """Resynchronise the jobs with the groups and forget old run records."""
        with self._lock:
            try:
                report = sync_jobs(self.scheduler, self.app)
                keep = timedelta(days=self.app.settings.jobs_keep_days)
                with self.app.uow() as uow:
                    runs.prune(uow, self.app.clock.now() - keep)
            except Exception as error:
                self.last_sync_error = f"{type(error).__name__}: {error}"[:300]
                log.exception("job synchronisation failed")
                raise
            self.last_sync = self.app.clock.now()
            self.last_sync_error = None
            return report

    @property
    def running(self) -> bool:
        """Started, not paused, and its loop thread still alive (an error could end it)."""
        thread = getattr(self.scheduler, "_thread", None)
        alive = thread is not None and thread.is_alive()
        return bool(self.scheduler.state == STATE_RUNNING) and alive

    def health(self) -> dict[str, Any]:
        """What a probe needs: running, last sync, and the next run of each durable job."""
        report: dict[str, Any] = {
            "owner": self.owner,
            "state": "running" if self.running else "stopped",
            "last_sync": self.last_sync.isoformat() if self.last_sync else None,
            "last_sync_error": self.last_sync_error,
        }
        try:
            report["jobs"] = {
                job.id: job.next_run_time.isoformat() if job.next_run_time else None
                for job in self.scheduler.get_jobs(jobstore=DURABLE)
            }
            report["database"] = "ok"
        except Exception as error:  # a probe reports an outage, it must not crash the process
            report["jobs"] = {}
            report["database"] = f"error: {error!r}"[:300]
        # Three missed syncs in a row (the database down for long) make the process unhealthy.
        stale = self.last_sync is None or (
            self.app.clock.now() - self.last_sync
            > timedelta(seconds=3 * self.app.settings.jobs_sync_seconds)
        )
        report["ok"] = self.running and not stale and report["database"] == "ok"
        return report

    def stop(self, wait: bool = True) -> None:
        """Stop taking jobs; with ``wait``, let the running ones finish first."""
        if self.scheduler.state != STATE_STOPPED:
            self.scheduler.shutdown(wait=wait)


def readiness(engine: Engine, now: datetime) -> dict[str, Any]:
    """Whether a scheduler can run on this database: reachable, migrated, jobs and failures."""
    report: dict[str, Any] = {"ok": True}
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
            tables = set(inspect(connection).get_table_names())
            missing = {APSCHEDULER_JOBS.name, JobRun.__tablename__} - tables
            if missing:
                report["ok"] = False
                report["database"] = f"not migrated (missing {', '.join(sorted(missing))})"
                return report
            report["database"] = "ok"
            rows = connection.execute(
                select(APSCHEDULER_JOBS.c.id, APSCHEDULER_JOBS.c.next_run_time).order_by(
                    APSCHEDULER_JOBS.c.id
                )
            ).all()
            report["jobs"] = {
                job_id: datetime.fromtimestamp(at, UTC).isoformat() if at else None
                for job_id, at in rows
            }
            since = now - timedelta(days=1)
            failures = connection.execute(
                select(func.count())
                .select_from(JobRun)
                .where(JobRun.outcome == runs.FAILED, JobRun.started_at >= since)  # type: ignore[arg-type]
            ).scalar_one()
            report["failed_runs_last_day"] = failures
    except Exception as error:
        report["ok"] = False
        report["database"] = f"error: {error!r}"[:300]
    return report
