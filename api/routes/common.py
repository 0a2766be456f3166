"""Small helpers the routers share: planning links, group zones, paging queries."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from api.deps import Paging
from api.schemas import PlanningLink
from scheduler import models as m
from scheduler.bootstrap import Application
from scheduler.service.errors import NotFound
from scheduler.service.weeks import horizon


def status_url(group_id: str, week: str) -> str:
    return f"/v1/groups/{group_id}/weeks/{week}/planning"


def links(group_id: str, weeks: list[str]) -> list[PlanningLink]:
    return [
        PlanningLink(group_id=group_id, week=w, status_url=status_url(group_id, w))
        for w in sorted(set(weeks))
    ]


def group_zone(session: Session, group_id: str) -> ZoneInfo:
    group = session.get(m.Group, group_id)
    if group is None:
        raise NotFound("group", group_id)
    return ZoneInfo(group.time_zone)


def planning_horizon(application: Application, session: Session, group_id: str) -> list[str]:
    """The weeks a change re-plans now (the same horizon the handlers use)."""
    return horizon(
        application.clock.now(), group_zone(session, group_id), application.config.horizon_weeks
    )


def page(session: Session, query: Any, paging: Paging) -> tuple[list[Any], int]:
    """One page of ``query`` and the total it would give unpaged."""
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.offset(paging.offset).limit(paging.limit)).all()
    return list(rows), int(total)
