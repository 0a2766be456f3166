"""An APScheduler executor that runs each durable job once across every scheduler process."""

from __future__ import annotations

import logging
import traceback
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job

from scheduler.bootstrap import Application
from scheduler.jobs import runs
from scheduler.jobs.tasks import TASKS

log = logging.getLogger(__name__)

# The job store alias of the jobs kept in the database; other stores hold process-local jobs.
DURABLE = "default"


class GuardedExecutor(ThreadPoolExecutor):
    """Runs durable jobs' tasks with the application and their instant, behind the lock.

    APScheduler 3 was not written for several schedulers sharing one job store: each of them
    may find the same job due. The scheduled instant comes from the shared store, so all of
    them agree on it; whoever inserts ``(job id, scheduled instant)`` first runs the job, the
    others skip it. Jobs of other stores (the process's own housekeeping) run as plain calls.
    """

    def __init__(self, app: Application, owner: str, max_workers: int = 4) -> None:
        super().__init__(max_workers)
        self.app = app
        self.owner = owner

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        if job._jobstore_alias != DURABLE:
            super()._do_submit_job(job, run_times)
            return

        def done(future: Future[list[JobExecutionEvent]]) -> None:
            error = future.exception()
            if error is not None:
                self._run_job_error(job.id, error, error.__traceback__)
            else:
                self._run_job_success(job.id, future.result())

        self._pool.submit(self.run_durable, job, run_times).add_done_callback(done)

    def run_durable(self, job: Job, run_times: list[datetime]) -> list[JobExecutionEvent]:
        """Run ``job`` at each of ``run_times`` this process wins; the scheduler's events."""
        events: list[JobExecutionEvent] = []
        alias = job._jobstore_alias
        for run_time in run_times:
            context: dict[str, Any] = {"job_id": job.id, "scheduled_for": run_time.isoformat()}
            late = datetime.now(UTC) - run_time
            grace = job.misfire_grace_time
            if grace is not None and late > timedelta(seconds=grace):
                log.warning("job run missed (%s late)", late, extra=context)
                events.append(JobExecutionEvent(EVENT_JOB_MISSED, job.id, alias, run_time))
                continue
            with self.app.uow() as uow:
                if not runs.claim(uow, job.id, run_time, self.owner):
                    log.info("job run already taken by another scheduler", extra=context)
                    continue
            try:
                [task] = job.args
                detail = TASKS[task](self.app, run_time, **job.kwargs)
            except Exception as error:
                log.exception("job run failed", extra=context)
                self._record(job.id, run_time, runs.FAILED, f"{type(error).__name__}: {error}")
                events.append(
                    JobExecutionEvent(
                        EVENT_JOB_ERROR,
                        job.id,
                        alias,
                        run_time,
                        exception=error,
                        traceback=traceback.format_exc(),
                    )
                )
            else:
                log.info("job run done: %s", detail, extra=context)
                self._record(job.id, run_time, runs.DONE, detail)
                events.append(
                    JobExecutionEvent(EVENT_JOB_EXECUTED, job.id, alias, run_time, retval=detail)
                )
        return events

    def _record(self, job_id: str, run_time: datetime, outcome: str, detail: str | None) -> None:
        try:
            with self.app.uow() as uow:
                runs.finish(uow, job_id, run_time, outcome, detail)
        except Exception:  # the run itself is what matters; its record is best effort
            log.warning("could not record the end of job %s", job_id, exc_info=True)
