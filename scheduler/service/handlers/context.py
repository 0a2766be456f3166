"""What handlers share: settings that shape planning, and group lookups."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from scheduler import models as m
from scheduler.service.errors import NotFound
from scheduler.service.unit_of_work import UnitOfWork
from scheduler.service.weeks import horizon


@dataclass(frozen=True)
class PlanningConfig:
    """How the planner behaves; read from Settings by ``bootstrap``."""

    horizon_weeks: int = 4
    debounce_seconds: float = 0.5
    lease_seconds: float = 30.0
    time_limit_seconds: float = 10.0
    num_workers: int = 2
    random_seed: int = 0
    max_rounds: int = 5


def group_or_404(uow: UnitOfWork, group_id: str) -> m.Group:
    group = uow.session.get(m.Group, group_id)
    if group is None:
        raise NotFound("group", group_id)
    return group


def zone_of(group: m.Group) -> ZoneInfo:
    return ZoneInfo(group.time_zone)


def planning_weeks(uow: UnitOfWork, group: m.Group, config: PlanningConfig) -> list[str]:
    """The weeks changes re-plan now: the horizon from the current week."""
    return horizon(uow.clock.now(), zone_of(group), config.horizon_weeks)
