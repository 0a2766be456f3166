"""GET /metrics: Prometheus text that parses, request latency by route template."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from api import create_app
from api.settings import ApiSettings
from tests.api.conftest import World

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(world: World, headers: dict[str, str] | None = None) -> Samples:
    response = world.client.get("/metrics", headers=headers or {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def requests_of(samples: Samples, method: str, route: str, status: str) -> float:
    labels = (("method", method), ("route", route), ("status", status))
    return samples.get(("partage_api_request_seconds_count", labels), 0.0)


def test_metrics_need_no_key_and_parse_as_prometheus_text(world: World) -> None:
    samples = scrape(world)
    names = {name for name, _ in samples}
    assert {
        "partage_metrics_database_up",
        "partage_outbox_lag_seconds",
        "partage_planning_queue_lag_seconds",
    } <= names
    week = (("group_id", "geiq1"), ("week", "2026-W50"))  # the imported published roster
    assert ("partage_uncovered_hours", week) in samples


def test_each_request_is_timed_under_its_route_template_and_status(world: World) -> None:
    before = scrape(world)
    manager = world.headers("home", "manager")
    assert world.client.get("/v1/needs/geiq1-n1", headers=manager).status_code == 200
    assert world.client.get("/v1/needs/no-such-need", headers=manager).status_code == 404
    assert world.client.get("/no/such/path").status_code == 404

    after = scrape(world)

    for method, route, status in (
        ("GET", "/v1/needs/{need_id}", "200"),
        ("GET", "/v1/needs/{need_id}", "404"),
        ("GET", "<unmatched>", "404"),
    ):
        assert requests_of(after, method, route, status) == (
            requests_of(before, method, route, status) + 1
        ), (method, route, status)
    assert not any(
        dict(labels).get("route") == "/v1/needs/geiq1-n1" for _, labels in after
    )  # raw paths never become series


@pytest.fixture
def guarded(world: World) -> Iterator[World]:
    from fastapi.testclient import TestClient

    app = create_app(world.application, ApiSettings(metrics_token="scrape-me"))
    with TestClient(app) as client:
        yield World(client, world.application, world.clock, world.keys)


def test_a_metrics_token_when_set_is_required(guarded: World) -> None:
    assert guarded.client.get("/metrics").status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert guarded.client.get("/metrics", headers=wrong).status_code == 401
    assert scrape(guarded, {"Authorization": "Bearer scrape-me"})


def test_several_api_workers_share_a_fresh_multiprocess_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from partage.api_commands import _prepare_metrics_folder

    # Set, then removed: monkeypatch restores the variable as it was, whatever the code sets.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    assert _prepare_metrics_folder(1) is None  # one process: its own registry
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ

    created = _prepare_metrics_folder(4)
    assert created is not None and os.environ["PROMETHEUS_MULTIPROC_DIR"] == created
    os.rmdir(created)

    (tmp_path / "counter_123.db").write_bytes(b"old counts")
    (tmp_path / "keep.txt").write_text("not ours")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert _prepare_metrics_folder(4) is None  # the operator's folder, emptied of old counts
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]
