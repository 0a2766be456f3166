"""What several pages read: the group's zone, the week shown, a need's spans in a given week.

Queries only, always scoped by the caller's group or subject: the pages never take a group,
member or employee id from the browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from api.web.i18n import Translator
from scheduler import models as m
from scheduler.rules import GroupRules
from scheduler.scenario.common import add_weeks, week_monday, week_of
from scheduler.service.views import need_wire

WEEK = re.compile(r"^\d{4}-W\d{2}$")


@dataclass(frozen=True)
class WeekNav:
    """The week a page shows, with its neighbours for the navigation links."""

    label: str
    title: str
    monday: date
    previous: str
    next: str
    current: str

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=k) for k in range(7)]


def group_of(session: Session, group_id: str) -> m.Group:
    group = session.get(m.Group, group_id)
    assert group is not None  # the key's group: a foreign key guarantees it
    return group


def zone_of(group: m.Group) -> ZoneInfo:
    return ZoneInfo(group.time_zone)


def notice_days(group: m.Group) -> int:
    return GroupRules.model_validate(group.rules).notice_days


def valid_week(label: str | None) -> str | None:
    """``label`` if it names a real ISO week, else None (the page then picks one)."""
    if label is None or not WEEK.match(label):
        return None
    try:
        week_monday(label)
    except ValueError:
        return None
    return label


def current_week(now: datetime, zone: ZoneInfo) -> str:
    return week_of(now.astimezone(zone).date())


def week_nav(label: str, current: str, t: Translator) -> WeekNav:
    monday = week_monday(label)
    return WeekNav(
        label=label,
        title=t.week(label, monday, monday + timedelta(days=6)),
        monday=monday,
        previous=add_weeks(label, -1),
        next=add_weeks(label, 1),
        current=current,
    )


def first_week_with(
    session: Session, group_id: str, since: str, *, status: str | None, limit: int = 8
) -> str | None:
    """The first week from ``since`` (within ``limit`` weeks) having a version of ``status``."""
    last = add_weeks(since, limit)
    query = select(m.RosterVersion.week).where(
        m.RosterVersion.group_id == group_id,
        col(m.RosterVersion.week) >= since,
        col(m.RosterVersion.week) <= last,
    )
    if status is not None:
        query = query.where(m.RosterVersion.status == status)
    return session.exec(query.order_by(col(m.RosterVersion.week)).limit(1)).first()


def need_spans_in_week(
    session: Session, need: m.Need, week: str, zone: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """The local spans (blocks or windows) of a need in ``week``; none if it does not apply.

    Spans are stored for the need's first week; a weekly need repeats them on the same
    weekdays and wall-clock times (adding whole weeks to a zoned time keeps its wall clock).
    """
    if need.cancelled or not need.first_week <= week <= need.last_week:
        return []
    wire = need_wire(session, need, zone)
    shift = timedelta(weeks=(week_monday(week) - week_monday(need.first_week)).days // 7)
    return [(x.start + shift, x.end + shift) for x in (wire.blocks or wire.windows)]


def osm_url(latitude: float, longitude: float) -> str:
    """An OpenStreetMap link centred on a point (no key, no tracking, works on phones)."""
    lat, lon = f"{latitude:.5f}", f"{longitude:.5f}"
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


def hours_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


def shown_published_week(session: Session, group_id: str, asked: str | None, now_week: str) -> str:
    """The week asked, else this week if published, else the next published one, else this."""
    week = valid_week(asked)
    if week is not None:
        return week
    if session.exec(
        select(m.RosterVersion.id).where(
            m.RosterVersion.group_id == group_id,
            m.RosterVersion.week == now_week,
            m.RosterVersion.status == "published",
        )
    ).first():
        return now_week
    return first_week_with(session, group_id, now_week, status="published") or now_week
