"""The CLI as a user runs it: a real process, exit codes, messages, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.scenario.sample import sample


def partage(*args: str, database_url: str | None = None, stdin: str | None = None):  # type: ignore[no-untyped-def]
    env = dict(os.environ)
    if database_url is not None:
        env["PARTAGE_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "partage", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=env,
        timeout=120,
    )


def test_import_then_export_gives_the_same_document(tmp_path: Path, database_url: str) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(sample()))
    imported = partage("import", str(source), database_url=database_url)
    assert imported.returncode == 0, imported.stderr
    assert "imported 'Pays de Test'" in imported.stdout
    out = tmp_path / "out.json"
    exported = partage("export", "--out", str(out), database_url=database_url)
    assert exported.returncode == 0, exported.stderr
    again = partage("import", str(out), "--replace", database_url=database_url)
    assert again.returncode == 0, again.stderr


def test_a_bad_file_exits_2_naming_field_and_reason(tmp_path: Path) -> None:
    document = sample()
    document["groups"][0]["needs"][0]["skill"] = "juggling"
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(document))
    result = partage("import", str(source), database_url=f"sqlite:///{tmp_path}/db.sqlite")
    assert result.returncode == 2
    assert "error: groups.0.needs.0.skill: unknown skill 'juggling'" in result.stderr
    assert "Traceback" not in result.stderr
    # The file is checked before the database is touched: nothing was created.
    assert not (tmp_path / "db.sqlite").exists()


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = partage("import", str(tmp_path / "nope.json"))
    assert result.returncode == 2
    assert "no such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_importing_the_same_territory_twice_exits_2(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(sample()))
    url = f"sqlite:///{tmp_path}/db.sqlite"
    assert partage("import", str(source), database_url=url).returncode == 0
    result = partage("import", str(source), database_url=url)
    assert result.returncode == 2
    assert "name: territory 'Pays de Test' is already imported" in result.stderr


def test_an_unknown_size_exits_2() -> None:
    result = partage("generate", "--size", "XXL")
    assert result.returncode == 2
    assert "size: must be one of S, M, L, XL" in result.stderr


def test_the_scenario_schema_in_docs_is_up_to_date() -> None:
    result = partage("schema", "scenario")
    assert result.returncode == 0
    committed = Path(__file__).parents[2] / "docs" / "scenario.schema.json"
    assert committed.read_text() == result.stdout, "run: partage schema scenario -o " + str(
        committed
    )
