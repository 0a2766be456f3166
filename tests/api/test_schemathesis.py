"""Schemathesis against the app's own OpenAPI schema: no 5xx, answers match the schema.

Bounded (a few examples per operation, no shrinking) so both databases run in about a minute.
Driven through Hypothesis directly rather than schemathesis' pytest plugin, whose fixture
loader does not work with the pytest this project uses.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.specs.openapi import checks as openapi_checks

from tests.api.conftest import World

CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]
EXAMPLES = 10


@pytest.mark.slow
def test_api_conforms_to_its_schema(world: World) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.client.app)
    # The manager of the home group: every route's shape is exercised; generated ids mostly
    # miss (404), the examples and the fixture's ids hit.
    headers = world.headers("home", "manager")
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 50
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except (
            Exception,
            BaseExceptionGroup,
        ) as error:  # collect every operation's failure, not only the first
            failures.append(f"{operation.label}: {str(error)[:2000]}")
    assert failures == [], "\n\n".join(failures)
