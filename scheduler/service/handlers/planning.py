"""Requesting, running and publishing the plan of a week."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import select

from scheduler import metrics
from scheduler import models as m
from scheduler.messages import commands as c
from scheduler.messages.events import PlanFailed, RosterPublished, RosterUpdated
from scheduler.planning.mapping import problem_for_week
from scheduler.planning.results import group_roster
from scheduler.planning.weektime import WeekClock
from scheduler.scenario.common import add_weeks
from scheduler.scenario.exporter import RosterWindow, export_group
from scheduler.service import planning_state as ps
from scheduler.service.errors import FieldError, InvalidInput, NotFound
from scheduler.service.handlers.context import PlanningConfig, group_or_404
from scheduler.service.rosters import assignments_of, diff, latest_version, store_draft
from scheduler.service.unit_of_work import UnitOfWork, UnitOfWorkFactory
from solver import solve
from solver.problem import SolveParameters
from solver.roster import Progress, SolveStatus

log = logging.getLogger(__name__)
PLANNER = "planner"  # the consumer name in the processed-message ledger


def request_plan(uow: UnitOfWork, command: c.RequestPlan, config: PlanningConfig) -> list[str]:
    group_or_404(uow, command.group_id)
    requested = ps.mark_dirty(uow, command.group_id, [command.week], reason=command.reason)
    uow.commit()
    return requested


def publish_week(
    uow: UnitOfWork, command: c.PublishWeek, config: PlanningConfig
) -> m.RosterVersion:
    """Publish a draft: from now on it is immutable and is what people see."""
    group = group_or_404(uow, command.group_id)
    if command.version is None:
        version = latest_version(uow.session, group.id, command.week)
        if version is None:
            raise NotFound("roster", f"{group.id}/{command.week}")
    else:
        version = uow.session.exec(
            select(m.RosterVersion).where(
                m.RosterVersion.group_id == group.id,
                m.RosterVersion.week == command.week,
                m.RosterVersion.number == command.version,
            )
        ).first()
        if version is None:
            raise NotFound("roster", f"{group.id}/{command.week}/v{command.version}")
    if version.status == "published":
        return version  # publishing twice is the same as once
    if version.status != "draft":
        raise InvalidInput([FieldError(("version",), f"version is {version.status}")])
    previous = latest_version(uow.session, group.id, command.week, status="published")
    before = assignments_of(uow.session, previous.id) if previous and previous.id else []
    after = assignments_of(uow.session, version.id) if version.id else []
    changes = diff(before, after)
    now = uow.clock.now()
    version.status = "published"
    version.published_at = now
    uow.session.add(version)
    uow.emit(
        RosterPublished(
            occurred_at=now,
            group_id=group.id,
            week=command.week,
            roster_version=version.number,
            members_affected=sorted({a.member_id for a in after} | set(changes.members_affected)),
            employees_affected=sorted(
                {a.employee_id for a in after} | set(changes.employees_affected)
            ),
        )
    )
    uow.commit()
    return version


class PlanOutcome(StrEnum):
    PLANNED = "planned"  # at least one new version was stored
    UP_TO_DATE = "up_to_date"  # nothing changed since the last version: no new version
    BUSY = "busy"  # another worker holds the week; it will see our changes
    FAILED = "failed"  # the week cannot be planned (reason stored and announced)


@dataclass
class PlanReport:
    outcome: PlanOutcome
    versions: list[int]
    solves: int = 0


class LeaseLost(RuntimeError):
    """Another worker took the week over (ours was presumed dead): our result is dropped."""


class _LeaseKeeper:
    """Renews a lease in the background while a solve runs, and stores its progress."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        group_id: str,
        week: str,
        owner: str,
        lease_seconds: float,
    ) -> None:
        self._args = (group_id, week, owner, lease_seconds)
        self._uow_factory = uow_factory
        self._stop = threading.Event()
        self.progress: dict[str, object] = {}
        self.lost = False
        self._thread = threading.Thread(target=self._run, name=f"lease-{group_id}", daemon=True)

    def __enter__(self) -> _LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        group_id, week, owner, lease_seconds = self._args
        while not self._stop.wait(max(0.2, min(1.0, lease_seconds / 3))):
            try:
                with self._uow_factory() as uow:
                    if not ps.renew(uow, group_id, week, owner, lease_seconds, dict(self.progress)):
                        self.lost = True
                        return
            except Exception:  # a failed renewal is retried at the next tick
                log.warning("lease renewal of %s/%s failed", group_id, week, exc_info=True)


