"""The territory the page tests run over: the API tests' sample, two tenants, keys per role.

``home`` is the GE of the sample (``ge1``: a bakery and a town hall, Awa Diallo and Jean
Morel); ``other`` is the GEIQ (``geiq1``: Maçonnerie Durand, Lucas Petit), whose names must
never appear on a page of the GE and the other way round.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from scheduler import db
from scheduler.bootstrap import Application, bootstrap
from scheduler.clock import ManualClock
from scheduler.scenario.importer import import_scenario
from scheduler.scenario.validation import parse_scenario
from scheduler.service import access
from scheduler.settings import Settings
from tests.api.conftest import NOW, WEEK, territory

SUBJECTS = {
    "home": {"manager": "ge1", "member": "ge1-m1", "employee": "ge1-e1"},
    "other": {"manager": "geiq1", "member": "geiq1-m1", "employee": "geiq1-e1"},
}
# Names each tenant's pages may show, and must never show to the other tenant.
NAMES = {
    "home": ["GE du Pays de Test", "Boulangerie Martin", "Mairie de Testville", "Awa Diallo"],
    "other": ["GEIQ BTP de Test", "Maçonnerie Durand", "Lucas Petit", "Paul Durand"],
}
__all__ = ["NAMES", "NOW", "SUBJECTS", "WEEK", "Territory", "build_territory"]


@dataclass
class Territory:
    application: Application
    clock: ManualClock
    keys: dict[tuple[str, str], str] = field(default_factory=dict)

    def key(self, tenant: str, role: str) -> str:
        return self.keys[(tenant, role)]


def build_territory(database_url: str, *, solve_time_limit: float = 5) -> Territory:
    """The sample territory in a fresh database, the clock on Wednesday of 2026-W49."""
    clock = ManualClock(NOW)
    settings = Settings(
        database_url=database_url, debounce_seconds=0.0, solve_time_limit=solve_time_limit
    )
    application = bootstrap(settings, clock=clock)
    world = Territory(application, clock)
    with db.session_scope(application.engine) as session:
        import_scenario(session, parse_scenario(json.dumps(territory())))
        for tenant, subjects in SUBJECTS.items():
            for role, subject in subjects.items():
                _, key = access.create_key(
                    session, role=access.Role(role), subject_id=subject, clock=clock
                )
                world.keys[(tenant, role)] = key
    return world
