"""What each clock job does: read a little, then issue commands through the bus.

Every job takes the application and the instant it was scheduled for (the same in every
scheduler process, and what tests set), and returns one line saying what it did. None of them
plans a week itself: they ask for plans (``plan.requested``) and the planners do the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from scheduler import models as m
from scheduler.bootstrap import Application
from scheduler.jobs.calendar import crontab_trigger, next_fire, publication_target
from scheduler.messages import commands as c
from scheduler.rules import GroupRules
from scheduler.service import planning_state as ps
from scheduler.service.rosters import latest_version
from scheduler.service.weeks import horizon

log = logging.getLogger(__name__)


class JobIncomplete(RuntimeError):
    """Some items of a job failed (each was logged); the others were done."""


@dataclass(frozen=True)
class GroupCalendar:
    id: str
    zone: ZoneInfo
    publication_cron: str
    notice_days: int


def group_calendars(app: Application) -> list[GroupCalendar]:
    """Each group's time zone, publication crontab and notice period."""
    with app.uow() as uow:
        groups = uow.session.exec(select(m.Group).order_by(m.Group.id)).all()
        return [
            GroupCalendar(
                id=g.id,
                zone=ZoneInfo(g.time_zone),
                publication_cron=g.publication_cron,
                notice_days=GroupRules.model_validate(g.rules).notice_days,
            )
            for g in groups
        ]


def publish_week_after_next(app: Application, scheduled_for: datetime, group_id: str) -> str:
    """Publish the latest draft of the week the publication at ``scheduled_for`` is due for.

    Without any roster for that week there is nothing to publish: a plan is requested (the
    ``plan.requested`` event is the announcement) and the week is published by hand, or at the
    next publication if its notice still allows.
    """
    calendar = next((g for g in group_calendars(app) if g.id == group_id), None)
    if calendar is None:
        return f"group {group_id} no longer exists"  # the next sync removes this job
    week = publication_target(scheduled_for, calendar.zone, calendar.notice_days)
    with app.uow() as uow:
        version = latest_version(uow.session, group_id, week)
    if version is None:
        app.bus.handle(
            c.RequestPlan(group_id=group_id, week=week, reason="publication due without a roster")
        )
        log.warning(
            "nothing to publish: plan requested",
            extra={"group_id": group_id, "week": week, "scheduled_for": scheduled_for},
        )
        return f"{group_id} {week}: no roster to publish, plan requested"
    if version.status == "published":
        return f"{group_id} {week}: version {version.number} was already published"
    published = app.bus.handle(c.PublishWeek(group_id=group_id, week=week))
    log.info(
        "week published",
        extra={"group_id": group_id, "week": week, "roster_version": published.number},
    )
    return f"{group_id} {week}: version {published.number} published"


def replan_unpublished_weeks(app: Application, scheduled_for: datetime) -> str:
    """Ask for a new plan of every week of the horizon that has not been published."""
    wanted: list[tuple[str, str]] = []
    calendars = group_calendars(app)  # before our transaction: SQLite allows one writer
    with app.uow() as uow:
        for calendar in calendars:
            weeks = horizon(scheduled_for, calendar.zone, app.config.horizon_weeks)
            published = set(
                uow.session.exec(
                    select(m.RosterVersion.week).where(
                        m.RosterVersion.group_id == calendar.id,
                        col(m.RosterVersion.week).in_(weeks),
                        m.RosterVersion.status == "published",
                    )
                ).all()
            )
            wanted.extend((calendar.id, w) for w in weeks if w not in published)
    failed = 0
    for group_id, week in wanted:
        try:
            app.bus.handle(
                c.RequestPlan(group_id=group_id, week=week, reason="nightly re-optimisation")
            )
        except Exception:
            failed += 1
            log.exception("nightly plan request failed", extra={"group_id": group_id, "week": week})
    detail = f"{len(wanted) - failed} week(s) to re-plan"
    if failed:
        raise JobIncomplete(f"{detail}, {failed} request(s) failed")
    return detail


