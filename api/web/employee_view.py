"""What an employee's week page shows: their published hours, changes, travel, requests.

Everything is read for the signed-in employee only (``employee_id`` is the key's subject).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from api.web.reading import hours_between, notice_days, osm_url
from scheduler import models as m
from scheduler.scenario.common import week_of
from scheduler.scenario.schema import TravelMode
from scheduler.service.calendar import feeds_of
from scheduler.service.rosters import latest_version
from scheduler.service.views import RosterLine, roster_lines, version_of
from scheduler.travel import travel_minutes

NOTICE_REASON = "legal_limit:notice_period"


@dataclass
class Slot:
    """One assignment as the employee reads it."""

    start: datetime
    end: datetime
    site_id: str
    member_name: str
    site_name: str
    address: str
    map_url: str
    hours: float
    change: str | None = None  # "added" or "removed" against the previous published version
    travel_minutes: int | None = None  # from the previous place of the same day


@dataclass
class Day:
    day: date
    slots: list[Slot] = field(default_factory=list)


@dataclass
class ConsentRequest:
    """Hours the planner would give the employee inside the notice window, if they agree."""

    week: str
    need_id: str
    start: datetime
    end: datetime
    member_name: str
    site_name: str
    hours: float

    @property
    def key(self) -> str:
        return f"{self.need_id}|{self.start.isoformat()}"


@dataclass
class EmployeeWeek:
    version: int | None
    published_at: datetime | None
    previous_version: int | None
    days: list[Day]
    total_hours: float
    added: int
    removed: int
    travel_mode: str


def _key(line: RosterLine) -> tuple[str, str, datetime, datetime]:
    return (line.member_id, line.site_id, line.start, line.end)


def _previous_published(
    session: Session, group_id: str, week: str, before: int
) -> m.RosterVersion | None:
    return session.exec(
        select(m.RosterVersion)
        .where(
            m.RosterVersion.group_id == group_id,
            m.RosterVersion.week == week,
            m.RosterVersion.status == "published",
            col(m.RosterVersion.number) < before,
        )
        .order_by(col(m.RosterVersion.number).desc())
        .limit(1)
    ).first()


def employee_week(
    session: Session, employee: m.Employee, week: str, days: list[date], zone: ZoneInfo
) -> EmployeeWeek:
    """The employee's published week, day by day, with what changed since the version before."""
    version = version_of(session, employee.group_id, week, number=None, status="published")
    mode = TravelMode(employee.travel_mode)
    by_day = {d: Day(d) for d in days}
    if version is None or version.id is None:
        return EmployeeWeek(None, None, None, list(by_day.values()), 0.0, 0, 0, mode.value)
    lines = roster_lines(session, version.id, zone, employee_id=employee.id)
    previous = _previous_published(session, employee.group_id, week, version.number)
    old: list[RosterLine] = []
    if previous is not None and previous.id is not None:
        old = roster_lines(session, previous.id, zone, employee_id=employee.id)
    old_keys, new_keys = {_key(x) for x in old}, {_key(x) for x in lines}
    site_ids = {x.site_id for x in [*lines, *old]}
    sites = {
        s.id: s for s in session.exec(select(m.Site).where(col(m.Site.id).in_(site_ids))).all()
    }

    def slot(line: RosterLine, change: str | None) -> Slot:
        site = sites[line.site_id]
        return Slot(
            start=line.start,
            end=line.end,
            site_id=line.site_id,
            member_name=line.member_name,
            site_name=line.site_name,
            address=line.site_address,
            map_url=osm_url(site.latitude, site.longitude),
            hours=hours_between(line.start, line.end),
            change=change,
        )

    for line in lines:
        changed = "added" if previous is not None and _key(line) not in old_keys else None
        by_day.setdefault(line.start.date(), Day(line.start.date())).slots.append(
            slot(line, changed)
        )
    removed = [x for x in old if _key(x) not in new_keys]
    for line in removed:
        by_day.setdefault(line.start.date(), Day(line.start.date())).slots.append(
            slot(line, "removed")
        )
    for day in by_day.values():
        day.slots.sort(key=lambda x: (x.start, x.change == "removed"))
        _travel(day, sites, mode)
    return EmployeeWeek(
        version=version.number,
        published_at=version.published_at.astimezone(zone) if version.published_at else None,
        previous_version=previous.number if previous else None,
        days=[by_day[d] for d in sorted(by_day)],
        total_hours=sum(hours_between(x.start, x.end) for x in lines),
        added=len(new_keys - old_keys) if previous is not None else 0,
        removed=len(removed),
        travel_mode=mode.value,
    )


def _travel(day: Day, sites: dict[str, m.Site], mode: TravelMode) -> None:
    """Travel time between consecutive places of a day (it counts as working time)."""
    kept = [x for x in day.slots if x.change != "removed"]
    for before, after in pairwise(kept):
        if before.site_id != after.site_id:
            after.travel_minutes = travel_minutes(sites[before.site_id], sites[after.site_id], mode)


def consent_requests(
    session: Session, employee: m.Employee, group: m.Group, now: datetime, zone: ZoneInfo
) -> list[ConsentRequest]:
    """Uncovered hours inside the notice window that only the employee's consent can unlock.

    The planner explains each uncovered need per skilled employee; where the reason for this
    employee is the notice period (their published hours there may not change without their
    agreement), the page asks them. Hours they already agreed to are not asked again.
    """
    cutoff = now + timedelta(days=notice_days(group))
    weeks = sorted({week_of(now.astimezone(zone).date()), week_of(cutoff.astimezone(zone).date())})
    given = session.exec(select(m.Consent).where(m.Consent.employee_id == employee.id)).all()
    found: list[ConsentRequest] = []
    for week in weeks:
        version = latest_version(session, group.id, week)
        if version is None:
            continue
        for item in version.summary.get("uncovered", []):
            period = item.get("period")
            if item.get("detail", {}).get(employee.id) != NOTICE_REASON or not period:
                continue
            start = datetime.fromisoformat(period["start"]).astimezone(zone)
            end = datetime.fromisoformat(period["end"]).astimezone(zone)
            if not now < start < cutoff:
                continue
            if any(c.start <= start and end <= c.end for c in given):
                continue
            member = session.get(m.Member, item["member_id"])
            site = session.get(m.Site, item["site_id"])
            if member is None or site is None or member.group_id != group.id:
                continue
            found.append(
                ConsentRequest(
                    week=week,
                    need_id=item["need_id"],
                    start=start,
                    end=end,
                    member_name=member.name,
                    site_name=site.name,
                    hours=float(item.get("hours", hours_between(start, end))),
                )
            )
    return found


def upcoming_absences(session: Session, employee_id: str, now: datetime) -> list[m.Absence]:
    return list(
        session.exec(
            select(m.Absence)
            .where(m.Absence.employee_id == employee_id, col(m.Absence.end) > now)
            .order_by(col(m.Absence.start))
            .limit(20)
        ).all()
    )


def live_feeds(session: Session, employee_id: str) -> list[m.CalendarFeed]:
    return [f for f in feeds_of(session, employee_id) if f.revoked_at is None]
