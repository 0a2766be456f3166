"""An application wired over a real database holding the sample territory."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from scheduler import db
from scheduler.bootstrap import Application, bootstrap
from scheduler.clock import ManualClock
from scheduler.scenario.importer import import_scenario
from scheduler.scenario.validation import parse_scenario
from scheduler.settings import Settings
from tests.scenario.sample import sample

# Wednesday of week 2026-W49: the sample's weeks W50 and W51 are inside a 4-week horizon.
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def app(database_url: str, clock: ManualClock) -> Iterator[Application]:
    settings = Settings(
        database_url=database_url, debounce_seconds=0, solve_time_limit=5, solve_workers=1
    )
    application = bootstrap(settings, clock=clock)
    with db.session_scope(application.engine) as session:
        import_scenario(session, parse_scenario(json.dumps(sample())))
    yield application
    application.close()
