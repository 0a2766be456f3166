"""The record of job runs, which is also the lock that keeps a job from firing twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select

from scheduler.models.jobs import JobRun
from scheduler.service.unit_of_work import UnitOfWork

RUNNING, DONE, FAILED = "running", "done", "failed"


def claim(uow: UnitOfWork, job_id: str, scheduled_for: datetime, owner: str) -> bool:
    """Take the run of ``job_id`` due at ``scheduled_for``; False if a process already took it.

    The insert commits at once: the row must be visible to the other schedulers before the job
    starts, and it stays even if the job then fails (the run happened; the next one will come).
    """
    dialect = uow.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # RETURNING tells whether the row is ours: the rowcount of an ORM insert is -1 on psycopg.
    taken = uow.session.execute(
        insert(JobRun)
        .values(
            job_id=job_id,
            scheduled_for=scheduled_for,
            owner=owner,
            started_at=uow.clock.now(),
            outcome=RUNNING,
        )
        .on_conflict_do_nothing()
        .returning(col(JobRun.job_id))
    ).first()
    uow.commit()
    return taken is not None


def finish(
    uow: UnitOfWork, job_id: str, scheduled_for: datetime, outcome: str, detail: str | None
) -> None:
    """Record how a claimed run ended."""
    uow.session.execute(
        update(JobRun)
        .where(col(JobRun.job_id) == job_id, col(JobRun.scheduled_for) == scheduled_for)
        .values(outcome=outcome, detail=(detail or "")[:2000] or None, finished_at=uow.clock.now())
    )
    uow.commit()


def prune(uow: UnitOfWork, before: datetime) -> int:
    """Forget runs started before ``before``; their slots are long past and cannot fire again."""
    result = uow.session.execute(delete(JobRun).where(col(JobRun.started_at) < before))
    uow.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]


def runs_of(uow: UnitOfWork, job_id: str) -> list[JobRun]:
    return list(
        uow.session.exec(
            select(JobRun).where(JobRun.job_id == job_id).order_by(col(JobRun.scheduled_for))
        ).all()
    )
