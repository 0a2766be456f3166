"""`partage solve` and `partage check` on a scenario file, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_scenario_commands import partage
from tests.scenario.sample import sample

NOW = "2026-11-25T09:00:00+01:00"  # two weeks ahead: nothing of W50 is in the notice window


def solved(tmp_path: Path) -> tuple[Path, Path, dict]:  # type: ignore[type-arg]
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(sample()))
    roster = tmp_path / "roster.json"
    result = partage(
        "solve", str(scenario), "--week", "2026-W50", "--time-limit", "5", "--workers", "1",
        "--now", NOW, "--out", str(roster),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return scenario, roster, json.loads(roster.read_text())


def test_solve_writes_a_roster_per_group_that_check_accepts(tmp_path: Path) -> None:
    scenario, roster, document = solved(tmp_path)
    assert [r["group_id"] for r in document["rosters"]] == ["ge1", "geiq1"]
    assert all(r["status"] in {"OPTIMAL", "FEASIBLE"} for r in document["rosters"])
    assert any(r["assignments"] for r in document["rosters"])
    checked = partage("check", str(scenario), str(roster))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 violation(s)" in checked.stderr


def test_check_lists_a_hand_made_violation_and_exits_1(tmp_path: Path) -> None:
    scenario, roster, document = solved(tmp_path)
    ge = document["rosters"][0]
    # Awa works Tuesday 06:00-09:00; put her at the school at the same time as well.
    ge["assignments"].append(
        {
            "employee_id": "ge1-e1",
            "member_id": "ge1-m2",
            "site_id": "ge1-s2",
            "need_id": None,
            "period": {"start": "2026-12-08T07:00:00+01:00", "end": "2026-12-08T08:00:00+01:00"},
        }
    )
    roster.write_text(json.dumps(document))
    checked = partage("check", str(scenario), str(roster))
    assert checked.returncode == 1
    assert "ge1: [" in checked.stdout and "ge1-e1" in checked.stdout


def test_solve_one_group_only(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(sample()))
    result = partage(
        "solve", str(scenario), "--week", "2026-W50", "--group", "geiq1", "--time-limit", "5",
        "--now", NOW,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert [r["group_id"] for r in json.loads(result.stdout)["rosters"]] == ["geiq1"]


def test_solve_refuses_a_week_outside_the_scenario(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(sample()))
    result = partage("solve", str(scenario), "--week", "2027-W03")
    assert result.returncode == 2
    assert "error: week: 2027-W03 is not a week of the scenario" in result.stderr


def test_solve_refuses_a_malformed_week_and_an_unknown_group(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(sample()))
    bad_week = partage("solve", str(scenario), "--week", "2026-50")
    assert bad_week.returncode == 2 and "error: week: must be an ISO week" in bad_week.stderr
    bad_group = partage("solve", str(scenario), "--week", "2026-W50", "--group", "zz")
    assert bad_group.returncode == 2 and "error: group: no group 'zz'" in bad_group.stderr


def test_the_roster_schema_in_docs_is_up_to_date() -> None:
    result = partage("schema", "roster")
    committed = Path(__file__).parents[2] / "docs" / "roster.schema.json"
    assert committed.read_text() == result.stdout, "run: partage schema roster -o " + str(committed)


def test_an_impossible_week_is_reported_with_its_conflicts(tmp_path: Path) -> None:
    document = sample()
    # Nine hours of training in one day for a 17-year-old apprentice: the 8-hour limit breaks.
    document["groups"][1]["placements"][0]["training"] = [
        {
            "id": "geiq1-ts9",
            "centre_id": "geiq1-t1",
            "period": {"start": "2026-12-11T08:00:00+01:00", "end": "2026-12-11T17:00:00+01:00"},
        }
    ]
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(document))
    result = partage(
        "solve", str(scenario), "--week", "2026-W50", "--group", "geiq1", "--now", NOW,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    [roster] = json.loads(result.stdout)["rosters"]
    assert roster["status"] == "INFEASIBLE"
    assert {c.get("employee_id") for c in roster["conflicts"]} - {None} == {"geiq1-e1"}
    assert any("daily" in c["rule"] for c in roster["conflicts"]), roster["conflicts"]
