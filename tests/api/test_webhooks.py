"""Webhooks: a publication reaches a real receiver on localhost, signed, retried on failure."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
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
    counts = webhooks.send_due(world.application.uow, webhooks.httpx_poster(allow_private=True))

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
    post = webhooks.httpx_poster(allow_private=True)

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
    post = webhooks.httpx_poster(allow_private=True)
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


# -- which URLs may receive webhooks (SSRF) --------------------------------------------------


@pytest.fixture
def strict(world: World) -> Iterator[World]:
    """The same API with the production default: private addresses refused."""
    import dataclasses

    from fastapi.testclient import TestClient

    from api import create_app

    settings = world.application.settings.model_copy(update={"webhooks_allow_private": False})
    application = dataclasses.replace(world.application, settings=settings)
    with TestClient(create_app(application)) as client:
        yield World(client, application, world.clock, world.keys)


def _create(world: World, url: str) -> httpx.Response:
    return world.client.post(
        "/v1/members/geiq1-m1/webhooks", json={"url": url}, headers=world.headers("home", "member")
    )


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1:8080/hook", "a loopback"),
        ("http://localhost/hook", "a loopback"),
        ("https://10.1.2.3/hook", "a private"),
        ("http://192.168.0.10/hook", "a private"),
        ("http://169.254.169.254/latest/meta-data", "a link-local"),  # cloud metadata
        ("http://224.0.0.1/hook", "a multicast"),
        ("http://[::1]/hook", "a loopback"),
        ("http://[::ffff:10.0.0.1]/hook", "a private"),
        ("http://100.64.0.1/hook", "a non-public"),
        ("http://0.0.0.0/hook", "an unspecified"),
    ],
)
def test_a_url_reaching_inside_the_network_is_refused_by_field(
    strict: World, url: str, kind: str
) -> None:
    response = _create(strict, url)

    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "url"]
    assert f"{kind} address" in error["msg"]


def test_a_name_resolving_to_a_private_address_is_refused(
    strict: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def resolve(host: str, port: object, *args: object, **kwargs: object) -> list[tuple]:
        assert host == "hooks.example.com"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    [error] = _create(strict, "https://hooks.example.com/partage").json()["detail"]
    assert error["loc"] == ["body", "url"]
    assert "resolves to 10.0.0.7, a private address" in error["msg"]


def test_a_public_address_is_accepted(strict: World) -> None:
    response = _create(strict, "https://93.184.215.14/partage")
    assert response.status_code == 201, response.text


def test_other_schemes_are_refused(strict: World) -> None:
    for url in ("ftp://93.184.215.14/x", "file:///etc/passwd", "gopher://93.184.215.14/"):
        response = _create(strict, url)
        assert response.status_code == 422, url
        assert response.json()["detail"][0]["loc"] == ["body", "url"]
    # Callers other than the API get the reason in words.
    problem = webhooks.url_problem("ftp://93.184.215.14/x", allow_private=True)
    assert problem == "scheme 'ftp' is not allowed: use http or https"


def test_with_private_addresses_allowed_a_local_receiver_is_accepted(world: World) -> None:
    assert _create(world, "http://127.0.0.1:8080/hook").status_code == 201
    assert _create(world, "ftp://127.0.0.1/hook").status_code == 422  # schemes still checked


def test_the_sender_checks_the_address_again_before_posting(
    world: World, receiver: Receiver
) -> None:
    _subscribe(world, receiver.url)  # allowed when subscribed
    _publish_new_draft(world)
    _relay_events(world)
    strict_post = webhooks.httpx_poster(allow_private=False)

    counts = webhooks.send_due(world.application.uow, strict_post)

    assert counts["pending"] == 1 and receiver.received == []
    [delivery] = world.client.get(
        "/v1/members/geiq1-m1/webhooks", headers=world.headers("home", "member")
    ).json()
    listed = world.client.get(
        f"/v1/webhooks/{delivery['id']}/deliveries", headers=world.headers("home", "member")
    ).json()["items"]
    assert listed[0]["last_error"].startswith("refused: host '127.0.0.1' resolves to 127.0.0.1")
