"""Webhooks: a publication reaches a real receiver on localhost, signed, retried on failure."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scheduler.service import outbox, webhooks
from tests.api.conftest import TENANTS, World


class Receiver:
    """An HTTP server that checks signatures; it answers 500 to the first ``fail_first``."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers.items()), body))
                failing = len(receiver.received) <= receiver.fail_first
                self.send_response(500 if failing else 204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as server:
        yield server


@pytest.fixture
def flaky_receiver() -> Iterator[Receiver]:
    with Receiver(fail_first=2) as server:
        yield server


def _subscribe(world: World, url: str) -> tuple[str, str]:
    """Subscribe geiq1-m1 to ``url`` instead of the fixture's unreachable URL."""
    fixture_hook = TENANTS["home"]["webhook_id"]
    world.client.delete(f"/v1/webhooks/{fixture_hook}", headers=world.headers("home", "manager"))
    response = world.client.post(
        "/v1/members/geiq1-m1/webhooks",
        json={"url": url, "events": ["roster.published"]},
        headers=world.headers("home", "member"),
    )
    assert response.status_code == 201, response.text
    return response.json()["id"], response.json()["secret"]


def _publish_new_draft(world: World) -> None:
    """A draft version of W50 stored as the planner would, then published through the API."""
    from scheduler import models as m

    with world.application.uow() as uow:
        uow.session.add(
            m.RosterVersion(
                group_id="geiq1",
                week="2026-W50",
                number=2,
                status="draft",
                created_at=world.clock.now(),
            )
        )
        uow.commit()
    response = world.client.post(
        "/v1/groups/geiq1/weeks/2026-W50/publish",
        json={"version": 2},
        headers=world.headers("home", "manager"),
    )
    assert response.status_code == 200, response.text


def _relay_events(world: World) -> int:
    """What the worker does: every committed event goes through ``record_deliveries``."""
    with world.application.uow() as uow:
        events = [outbox.event_of(row) for row in outbox.pending(uow.session)]
    created = 0
    for event in events:
        with world.application.uow() as uow:
            created += webhooks.record_deliveries(uow, event)
    return created


def test_publication_is_posted_signed_to_the_members_url(world: World, receiver: Receiver) -> None:
    hook_id, secret = _subscribe(world, receiver.url)
    _publish_new_draft(world)

    assert _relay_events(world) == 1
    assert _relay_events(world) == 0  # an event handled twice queues nothing more
    counts = webhooks.send_due(world.application.uow, webhooks.httpx_poster())

    assert counts["delivered"] == 1
    headers, body = receiver.received[0]
    assert webhooks.verify_signature(secret, body, headers, now=world.clock.now())
    assert not webhooks.verify_signature("whsec_wrong", body, headers, now=world.clock.now())
    payload = json.loads(body)
    assert payload["type"] == "roster.published"
    assert payload["member_id"] == "geiq1-m1"
    assert payload["roster_version"] == 2
    listed = world.client.get(
        f"/v1/webhooks/{hook_id}/deliveries", headers=world.headers("home", "member")
    ).json()
    assert [(d["status"], d["attempts"]) for d in listed["items"]] == [("delivered", 1)]


def test_a_failing_receiver_gets_the_delivery_again_after_back_off(
    world: World, flaky_receiver: Receiver
) -> None:
    hook_id, secret = _subscribe(world, flaky_receiver.url)
    _publish_new_draft(world)
    _relay_events(world)
    policy = webhooks.RetryPolicy(base_seconds=30)
    post = webhooks.httpx_poster()

    assert webhooks.send_due(world.application.uow, post, policy=policy)["pending"] == 1
    assert webhooks.send_due(world.application.uow, post, policy=policy)["pending"] == 0  # waits
    world.clock.advance(timedelta(seconds=31))
    assert webhooks.send_due(world.application.uow, post, policy=policy)["pending"] == 1
    world.clock.advance(timedelta(seconds=59))  # second back-off: 60 s
    assert sum(webhooks.send_due(world.application.uow, post, policy=policy).values()) == 0
    world.clock.advance(timedelta(seconds=2))
    assert webhooks.send_due(world.application.uow, post, policy=policy)["delivered"] == 1

    assert len(flaky_receiver.received) == 3
    bodies = {body for _, body in flaky_receiver.received}
    assert len(bodies) == 1  # the same delivery, re-signed each time
    for headers, body in flaky_receiver.received:
        assert webhooks.verify_signature(secret, body, headers, now=world.clock.now())
    delivery = world.client.get(
        f"/v1/webhooks/{hook_id}/deliveries?status=delivered",
        headers=world.headers("home", "member"),
    ).json()["items"][0]
    assert delivery["attempts"] == 3
    assert delivery["last_status_code"] == 204


def test_a_receiver_that_never_answers_ends_failed(world: World) -> None:
    hook_id, _ = _subscribe(world, "http://127.0.0.1:9/unreachable")
    _publish_new_draft(world)
    _relay_events(world)
    policy = webhooks.RetryPolicy(base_seconds=1, max_attempts=3, timeout_seconds=1)
    post = webhooks.httpx_poster()
    for _ in range(3):
        webhooks.send_due(world.application.uow, post, policy=policy)
        world.clock.advance(timedelta(seconds=10))
    delivery = world.client.get(
        f"/v1/webhooks/{hook_id}/deliveries", headers=world.headers("home", "member")
    ).json()["items"][0]
    assert delivery["status"] == "failed"
    assert delivery["attempts"] == 3
    assert delivery["last_error"]


def test_deleting_a_webhook_stops_it(world: World) -> None:
    hook_id, _ = _subscribe(world, "http://127.0.0.1:9/x")
    member = world.headers("home", "member")
    assert world.client.delete(f"/v1/webhooks/{hook_id}", headers=member).status_code == 204
    assert world.client.get(f"/v1/webhooks/{hook_id}", headers=member).status_code == 404
    _publish_new_draft(world)
    assert _relay_events(world) == 0
