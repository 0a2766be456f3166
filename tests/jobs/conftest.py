"""The clock jobs over the sample territory, with a clock that only moves when told to.

``NOW`` (tests.service.conftest) is Wednesday 2 December 2026, 09:00 UTC, in week 2026-W49; the
sample's groups publish on Fridays at noon, Paris time, so the next publication is on
4 December at 11:00 UTC and it publishes the week after next, 2026-W51.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import select

from scheduler import models as m
from scheduler.bootstrap import Application
from scheduler.messages.events import Event
from scheduler.service import outbox
from tests.service.conftest import NOW, app, clock

__all__ = ["NOW", "app", "clock", "events", "store_version"]


def events(app: Application, kind: str) -> list[Event]:
    """The unsent events of one type, oldest first."""
    with app.uow() as uow:
        return [outbox.event_of(r) for r in outbox.pending(uow.session) if r.type == kind]


def store_version(
    app: Application,
    group_id: str,
    week: str,
    *,
    status: str = "draft",
    uncovered: list[dict[str, Any]] | None = None,
) -> int:
    """Store a roster version of a week directly (these tests are about clocks, not solving)."""
    with app.uow() as uow:
        numbers = uow.session.exec(
            select(m.RosterVersion.number).where(
                m.RosterVersion.group_id == group_id, m.RosterVersion.week == week
            )
        ).all()
        now: datetime = uow.clock.now()
        version = m.RosterVersion(
            group_id=group_id,
            week=week,
            number=max(numbers, default=0) + 1,
            status=status,
            created_at=now,
            published_at=now if status == "published" else None,
            summary={"status": "OPTIMAL", "uncovered": uncovered or []},
        )
        uow.session.add(version)
        uow.commit()
        return version.number
