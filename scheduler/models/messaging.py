"""The outbox, the processed-message ledger and the planning state of each week."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer
from sqlmodel import Field, SQLModel

from scheduler.models.types import UTCDateTime


class OutboxMessage(SQLModel, table=True):
    """An event committed with the change that caused it, waiting to be published."""

    __table_args__ = (Index("ix_outbox_unsent", "sent_at", "id"),)

    # BigInteger on PostgreSQL: the outbox id is the global publication order.
    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    )
    event_id: str = Field(unique=True, max_length=36)
    type: str = Field(max_length=64)
    group_id: str = Field(index=True, max_length=64)
    week: str | None = Field(default=None, max_length=8)
    routing_key: str = Field(max_length=200)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0


class ProcessedMessage(SQLModel, table=True):
    """A message a consumer has handled: handling it again has no further effect."""

    consumer: str = Field(primary_key=True, max_length=64)
    event_id: str = Field(primary_key=True, max_length=36)
    processed_at: datetime = Field(sa_type=UTCDateTime)


class PlanningState(SQLModel, table=True):
    """Where the planning of one group's week stands, and who holds the right to solve it.

    ``requested_seq`` grows with every change touching the week; ``solved_seq`` is the value
    the latest stored roster reflects. A worker solves only while it holds the lease, so one
    group-week is never solved twice at once, across processes and machines.
    """

    group_id: str = Field(foreign_key="group.id", primary_key=True, max_length=64)
    week: str = Field(primary_key=True, max_length=8)
    status: str = Field(default="idle", max_length=16)  # idle|queued|solving|done|failed
    requested_seq: int = 0
    solved_seq: int = 0
    first_requested_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_requested_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    progress: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str | None = Field(default=None, max_length=2000)
    solves: int = 0
