"""`partage api` without a broker plans what it accepts, in its own process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.demo.test_demo import free_port
from tests.scenario.sample import sample

NEED = {
    "id": "ge1-n9",
    "member_id": "ge1-m2",
    "site_id": "ge1-s2",
    "skill": "cleaning",
    "kind": "blocks",
    "blocks": [{"start": "2026-12-08T10:00:00+01:00", "end": "2026-12-08T12:00:00+01:00"}],
}


def partage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "partage", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_need_submitted_over_http_is_planned_without_a_worker(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTAGE_")}
    env["PARTAGE_DATABASE_URL"] = f"sqlite:///{tmp_path}/api.db"
    env["PARTAGE_SOLVE_TIME_LIMIT"] = "3"
    scenario = tmp_path / "sample.json"
    scenario.write_text(json.dumps(sample()))
    partage(env, "import", str(scenario))
    key = partage(env, "keys", "create", "--role", "member", "--for", "ge1-m2").strip()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "partage", "api", "--port", str(port), "--log-level", "warning"],
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {key}"}
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.ConnectError:
                time.sleep(0.2)
        accepted = httpx.post(f"{base}/v1/groups/ge1/needs", json=NEED, headers=headers)
        assert accepted.status_code == 202, accepted.text
        status_url = base + accepted.json()["planning"][0]["status_url"]
        status: dict[str, object] = {}
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            status = httpx.get(status_url, headers=headers).json()
            if status["status"] in ("done", "failed"):
                break
            time.sleep(0.3)
        assert status["status"] == "done", status
    finally:
        server.terminate()
        server.wait(timeout=30)
