"""Employees' calendar feeds: a secret, revocable URL serving their published roster.

Phone calendars poll the URL; each assignment is an event with the member's name, the site's
address and local times (with the VTIMEZONE, so a phone abroad still shows Paris hours right).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from sqlmodel import Session, col, select

from scheduler import models as m
from scheduler.clock import Clock
from scheduler.scenario.common import add_weeks, week_of
from scheduler.service.access import digest
from scheduler.service.errors import NotFound
from scheduler.service.views import published_weeks, roster_lines

PAST_WEEKS = 8  # how far back a feed goes: calendars keep what they already have


def create_feed(session: Session, *, employee_id: str, clock: Clock) -> tuple[m.CalendarFeed, str]:
    """A new feed of an employee; returns the row and its secret token (shown once)."""
    employee = session.get(m.Employee, employee_id)
    if employee is None:
        raise NotFound("employee", employee_id)
    token = secrets.token_urlsafe(32)
    row = m.CalendarFeed(
        id=secrets.token_hex(8),
        token_hash=digest(token),
        employee_id=employee.id,
        group_id=employee.group_id,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    return row, token


def revoke_feed(session: Session, feed_id: str, clock: Clock) -> m.CalendarFeed:
    row = session.get(m.CalendarFeed, feed_id)
    if row is None:
        raise NotFound("calendar feed", feed_id)
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        session.add(row)
    return row


def feeds_of(session: Session, employee_id: str) -> list[m.CalendarFeed]:
    return list(
        session.exec(
            select(m.CalendarFeed)
            .where(m.CalendarFeed.employee_id == employee_id)
            .order_by(col(m.CalendarFeed.created_at), col(m.CalendarFeed.id))
        ).all()
    )


def feed_by_token(session: Session, token: str) -> m.CalendarFeed | None:
    """The live feed a token opens, or None (unknown and revoked look the same)."""
    if len(token) > 200:
        return None
    row = session.exec(
        select(m.CalendarFeed).where(m.CalendarFeed.token_hash == digest(token))
    ).first()
    return row if row is not None and row.revoked_at is None else None


def _uid(employee_id: str, site_id: str, start: datetime, end: datetime) -> str:
    # Stable across versions while the hours stay the same, so a phone updates in place.
    key = f"{employee_id}|{site_id}|{start.isoformat()}|{end.isoformat()}"
    return hashlib.sha1(key.encode()).hexdigest() + "@partage"


def employee_calendar(session: Session, employee_id: str, *, now: datetime) -> bytes:
    """The employee's published roster from ``PAST_WEEKS`` ago on, as an iCalendar file."""
    employee = session.get(m.Employee, employee_id)
    if employee is None:
        raise NotFound("employee", employee_id)
    group = session.get(m.Group, employee.group_id)
    assert group is not None  # a foreign key guarantees it
    zone = ZoneInfo(group.time_zone)
    calendar = Calendar()
    calendar.add("prodid", "-//Partage//roster feed//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Partage — {employee.first_name} {employee.last_name}")
    calendar.add("x-wr-timezone", group.time_zone)
    since = add_weeks(week_of(now.astimezone(zone).date()), -PAST_WEEKS)
    for version in published_weeks(session, group.id, since):
        assert version.id is not None
        stamp = version.published_at or version.created_at
        for line in roster_lines(session, version.id, zone, employee_id=employee.id):
            event = Event()
            event.add("uid", _uid(employee.id, line.site_id, line.start, line.end))
            event.add("dtstamp", stamp)
            event.add("dtstart", line.start)
            event.add("dtend", line.end)
            event.add("summary", line.member_name)
            event.add("location", f"{line.site_name}, {line.site_address}")
            event.add(
                "description",
                f"{line.member_name} — {line.site_name}\n{line.site_address}\n"
                f"Semaine {version.week}, version {version.number}",
            )
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
