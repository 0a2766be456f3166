"""The composition root: builds the engine, unit of work and bus from Settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from scheduler import db
from scheduler.clock import Clock, SystemClock
from scheduler.service.bus import MessageBus
from scheduler.service.handlers.context import PlanningConfig
from scheduler.service.unit_of_work import UnitOfWork
from scheduler.settings import Settings


@dataclass
class Application:
    settings: Settings
    engine: Engine
    clock: Clock
    config: PlanningConfig
    bus: MessageBus

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine, self.clock)

    def close(self) -> None:
        self.engine.dispose()


def planning_config(settings: Settings) -> PlanningConfig:
    return PlanningConfig(
        horizon_weeks=settings.horizon_weeks,
        debounce_seconds=settings.debounce_seconds,
        lease_seconds=settings.lease_seconds,
        time_limit_seconds=settings.solve_time_limit,
        num_workers=settings.solve_workers,
        random_seed=settings.solve_seed,
    )


def bootstrap(
    settings: Settings,
    *,
    clock: Clock | None = None,
    engine: Engine | None = None,
    migrate: bool = True,
) -> Application:
    """Wire the application; with ``migrate`` the database is brought to the latest schema."""
    if migrate:
        db.upgrade(settings.database_url)
    engine = engine or db.make_engine(settings.database_url)
    clock = clock or SystemClock()
    config = planning_config(settings)

    def uow_factory() -> UnitOfWork:
        return UnitOfWork(engine, clock)

    return Application(
        settings=settings,
        engine=engine,
        clock=clock,
        config=config,
        bus=MessageBus(uow_factory, config),
    )
