"""Webhooks for member companies: subscriptions, deliveries from events, signed sending.

The flow: a consumer of ``roster.*`` events calls ``record_deliveries`` (one delivery row per
subscription the event concerns, written in the same transaction that marks the event
processed, so a redelivered event adds nothing); a sender loop calls ``send_due``, which POSTs
each due delivery signed with HMAC-SHA256 over ``"{timestamp}.{body}"`` and retries failures
with exponential back-off until ``max_attempts``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from scheduler import models as m
from scheduler.messages.events import Event, RosterPublished, RosterUpdated
from scheduler.service.errors import FieldError, InvalidInput, NotFound
from scheduler.service.unit_of_work import UnitOfWork, UnitOfWorkFactory
from scheduler.service.webhook_urls import url_problem

log = logging.getLogger(__name__)

CONSUMER = "webhooks"  # the name in the processed-message ledger
EVENT_TYPES = ("roster.published", "roster.updated")
SIGNATURE_HEADER = "X-Partage-Signature"
TIMESTAMP_HEADER = "X-Partage-Timestamp"
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off: ``base * 2**(attempt-1)``, capped; given up after max_attempts."""

    base_seconds: float = 30.0
    max_delay_seconds: float = 3600.0
    max_attempts: int = 8
    # While a sender POSTs, the row is leased so a second sender does not POST it too.
    lease_seconds: float = 60.0
    timeout_seconds: float = 10.0

    def delay(self, attempts: int) -> timedelta:
        return timedelta(
            seconds=min(self.max_delay_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        )


# --------------------------------------------------------------------------- subscriptions


def subscribe(
    uow: UnitOfWork,
    *,
    member_id: str,
    url: str,
    events: list[str] | None = None,
    allow_private: bool = False,
) -> tuple[m.WebhookSubscription, str]:
    """Register ``url`` for a member; returns the row and its signing secret (shown once).

    ``url`` is refused (``InvalidInput`` on ``url``) as ``url_problem`` says; it is checked
    before the database is read, so a slow name server holds no connection.
    """
    problem = url_problem(url, allow_private=allow_private)
    if problem is not None:
        raise InvalidInput([FieldError(("url",), problem)])
    member = uow.session.get(m.Member, member_id)
    if member is None:
        raise NotFound("member", member_id)
    chosen = sorted(set(events or EVENT_TYPES))
    unknown = [e for e in chosen if e not in EVENT_TYPES]
    if unknown:
        raise InvalidInput(
            [
                FieldError(("events",), f"unknown event type {e!r}; known: {EVENT_TYPES}")
                for e in unknown
            ]
        )
    secret = "whsec_" + secrets.token_urlsafe(32)
    row = m.WebhookSubscription(
        id=secrets.token_hex(8),
        group_id=member.group_id,
        member_id=member.id,
        url=url,
        secret=secret,
        events=chosen,
        created_at=uow.clock.now(),
    )
    uow.session.add(row)
    uow.commit()
    return row, secret


def unsubscribe(uow: UnitOfWork, subscription_id: str) -> None:
    """Stop a subscription; its pending deliveries are abandoned (deleting twice is fine)."""
    row = uow.session.get(m.WebhookSubscription, subscription_id)
    if row is None:
        raise NotFound("webhook", subscription_id)
    if row.deleted_at is None:
        row.active = False
        row.deleted_at = uow.clock.now()
        uow.session.add(row)
        uow.session.execute(
            update(m.WebhookDelivery)
            .where(
                col(m.WebhookDelivery.subscription_id) == row.id,
                col(m.WebhookDelivery.status) == PENDING,
            )
            .values(status=FAILED, last_error="subscription deleted")
        )
    uow.commit()


# --------------------------------------------------------------------------- from events


def _members_concerned(event: Event) -> tuple[set[str] | None, str]:
    """Members an event is for (None: every member of the group) and the roster it names."""
    if isinstance(event, RosterPublished):
        # Publication is announced to every subscribed member of the group: even one with no
        # assignment learns that its week is final (and can see what stays uncovered).
        return None, str(event.roster_version)
    if isinstance(event, RosterUpdated):
        return set(event.diff.members_affected), str(event.roster_version)
    return set(), ""


def payload_for(event: Event, member_id: str) -> dict[str, object]:
    """What a member receives: the event's facts about it, never other members' names."""
    body: dict[str, object] = {
        "event_id": str(event.event_id),
        "type": event.type,
        "occurred_at": event.occurred_at.isoformat(),
        "group_id": event.group_id,
        "week": event.week,
        "member_id": member_id,
        "roster_url": f"/v1/members/{member_id}/roster?week={event.week}",
    }
    if isinstance(event, RosterPublished | RosterUpdated):
        body["roster_version"] = event.roster_version
    if isinstance(event, RosterUpdated):
        body["status"] = event.status
    return body


def record_deliveries(uow: UnitOfWork, event: Event) -> int:
    """Queue the deliveries an event causes; handling one event twice queues nothing more.

    Commits the unit of work (deliveries and the processed mark together).
    """
    event_id = str(event.event_id)
    session = uow.session
    if session.get(m.ProcessedMessage, (CONSUMER, event_id)) is not None:
        return 0
    members, _ = _members_concerned(event)
    created = 0
    if event.type in EVENT_TYPES and (members is None or members):
        query = select(m.WebhookSubscription).where(
            m.WebhookSubscription.group_id == event.group_id,
            col(m.WebhookSubscription.active).is_(True),
        )
        if members is not None:
            query = query.where(col(m.WebhookSubscription.member_id).in_(sorted(members)))
        now = uow.clock.now()
        for subscription in session.exec(query.order_by(col(m.WebhookSubscription.id))).all():
            if event.type not in subscription.events:
                continue
            session.add(
                m.WebhookDelivery(
                    subscription_id=subscription.id,
                    member_id=subscription.member_id,
                    event_id=event_id,
                    event_type=event.type,
                    payload=payload_for(event, subscription.member_id),
                    next_attempt_at=now,
                    created_at=now,
                )
            )
            created += 1
    session.add(
        m.ProcessedMessage(consumer=CONSUMER, event_id=event_id, processed_at=uow.clock.now())
    )
    uow.commit()
    return created


# --------------------------------------------------------------------------- sending


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``"{timestamp}.{body}"`` with the subscription's secret."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    secret: str, body: bytes, headers: Mapping[str, str], *, now: datetime, tolerance: float = 300
) -> bool:
    """What a receiver checks: a fresh timestamp and a matching signature."""
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        timestamp = int(lowered[TIMESTAMP_HEADER.lower()])
    except (KeyError, ValueError):
        return False
    if abs(now.timestamp() - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    return hmac.compare_digest(expected, lowered.get(SIGNATURE_HEADER.lower(), ""))


@dataclass(frozen=True)
class PostResult:
    status_code: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


# url, body, headers, timeout -> result; the default uses httpx.
Poster = Callable[[str, bytes, dict[str, str], float], PostResult]


def httpx_poster(*, allow_private: bool = False) -> Poster:
    """A poster over one httpx client (connections kept alive between deliveries).

    The URL is checked again before each POST (``url_problem``): a host whose name now
    resolves to a private address is not called, the delivery fails and is retried.
    """
    import httpx

    client = httpx.Client(follow_redirects=False)

    def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> PostResult:
        problem = url_problem(url, allow_private=allow_private)
        if problem is not None:
            return PostResult(None, f"refused: {problem}"[:2000])
        try:
            response = client.post(url, content=body, headers=headers, timeout=timeout)
        except httpx.HTTPError as error:
            return PostResult(None, f"{type(error).__name__}: {error}"[:2000])
        error = None if response.is_success else f"HTTP {response.status_code}"
        return PostResult(response.status_code, error)

    return post


@dataclass(frozen=True)
class _Job:
    delivery_id: int
    url: str
    secret: str
    body: bytes
    event_type: str
    attempts: int


def _claim(uow: UnitOfWork, limit: int, policy: RetryPolicy) -> list[_Job]:
    now = uow.clock.now()
    query = (
        select(m.WebhookDelivery, m.WebhookSubscription)
        .join(
            m.WebhookSubscription,
            col(m.WebhookSubscription.id) == col(m.WebhookDelivery.subscription_id),
        )
        .where(
            col(m.WebhookDelivery.status) == PENDING,
            col(m.WebhookDelivery.next_attempt_at) <= now,
        )
        .order_by(col(m.WebhookDelivery.next_attempt_at), col(m.WebhookDelivery.id))
        .limit(limit)
    )
    if uow.session.get_bind().dialect.name == "postgresql":
        # Senders on several machines share the queue without waiting for each other.
        query = query.with_for_update(skip_locked=True, of=m.WebhookDelivery)  # type: ignore[arg-type]
    jobs = []
    for delivery, subscription in uow.session.exec(query).all():
        delivery.next_attempt_at = now + timedelta(seconds=policy.lease_seconds)
        uow.session.add(delivery)
        body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
        assert delivery.id is not None
        jobs.append(
            _Job(
                delivery.id,
                subscription.url,
                subscription.secret,
                body,
                delivery.event_type,
                delivery.attempts,
            )
        )
    uow.commit()
    return jobs


def _settle(uow: UnitOfWork, job: _Job, result: PostResult, policy: RetryPolicy) -> str:
    delivery = uow.session.get(m.WebhookDelivery, job.delivery_id)
    if delivery is None or delivery.status != PENDING:
        uow.rollback()
        return "gone"
    now = uow.clock.now()
    delivery.attempts += 1
    delivery.last_status_code = result.status_code
    delivery.last_error = result.error
    if result.ok:
        delivery.status = DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= policy.max_attempts:
        delivery.status = FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + policy.delay(delivery.attempts)
    uow.session.add(delivery)
    uow.commit()
    return delivery.status


def send_due(
    uow_factory: UnitOfWorkFactory,
    post: Poster,
    *,
    policy: RetryPolicy | None = None,
    limit: int = 100,
) -> dict[str, int]:
    """POST every due delivery once; returns how many ended delivered, pending, failed."""
    policy = policy or RetryPolicy()
    with uow_factory() as uow:
        jobs = _claim(uow, limit, policy)
        clock = uow.clock
    counts = {DELIVERED: 0, PENDING: 0, FAILED: 0, "gone": 0}
    for job in jobs:
        timestamp = int(clock.now().timestamp())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Partage-Webhooks/1",
            "X-Partage-Event": job.event_type,
            "X-Partage-Delivery": str(job.delivery_id),
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(job.secret, timestamp, job.body),
        }
        try:
            result = post(job.url, job.body, headers, policy.timeout_seconds)
        except Exception as error:  # a poster must not take the other deliveries down
            log.exception("webhook delivery %s raised", job.delivery_id)
            result = PostResult(None, f"{type(error).__name__}: {error}"[:2000])
        with uow_factory() as uow:
            counts[_settle(uow, job, result, policy)] += 1
    return counts


def deliveries_of(
    session: Session, subscription_id: str, *, status: str | None, limit: int, offset: int
) -> tuple[list[m.WebhookDelivery], int]:
    from sqlalchemy import func

    where = [col(m.WebhookDelivery.subscription_id) == subscription_id]
    if status is not None:
        where.append(col(m.WebhookDelivery.status) == status)
    total = session.exec(select(func.count()).select_from(m.WebhookDelivery).where(*where)).one()
    rows = session.exec(
        select(m.WebhookDelivery)
        .where(*where)
        .order_by(col(m.WebhookDelivery.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), int(total)
