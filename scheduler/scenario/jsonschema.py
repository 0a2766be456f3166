"""JSON Schemas of the file formats, generated from their models."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from scheduler.scenario.schema import Scenario


def _scenario() -> dict[str, Any]:
    schema = Scenario.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://partage.example/schemas/scenario.schema.json"
    return schema


def _roster() -> dict[str, Any]:
    from scheduler.planning.roster_file import RosterFile

    schema = RosterFile.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://partage.example/schemas/roster.schema.json"
    return schema


def event_schema(event_type: str | None = None) -> dict[str, Any]:
    """One event type's JSON Schema, or (``None``) the union of all, discriminated by ``type``.

    KeyError for an unknown type.
    """
    from scheduler.messages.events import EVENT_ADAPTER, EVENT_TYPES

    if event_type is None:
        schema = EVENT_ADAPTER.json_schema()
        schema["$id"] = "https://partage.example/schemas/event.schema.json"
    else:
        schema = EVENT_TYPES[event_type].model_json_schema()
        schema["$id"] = f"https://partage.example/schemas/events/{event_type}.schema.json"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def _events() -> dict[str, Any]:
    """Every event's JSON Schema, keyed by its type (``roster.updated``...)."""
    from scheduler.messages.events import EVENT_TYPES

    return {event_type: event_schema(event_type) for event_type in sorted(EVENT_TYPES)}


DOCUMENTS: dict[str, Callable[[], dict[str, Any]]] = {
    "scenario": _scenario,
    "roster": _roster,
    "events": _events,
}


def json_schema(document: str) -> str:
    """The JSON Schema of ``document`` as indented JSON text; KeyError if unknown."""
    return json.dumps(DOCUMENTS[document](), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
