"""The nightly job asks for a new plan of every unpublished week of the horizon, never solving."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from scheduler import models as m
from scheduler.bootstrap import Application
from scheduler.jobs.tasks import replan_unpublished_weeks
from scheduler.service import planning_state as ps
from tests.jobs.conftest import NOW, events, store_version

NIGHT = NOW.replace(hour=1, minute=30)  # 02:30 in Paris, Wednesday of 2026-W49
HORIZON = ["2026-W49", "2026-W50", "2026-W51", "2026-W52"]
# The sample territory comes with ge1's 2026-W50 already published.
UNPUBLISHED = {("ge1", w) for w in HORIZON if w != "2026-W50"} | {("geiq1", w) for w in HORIZON}


def requested(app: Application) -> set[tuple[str, str | None]]:
    return {(e.group_id, e.week) for e in events(app, "plan.requested")}


def test_every_unpublished_week_of_the_horizon_is_requested_and_published_ones_are_not(
    app: Application,
) -> None:
    store_version(app, "geiq1", "2026-W52", status="published")
    store_version(app, "geiq1", "2026-W51")  # a draft is not published: re-planned

    detail = replan_unpublished_weeks(app, NIGHT)

    expected = UNPUBLISHED - {("geiq1", "2026-W52")}
    assert requested(app) == expected
    assert detail == f"{len(expected)} week(s) to re-plan"
    assert {e.reason for e in events(app, "plan.requested")} == {"nightly re-optimisation"}  # type: ignore[attr-defined]


def test_the_nightly_job_only_queues_weeks_it_never_solves_them(app: Application) -> None:
    with app.uow() as uow:
        before = len(uow.session.exec(select(m.RosterVersion)).all())
    replan_unpublished_weeks(app, NIGHT)
    with app.uow() as uow:
        assert len(uow.session.exec(select(m.RosterVersion)).all()) == before
        states = uow.session.exec(select(m.PlanningState)).all()
        assert states and {s.status for s in states} == {ps.QUEUED}


def test_a_week_already_queued_is_not_requested_twice_but_will_be_planned_again(
    app: Application,
) -> None:
    replan_unpublished_weeks(app, NIGHT)
    replan_unpublished_weeks(app, NIGHT + timedelta(days=1))
    assert len(events(app, "plan.requested")) == len(UNPUBLISHED)
    with app.uow() as uow:
        state = ps.get_state(uow.session, "ge1", "2026-W51")
        assert state is not None and state.requested_seq == 2


def test_the_horizon_moves_with_the_night(app: Application) -> None:
    replan_unpublished_weeks(app, NIGHT + timedelta(days=7))
    assert {w for g, w in requested(app) if g == "geiq1"} == {
        "2026-W50",
        "2026-W51",
        "2026-W52",
        "2026-W53",
    }
