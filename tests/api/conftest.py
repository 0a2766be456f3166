"""An API over the sample territory, with keys for every role of both groups.

``home`` is the GEIQ (it has every kind of object: member, employee, need, placement, a
published roster, a webhook, a calendar feed); ``other`` is the GE, another tenant.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from api import create_app
from scheduler import db
from scheduler.bootstrap import Application, bootstrap
from scheduler.clock import ManualClock
from scheduler.scenario.importer import import_scenario
from scheduler.scenario.validation import parse_scenario
from scheduler.service import access, calendar, webhooks
from scheduler.settings import Settings
from tests.scenario.sample import sample

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # Wednesday of 2026-W49: W50 is in the horizon
WEEK = "2026-W50"
ROLES = ("manager", "member", "employee")

GEIQ_NEED = {
    "id": "geiq1-n1",
    "member_id": "geiq1-m1",
    "site_id": "geiq1-s1",
    "skill": "masonry",
    "kind": "blocks",
    "blocks": [{"start": "2026-12-08T08:00:00+01:00", "end": "2026-12-08T12:00:00+01:00"}],
}
GEIQ_ROSTER = {
    "week": WEEK,
    "version": 1,
    "status": "published",
    "created_at": "2026-11-27T12:00:00+01:00",
    "published_at": "2026-11-27T12:00:00+01:00",
    "assignments": [
        {
            "employee_id": "geiq1-e1",
            "member_id": "geiq1-m1",
            "site_id": "geiq1-s1",
            "need_id": "geiq1-n1",
            "period": {"start": "2026-12-08T08:00:00+01:00", "end": "2026-12-08T12:00:00+01:00"},
        }
    ],
}
GE_SECOND_EMPLOYEE = {
    "id": "ge1-e2",
    "first_name": "Jean",
    "last_name": "Morel",
    "birth_date": "1985-02-11",
    "contract": {
        "kind": "permanent_part_time",
        "weekly_hours": 20,
        "start": "2025-01-06",
        "members": [{"member_id": "ge1-m2"}],
    },
    "skills": ["cleaning"],
    "availability": [{"day": "wed", "start": "08:00", "end": "18:00"}],
    "home": {"address": "9 rue Neuve", "latitude": 45.2, "longitude": 4.8},
    "travel_mode": "car",
}

# The objects each tenant owns, by path parameter name (the authorisation matrix uses them).
TENANTS: dict[str, dict[str, Any]] = {
    "home": {
        "group_id": "geiq1",
        "member_id": "geiq1-m1",
        "site_id": "geiq1-s1",
        "employee_id": "geiq1-e1",
        "need_id": "geiq1-n1",
        "placement_id": "geiq1-p1",
        "week": WEEK,
        "version": 1,
        "kind": "members",
    },
    "other": {
        "group_id": "ge1",
        "member_id": "ge1-m1",
        "site_id": "ge1-s1",
        "employee_id": "ge1-e1",
        "need_id": "ge1-n1",
        "placement_id": "ge1-p-none",
        "week": WEEK,
        "version": 1,
        "kind": "members",
    },
}
SUBJECTS = {
    "home": {"manager": "geiq1", "member": "geiq1-m1", "employee": "geiq1-e1"},
    "other": {"manager": "ge1", "member": "ge1-m1", "employee": "ge1-e1"},
}


def territory() -> dict[str, Any]:
    data = sample()
    ge, geiq = data["groups"]
    ge["employees"].append(GE_SECOND_EMPLOYEE)
    geiq["needs"] = [GEIQ_NEED]
    geiq["rosters"] = [GEIQ_ROSTER]
    return data


@dataclass
class World:
    client: TestClient
    application: Application
    clock: ManualClock
    keys: dict[tuple[str, str], str] = field(default_factory=dict)

    def headers(self, tenant: str, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[(tenant, role)]}"}


def build_world(database_url: str) -> Iterator[World]:
    clock = ManualClock(NOW)
    # The webhook receivers of these tests listen on 127.0.0.1: allow private addresses.
    settings = Settings(
        database_url=database_url,
        debounce_seconds=0.0,
        solve_time_limit=5,
        webhooks_allow_private=True,
    )
    application = bootstrap(settings, clock=clock)
    world = World(TestClient(create_app(application)), application, clock)
    with db.session_scope(application.engine) as session:
        import_scenario(session, parse_scenario(json.dumps(territory())))
        for tenant, subjects in SUBJECTS.items():
            for role, subject in subjects.items():
                _, key = access.create_key(
                    session, role=access.Role(role), subject_id=subject, clock=clock
                )
                world.keys[(tenant, role)] = key
            victim, _ = access.create_key(
                session,
                role=access.Role.member,
                subject_id=subjects["member"],
                clock=clock,
                label="victim",
            )
            TENANTS[tenant]["key_id"] = victim.id
            feed, _ = calendar.create_feed(session, employee_id=subjects["employee"], clock=clock)
            TENANTS[tenant]["feed_id"] = feed.id
    for tenant, subjects in SUBJECTS.items():
        with application.uow() as uow:
            hook, _ = webhooks.subscribe(
                uow, member_id=subjects["member"], url="http://127.0.0.1:9/hook", allow_private=True
            )
        TENANTS[tenant]["webhook_id"] = hook.id
    try:
        yield world
    finally:
        world.client.close()
        application.close()


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    yield from build_world(database_url)
