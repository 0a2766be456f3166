"""Benchmark: the event pipeline end to end, over a real RabbitMQ and PostgreSQL.

For territories of size S and M and for 1 and 2 planner workers (``partage worker``
processes), each group of the territory submits needs one after the other, and the time from
a need's commit to the arrival (on a queue bound to the events exchange, like any consumer) of
the ``roster.updated`` (or ``plan.failed``) of its week is measured: p50/p95/p99. Then a
sustained run submits needs to every group and week at ``--rate`` a second for ``--seconds``
and checks that every ``need.submitted`` reaches the broker (0 lost), and counts the solves
per submission (the coalescing ratio). Prints a table; ``--json`` adds one JSON line last.

    .venv/bin/python bench/pipeline.py                 # starts its own services
    .venv/bin/python bench/pipeline.py --postgres-url postgresql+psycopg://... --amqp-url amqp://...

Without URLs (nor PARTAGE_TEST_POSTGRES_URL / PARTAGE_TEST_AMQP_URL in the environment) it
starts private servers with scripts/services.sh and stops them at the end.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import queue
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pika
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scheduler import db  # noqa: E402
from scheduler.bootstrap import Application, bootstrap  # noqa: E402
from scheduler.generator import generate  # noqa: E402
from scheduler.messages import commands as c  # noqa: E402
from scheduler.messages.events import parse_event  # noqa: E402
from scheduler.models.messaging import OutboxMessage, PlanningState  # noqa: E402
from scheduler.scenario import schema as s  # noqa: E402
from scheduler.scenario.common import add_weeks, week_monday, week_of  # noqa: E402
from scheduler.scenario.importer import import_scenario  # noqa: E402
from scheduler.settings import Settings  # noqa: E402
from workers import topology as topo  # noqa: E402
from workers.config import WorkerSettings  # noqa: E402
from workers.main import make_relay, topology_of  # noqa: E402

PARIS = ZoneInfo("Europe/Paris")


# --------------------------------------------------------------------------- services


@contextmanager
def services(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    pg = args.postgres_url or os.environ.get("PARTAGE_TEST_POSTGRES_URL")
    amqp = args.amqp_url or os.environ.get("PARTAGE_TEST_AMQP_URL")
    if pg and amqp:
        yield pg, amqp
        return
    folder = tempfile.mkdtemp(prefix="partage-bench-")
    script = ROOT / "scripts" / "services.sh"
    subprocess.run(["bash", str(script), "start", folder], check=True)
    try:
        env = {}
        for line in (Path(folder) / "env.sh").read_text().splitlines():
            key, _, value = line.removeprefix("export ").partition("=")
            env[key] = value.strip("'")
        yield env["PARTAGE_TEST_POSTGRES_URL"], env["PARTAGE_TEST_AMQP_URL"]
    finally:
        subprocess.run(["bash", str(script), "stop", folder], check=False)


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"bench_pipeline_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


# --------------------------------------------------------------------------- the pipeline


class Tap:
    """Reads roster.updated / plan.failed / need.submitted off the broker, on its own thread."""

    def __init__(self, amqp_url: str, layout: topo.Topology) -> None:
        self.amqp_url = amqp_url
        self.layout = layout
        self.queue_name = f"{layout.namespace}.bench-tap"
        self.answers: dict[tuple[str, str], queue.Queue[tuple[float, str]]] = defaultdict(
            queue.Queue
        )
        self.submitted: set[str] = set()
        self.answer_count = 0
        self._stop = threading.Event()
        connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        channel = connection.channel()
        topo.declare(channel, layout)
        channel.queue_declare(self.queue_name, durable=True)
        for key in ("roster.updated.#", "plan.failed.#", "need.submitted.#"):
            channel.queue_bind(self.queue_name, layout.events_exchange, routing_key=key)
        connection.close()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        connection = pika.BlockingConnection(pika.URLParameters(self.amqp_url))
        channel = connection.channel()
        channel.basic_qos(prefetch_count=500)

        def on_message(ch: Any, method: Any, _props: Any, body: bytes) -> None:
            now = time.monotonic()
            event = parse_event(body)
            if event.type == "need.submitted":
                self.submitted.add(str(event.event_id))
            else:
                self.answer_count += 1
                self.answers[(event.group_id, event.week or "")].put((now, event.type))
            ch.basic_ack(method.delivery_tag)

        channel.basic_consume(self.queue_name, on_message)
        while not self._stop.is_set():
            connection.process_data_events(time_limit=0.1)
        channel.queue_delete(self.queue_name)
        connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


@contextmanager
def pipeline(
    app: Application, database_url: str, amqp_url: str, workers: int, planning: dict[str, Any]
) -> Iterator[tuple[Tap, topo.Topology]]:
    settings = WorkerSettings(namespace=f"bench.{uuid.uuid4().hex[:8]}", relay_poll=0.02)
    layout = topology_of(settings)
    tap = Tap(amqp_url, layout)
    stop = threading.Event()
    relay = make_relay(app, amqp_url, settings, "bench")
    relay_thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    relay_thread.start()
    env = dict(os.environ)
    env.update(
        {
            "PARTAGE_DATABASE_URL": database_url,
            "PARTAGE_AMQP_URL": amqp_url,
            "PARTAGE_WORKER_NAMESPACE": settings.namespace,
        }
    )
    env.update({f"PARTAGE_{k.upper()}": str(v) for k, v in planning.items()})
    log = open(tempfile.mktemp(prefix="bench-workers-", suffix=".log"), "wb")  # noqa: SIM115
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "partage",
                "worker",
                "--no-relay",
                "--concurrency",
                "1",
                "--worker-id",
                f"bench-{k}",
                "--log-level",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        for k in range(workers)
    ]
    try:
        _wait_consumers(amqp_url, layout, workers)
        yield tap, layout
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        stop.set()
        relay_thread.join(timeout=10)
        tap.close()
        log.close()
        connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        topo.delete(connection.channel(), layout)
        connection.close()


def _wait_consumers(amqp_url: str, layout: topo.Topology, count: int) -> None:
    deadline = time.monotonic() + 60
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        while time.monotonic() < deadline:
            frame = connection.channel().queue_declare(layout.queue(topo.PLANNER), passive=True)
            if frame.method.consumer_count >= count:
                return
            time.sleep(0.2)
    finally:
        connection.close()
    raise RuntimeError("the workers did not start consuming within 60 s")


# --------------------------------------------------------------------------- workload


def load_territory(database_url: str, size: str, seed: int, planning: dict[str, Any]):  # type: ignore[no-untyped-def]
    first = add_weeks(week_of(datetime.now(UTC).astimezone(PARIS).date()), 1)
    scenario = generate(size, seed, first_week=first, weeks=2)  # type: ignore[arg-type]
    for group in scenario.groups:
        # Declared work for other employers currently makes some generated groups infeasible
        # (external_work against short-contract grouping): the pipeline, not that, is measured.
        for employee in group.employees:
            employee.external_work.clear()
    app = bootstrap(Settings(database_url=database_url, amqp_url=None, **planning))
    with db.session_scope(app.engine) as session:
        import_scenario(session, scenario)
    return app, scenario, first


def new_need(group: s.Group, week: str, rng: random.Random) -> s.Need:
    template = rng.choice([n for n in group.needs if not n.cancelled])
    day = week_monday(week) + timedelta(days=rng.randrange(5))
    start = datetime.combine(day, clock_time(0, 0), PARIS) + timedelta(hours=rng.randrange(8, 17))
    return s.Need(
        id=f"{group.id}-b{uuid.uuid4().hex[:10]}",
        member_id=template.member_id,
        site_id=template.site_id,
        skill=template.skill,
        kind=s.NeedKind.blocks,
        blocks=[{"start": start, "end": start + timedelta(hours=2)}],  # type: ignore[list-item]
    )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


def total_solves(app: Application) -> int:
    with app.engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.coalesce(sa.func.sum(PlanningState.solves), 0))
            ).scalar_one()
        )


def latency_run(
    server_url: str, amqp_url: str, size: str, workers: int, args: argparse.Namespace
) -> dict[str, Any]:
    planning = {
        "debounce_seconds": args.debounce,
        "solve_time_limit": args.time_limit_s if size == "S" else args.time_limit_m,
        "lease_seconds": 30,
    }
    with fresh_database(server_url) as url, ExitStack() as stack:
        app, scenario, week = load_territory(url, size, args.seed, planning)
        stack.callback(app.close)
        tap, _layout = stack.enter_context(pipeline(app, url, amqp_url, workers, planning))
        latencies: list[float] = []
        outcomes: dict[str, int] = defaultdict(int)
        lock = threading.Lock()
        solves_before = total_solves(app)

        def client(group: s.Group, seed: int) -> None:
            rng = random.Random(seed)
            answers = tap.answers[(group.id, week)]
            for _ in range(args.submissions):
                app.bus.handle(c.SubmitNeed(group_id=group.id, need=new_need(group, week, rng)))
                started = time.monotonic()
                try:
                    while True:
                        at, kind = answers.get(timeout=120)
                        if at >= started:
                            break
                except queue.Empty:
                    with lock:
                        outcomes["timeout"] += 1
                    continue
                with lock:
                    latencies.append(at - started)
                    outcomes[kind] += 1

        threads = [
            threading.Thread(target=client, args=(g, k)) for k, g in enumerate(scenario.groups)
        ]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - began
        solves = total_solves(app) - solves_before
        submissions = args.submissions * len(scenario.groups)
    return {
        "size": size,
        "workers": workers,
        "groups": len(scenario.groups),
        "employees": {g.id: len(g.employees) for g in scenario.groups},
        "submissions": submissions,
        "roster_updated": outcomes["roster.updated"],
        "plan_failed": outcomes["plan.failed"],
        "timeouts": outcomes["timeout"],
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "max": max(latencies) if latencies else float("nan"),
        "solves_per_submission": solves / submissions if submissions else float("nan"),
        "seconds": elapsed,
        "time_limit": planning["solve_time_limit"],
    }


def produce(
    database_url: str,
    scenario_json: str,
    weeks: list[str],
    index: int,
    producers: int,
    target: int,
    rate: float,
    ready: Any,
    threads: int,
    results: Any,
) -> None:
    """One producer process: submissions index, index + producers, ... each at its due time."""
    scenario = s.Scenario.model_validate_json(scenario_json)
    app = bootstrap(Settings(database_url=database_url, amqp_url=None), migrate=False)
    counts = {"done": 0, "failed": 0}
    lock = threading.Lock()
    mine = list(range(index, target, producers))
    ready.wait()  # every producer has imported and connected: the clock starts now
    wall_start = time.time()

    def run(part: list[int]) -> None:
        rng = random.Random(1000 + part[0] if part else 0)
        for k in part:
            delay = wall_start + k / rate - time.time()
            if delay > 0:
                time.sleep(delay)
            group = scenario.groups[k % len(scenario.groups)]
            try:
                need = new_need(group, weeks[k % len(weeks)], rng)
                app.bus.handle(c.SubmitNeed(group_id=group.id, need=need))
                outcome = "done"
            except Exception:
                outcome = "failed"
            with lock:
                counts[outcome] += 1

    pool = [threading.Thread(target=run, args=(mine[t::threads],)) for t in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    app.close()
    results.put((counts["done"], counts["failed"]))


def sustained_run(server_url: str, amqp_url: str, args: argparse.Namespace) -> dict[str, Any]:
    planning = {"debounce_seconds": args.debounce, "solve_time_limit": args.time_limit_s}
    with fresh_database(server_url) as url, ExitStack() as stack:
        app, scenario, week = load_territory(url, "S", args.seed, planning)
        stack.callback(app.close)
        tap, _layout = stack.enter_context(pipeline(app, url, amqp_url, 2, planning))
        weeks = [week, add_weeks(week, 1)]
        target = int(args.rate * args.seconds)
        solves_before = total_solves(app)
        # Producers are processes (like the API's uvicorn workers): one Python process cannot
        # commit 200 changes a second on its own, the GIL and the ORM cost about 10 ms each.
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        ready = context.Barrier(args.producers + 1)
        shares = [
            context.Process(
                target=produce,
                args=(
                    url,
                    scenario.model_dump_json(),
                    weeks,
                    k,
                    args.producers,
                    target,
                    args.rate,
                    ready,
                    args.threads,
                    results,
                ),
            )
            for k in range(args.producers)
        ]
        for process in shares:
            process.start()
        ready.wait(timeout=120)
        wall_start = time.time()
        submitted = errors = 0
        for _ in shares:
            done, failed = results.get(timeout=args.seconds + 120)
            submitted += done
            errors += failed
        for process in shares:
            process.join()
        accept_seconds = time.time() - wall_start
        with app.engine.connect() as conn:
            expected = set(
                conn.execute(
                    sa.select(OutboxMessage.event_id).where(OutboxMessage.type == "need.submitted")
                ).scalars()
            )
        deadline = time.monotonic() + 120
        while not expected <= tap.submitted and time.monotonic() < deadline:
            time.sleep(0.1)
        delivered_seconds = time.time() - wall_start
        lost = len(expected - tap.submitted)
        # Let the planners finish, so that the coalescing ratio counts every solve.
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            with app.engine.connect() as conn:
                busy = conn.execute(
                    sa.select(sa.func.count()).where(
                        PlanningState.status.in_(["queued", "solving"])  # type: ignore[attr-defined]
                    )
                ).scalar_one()
            if not busy:
                break
            time.sleep(0.2)
        solves = total_solves(app) - solves_before
    return {
        "target_rate": args.rate,
        "submitted": submitted,
        "errors": errors,
        "accepted_per_second": submitted / accept_seconds,
        "delivered_in_seconds": delivered_seconds,
        "lost": lost,
        "solves": solves,
        "solves_per_submission": solves / submitted if submitted else float("nan"),
    }


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres-url")
    parser.add_argument("--amqp-url")
    parser.add_argument("--sizes", default="S,M")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--submissions", type=int, default=10, help="per group, per run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--debounce", type=float, default=0.25)
    parser.add_argument("--time-limit-s", type=float, default=1.5)
    parser.add_argument("--time-limit-m", type=float, default=3.0)
    parser.add_argument("--rate", type=float, default=200.0, help="sustained submissions/s")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--producers", type=int, default=2, help="producer processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per producer")
    parser.add_argument("--json", action="store_true", help="print a JSON line last")
    args = parser.parse_args()

    runs = []
    with services(args) as (server_url, amqp_url):
        for size in args.sizes.split(","):
            for workers in (int(w) for w in args.workers.split(",")):
                print(f"running size {size} with {workers} worker(s)...", file=sys.stderr)
                runs.append(latency_run(server_url, amqp_url, size, workers, args))
        print("running the sustained load...", file=sys.stderr)
        sustained = sustained_run(server_url, amqp_url, args)

    print(
        f"\nsubmit need -> roster.updated (debounce {args.debounce} s; solver limit "
        f"S {args.time_limit_s} s, M {args.time_limit_m} s; {os.cpu_count()} cores)"
    )
    header = (
        f"{'size':<5}{'workers':>8}{'subm.':>7}{'updated':>9}{'failed':>8}{'p50 s':>8}"
        f"{'p95 s':>8}{'p99 s':>8}{'max s':>8}{'solves/subm.':>14}"
    )
    print(header)
    print("-" * len(header))
    for r in runs:
        print(
            f"{r['size']:<5}{r['workers']:>8}{r['submissions']:>7}{r['roster_updated']:>9}"
            f"{r['plan_failed'] + r['timeouts']:>8}{r['p50']:>8.2f}{r['p95']:>8.2f}"
            f"{r['p99']:>8.2f}{r['max']:>8.2f}{r['solves_per_submission']:>14.2f}"
        )
    print(
        f"\nsustained: {sustained['submitted']} needs, target {sustained['target_rate']:.0f}/s"
        f" -> {sustained['accepted_per_second']:.0f}/s accepted, {sustained['errors']} refused, "
        f"{sustained['lost']} lost; all on the broker "
        f"{sustained['delivered_in_seconds']:.1f} s after the first; {sustained['solves']} solves"
        f" = {sustained['solves_per_submission']:.3f} per submission"
    )
    if args.json:
        print(json.dumps({"runs": runs, "sustained": sustained}, default=str))


if __name__ == "__main__":
    main()
