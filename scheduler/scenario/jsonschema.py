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


DOCUMENTS: dict[str, Callable[[], dict[str, Any]]] = {"scenario": _scenario, "roster": _roster}


def json_schema(document: str) -> str:
    """The JSON Schema of ``document`` as indented JSON text; KeyError if unknown."""
    return json.dumps(DOCUMENTS[document](), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
