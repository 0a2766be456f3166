"""`--metrics-port`: the scheduler and the worker processes serve Prometheus metrics."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from scheduler.bootstrap import Application

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def scrape(port: int, seconds: float = 60) -> set[str]:
    """The metric family names served on ``port``, once the process answers."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            response = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2)
            return {f.name for f in text_string_to_metric_families(response.text)}
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["scheduler"], {"partage_planning_queue_lag_seconds", "partage_uncovered_hours"}),
        (["worker", "--concurrency", "1"], {"partage_solves", "partage_solve_seconds"}),
    ],
    ids=["scheduler", "worker"],
)
def test_the_process_serves_its_metrics_and_stops_on_sigterm(
    app: Application, database_url: str, tmp_path: Path, command: list[str], expected: set[str]
) -> None:
    port = free_port()
    # faulthandler: a process that ignores SIGTERM gets SIGABRT and prints its threads' stacks.
    env = {**os.environ, "PARTAGE_DATABASE_URL": database_url, "PYTHONFAULTHANDLER": "1"}
    env.pop("PARTAGE_AMQP_URL", None)  # the worker plans in-process
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with (tmp_path / "process.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "partage", *command, "--metrics-port", str(port)],
            env=env,
            stdout=log,
            stderr=log,
        )
        try:
            names = scrape(port)
            assert expected <= names, (tmp_path / "process.log").read_text()
        finally:
            process.send_signal(signal.SIGTERM)
            code = stopped(process)
    assert code == 0, (tmp_path / "process.log").read_text()


def stopped(process: subprocess.Popen[bytes], seconds: float = 60) -> int | str:
    """The exit code, or "hung" (after a SIGABRT that puts the stacks into the process's log)."""
    try:
        return process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)
        process.wait(timeout=30)
        return "hung"
