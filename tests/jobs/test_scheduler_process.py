"""`partage scheduler` as it runs in production: two processes on one database, then SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from scheduler import models as m
from scheduler.bootstrap import Application
from scheduler.jobs import runs
from scheduler.jobs.executor import DURABLE
from scheduler.jobs.service import NIGHTLY, ClockService
from tests.jobs.conftest import events

pytestmark = pytest.mark.slow


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def healthy(path: Path) -> bool:
    try:
        return json.loads(path.read_text())["ok"] is True
    except (OSError, ValueError, KeyError):
        return False


def test_two_scheduler_processes_run_a_due_job_once_and_stop_on_sigterm(
    app: Application, database_url: str, tmp_path: Path
) -> None:
    # The nightly job, as the processes will find it: due a minute ago (a restart after 02:30).
    seed = ClockService(app, owner="seed")
    seed.scheduler.start(paused=True)
    seed.sync()
    due = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    seed.scheduler.modify_job(NIGHTLY, DURABLE, next_run_time=due)
    seed.stop()

    env = {**os.environ, "PARTAGE_DATABASE_URL": database_url}
    health = [tmp_path / "one.json", tmp_path / "two.json"]
    logs = [(tmp_path / f"{p.stem}.log").open("w") for p in health]
    command = [sys.executable, "-m", "partage", "scheduler", "--health-file"]
    processes = [
        subprocess.Popen([*command, str(path)], env=env, stdout=log, stderr=log)
        for path, log in zip(health, logs, strict=True)
    ]
    try:
        wait_for(lambda: all(healthy(p) for p in health), 60, "both schedulers to be healthy")

        def nightly_done() -> bool:
            with app.uow() as uow:
                return [(r.scheduled_for, r.outcome) for r in runs.runs_of(uow, NIGHTLY)] == [
                    (due, runs.DONE)
                ]

        wait_for(nightly_done, 30, "the nightly run")
        check = subprocess.run(
            [*command, str(health[0]), "--check"], env=env, capture_output=True, timeout=60
        )
        assert check.returncode == 0, check.stdout + check.stderr
        assert json.loads(check.stdout)["jobs"][NIGHTLY] > due.isoformat()

        for process in processes:
            process.send_signal(signal.SIGTERM)
        assert [p.wait(timeout=30) for p in processes] == [0, 0]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
        for log in logs:
            log.close()

    assert [json.loads(p.read_text())["state"] for p in health] == ["stopped", "stopped"]
    # Run twice, the nightly job would have asked twice for each week (requested_seq 2).
    with app.uow() as uow:
        states = uow.session.exec(select(m.PlanningState)).all()
    assert states and {s.requested_seq for s in states} == {1}
    assert len(events(app, "plan.requested")) == len(states)
    log_lines = [json.loads(line) for line in (tmp_path / "one.log").read_text().splitlines()]
    assert any(line["msg"] == "scheduler stopped" for line in log_lines)
