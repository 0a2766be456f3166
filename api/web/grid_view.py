"""What the manager's coverage grid shows: members × days, uncovered needs, hours, the diff.

It reads the latest version of the week (usually a draft) and compares it with the latest
published one; everything is scoped to the manager's group.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from api.web.reading import hours_between, need_spans_in_week
from scheduler import models as m
from scheduler.service.planning_state import get_state
from scheduler.service.views import RosterLine, roster_lines, version_of

# A cell is "full" from this share of the asked hours on (rounding of minutes aside).
FULL = 0.999


@dataclass
class Cell:
    covered: float = 0.0
    asked: float = 0.0

    @property
    def level(self) -> str:
        """The cell's colour: full, partial, none (asked, nothing covered), extra, empty."""
        if self.asked <= 0:
            return "extra" if self.covered > 0 else "empty"
        if self.covered >= self.asked * FULL:
            return "full"
        return "partial" if self.covered > 0 else "none"


@dataclass
class MemberRow:
    member_id: str
    name: str
    cells: list[Cell]
    total: Cell
    quota_hours: float  # asked as weekly quotas, placed by the planner on any day


@dataclass
class UncoveredLine:
    member_name: str
    site_name: str
    skill: str
    start: datetime | None
    end: datetime | None
    hours: float
    reason: str
    detail: list[tuple[str, str]]  # (employee name, their reason code)


@dataclass
class EmployeeHours:
    name: str
    worked: float
    contract: float

    @property
    def level(self) -> str:
        if self.worked > self.contract + 0.01:
            return "over"
        return "full" if self.worked >= self.contract * FULL else "under"


@dataclass
class DiffLine:
    employee_name: str
    member_name: str
    site_name: str
    start: datetime
    end: datetime


@dataclass
class PlanningView:
    status: str
    progress: dict[str, Any]
    error: str | None
    latest: int | None
    published: int | None


@dataclass
class Grid:
    rows: list[MemberRow]
    uncovered: list[UncoveredLine]
    employees: list[EmployeeHours]
    latest: m.RosterVersion | None
    published: m.RosterVersion | None
    added: list[DiffLine] = field(default_factory=list)
    removed: list[DiffLine] = field(default_factory=list)
    solver: dict[str, Any] = field(default_factory=dict)
    explained: bool = False  # versions imported from a file carry no planner explanations

    @property
    def can_publish(self) -> bool:
        return self.latest is not None and self.latest.status == "draft"


def planning_view(session: Session, group_id: str, week: str) -> PlanningView:
    state = get_state(session, group_id, week)
    latest = version_of(session, group_id, week, number=None, status=None)
    published = version_of(session, group_id, week, number=None, status="published")
    return PlanningView(
        status=state.status if state else "idle",
        progress=dict(state.progress or {}) if state else {},
        error=state.error if state else None,
        latest=latest.number if latest else None,
        published=published.number if published else None,
    )


def _key(x: RosterLine) -> tuple[object, ...]:
    return (x.employee_id, x.member_id, x.site_id, x.need_id, x.start, x.end)


def _diff_line(x: RosterLine) -> DiffLine:
    return DiffLine(x.employee_name, x.member_name, x.site_name, x.start, x.end)