def plan_week(
    uow_factory: UnitOfWorkFactory,
    command: c.PlanWeek,
    config: PlanningConfig,
    *,
    event_id: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> PlanReport:
    """Solve a week under a lease, coalescing every change that arrives meanwhile.

    Rounds repeat while changes keep arriving (bounded by ``max_rounds``; then the week is
    queued again with a fresh request). Each round that solves stores one draft version.
    """
    group_id, week, owner = command.group_id, command.week, command.worker_id
    with uow_factory() as uow:
        group_or_404(uow, group_id)
        if event_id is not None and _seen(uow, event_id):
            return PlanReport(PlanOutcome.UP_TO_DATE, [])
        if not ps.claim(uow, group_id, week, owner, config.lease_seconds):
            return PlanReport(PlanOutcome.BUSY, [])
    versions: list[int] = []
    solves = 0
    status = ps.DONE
    try:
        for _ in range(config.max_rounds):
            target = _debounced_target(uow_factory, group_id, week, owner, config, sleep)
            if target is None:
                break
            solves += 1
            stored = _solve_and_store(uow_factory, group_id, week, owner, target, config)
            if stored is None:
                status = ps.FAILED
                break
            versions.append(stored)
        with uow_factory() as uow:
            if event_id is not None:
                _remember(uow, event_id)
                uow.commit()
    except BaseException:
        with uow_factory() as uow:
            ps.release(uow, group_id, week, owner, ps.FAILED)
        raise
    with uow_factory() as uow:
        ps.release(uow, group_id, week, owner, status)
    if status == ps.FAILED:
        return PlanReport(PlanOutcome.FAILED, versions, solves)
    return PlanReport(PlanOutcome.PLANNED if versions else PlanOutcome.UP_TO_DATE, versions, solves)


def _seen(uow: UnitOfWork, event_id: str) -> bool:
    return uow.session.get(m.ProcessedMessage, (PLANNER, event_id)) is not None


def _remember(uow: UnitOfWork, event_id: str) -> None:
    if not _seen(uow, event_id):
        uow.session.add(
            m.ProcessedMessage(consumer=PLANNER, event_id=event_id, processed_at=uow.clock.now())
        )


def _debounced_target(
    uow_factory: UnitOfWorkFactory,
    group_id: str,
    week: str,
    owner: str,
    config: PlanningConfig,
    sleep: Callable[[float], None],
) -> int | None:
    """Wait until changes stop arriving for a moment; the change count to plan, or None."""
    while True:
        with uow_factory() as uow:
            state = ps.get_state(uow.session, group_id, week)
            if state is None or state.lease_owner != owner:
                raise LeaseLost(f"{group_id}/{week}")
            if state.requested_seq <= state.solved_seq:
                return None
            quiet_since = state.last_requested_at or uow.clock.now()
            wait = config.debounce_seconds - (uow.clock.now() - quiet_since).total_seconds()
            if wait <= 0:
                return state.requested_seq
        sleep(min(wait, config.debounce_seconds))


def _solve_and_store(
    uow_factory: UnitOfWorkFactory,
    group_id: str,
    week: str,
    owner: str,
    target: int,
    config: PlanningConfig,
) -> int | None:
    """One round: read the group, solve, store a draft. The version number, or None on failure.

    Every round counts once in ``partage_solves_total`` by outcome (``scheduler.metrics``).
    """
    try:
        stored = _solve_round(uow_factory, group_id, week, owner, target, config)
    except LeaseLost:
        metrics.count_solve(metrics.LEASE_LOST)
        raise
    except BaseException:
        metrics.count_solve(metrics.ERROR)
        raise
    metrics.count_solve(metrics.FAILED if stored is None else metrics.PLANNED)
    return stored


def _solve_round(
    uow_factory: UnitOfWorkFactory,
    group_id: str,
    week: str,
    owner: str,
    target: int,
    config: PlanningConfig,
) -> int | None:
    with uow_factory() as uow:
        scenario, group = export_group(
            uow.session, group_id, rosters=RosterWindow(add_weeks(week, -12), week)
        )
        now = uow.clock.now()
    problem = problem_for_week(
        scenario,
        group,
        week,
        now=now,
        parameters=SolveParameters(
            time_limit_seconds=config.time_limit_seconds,
            num_workers=config.num_workers,
            random_seed=config.random_seed,
        ),
    )
    with _LeaseKeeper(uow_factory, group_id, week, owner, config.lease_seconds) as keeper:

        def on_progress(progress: Progress) -> None:
            keeper.progress = {
                "objective": _finite(progress.objective),
                "best_bound": _finite(progress.best_bound),
                "seconds": round(progress.seconds, 2),
                "solutions": progress.solutions,
            }

        with metrics.timed_solve():
            result = solve(problem, on_progress=on_progress)
    if keeper.lost:
        raise LeaseLost(f"{group_id}/{week}")
    roster = group_roster(group_id, result, WeekClock(week, ZoneInfo(scenario.time_zone)))
    with uow_factory() as uow:
        state = ps.locked_state(uow.session, group_id, week)
        if state.lease_owner != owner:
            raise LeaseLost(f"{group_id}/{week}")
        now = uow.clock.now()
        state.solved_seq = target
        state.solves += 1
        if result.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
            reason = _failure_reason(result.status, roster.conflicts)
            state.error = reason
            uow.session.add(state)
            uow.emit(
                PlanFailed(
                    occurred_at=now,
                    group_id=group_id,
                    week=week,
                    reason=reason,
                    conflicts=[x.model_dump(mode="json") for x in roster.conflicts],
                )
            )
            uow.commit()
            return None
        version, changes = store_draft(uow.session, group_id, roster, now)
        state.error = None
        state.progress = {"status": roster.status, "gap": roster.gap, "version": version.number}
        uow.session.add(state)
        uow.emit(
            RosterUpdated(
                occurred_at=now,
                group_id=group_id,
                week=week,
                roster_version=version.number,
                status=version.status,
                diff=changes,
                covered_hours=round(sum(roster.hours_by_member.values()), 2),
                uncovered_hours=round(sum(u.hours for u in roster.uncovered), 2),
                need_ids=sorted({a.need_id for a in roster.assignments if a.need_id}),
            )
        )
        uow.commit()
        return version.number


def _finite(value: float | None) -> float | None:
    """JSON has no infinity (PostgreSQL refuses it): an unknown bound is stored as null."""
    return value if value is not None and math.isfinite(value) else None


def _failure_reason(status: SolveStatus, conflicts: list) -> str:  # type: ignore[type-arg]
    if status == SolveStatus.INFEASIBLE:
        if conflicts:
            return "the rules cannot all hold: " + "; ".join(x.message for x in conflicts[:5])
        return "the rules cannot all hold"
    if status == SolveStatus.UNKNOWN:
        return "no roster found within the time limit"
    return f"the solver stopped with status {status.value}"