def remind_uncovered_needs(app: Application, scheduled_for: datetime) -> str:
    """Remind of uncovered needs for each publication due within the reminder lead time."""
    lead = timedelta(hours=app.settings.reminder_lead_hours)
    outcomes: list[str] = []
    failed = 0
    for calendar in group_calendars(app):
        try:
            trigger = crontab_trigger(calendar.publication_cron, calendar.zone)
        except ValueError as error:
            log.error("bad publication cron: %s", error, extra={"group_id": calendar.id})
            failed += 1
            continue
        publication = next_fire(trigger, scheduled_for)
        if publication - scheduled_for > lead:
            continue
        week = publication_target(publication, calendar.zone, calendar.notice_days)
        try:
            outcome = app.bus.handle(
                c.RemindUncovered(group_id=calendar.id, week=week, publication_at=publication)
            )
        except Exception:
            failed += 1
            log.exception("reminder failed", extra={"group_id": calendar.id, "week": week})
            continue
        outcomes.append(f"{calendar.id} {week}: {outcome}")
    detail = "; ".join(outcomes) or "no publication within the lead time"
    if failed:
        raise JobIncomplete(f"{detail} ({failed} group(s) failed)")
    return detail


def requeue_stalled_plans(app: Application, scheduled_for: datetime) -> str:
    """Re-queue weeks "solving" past their time limit and a margin, under an expired lease,
    and request again weeks "queued" longer than ``recovery_queued_seconds`` (request lost)."""
    now = app.clock.now()
    budget = app.config.time_limit_seconds + app.settings.recovery_margin_seconds
    queued_for = app.settings.recovery_queued_seconds
    no_live_lease = (col(m.PlanningState.lease_until).is_(None)) | (
        col(m.PlanningState.lease_until) < now
    )
    with app.uow() as uow:
        stalled = uow.session.exec(
            select(m.PlanningState.group_id, m.PlanningState.week).where(
                m.PlanningState.status == ps.SOLVING,
                col(m.PlanningState.started_at) <= now - timedelta(seconds=budget),
                no_live_lease,
            )
        ).all()
        stuck = uow.session.exec(
            select(m.PlanningState.group_id, m.PlanningState.week).where(
                m.PlanningState.status == ps.QUEUED,
                col(m.PlanningState.first_requested_at) <= now - timedelta(seconds=queued_for),
                no_live_lease,
            )
        ).all()
    requeued = []
    for group_id, week in stalled:
        if app.bus.handle(c.RequeueStalledPlan(group_id=group_id, week=week)):
            log.warning("stalled week re-queued", extra={"group_id": group_id, "week": week})
            requeued.append(f"{group_id} {week}")
    requested = []
    for group_id, week in stuck:
        command = c.RequeueQueuedPlan(
            group_id=group_id,
            week=week,
            queued_seconds=queued_for,
            reason=f"queued over {queued_for:g} s (request lost?)",
        )
        if app.bus.handle(command):
            log.warning("queued week requested again", extra={"group_id": group_id, "week": week})
            requested.append(f"{group_id} {week}")
    parts = []
    if requeued:
        parts.append(f"re-queued {', '.join(requeued)}")
    if requested:
        parts.append(f"re-requested {', '.join(requested)}")
    return "; ".join(parts) or "nothing stalled"


Task = Callable[..., str]

# Durable jobs name their task: stored jobs survive a task function being renamed or moved.
TASKS: dict[str, Task] = {
    "publish": publish_week_after_next,
    "nightly": replan_unpublished_weeks,
    "remind": remind_uncovered_needs,
    "recover": requeue_stalled_plans,
}


def clock_job(task: str, **arguments: str) -> None:
    """What APScheduler stores for a durable job: the name of its task and its arguments.

    Never called itself: ``GuardedExecutor`` runs ``TASKS[task](app, scheduled_for,
    **arguments)``, since neither the application nor the instant can be pickled into the store.
    """
    raise RuntimeError(f"clock job {task!r} must run through GuardedExecutor")