def coverage_grid(
    session: Session, group_id: str, week: str, days: list[date], zone: ZoneInfo
) -> Grid:
    """The week's grid for the manager of ``group_id``."""
    members = session.exec(
        select(m.Member)
        .where(m.Member.group_id == group_id)
        .order_by(col(m.Member.position), col(m.Member.id))
    ).all()
    employees = session.exec(
        select(m.Employee)
        .where(m.Employee.group_id == group_id)
        .order_by(col(m.Employee.position), col(m.Employee.id))
    ).all()
    latest = version_of(session, group_id, week, number=None, status=None)
    published = version_of(session, group_id, week, number=None, status="published")
    lines = roster_lines(session, latest.id, zone) if latest and latest.id else []
    summary: dict[str, Any] = dict(latest.summary or {}) if latest else {}
    index = {d: k for k, d in enumerate(days)}
    rows = {x.id: MemberRow(x.id, x.name, [Cell() for _ in days], Cell(), 0.0) for x in members}
    for line in lines:
        row = rows.get(line.member_id)
        k = index.get(line.start.date())
        if row is not None and k is not None:
            row.cells[k].covered += hours_between(line.start, line.end)
    needs = session.exec(
        select(m.Need).where(
            m.Need.group_id == group_id,
            col(m.Need.cancelled).is_(False),
            col(m.Need.first_week) <= week,
            col(m.Need.last_week) >= week,
        )
    ).all()
    for need in needs:
        row = rows.get(need.member_id)
        if row is None:
            continue
        if need.kind == "quota":
            row.quota_hours += (need.weekly_minutes or 0) / 60 * need.headcount
            continue
        for start, end in need_spans_in_week(session, need, week, zone):
            k = index.get(start.date())
            if k is not None:
                row.cells[k].asked += hours_between(start, end) * need.headcount
    asked_by_member: dict[str, float] = summary.get("asked_hours_by_member", {})
    for row in rows.values():
        row.total.covered = sum(c.covered for c in row.cells)
        # The planner's own count when it has one (it knows how quotas were read).
        row.total.asked = float(
            asked_by_member.get(row.member_id, sum(c.asked for c in row.cells) + row.quota_hours)
        )
    names = {e.id: f"{e.first_name} {e.last_name}" for e in employees}
    worked: dict[str, float] = defaultdict(float)
    for line in lines:
        worked[line.employee_id] += hours_between(line.start, line.end)
    by_employee: dict[str, float] = summary.get("hours_by_employee", {})
    hours = [
        EmployeeHours(
            names[e.id],
            # The planner's figure counts travel between sites as work; fall back to the lines.
            float(by_employee.get(e.id, worked.get(e.id, 0.0))),
            e.weekly_minutes / 60,
        )
        for e in employees
    ]
    grid = Grid(
        rows=list(rows.values()),
        uncovered=_uncovered(session, group_id, summary, names, zone),
        employees=hours,
        latest=latest,
        published=published,
        solver={k: summary.get(k) for k in ("status", "gap", "solve_seconds") if k in summary},
        explained="uncovered" in summary,
    )
    if latest is not None and published is not None and latest.id != published.id:
        assert published.id is not None
        old = roster_lines(session, published.id, zone)
        old_keys, new_keys = {_key(x) for x in old}, {_key(x) for x in lines}
        grid.added = [_diff_line(x) for x in lines if _key(x) not in old_keys]
        grid.removed = [_diff_line(x) for x in old if _key(x) not in new_keys]
    return grid


def _uncovered(
    session: Session,
    group_id: str,
    summary: dict[str, Any],
    names: dict[str, str],
    zone: ZoneInfo,
) -> list[UncoveredLine]:
    found = []
    for item in summary.get("uncovered", []):
        member = session.get(m.Member, item.get("member_id", ""))
        site = session.get(m.Site, item.get("site_id", ""))
        skill = session.get(m.Skill, item.get("skill", ""))
        if member is None or member.group_id != group_id:
            continue  # a summary only names the group's own members; never show another's
        period = item.get("period") or {}
        start = datetime.fromisoformat(period["start"]).astimezone(zone) if period else None
        end = datetime.fromisoformat(period["end"]).astimezone(zone) if period else None
        detail = [
            (names[who], why) for who, why in sorted(item.get("detail", {}).items()) if who in names
        ]
        found.append(
            UncoveredLine(
                member_name=member.name,
                site_name=site.name if site else item.get("site_id", ""),
                skill=skill.label if skill else item.get("skill", ""),
                start=start,
                end=end,
                hours=float(item.get("hours", 0.0)),
                reason=str(item.get("reason", "")),
                detail=detail,
            )
        )
    return found
