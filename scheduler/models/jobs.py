"""The clock jobs' tables: APScheduler's job store and the record of each job run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Float, LargeBinary, Table, Unicode
from sqlmodel import Field, SQLModel

from scheduler.models.types import UTCDateTime

# APScheduler 3's SQLAlchemyJobStore table, declared here with the same columns so that the
# migrations own it (the store only creates it when missing) and autogenerate never proposes
# to drop it. Its rows are pickled jobs: read and written by APScheduler alone.
APSCHEDULER_JOBS = Table(
    "apscheduler_jobs",
    SQLModel.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


class JobRun(SQLModel, table=True):
    """One firing of a clock job; inserted before the job runs, so the key is the lock.

    Every scheduler process computes the same ``scheduled_for`` for a due job (it comes from
    the shared job store), so a second process inserting the same key finds it taken and skips.
    """

    job_id: str = Field(primary_key=True, max_length=191)
    scheduled_for: datetime = Field(primary_key=True, sa_type=UTCDateTime)
    owner: str = Field(max_length=200)
    started_at: datetime = Field(sa_type=UTCDateTime, index=True)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: str = Field(default="running", max_length=16)  # running | done | failed
    detail: str | None = Field(default=None, max_length=2000)
