"""What the member's needs page shows, and the need form in both directions.

The form has a fixed number of time rows (``SLOTS``): blocks for a blocks need, windows for a
quota need, each a date with a start and an end time in the group's zone. Empty rows are
ignored, so the form works without any script.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlmodel import Session, col, select

from api.web.forms import FormErrors, collect_validation, local, parse_date, parse_time, text
from api.web.i18n import Translator
from api.web.reading import hours_between
from scheduler import models as m
from scheduler.scenario import schema as s
from scheduler.scenario.common import OPEN_ENDED
from scheduler.service.views import need_wire, roster_lines, version_of

SLOTS = 4
NUMBERS = ("headcount", "priority", "weekly_hours", "min_block_hours", "max_block_hours")


@dataclass
class NeedLine:
    need: m.Need
    site_name: str
    skill_label: str
    spans: list[tuple[datetime, datetime]]
    weekly_hours: float | None
    last_week: str | None


@dataclass
class Visit:
    employee_name: str
    site_name: str
    start: datetime
    end: datetime
    hours: float


@dataclass
class VisitDay:
    day: date
    visits: list[Visit] = field(default_factory=list)


def member_needs(session: Session, member: m.Member, zone: ZoneInfo, since: str) -> list[NeedLine]:
    """The member's needs still running from ``since`` on (cancelled ones are gone)."""
    rows = session.exec(
        select(m.Need)
        .where(
            m.Need.member_id == member.id,
            col(m.Need.cancelled).is_(False),
            col(m.Need.last_week) >= since,
        )
        .order_by(col(m.Need.first_week), col(m.Need.position), col(m.Need.id))
    ).all()
    sites = {x.id: x.name for x in member_sites(session, member.id)}
    skill_ids = {row.skill_id for row in rows}
    skills = {
        x.id: x.label
        for x in session.exec(select(m.Skill).where(col(m.Skill.id).in_(skill_ids))).all()
    }
    found = []
    for row in rows:
        wire = need_wire(session, row, zone)
        found.append(
            NeedLine(
                need=row,
                site_name=sites.get(row.site_id, row.site_id),
                skill_label=skills.get(row.skill_id, row.skill_id),
                spans=[(x.start, x.end) for x in (wire.blocks or wire.windows)],
                weekly_hours=wire.weekly_hours,
                last_week=row.last_week if row.last_week != OPEN_ENDED else None,
            )
        )
    return found


def visits(
    session: Session, member: m.Member, week: str, days: list[date], zone: ZoneInfo
) -> tuple[int | None, list[VisitDay]]:
    """Who comes when to the member's sites in the published week (and its version)."""
    version = version_of(session, member.group_id, week, number=None, status="published")
    by_day = {d: VisitDay(d) for d in days}
    if version is None or version.id is None:
        return None, list(by_day.values())
    for line in roster_lines(session, version.id, zone, member_id=member.id):
        by_day.setdefault(line.start.date(), VisitDay(line.start.date())).visits.append(
            Visit(
                line.employee_name,
                line.site_name,
                line.start,
                line.end,
                hours_between(line.start, line.end),
            )
        )
    return version.number, [by_day[d] for d in sorted(by_day)]


def member_sites(session: Session, member_id: str) -> list[m.Site]:
    return list(
        session.exec(
            select(m.Site).where(m.Site.member_id == member_id).order_by(col(m.Site.position))
        ).all()
    )


def territory_skills(session: Session, group: m.Group) -> list[m.Skill]:
    return list(
        session.exec(
            select(m.Skill)
            .where(m.Skill.territory_id == group.territory_id)
            .order_by(col(m.Skill.position))
        ).all()
    )


def need_values(session: Session, row: m.Need, zone: ZoneInfo) -> dict[str, str]:
    """A stored need as the form's field values (to change it)."""
    wire = need_wire(session, row, zone)
    values = {
        "site_id": wire.site_id,
        "skill": wire.skill,
        "kind": wire.kind.value,
        "headcount": str(wire.headcount),
        "priority": str(wire.priority),
        "recurrence": wire.recurrence,
        "last_week": row.last_week if wire.recurrence == "weekly" and wire.last_week else "",
    }
    for name in ("weekly_hours", "min_block_hours", "max_block_hours"):
        number = getattr(wire, name)
        values[name] = "" if number is None else f"{number:g}"
    for k, span in enumerate(wire.blocks or wire.windows):
        values[f"slot-{k}-date"] = span.start.date().isoformat()
        values[f"slot-{k}-start"] = span.start.strftime("%H:%M")
        values[f"slot-{k}-end"] = span.end.strftime("%H:%M")
    return values


