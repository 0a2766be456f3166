"""Same seed, same file; another seed, another territory."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.generator import generate, scenario_json, write_scenario
from scheduler.scenario.validation import parse_scenario


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    write_scenario(generate("M", 42), first)
    write_scenario(generate("M", 42), second)
    assert first.read_bytes() == second.read_bytes()


def test_different_seeds_give_different_territories() -> None:
    assert scenario_json(generate("S", 1)) != scenario_json(generate("S", 2))


def test_ids_are_short_and_say_their_group_and_kind() -> None:
    scenario = generate("S", 5)
    for group in scenario.groups:
        assert re.fullmatch(r"[a-z]+\d", group.id)
        for employee in group.employees:
            assert re.fullmatch(rf"{group.id}-e\d{{3}}", employee.id)
        for member in group.members:
            assert re.fullmatch(rf"{group.id}-m\d{{3}}", member.id)
        for need in group.needs:
            assert re.fullmatch(rf"{group.id}-n\d{{4}}", need.id)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**63 - 1), weeks=st.integers(1, 4))
def test_any_seed_gives_a_valid_small_scenario(seed: int, weeks: int) -> None:
    parse_scenario(scenario_json(generate("S", seed, weeks=weeks)))


@settings(max_examples=10, deadline=None)
@given(
    year=st.integers(2025, 2030),
    week=st.integers(1, 52),
    seed=st.integers(0, 1000),
)
def test_any_first_week_of_the_year_gives_a_valid_scenario(year: int, week: int, seed: int) -> None:
    parse_scenario(scenario_json(generate("S", seed, first_week=f"{year}-W{week:02d}")))
