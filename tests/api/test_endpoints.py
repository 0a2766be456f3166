"""End to end through HTTP: what each kind of user does, and the errors they get."""

from __future__ import annotations

import copy

from tests.api.conftest import GEIQ_NEED, WEEK, World

NEED = {
    "id": "ge1-n9",
    "member_id": "ge1-m2",
    "site_id": "ge1-s2",
    "skill": "cleaning",
    "kind": "blocks",
    "blocks": [{"start": "2026-12-08T10:00:00+01:00", "end": "2026-12-08T12:00:00+01:00"}],
}


def test_a_member_submits_changes_and_cancels_its_need(world: World) -> None:
    member = world.headers("other", "member")  # ge1-m1
    need = {**NEED, "member_id": "ge1-m1", "site_id": "ge1-s1"}
    created = world.client.post("/v1/groups/ge1/needs", json=need, headers=member)
    assert created.status_code == 202, created.text
    body = created.json()
    assert body["need"]["version"] == 1
    status_url = body["planning"][0]["status_url"]
    assert world.client.get(status_url, headers=member).json()["status"] == "queued"

    changed = world.client.put(
        "/v1/needs/ge1-n9", json={**need, "headcount": 2, "expected_version": 1}, headers=member
    )
    assert changed.status_code == 202
    assert changed.json()["need"]["version"] == 2
    stale = world.client.put(
        "/v1/needs/ge1-n9", json={**need, "headcount": 3, "expected_version": 1}, headers=member
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2

    cancelled = world.client.delete("/v1/needs/ge1-n9?expected_version=2", headers=member)
    assert cancelled.status_code == 202
    assert cancelled.json()["need"]["cancelled"] is True
    listed = world.client.get("/v1/groups/ge1/needs", headers=member).json()
    assert "ge1-n9" not in {n["id"] for n in listed["items"]}
    listed = world.client.get("/v1/groups/ge1/needs?include_cancelled=true", headers=member).json()
    assert {n["member_id"] for n in listed["items"]} == {"ge1-m1"}  # never another member's


def test_a_member_cannot_submit_for_another_member(world: World) -> None:
    response = world.client.post(
        "/v1/groups/ge1/needs", json=NEED, headers=world.headers("other", "member")
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "member_id"]


def test_invalid_needs_name_field_and_reason(world: World) -> None:
    bad = {**NEED, "skill": "juggling", "headcount": 0}
    response = world.client.post(
        "/v1/groups/ge1/needs", json=bad, headers=world.headers("other", "manager")
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body", "headcount"]
    assert "greater than or equal to 1" in detail[0]["msg"]
    bad = {**NEED, "skill": "juggling"}
    response = world.client.post(
        "/v1/groups/ge1/needs", json=bad, headers=world.headers("other", "manager")
    )
    assert response.json()["detail"] == [
        {"loc": ["body", "skill"], "msg": "unknown skill 'juggling'", "type": "value_error"}
    ]


def test_bulk_needs_are_all_stored_or_none(world: World) -> None:
    manager = world.headers("other", "manager")
    second = {**NEED, "id": "ge1-n10", "skill": "juggling"}
    response = world.client.post(
        "/v1/groups/ge1/needs/bulk", json={"needs": [NEED, second]}, headers=manager
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "needs", 1, "skill"]
    assert world.client.get("/v1/needs/ge1-n9", headers=manager).status_code == 404
    second["skill"] = "cleaning"
    response = world.client.post(
        "/v1/groups/ge1/needs/bulk", json={"needs": [NEED, second]}, headers=manager
    )
    assert response.status_code == 202, response.text
    assert [n["id"] for n in response.json()["needs"]] == ["ge1-n9", "ge1-n10"]


def test_paging_is_bounded(world: World) -> None:
    manager = world.headers("other", "manager")
    page = world.client.get("/v1/groups/ge1/members?limit=1&offset=1", headers=manager).json()
    assert (page["total"], page["limit"], page["offset"]) == (2, 1, 1)
    assert [m["id"] for m in page["items"]] == ["ge1-m2"]
    assert world.client.get("/v1/groups/ge1/members?limit=500", headers=manager).status_code == 422


def test_an_employee_declares_absence_changes_availability_and_consents(world: World) -> None:
    employee = world.headers("other", "employee")
    absence = {
        "id": "ge1-a9",
        "employee_id": "ge1-e1",
        "kind": "personal",
        "period": {"start": "2026-12-09T00:00:00+01:00", "end": "2026-12-10T00:00:00+01:00"},
    }
    response = world.client.post("/v1/employees/ge1-e1/absences", json=absence, headers=employee)
    assert response.status_code == 202
    assert [p["week"] for p in response.json()["planning"]] == ["2026-W50"]
    absences = world.client.get("/v1/employees/ge1-e1/absences", headers=employee).json()
    assert "ge1-a9" in {a["id"] for a in absences["items"]}

    availability = {"availability": [{"day": "thu", "start": "08:00", "end": "12:00"}]}
    response = world.client.put(
        "/v1/employees/ge1-e1/availability", json=availability, headers=employee
    )
    assert response.status_code == 202
    got = world.client.get("/v1/employees/ge1-e1/availability", headers=employee).json()
    assert got["availability"] == availability["availability"]

    consent = {
        "id": "ge1-c9",
        "employee_id": "ge1-e1",
        "week": WEEK,
        "period": {"start": "2026-12-10T06:00:00+01:00", "end": "2026-12-10T12:00:00+01:00"},
        "given_at": "2026-12-02T10:00:00+01:00",
    }
    response = world.client.post("/v1/employees/ge1-e1/consents", json=consent, headers=employee)
    assert response.status_code == 202
    consents = world.client.get("/v1/employees/ge1-e1/consents", headers=employee).json()
    assert {c["id"] for c in consents["items"]} == {"ge1-c1", "ge1-c9"}


def test_rosters_by_role(world: World) -> None:
    employee = world.client.get(
        f"/v1/employees/geiq1-e1/roster?week={WEEK}", headers=world.headers("home", "employee")
    ).json()
    assert [(a["member_name"], a["site_address"]) for a in employee["assignments"]] == [
        ("Maçonnerie Durand", "ZA des Prés")
    ]
    assert employee["assignments"][0]["start"] == "2026-12-08T08:00:00+01:00"
    member = world.client.get(
        f"/v1/members/geiq1-m1/roster?week={WEEK}&status=draft",
        headers=world.headers("home", "member"),
    ).json()
    assert member["status"] == "published"  # a member never sees drafts
    assert member["assignments"][0]["employee_name"] == "Lucas Petit"
    manager = world.headers("home", "manager")
    versions = world.client.get(f"/v1/groups/geiq1/weeks/{WEEK}/versions", headers=manager)
    assert [v["number"] for v in versions.json()] == [1]
    diff = world.client.get(
        f"/v1/groups/geiq1/weeks/{WEEK}/diff?from_version=1&to_version=1", headers=manager
    ).json()
    assert (diff["added"], diff["removed"], diff["unchanged"]) == ([], [], 1)
    missing = world.client.get("/v1/groups/geiq1/weeks/2026-W51/roster", headers=manager)
    assert missing.status_code == 404


def test_a_manager_publishes_and_requests_plans(world: World) -> None:
    manager = world.headers("home", "manager")
    response = world.client.post(f"/v1/groups/geiq1/weeks/{WEEK}/plan", headers=manager)
    assert response.status_code == 202
    status = world.client.get(response.json()["planning"][0]["status_url"], headers=manager)
    assert status.json()["status"] == "queued"
    published = world.client.post(
        f"/v1/groups/geiq1/weeks/{WEEK}/publish", json={"version": 1}, headers=manager
    )
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    unknown = world.client.post(
        f"/v1/groups/geiq1/weeks/{WEEK}/publish", json={"version": 7}, headers=manager
    )
    assert unknown.status_code == 404


def test_placements_and_training_sessions(world: World) -> None:
    employee = world.headers("home", "employee")
    placement = world.client.get("/v1/placements/geiq1-p1", headers=employee).json()
    assert placement["tutor_name"] == "Paul Durand"
    sessions = world.client.get(
        f"/v1/groups/geiq1/training-sessions?week={WEEK}", headers=employee
    ).json()
    assert ("geiq1-ts1", "CFA du BTP") in [(s["id"], s["centre_name"]) for s in sessions]
    changed = copy.deepcopy(placement)
    del changed["group_id"]
    changed["tutor_name"] = "Marie Durand"
    response = world.client.put(
        "/v1/groups/geiq1/placements/geiq1-p1",
        json=changed,
        headers=world.headers("home", "manager"),
    )
    assert response.status_code == 202, response.text
    assert response.json()["placement"]["tutor_name"] == "Marie Durand"


def test_keys_are_shown_once_and_revocable(world: World) -> None:
    manager = world.headers("home", "manager")
    created = world.client.post(
        "/v1/groups/geiq1/keys",
        json={"role": "employee", "subject_id": "geiq1-e1"},
        headers=manager,
    ).json()
    key = created["key"]
    assert world.client.get("/v1/employees/geiq1-e1", headers={"X-API-Key": key}).status_code == 200
    listed = world.client.get("/v1/groups/geiq1/keys", headers=manager).json()
    assert all("key" not in k for k in listed)
    assert world.client.delete(f"/v1/keys/{created['id']}", headers=manager).status_code == 204
    assert world.client.get("/v1/employees/geiq1-e1", headers={"X-API-Key": key}).status_code == 401
    other = world.client.post(
        "/v1/groups/geiq1/keys", json={"role": "member", "subject_id": "ge1-m1"}, headers=manager
    )
    assert other.status_code == 422


def test_nul_characters_and_large_bodies_are_refused(world: World) -> None:
    manager = world.headers("home", "manager")
    need = {**GEIQ_NEED, "id": "geiq1-n2"}
    need_with_nul = {**need, "id": "geiq1-n3", "skill": "masonry\u0000"}
    assert (
        world.client.post("/v1/groups/geiq1/needs", json=need_with_nul, headers=manager).status_code
        == 422
    )
    big = {"needs": [need] * 20000}
    assert (
        world.client.post("/v1/groups/geiq1/needs/bulk", json=big, headers=manager).status_code
        == 413
    )


def test_health_needs_no_key(world: World) -> None:
    assert world.client.get("/healthz").json() == {"status": "ok"}
    assert world.client.get("/readyz").status_code == 200
