"""Members' webhook subscriptions and the deliveries made to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from scheduler.models.types import UTCDateTime


class WebhookSubscription(SQLModel, table=True):
    """A URL a member wants events POSTed to, signed with the subscription's secret."""

    id: str = Field(primary_key=True, max_length=32)
    group_id: str = Field(foreign_key="group.id", index=True, max_length=64)
    member_id: str = Field(foreign_key="member.id", index=True, max_length=64)
    url: str = Field(max_length=2000)
    # Kept in clear: signing needs it (unlike API keys, which are only ever compared).
    secret: str = Field(max_length=100)
    events: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebhookDelivery(SQLModel, table=True):
    """One event for one subscription: pending until delivered or given up (failed)."""

    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        Index("ix_webhook_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    )
    subscription_id: str = Field(foreign_key="webhooksubscription.id", index=True, max_length=32)
    member_id: str = Field(foreign_key="member.id", max_length=64)
    event_id: str = Field(max_length=36)
    event_type: str = Field(max_length=64)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=16)  # pending | delivered | failed
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=2000)
    last_status_code: int | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