def form_values(form: Mapping[str, Any]) -> dict[str, str]:
    """What the member typed, to show again beside the errors."""
    names = ["site_id", "skill", "kind", "recurrence", "last_week", *NUMBERS]
    names += [f"slot-{k}-{part}" for k in range(SLOTS) for part in ("date", "start", "end")]
    return {name: text(form, name, limit=40) for name in names}


def _slot_field(kind: str, used: list[int], loc: tuple[str | int, ...]) -> str:
    # ("blocks", j, "end") names the j-th filled row; rows left empty were skipped.
    if len(loc) >= 2 and isinstance(loc[1], int) and loc[1] < len(used):
        part = loc[2] if len(loc) > 2 and loc[2] in ("start", "end") else "end"
        return f"slot-{used[loc[1]]}-{part}"
    return "slots"


def place_need_error(used: list[int]) -> Any:
    """Where an error of the need model or its handler goes on the form."""

    def place(loc: tuple[str | int, ...], message: str) -> str:
        loc = loc[1:] if loc and loc[0] == "need" else loc
        if not loc:
            lowered = message.lower()
            if "weekly_hours" in lowered:
                return "weekly_hours"
            if "min_block" in lowered:
                return "min_block_hours"
            if "last_week" in lowered:
                return "last_week"
            return "slots"
        head = str(loc[0])
        if head in ("blocks", "windows"):
            return _slot_field(head, used, loc)
        if head == "member_id":
            return "site_id"
        if head in ("site_id", "skill", "kind", "recurrence", "last_week", *NUMBERS):
            return head
        return "slots"

    return place


def parse_need(
    form: Mapping[str, Any],
    *,
    need_id: str | None,
    member: m.Member,
    zone: ZoneInfo,
    errors: FormErrors,
    t: Translator,
) -> tuple[s.Need | None, list[int]]:
    """The need a form describes (None with ``errors`` filled), and the rows it used."""
    spans: list[dict[str, datetime]] = []
    used: list[int] = []
    for k in range(SLOTS):
        names = (f"slot-{k}-date", f"slot-{k}-start", f"slot-{k}-end")
        if not any(text(form, n) for n in names):
            continue
        day = parse_date(form, names[0], errors, t)
        start = parse_time(form, names[1], errors, t)
        end = parse_time(form, names[2], errors, t)
        if day is not None and start is not None and end is not None:
            spans.append({"start": local(day, start, zone), "end": local(day, end, zone)})
            used.append(k)
    kind = text(form, "kind", limit=10) or "blocks"
    row_errors = bool(errors)
    if not spans and not row_errors:
        errors.add("slots", t("need.err.blocks_required"))
    data: dict[str, Any] = {
        "id": need_id or f"{member.id}-n{secrets.token_hex(4)}"[-64:],
        "member_id": member.id,
        "site_id": text(form, "site_id", limit=64),
        "skill": text(form, "skill", limit=64),
        "kind": kind,
        "recurrence": text(form, "recurrence", limit=10) or "once",
        "blocks" if kind == "blocks" else "windows": spans,
    }
    if data["recurrence"] == "weekly" and text(form, "last_week"):
        data["last_week"] = text(form, "last_week", limit=10)
    for name in NUMBERS:
        raw = text(form, name, limit=20).replace(",", ".")
        # Quota-only numbers are ignored on a blocks need (the form keeps them hidden).
        if raw and (kind == "quota" or name in ("headcount", "priority")):
            data[name] = raw
    # The model checks the rest even when a row could not be read, so every mistake is
    # reported at once.
    try:
        need = s.Need.model_validate(data)
    except ValidationError as error:
        collect_validation(t, error, errors, place_need_error(used))
        need = None
    if row_errors:
        # A row that could not be read already says what is wrong with the rows.
        errors.by_field.pop("slots", None)
    return (None if errors else need), used
