"""`partage schema events` and `partage events`: the events' JSON Schemas, one per type."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from scheduler.messages.events import EVENT_TYPES, RosterDiff, RosterUpdated
from tests.cli.test_scenario_commands import partage


def test_schema_events_prints_every_event_type_keyed_by_type() -> None:
    result = partage("schema", "events")

    assert result.returncode == 0, result.stderr
    schemas = json.loads(result.stdout)
    assert sorted(schemas) == sorted(EVENT_TYPES)
    for event_type, schema in schemas.items():
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["properties"]["type"]["const"] == event_type
        assert schema["additionalProperties"] is False  # a new field is a new version


def test_partage_events_prints_the_same_schema_of_one_type() -> None:
    keyed = json.loads(partage("schema", "events").stdout)
    one = partage("events", "roster.updated")
    assert one.returncode == 0, one.stderr
    assert json.loads(one.stdout) == keyed["roster.updated"]


def test_partage_events_without_a_type_is_one_schema_discriminated_by_type() -> None:
    result = partage("events")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert set(schema["discriminator"]["mapping"]) == set(EVENT_TYPES)


def test_an_unknown_document_or_event_type_is_refused_with_the_choices() -> None:
    document = partage("schema", "nope")
    assert document.returncode == 2
    assert "error: document: must be one of scenario, roster, events" in document.stderr
    event = partage("events", "roster.nope")
    assert event.returncode == 2
    assert "error: event_type: unknown event type 'roster.nope'" in event.stderr


def test_a_real_event_validates_against_its_schema() -> None:
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    schemas = json.loads(partage("schema", "events").stdout)
    event = RosterUpdated(
        event_id=uuid.uuid4(),
        occurred_at=datetime(2026, 12, 2, 9, tzinfo=UTC),
        group_id="ge1",
        week="2026-W50",
        roster_version=2,
        status="draft",
        diff=RosterDiff(added=1, members_affected=["ge1-m1"]),
        covered_hours=12.5,
        uncovered_hours=3,
    )
    validator = jsonschema_rs.validator_for(schemas["roster.updated"])
    assert validator.is_valid(event.model_dump(mode="json"))
    assert not validator.is_valid({**event.model_dump(mode="json"), "surprise": 1})
