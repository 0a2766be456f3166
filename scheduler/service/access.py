"""API keys and tenancy: who may see what, as plain functions over the stored rows.

A **manager** key acts for a group, a **member** key for one member company, an **employee**
key for one employee. What a key cannot see is answered exactly like what does not exist.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, col, select

from scheduler import models as m
from scheduler.clock import Clock
from scheduler.service.errors import NotFound

KEY_PREFIX = "pk"


class Role(StrEnum):
    manager = "manager"
    member = "member"
    employee = "employee"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a role, the subject it acts for and that subject's group."""

    key_id: str
    role: Role
    subject_id: str
    group_id: str


def digest(secret: str) -> str:
    """SHA-256 hex digest of a key or token: what the database stores instead of it."""
    return hashlib.sha256(secret.encode()).hexdigest()


def subject_group(session: Session, role: Role, subject_id: str) -> str:
    """The group a subject belongs to; NotFound when the subject does not exist."""
    if role == Role.manager:
        if session.get(m.Group, subject_id) is None:
            raise NotFound("group", subject_id)
        return subject_id
    table: type[m.Member] | type[m.Employee] = m.Member if role == Role.member else m.Employee
    row = session.get(table, subject_id)
    if row is None:
        raise NotFound(role.value, subject_id)
    return row.group_id


def create_key(
    session: Session, *, role: Role, subject_id: str, clock: Clock, label: str | None = None
) -> tuple[m.ApiKey, str]:
    """A new key for ``subject_id``; returns the row and the key, which is never shown again."""
    group_id = subject_group(session, role, subject_id)
    key_id = secrets.token_hex(6)
    # The id is part of the key, so a leaked key names the row to revoke.
    key = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    row = m.ApiKey(
        id=key_id,
        secret_hash=digest(key),
        role=role.value,
        subject_id=subject_id,
        group_id=group_id,
        label=label,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    return row, key


def verify_key(session: Session, key: str) -> Principal | None:
    """The principal of a valid, unrevoked key; None otherwise."""
    if not key.startswith(f"{KEY_PREFIX}_") or len(key) > 200:
        return None
    row = session.exec(select(m.ApiKey).where(m.ApiKey.secret_hash == digest(key))).first()
    if row is None or row.revoked_at is not None:
        return None
    return Principal(row.id, Role(row.role), row.subject_id, row.group_id)


def revoke_key(session: Session, key_id: str, clock: Clock) -> m.ApiKey:
    """Revoke a key (revoking twice is the same as once)."""
    row = session.get(m.ApiKey, key_id)
    if row is None:
        raise NotFound("key", key_id)
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        session.add(row)
    return row


def keys_of_group(session: Session, group_id: str) -> list[m.ApiKey]:
    return list(
        session.exec(
            select(m.ApiKey)
            .where(m.ApiKey.group_id == group_id)
            .order_by(col(m.ApiKey.created_at), col(m.ApiKey.id))
        ).all()
    )


# --------------------------------------------------------------------------- tenancy rules


def sees_group(p: Principal, group_id: str) -> bool:
    return p.group_id == group_id


def sees_group_row(p: Principal, group: m.Group) -> bool:
    return p.group_id == group.id


def sees_member(p: Principal, member: m.Member) -> bool:
    if p.role == Role.manager:
        return member.group_id == p.group_id
    return p.role == Role.member and member.id == p.subject_id


def sees_site(p: Principal, site: m.Site, member: m.Member) -> bool:
    return site.member_id == member.id and sees_member(p, member)


def sees_employee(p: Principal, employee: m.Employee) -> bool:
    if p.role == Role.manager:
        return employee.group_id == p.group_id
    return p.role == Role.employee and employee.id == p.subject_id


def sees_need(p: Principal, need: m.Need) -> bool:
    if p.role == Role.manager:
        return need.group_id == p.group_id
    return p.role == Role.member and need.member_id == p.subject_id


def sees_placement(p: Principal, placement: m.Placement) -> bool:
    if p.role == Role.manager:
        return placement.group_id == p.group_id
    if p.role == Role.member:
        return placement.host_member_id == p.subject_id
    return placement.employee_id == p.subject_id


def sees_subscription(p: Principal, subscription: m.WebhookSubscription) -> bool:
    if subscription.deleted_at is not None:
        return False
    if p.role == Role.manager:
        return subscription.group_id == p.group_id
    return p.role == Role.member and subscription.member_id == p.subject_id


def sees_feed(p: Principal, feed: m.CalendarFeed) -> bool:
    if p.role == Role.manager:
        return feed.group_id == p.group_id
    return p.role == Role.employee and feed.employee_id == p.subject_id


def sees_key(p: Principal, key: m.ApiKey) -> bool:
    return p.role == Role.manager and key.group_id == p.group_id


def sees_assignment(p: Principal, assignment: m.Assignment) -> bool:
    """Within a group's roster: a member sees its sites, an employee their own hours."""
    if p.role == Role.manager:
        return True
    if p.role == Role.member:
        return assignment.member_id == p.subject_id
    return assignment.employee_id == p.subject_id
