"""`partage demo`, the README's first command: a territory planned end to end, then served."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from scheduler import db
from scheduler import models as m


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def demo_env(tmp_path: Path, amqp_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTAGE_")}
    env["PARTAGE_DATABASE_URL"] = f"sqlite:///{tmp_path}/demo.db"
    if amqp_url:
        env["PARTAGE_AMQP_URL"] = amqp_url
        env["PARTAGE_WORKER_NAMESPACE"] = f"demo{os.getpid()}"
    return env


def test_the_demo_plans_publishes_and_hands_out_keys(tmp_path: Path) -> None:
    # Twice on the same database: the second run replaces the first territory whole, keys,
    # calendar feeds and planning state included.
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-m", "partage", "demo", "--no-serve", "--time-limit", "2"],
            capture_output=True,
            text=True,
            env=demo_env(tmp_path),
            timeout=300,
        )
        assert result.returncode == 0, result.stderr + result.stdout
    assert "planned: 12 done" in result.stdout
    for role in ("manager", "member", "employee"):
        assert re.search(rf"^{role}\s+\S.*pk_\w+", result.stdout, re.M), result.stdout
    engine = db.make_engine(f"sqlite:///{tmp_path}/demo.db")
    with Session(engine) as session:
        published = session.exec(
            select(m.RosterVersion).where(m.RosterVersion.status == "published")
        ).all()
        assert {v.group_id for v in published} == {"ge1", "ges1", "gqb1", "gqm1"}
        assert len({v.week for v in published}) == 1
    engine.dispose()


def test_the_demo_serves_the_published_week_to_its_employee(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "partage", "demo", "--time-limit", "2", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=demo_env(tmp_path),
    )
    try:
        output = ""
        deadline = time.monotonic() + 240
        assert process.stdout is not None
        while "serving on" not in output and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            output += line
        assert "serving on" in output, output
        employee, key = re.search(r"^employee\s+(\S+)\s+(pk_\S+)", output, re.M).groups()  # type: ignore[union-attr]
        week = re.search(r"published (\d{4}-W\d{2})", output)[1]  # type: ignore[index]
        feed = re.search(r"calendar feed\s+(\S+)", output)[1]  # type: ignore[index]
        url = f"http://127.0.0.1:{port}/v1/employees/{employee}/roster?week={week}"
        response = None
        for _ in range(50):
            try:
                response = httpx.get(url, headers={"Authorization": f"Bearer {key}"})
                break
            except httpx.ConnectError:
                time.sleep(0.2)
        assert response is not None and response.status_code == 200, response
        roster = response.json()
        assert roster["status"] == "published" and roster["assignments"]
        assert all(a["employee_id"] == employee for a in roster["assignments"])
        calendar = httpx.get(feed)
        assert calendar.status_code == 200 and b"BEGIN:VEVENT" in calendar.content
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.slow
def test_the_demo_plans_over_rabbitmq_when_a_broker_is_configured(
    tmp_path: Path, amqp_url: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "partage", "demo", "--no-serve", "--time-limit", "2"],
        capture_output=True,
        text=True,
        env=demo_env(tmp_path, amqp_url),
        timeout=400,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "events:   RabbitMQ" in result.stdout
    assert "planned: 12 done" in result.stdout
