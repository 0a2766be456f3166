"""Every route × every role × own and other tenant, generated from the app's routes.

Each route declares its roles (``x-roles`` in OpenAPI). The rule: a role not listed answers
403 (decided on the role alone); a listed role answers 404 for another tenant's object and
neither 401, 403 nor 404 for its own; no key at all answers 401.
"""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import ROLES, TENANTS, World

PUBLIC = {"/healthz", "/readyz", "/calendar/{token}.ics"}
QUERY = {"week": "2026-W50", "from_version": 1, "to_version": 1}


def guarded_routes(world: World) -> list[tuple[str, str, list[str]]]:
    """(method, path, roles) of every route that needs a key; DELETEs last (they destroy)."""
    found = []
    # The OpenAPI document lists every route the app serves, with the roles it declares.
    for path, operations in world.client.app.openapi()["paths"].items():  # type: ignore[attr-defined]
        if path in PUBLIC:
            continue
        for method, operation in operations.items():
            roles = operation.get("x-roles")
            assert roles, f"{method.upper()} {path} declares no roles"
            found.append((method.upper(), path, roles))
    return sorted(found, key=lambda r: (r[0] == "DELETE", r[1], r[0]))


def call(world: World, method: str, path: str, tenant: str, headers: dict[str, str]) -> int:
    url = re.sub(r"\{(\w+)\}", lambda m: str(TENANTS[tenant][m[1]]), path)
    kwargs: dict[str, object] = {"params": QUERY, "headers": dict(headers)}
    if method in {"POST", "PUT"}:
        if "/csv/" in path:
            kwargs["content"] = b""
            kwargs["headers"] = {**headers, "Content-Type": "text/csv"}
        else:
            kwargs["json"] = {}
    return world.client.request(method, url, **kwargs).status_code  # type: ignore[arg-type]


def test_every_route_declares_its_roles(world: World) -> None:
    routes = guarded_routes(world)
    assert len(routes) >= 45
    assert all(set(roles) <= set(ROLES) for _, _, roles in routes)


@pytest.mark.parametrize("role", ROLES)
def test_authorisation_matrix(world: World, role: str) -> None:
    mismatches = []
    for method, path, roles in guarded_routes(world):
        # A path naming no object (``/v1/groups``) has no other tenant to try.
        for tenant in ("other", "home") if "{" in path else ("home",):
            status = call(world, method, path, tenant, world.headers("home", role))
            if role not in roles:
                expected = "403"
                ok = status == 403
            elif tenant == "other":
                expected = "404"
                ok = status == 404
            else:
                expected = "not 401/403/404/5xx"
                ok = status not in (401, 403, 404) and status < 500
            if not ok:
                mismatches.append(f"{role} {method} {path} ({tenant}): {status}, want {expected}")
    assert mismatches == [], "\n".join(mismatches)


def test_every_guarded_route_needs_a_valid_key(world: World) -> None:
    revoked = world.keys[("home", "member")]
    world.client.delete(
        f"/v1/keys/{revoked.split('_')[1]}", headers=world.headers("home", "manager")
    )
    failures = []
    for method, path, _ in guarded_routes(world):
        for headers in ({}, {"Authorization": "Bearer pk_nope_nope"}, {"X-API-Key": revoked}):
            status = call(world, method, path, "home", headers)
            if status != 401:
                failures.append(f"{method} {path} with {headers}: {status}")
    assert failures == []


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("member", "/v1/needs/ge1-n2"),  # a need of ge1-m2, a neighbour in the same group
        ("member", "/v1/members/ge1-m2"),
        ("member", "/v1/sites/ge1-s2"),
        ("employee", "/v1/employees/ge1-e2"),  # a colleague
        ("employee", "/v1/employees/ge1-e2/roster?week=2026-W50"),
    ],
)
def test_neighbours_in_the_same_group_are_other_tenants(world: World, role: str, url: str) -> None:
    assert world.client.get(url, headers=world.headers("other", role)).status_code == 404
