"""Needs still uncovered 72 hours before their week is published are announced, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scheduler.bootstrap import Application
from scheduler.jobs.tasks import remind_uncovered_needs
from scheduler.messages import commands as c
from scheduler.service.handlers.reminders import ReminderOutcome, reminder_id
from tests.jobs.conftest import events, store_version

PUBLICATION = datetime(2026, 12, 4, 11, tzinfo=UTC)  # Friday noon in Paris: 2026-W51
UNCOVERED = [
    {"need_id": "ge1-n1", "member_id": "ge1-m1", "hours": 3.5, "reason": "no_one_available"},
    {"need_id": "ge1-n2", "member_id": "ge1-m2", "hours": 2.0, "reason": "no_skill"},
    {"need_id": "ge1-n1", "member_id": "ge1-m1", "hours": 1.0, "reason": "no_one_available"},
]


def reminders(app: Application) -> list:  # type: ignore[type-arg]
    return [e for e in events(app, "needs.uncovered") if e.group_id == "ge1"]


def test_uncovered_needs_are_reminded_once_72_hours_before_publication(
    app: Application,
) -> None:
    store_version(app, "ge1", "2026-W51", uncovered=UNCOVERED)

    remind_uncovered_needs(app, PUBLICATION - timedelta(hours=73))
    assert reminders(app) == []  # not yet

    remind_uncovered_needs(app, PUBLICATION - timedelta(hours=72))
    for later in (71.75, 48, 1):  # the scan runs on, the reminder is not repeated
        remind_uncovered_needs(app, PUBLICATION - timedelta(hours=later))

    [reminder] = reminders(app)
    assert reminder.week == "2026-W51"
    assert reminder.uncovered_hours == 6.5  # type: ignore[attr-defined]
    assert reminder.need_ids == ["ge1-n1", "ge1-n2"]  # type: ignore[attr-defined]
    assert reminder.event_id == reminder_id("ge1", "2026-W51", PUBLICATION)


def test_a_week_covered_in_full_gets_no_reminder(app: Application) -> None:
    store_version(app, "ge1", "2026-W51", uncovered=[])
    detail = remind_uncovered_needs(app, PUBLICATION - timedelta(hours=24))
    assert "ge1 2026-W51: covered" in detail
    assert reminders(app) == []


def test_the_latest_draft_is_what_counts(app: Application) -> None:
    store_version(app, "ge1", "2026-W51", uncovered=UNCOVERED)
    store_version(app, "ge1", "2026-W51", uncovered=[])  # re-planned since: all covered
    remind_uncovered_needs(app, PUBLICATION - timedelta(hours=24))
    assert reminders(app) == []


def test_each_publication_has_its_own_reminder(app: Application) -> None:
    store_version(app, "ge1", "2026-W51", uncovered=UNCOVERED)
    store_version(app, "ge1", "2026-W52", uncovered=UNCOVERED[:1])
    remind_uncovered_needs(app, PUBLICATION - timedelta(hours=24))
    remind_uncovered_needs(app, PUBLICATION + timedelta(days=7) - timedelta(hours=24))
    assert [r.week for r in reminders(app)] == ["2026-W51", "2026-W52"]


def test_the_reminder_command_is_idempotent(app: Application) -> None:
    store_version(app, "ge1", "2026-W51", uncovered=UNCOVERED)
    command = c.RemindUncovered(group_id="ge1", week="2026-W51", publication_at=PUBLICATION)
    assert app.bus.handle(command) == ReminderOutcome.SENT
    assert app.bus.handle(command) == ReminderOutcome.ALREADY_SENT
    assert len(reminders(app)) == 1


def test_a_week_without_any_roster_is_left_to_the_nightly_planning(app: Application) -> None:
    command = c.RemindUncovered(group_id="ge1", week="2026-W52", publication_at=PUBLICATION)
    assert app.bus.handle(command) == ReminderOutcome.NO_ROSTER
    assert reminders(app) == []
