"""Bad scenario documents are refused with the field and the reason, never half-read."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from scheduler.scenario.validation import InvalidInput, parse_scenario
from tests.scenario.sample import sample


def errors_of(document: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        parse_scenario(json.dumps(document))
    return [str(error) for error in caught.value.errors]


def test_the_sample_is_valid() -> None:
    scenario = parse_scenario(json.dumps(sample()))
    assert [g.id for g in scenario.groups] == ["ge1", "geiq1"]


def _ge(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["groups"][0]


def end_before_start(doc: dict[str, Any]) -> None:
    _ge(doc)["absences"][0]["period"]["end"] = "2026-12-13T00:00:00+01:00"


def overlapping_blocks(doc: dict[str, Any]) -> None:
    _ge(doc)["needs"][0]["blocks"][1] = {
        "start": "2026-12-08T08:00:00+01:00",
        "end": "2026-12-08T10:00:00+01:00",
    }


def negative_hours(doc: dict[str, Any]) -> None:
    _ge(doc)["employees"][0]["contract"]["weekly_hours"] = -4


def absurd_hours(doc: dict[str, Any]) -> None:
    _ge(doc)["employees"][0]["contract"]["weekly_hours"] = 90


def fractional_minutes(doc: dict[str, Any]) -> None:
    _ge(doc)["needs"][1]["weekly_hours"] = 2.01


def unknown_skill(doc: dict[str, Any]) -> None:
    _ge(doc)["needs"][0]["skill"] = "juggling"


def unknown_employee_skill(doc: dict[str, Any]) -> None:
    _ge(doc)["employees"][0]["skills"] = ["juggling"]


def site_of_another_member(doc: dict[str, Any]) -> None:
    _ge(doc)["needs"][0]["site_id"] = "ge1-s2"


def naive_datetime(doc: dict[str, Any]) -> None:
    _ge(doc)["needs"][0]["blocks"][0]["start"] = "2026-12-08T06:00:00"


def duplicated_employee_id(doc: dict[str, Any]) -> None:
    doc["groups"][1]["employees"][0]["id"] = "ge1-e1"
    doc["groups"][1]["placements"][0]["employee_id"] = "ge1-e1"


def duplicated_need_id(doc: dict[str, Any]) -> None:
    _ge(doc)["needs"][1]["id"] = "ge1-n1"


def quota_beyond_its_windows(doc: dict[str, Any]) -> None:
    _ge(doc)["needs"][1]["weekly_hours"] = 9


def unknown_field(doc: dict[str, Any]) -> None:
    _ge(doc)["employees"][0]["salary"] = 1800


def unknown_week(doc: dict[str, Any]) -> None:
    doc["weeks"] = ["2026-W54"]


def work_study_in_a_ge(doc: dict[str, Any]) -> None:
    _ge(doc)["employees"][0]["contract"]["kind"] = "apprenticeship"
    _ge(doc)["employees"][0]["contract"]["end"] = "2027-08-31"


CASES: list[tuple[Callable[[dict[str, Any]], None], str, str]] = [
    (end_before_start, "groups.0.absences.0.period", "end must be after start"),
    (overlapping_blocks, "groups.0.needs.0", "blocks overlap"),
    (negative_hours, "groups.0.employees.0.contract.weekly_hours", "greater than"),
    (absurd_hours, "groups.0.employees.0.contract.weekly_hours", "less than or equal to 48"),
    (fractional_minutes, "groups.0.needs.1.weekly_hours", "whole number of minutes"),
    (unknown_skill, "groups.0.needs.0.skill", "unknown skill 'juggling'"),
    (unknown_employee_skill, "groups.0.employees.0.skills.0", "unknown skill 'juggling'"),
    (site_of_another_member, "groups.0.needs.0.site_id", "belongs to member 'ge1-m2'"),
    (naive_datetime, "groups.0.needs.0.blocks.0.start", "no time zone offset"),
    (duplicated_employee_id, "groups.1.employees.0.id", "duplicated employee id 'ge1-e1'"),
    (duplicated_need_id, "groups.0.needs.1.id", "duplicated need id 'ge1-n1'"),
    (quota_beyond_its_windows, "groups.0.needs.1", "exceed the time the windows offer"),
    (unknown_field, "groups.0.employees.0.salary", "Extra inputs are not permitted"),
    (unknown_week, "weeks.0", "does not exist"),
    (work_study_in_a_ge, "groups.0.employees.0.contract.kind", "belong to a GEIQ"),
]


@pytest.mark.parametrize(("spoil", "field", "reason"), CASES, ids=[c[0].__name__ for c in CASES])
def test_a_bad_document_names_the_field_and_the_reason(
    spoil: Callable[[dict[str, Any]], None], field: str, reason: str
) -> None:
    document = sample()
    spoil(document)
    found = errors_of(document)
    assert any(e.startswith(f"{field}: ") and reason in e for e in found), found


def test_every_error_is_reported_at_once() -> None:
    document = sample()
    unknown_skill(document)
    site_of_another_member(document)
    assert len(errors_of(document)) == 2


def test_text_that_is_not_json_is_refused_plainly() -> None:
    with pytest.raises(InvalidInput, match="not valid JSON"):
        parse_scenario("{ nope")
