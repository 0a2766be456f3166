"""Benchmark: an employee's published week under concurrent load, over a real uvicorn.

For each database (SQLite, and PostgreSQL when a server URL is given), a territory of size M
is generated and loaded, the largest group gets a published week (synthesised: five
half-days per employee, no solver needed to measure reading), every employee gets a key, and
``--clients`` concurrent clients fetch ``GET /v1/employees/{id}/roster?week=W`` for
``--seconds``. Two modes: ``closed`` (each client sends its next request as soon as the last
answered: the saturation throughput) and ``paced`` (each client sends ``--rate`` requests a
second: latency at a given load), and ``wrk`` (the closed loop driven by Debian's ``wrk``, in C,
when installed: the Python client alone saturates a core near 100 requests/s). Prints a table;
``--json`` adds the results as the last line.

    .venv/bin/python bench/api.py --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scheduler import db  # noqa: E402
from scheduler import models as m  # noqa: E402
from scheduler.clock import SystemClock  # noqa: E402
from scheduler.generator import generate  # noqa: E402
from scheduler.scenario.common import week_monday  # noqa: E402
from scheduler.scenario.importer import import_scenario  # noqa: E402
from scheduler.service import access  # noqa: E402

WEEK = "2026-W50"


def prepare(url: str, size: str, seed: int) -> tuple[list[tuple[str, str]], int]:
    """Load a territory, publish a week for its largest group; (employee, key) pairs."""
    db.upgrade(url)
    engine = db.make_engine(url)
    scenario = generate(size, seed, first_week=WEEK, weeks=1)
    group = max(scenario.groups, key=lambda g: len(g.employees))
    zone = ZoneInfo(scenario.time_zone)
    monday = week_monday(WEEK)
    pairs = []
    with db.session_scope(engine) as session:
        import_scenario(session, scenario)
        sites = {x.id: x.sites[0].id for x in group.members}
        version = m.RosterVersion(
            group_id=group.id,
            week=WEEK,
            number=1,
            status="published",
            created_at=datetime.now(UTC),
            published_at=datetime.now(UTC),
        )
        session.add(version)
        session.flush()
        for employee in group.employees:
            member = employee.contract.members[0].member_id
            for day in range(5):
                start = datetime.combine(monday + timedelta(days=day), datetime.min.time(), zone)
                session.add(
                    m.Assignment(
                        roster_version_id=version.id,
                        employee_id=employee.id,
                        member_id=member,
                        site_id=sites[member],
                        start=start + timedelta(hours=8),
                        end=start + timedelta(hours=12),
                    )
                )
            _, key = access.create_key(
                session, role=access.Role.employee, subject_id=employee.id, clock=SystemClock()
            )
            pairs.append((employee.id, key))
    engine.dispose()
    return pairs, len(group.employees)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PARTAGE_DATABASE_URL": url}
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "api.main:app_from_env",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the API did not start")


async def load(
    port: int, pairs: list[tuple[str, str]], clients: int, seconds: float, rate: float | None
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits) as client:

        async def one(index: int, until: float, record: bool) -> None:
            nonlocal errors
            turn = index
            next_at = time.perf_counter() + (index / clients) / rate if rate else 0.0
            while time.perf_counter() < until:
                if rate:
                    await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                    next_at += 1 / rate
                employee, key = pairs[turn % len(pairs)]
                turn += clients
                started = time.perf_counter()
                try:
                    response = await client.get(
                        f"/v1/employees/{employee}/roster",
                        params={"week": WEEK},
                        headers={"X-API-Key": key},
                    )
                    ok = response.status_code == 200 and response.json()["assignments"]
                except httpx.HTTPError:
                    ok = False
                if record:
                    latencies.append((time.perf_counter() - started) * 1000)
                    errors += 0 if ok else 1

        warm = time.perf_counter() + min(2.0, seconds / 4)
        await asyncio.gather(*(one(i, warm, False) for i in range(clients)))
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(*(one(i, until, True) for i in range(clients)))
        elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]

    return {
        "requests": len(latencies),
        "throughput_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(pct(50), 2),
        "p99_ms": round(pct(99), 2),
        "mean_ms": round(statistics.fmean(latencies), 2),
        "errors": errors,
    }


WRK_SCRIPT = """
local targets = {%s}
local turn = 0
request = function()
  turn = turn + 1
  local target = targets[(turn %% #targets) + 1]
  return wrk.format("GET", target[1], {["X-API-Key"] = target[2]})
end
done = function(summary, latency, requests)
  local e = summary.errors
  -- requests, duration (us), failed, p50 (us), p99 (us), mean (us)
  io.write(string.format("WRK %%d %%d %%d %%d %%d %%f\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout + e.status,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
"""


def load_wrk(
    port: int, pairs: list[tuple[str, str]], clients: int, seconds: float
) -> dict[str, float] | None:
    """The same closed loop driven by wrk (C): the Python client saturates a core by itself
    near 100 requests/s, so it measures itself more than the server past that."""
    if shutil.which("wrk") is None:
        return None
    targets = ", ".join(
        f'{{"/v1/employees/{employee}/roster?week={WEEK}", "{key}"}}' for employee, key in pairs
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % targets)
    try:
        command = [
            "wrk", "-t2", f"-c{clients}", f"-d{int(seconds)}s", "--timeout", "5s",
            "-s", script.name, f"http://127.0.0.1:{port}",
        ]  # fmt: skip
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    line = next(x for x in output.splitlines() if x.startswith("WRK "))
    requests, duration, failed, p50, p99, mean = (float(x) for x in line.split()[1:])
    return {
        "requests": int(requests),
        "throughput_rps": round(requests / (duration / 1e6), 1),
        "p50_ms": round(p50 / 1000, 2),
        "p99_ms": round(p99 / 1000, 2),
        "mean_ms": round(mean / 1000, 2),
        "errors": int(failed),
    }


def fresh_postgres(server_url: str) -> tuple[str, sa.Engine, str]:
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"bench_api_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return (
        make_url(server_url).set(database=name).render_as_string(hide_password=False),
        admin,
        name,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="M")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=4.0, help="Requests/s per paced client.")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("PARTAGE_TEST_POSTGRES_URL"),
        help="A PostgreSQL server URL (default: PARTAGE_TEST_POSTGRES_URL); omitted: SQLite only.",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        backends = [("sqlite", f"sqlite:///{folder}/bench.db", None)]
        if args.postgres_url:
            url, admin, name = fresh_postgres(args.postgres_url)
            backends.append(("postgresql", url, (admin, name)))
        for backend, url, cleanup in backends:
            try:
                pairs, employees = prepare(url, args.size, args.seed)
                port = free_port()
                server = start_server(url, port, args.workers)
                try:
                    for mode, rate in (("paced", args.rate), ("closed", None)):
                        result = asyncio.run(load(port, pairs, args.clients, args.seconds, rate))
                        rows.append(
                            {"database": backend, "mode": mode, "employees": employees, **result}
                        )
                    measured = load_wrk(port, pairs, args.clients, args.seconds)
                    if measured is not None:
                        rows.append(
                            {"database": backend, "mode": "wrk", "employees": employees, **measured}
                        )
                finally:
                    server.terminate()
                    server.wait(timeout=30)
            finally:
                if cleanup is not None:
                    admin, name = cleanup
                    with admin.connect() as connection:
                        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    admin.dispose()

    print(
        f"GET /v1/employees/{{id}}/roster, size {args.size}, {args.clients} clients, "
        f"{args.workers} uvicorn workers, paced = {args.rate:g} req/s per client"
    )
    header = f"{'database':<11} {'mode':<7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['database']:<11} {row['mode']:<7} {row['throughput_rps']:>8} "
            f"{row['p50_ms']:>8} {row['p99_ms']:>8} {row['errors']:>7}"
        )
    if args.json:
        print(
            json.dumps(
                {"benchmark": "api", "size": args.size, "clients": args.clients, "results": rows}
            )
        )


if __name__ == "__main__":
    main()
