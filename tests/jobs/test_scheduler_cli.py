"""`partage scheduler --check`: the readiness probe of the scheduler container."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from partage.cli import app as cli
from scheduler import db
from scheduler.settings import get_settings


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path}/partage.db"
    monkeypatch.setenv("PARTAGE_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def check(*options: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = CliRunner().invoke(cli, ["scheduler", "--check", *options])
    return result.exit_code, json.loads(result.stdout)


def write_health(path: Path, *, ok: bool, age: timedelta) -> None:
    written = datetime.now(UTC) - age
    path.write_text(json.dumps({"ok": ok, "state": "running", "written_at": written.isoformat()}))


def test_a_database_without_the_job_tables_is_not_ready(database: str) -> None:
    code, report = check()
    assert code == 1
    assert report["database"].startswith("not migrated")


def test_a_migrated_database_is_ready_and_lists_the_jobs(database: str) -> None:
    db.upgrade(database)
    code, report = check()
    assert (code, report["ok"], report["jobs"], report["failed_runs_last_day"]) == (0, True, {}, 0)


def test_the_process_health_file_must_be_fresh_and_healthy(database: str, tmp_path: Path) -> None:
    db.upgrade(database)
    health = tmp_path / "scheduler.json"
    assert check("--health-file", str(health))[0] == 1  # no file: the process is not up

    write_health(health, ok=True, age=timedelta(seconds=1))
    assert check("--health-file", str(health))[0] == 0

    write_health(health, ok=True, age=timedelta(minutes=5))  # stuck or gone
    code, report = check("--health-file", str(health), "--max-age", "30")
    assert code == 1 and "old" in report["process"]["error"]

    write_health(health, ok=False, age=timedelta(seconds=1))
    assert check("--health-file", str(health))[0] == 1
