"""The APScheduler side: jobs kept in the database, in step with the groups, fired once.

These tests run real schedulers, on real time, for a second or two at most: the jobs' own
logic is tested with a controlled clock in the other files.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler import models as m
from scheduler.bootstrap import Application, bootstrap
from scheduler.clock import ManualClock
from scheduler.jobs import runs, tasks
from scheduler.jobs.executor import DURABLE, GuardedExecutor
from scheduler.jobs.service import NIGHTLY, RECOVERY, REMINDERS, ClockService

PARIS = ZoneInfo("Europe/Paris")
GLOBAL_JOBS = {NIGHTLY, REMINDERS, RECOVERY}


@pytest.fixture
def services(app: Application, clock: ManualClock) -> Iterator[Callable[[str], ClockService]]:
    """Clock services on the test database, each with its own engine like a separate process."""
    made: list[tuple[ClockService, Application]] = []

    def make(owner: str) -> ClockService:
        own_app = bootstrap(app.settings, clock=clock, migrate=False)
        service = ClockService(own_app, owner=owner)
        made.append((service, own_app))
        return service

    yield make
    for service, own_app in made:
        service.stop(wait=True)
        own_app.close()


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, datetime]]:
    """A task that records who ran it: ("probe" in TASKS)."""
    calls: list[tuple[str, datetime]] = []
    lock = threading.Lock()

    def record(app: Application, scheduled_for: datetime) -> str:
        time.sleep(0.05)  # long enough for a concurrent second run to overlap
        with lock:
            calls.append((threading.current_thread().name, scheduled_for))
        return "probed"

    monkeypatch.setitem(tasks.TASKS, "probe", record)
    return calls


def job_ids(service: ClockService) -> set[str]:
    return {job.id for job in service.scheduler.get_jobs(jobstore=DURABLE)}


def next_runs(service: ClockService) -> dict[str, datetime]:
    return {j.id: j.next_run_time for j in service.scheduler.get_jobs(jobstore=DURABLE)}


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def add_probe(service: ClockService, at: datetime) -> None:
    service.scheduler.add_job(
        tasks.clock_job, "date", run_date=at, args=("probe",), id="probe", jobstore=DURABLE
    )


def test_each_group_gets_a_publication_job_at_its_cron_and_the_global_jobs_exist(
    services: Callable[[str], ClockService],
) -> None:
    service = services("s1")
    report = service.start()

    assert job_ids(service) == GLOBAL_JOBS | {"publish:ge1", "publish:geiq1"}
    assert sorted(report.added) == sorted(job_ids(service))
    friday_noon = next_runs(service)["publish:ge1"].astimezone(PARIS)
    assert friday_noon.strftime("%a %H:%M") == "Fri 12:00"
    assert service.health()["ok"] is True


def test_a_changed_cron_a_new_group_and_a_removed_group_are_followed_at_the_next_sync(
    services: Callable[[str], ClockService], app: Application
) -> None:
    service = services("s1")
    service.start()
    before = next_runs(service)
    with app.uow() as uow:
        group = uow.session.get(m.Group, "ge1")
        assert group is not None
        group.publication_cron = "0 9 * * mon"
        uow.session.add(m.Group(id="ge2", territory_id=group.territory_id, name="GE 2", kind="ge"))
        uow.session.add(group)
        uow.commit()
    service.scheduler.add_job(
        tasks.clock_job, "interval", days=7, args=("publish",), id="publish:gone", jobstore=DURABLE
    )

    report = service.sync()

    assert (report.added, report.replaced, report.removed) == (
        ["publish:ge2"],
        ["publish:ge1"],
        ["publish:gone"],
    )
    after = next_runs(service)
    assert after["publish:ge1"].astimezone(PARIS).strftime("%a %H:%M") == "Mon 09:00"
    # Jobs that did not change keep their next run (replacing would recompute it).
    assert after["publish:geiq1"] == before["publish:geiq1"]
    assert after[NIGHTLY] == before[NIGHTLY]


def test_a_group_with_a_bad_cron_is_reported_and_keeps_its_last_good_job(
    services: Callable[[str], ClockService], app: Application
) -> None:
    service = services("s1")
    service.start()
    with app.uow() as uow:
        group = uow.session.get(m.Group, "ge1")
        assert group is not None
        group.publication_cron = "every friday"
        uow.session.add(group)
        uow.commit()
    report = service.sync()
    assert report.problems and report.problems[0].startswith("group ge1:")
    assert "publish:ge1" in job_ids(service) and report.removed == []


def test_jobs_and_their_next_runs_survive_a_restart(
    services: Callable[[str], ClockService],
) -> None:
    first = services("s1")
    first.start()
    planned = next_runs(first)
    first.stop()

    second = services("s2")
    report = second.start()

    assert (report.added, report.replaced, report.removed) == ([], [], [])
    assert next_runs(second) == planned


def test_a_run_missed_while_no_scheduler_was_up_runs_at_the_restart(
    services: Callable[[str], ClockService], app: Application
) -> None:
    first = services("s1")
    first.scheduler.start(paused=True)
    first.sync()
    missed = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    first.scheduler.modify_job(RECOVERY, DURABLE, next_run_time=missed)
    first.stop()  # the scheduler is down when the run falls due

    restarted = datetime.now(UTC)
    services("s2").start()

    def done() -> list[m.JobRun]:
        with app.uow() as uow:
            return [r for r in runs.runs_of(uow, RECOVERY) if r.outcome == runs.DONE]

    wait_for(lambda: bool(done()))
    # Five runs were missed; coalescing runs the latest once, not all five in a burst.
    [run] = done()
    assert missed + timedelta(minutes=4) <= run.scheduled_for <= restarted


def test_two_schedulers_racing_for_the_same_run_run_it_once(
    services: Callable[[str], ClockService], probe: list[tuple[str, datetime]]
) -> None:
    one, two = services("s1"), services("s2")
    one.scheduler.start(paused=True)
    two.scheduler.start(paused=True)
    at = datetime.now(UTC).replace(microsecond=0)
    add_probe(one, at + timedelta(hours=1))
    job = one.scheduler.get_job("probe")
    executors = [s.scheduler._lookup_executor("default") for s in (one, two)]
    assert all(isinstance(e, GuardedExecutor) for e in executors)
    start = threading.Barrier(2)
    results: list[list[object]] = []

    def run(executor: GuardedExecutor) -> None:
        start.wait()
        results.append(executor.run_durable(job, [at]))  # type: ignore[arg-type]

    threads = [threading.Thread(target=run, args=(e,)) for e in executors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [when for _, when in probe] == [at]
    assert sorted(len(r) for r in results) == [0, 1]  # one executed event, one silent skip


def test_two_running_schedulers_on_one_database_fire_a_due_job_once(
    services: Callable[[str], ClockService], app: Application, probe: list[tuple[str, datetime]]
) -> None:
    one, two = services("s1"), services("s2")
    one.scheduler.start(paused=True)
    one.sync()
    at = datetime.now(UTC) + timedelta(seconds=1.5)
    add_probe(one, at)  # before both start, so both wake up for it
    two.start()
    one.scheduler.resume()

    wait_for(lambda: len(probe) >= 1)
    time.sleep(1.0)  # room for a second, wrong, run

    assert len(probe) == 1
    with app.uow() as uow:
        [record] = runs.runs_of(uow, "probe")
    assert record.outcome == runs.DONE and record.owner in {"s1", "s2"}
    assert record.detail == "probed"
