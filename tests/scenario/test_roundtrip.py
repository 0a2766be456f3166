"""A scenario imported then exported is the same scenario."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from scheduler import db
from scheduler import models as m
from scheduler.generator import generate, scenario_json
from scheduler.scenario import importer
from scheduler.scenario.exporter import delete_territory, export_scenario, territory_names
from scheduler.scenario.importer import AlreadyImported, import_scenario
from scheduler.scenario.validation import parse_scenario
from tests.scenario.sample import sample


@pytest.fixture
def engine(database_url: str):  # type: ignore[no-untyped-def]
    db.upgrade(database_url)
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()


def test_sample_round_trip_is_lossless(engine) -> None:  # type: ignore[no-untyped-def]
    scenario = parse_scenario(json.dumps(sample()))
    with db.session_scope(engine) as session:
        import_scenario(session, scenario)
    with db.session_scope(engine) as session:
        exported = export_scenario(session)
    assert exported == scenario
    # The exported text parses again to the same document: files round-trip, not only models.
    assert parse_scenario(exported.model_dump_json()) == scenario


def test_importing_twice_names_the_stored_ids_and_adds_nothing(engine) -> None:  # type: ignore[no-untyped-def]
    scenario = parse_scenario(json.dumps(sample()))
    with db.session_scope(engine) as session:
        import_scenario(session, scenario)
    with pytest.raises(AlreadyImported) as caught, db.session_scope(engine) as session:
        import_scenario(session, scenario)
    assert any("already imported" in str(e) for e in caught.value.errors)
    with db.session_scope(engine) as session:
        assert len(session.exec(select(m.Employee)).all()) == 2


def test_replace_swaps_a_territory_whole(engine) -> None:  # type: ignore[no-untyped-def]
    scenario = parse_scenario(json.dumps(sample()))
    with db.session_scope(engine) as session:
        import_scenario(session, scenario)
    changed = sample()
    changed["groups"][0]["employees"][0]["first_name"] = "Aïssatou"
    changed_scenario = parse_scenario(json.dumps(changed))
    with db.session_scope(engine) as session:
        import_scenario(session, changed_scenario, replace=True)
    with db.session_scope(engine) as session:
        assert export_scenario(session) == changed_scenario
        assert delete_territory(session, changed_scenario.name)
        assert session.exec(select(m.Need)).all() == []


def test_a_failed_import_leaves_nothing_behind(engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    scenario = parse_scenario(json.dumps(sample()))

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    # Fail halfway, after the territory, skills, the first group and its members were added.
    monkeypatch.setattr(importer, "_import_employee", broken)
    with pytest.raises(RuntimeError), db.session_scope(engine) as session:
        import_scenario(session, scenario)
    with db.session_scope(engine) as session:
        assert session.get(m.Territory, scenario.name) is None
        assert session.exec(select(m.Member)).all() == []
        assert session.exec(select(m.Skill)).all() == []


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(min_value=0, max_value=10_000))
def test_generated_territories_round_trip(engine, seed: int) -> None:  # type: ignore[no-untyped-def]
    scenario = generate("S", seed, weeks=2)
    with db.session_scope(engine) as session:
        # Generated territories reuse ids (ge1-e001...): one territory at a time here.
        for name in territory_names(session):
            delete_territory(session, name)
        import_scenario(session, scenario)
    with db.session_scope(engine) as session:
        exported = export_scenario(session, scenario.name)
    assert exported == scenario
    assert scenario_json(exported) == scenario_json(scenario)
