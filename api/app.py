"""The app factory: ``create_app(settings)`` or ``create_app(application)``; nothing global."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import errors
from api import metrics as api_metrics
from api.limits import BodyLimit
from api.routes import (
    calendar,
    csv_files,
    employees,
    groups,
    health,
    keys,
    members,
    needs,
    placements,
    rosters,
    webhooks,
)
from api.settings import ApiSettings
from api.web import router as web_router
from scheduler import metrics
from scheduler.bootstrap import Application, bootstrap
from scheduler.settings import Settings

DESCRIPTION = """
Partage plans the weeks of people shared between employers (GE, GEIQ).

Every route but `/healthz`, `/readyz` and the calendar feeds needs an API key
(`Authorization: Bearer <key>` or `X-API-Key: <key>`). A **manager** key acts on its group, a
**member** key on its own needs, sites and the assignments there, an **employee** key on its
own roster, availability and consents. Each route lists the roles it accepts (`x-roles`).
Another tenant's object answers 404. Changes that need planning answer 202 with links to the
planning status of the weeks concerned: no request ever waits for the solver.
"""


def create_app(source: Settings | Application, api_settings: ApiSettings | None = None) -> FastAPI:
    """The FastAPI app over an application (built from ``source`` when given settings)."""
    owned = isinstance(source, Settings)
    application = bootstrap(source) if isinstance(source, Settings) else source
    api_settings = api_settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            application.close()

    app = FastAPI(
        title="Partage",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.application = application
    app.state.api_settings = api_settings
    app.state.metrics_registry = metrics.registry(application.engine, application.clock)
    errors.install(app)
    for module in (
        health,
        groups,
        members,
        employees,
        needs,
        placements,
        rosters,
        calendar,
        webhooks,
        csv_files,
        keys,
    ):
        app.include_router(module.router)
    app.include_router(api_metrics.router)
    app.include_router(web_router)  # the pages under /app (api/web)
    app.add_middleware(
        BodyLimit, max_bytes=api_settings.max_body_bytes, csv_bytes=api_settings.max_csv_bytes
    )
    app.add_middleware(api_metrics.RequestLatency)  # outermost: times everything, 413s included
    return app
