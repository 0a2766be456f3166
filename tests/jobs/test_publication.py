"""The weekly publication publishes the week after next at each group's cron instant."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from scheduler import models as m
from scheduler.bootstrap import Application
from scheduler.jobs.calendar import crontab_trigger, next_fire
from scheduler.jobs.tasks import publish_week_after_next
from scheduler.service import planning_state as ps
from scheduler.service.rosters import latest_version
from tests.jobs.conftest import NOW, events, store_version


def publication_instant(app: Application, group_id: str) -> datetime:
    with app.uow() as uow:
        group = uow.session.get(m.Group, group_id)
        assert group is not None
        return next_fire(crontab_trigger(group.publication_cron, ZoneInfo(group.time_zone)), NOW)


def test_the_publication_at_friday_noon_publishes_the_draft_of_the_week_after_next(
    app: Application,
) -> None:
    store_version(app, "ge1", "2026-W50")
    store_version(app, "ge1", "2026-W51")
    store_version(app, "ge1", "2026-W51")  # the latest draft is the one published
    at = publication_instant(app, "ge1")
    assert at == datetime(2026, 12, 4, 11, tzinfo=UTC)

    detail = publish_week_after_next(app, at, group_id="ge1")

    assert detail == "ge1 2026-W51: version 2 published"
    with app.uow() as uow:
        published = latest_version(uow.session, "ge1", "2026-W51", status="published")
        assert published is not None and published.number == 2
        assert published.published_at == NOW
        next_week = latest_version(uow.session, "ge1", "2026-W50")
        assert next_week is not None and next_week.status == "draft"
    [announced] = events(app, "roster.published")
    assert (announced.group_id, announced.week) == ("ge1", "2026-W51")


def test_a_group_publication_only_publishes_its_own_week(app: Application) -> None:
    store_version(app, "ge1", "2026-W51")
    store_version(app, "geiq1", "2026-W51")
    publish_week_after_next(app, publication_instant(app, "ge1"), group_id="ge1")
    with app.uow() as uow:
        other = latest_version(uow.session, "geiq1", "2026-W51")
        assert other is not None and other.status == "draft"


def test_publishing_again_at_the_same_instant_changes_nothing(app: Application) -> None:
    store_version(app, "ge1", "2026-W51")
    at = publication_instant(app, "ge1")
    publish_week_after_next(app, at, group_id="ge1")
    detail = publish_week_after_next(app, at, group_id="ge1")
    assert detail == "ge1 2026-W51: version 1 was already published"
    assert len(events(app, "roster.published")) == 1


def test_without_a_draft_the_publication_requests_a_plan_instead_of_failing(
    app: Application,
) -> None:
    detail = publish_week_after_next(app, publication_instant(app, "ge1"), group_id="ge1")

    assert detail == "ge1 2026-W51: no roster to publish, plan requested"
    [request] = events(app, "plan.requested")
    assert (request.group_id, request.week) == ("ge1", "2026-W51")
    assert request.reason == "publication due without a roster"  # type: ignore[attr-defined]
    assert events(app, "roster.published") == []
    with app.uow() as uow:
        state = ps.get_state(uow.session, "ge1", "2026-W51")
        assert state is not None and state.status == ps.QUEUED


def test_a_longer_notice_period_publishes_a_later_week(app: Application) -> None:
    with app.uow() as uow:
        group = uow.session.get(m.Group, "ge1")
        assert group is not None
        group.rules = {**group.rules, "notice_days": 14}
        uow.session.add(group)
        uow.commit()
    store_version(app, "ge1", "2026-W52")
    assert publish_week_after_next(app, publication_instant(app, "ge1"), group_id="ge1") == (
        "ge1 2026-W52: version 1 published"
    )
