"""Needs change through commands; each change and its events are committed together."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from scheduler import models as m
from scheduler.bootstrap import Application
from scheduler.messages import commands as c
from scheduler.scenario import schema as s
from scheduler.service import outbox
from scheduler.service.errors import InvalidInput, NotFound, VersionConflict
from scheduler.service.planning_state import get_state


def new_need(**changes: Any) -> s.Need:
    fields: dict[str, Any] = {
        "id": "ge1-n9",
        "member_id": "ge1-m2",
        "site_id": "ge1-s2",
        "skill": "cleaning",
        "kind": "blocks",
        "blocks": [{"start": "2026-12-08T10:00:00+01:00", "end": "2026-12-08T12:00:00+01:00"}],
    }
    fields.update(changes)
    return s.Need.model_validate(fields)


def sent_types(app: Application) -> list[tuple[str, str | None]]:
    with app.uow() as uow:
        return [(row.type, row.week) for row in outbox.pending(uow.session)]


def test_submitting_a_need_stores_it_with_its_events_and_queues_its_week(
    app: Application,
) -> None:
    app.bus.handle(c.SubmitNeed(group_id="ge1", need=new_need()))
    assert sent_types(app) == [("need.submitted", "2026-W50"), ("plan.requested", "2026-W50")]
    with app.uow() as uow:
        assert uow.session.get(m.Need, "ge1-n9") is not None
        state = get_state(uow.session, "ge1", "2026-W50")
        assert state is not None and state.status == "queued" and state.requested_seq == 1


def test_a_burst_of_changes_requests_one_plan(app: Application) -> None:
    for index in range(5):
        app.bus.handle(c.SubmitNeed(group_id="ge1", need=new_need(id=f"ge1-b{index}")))
    types = [t for t, _ in sent_types(app)]
    assert types.count("need.submitted") == 5
    assert types.count("plan.requested") == 1
    with app.uow() as uow:
        state = get_state(uow.session, "ge1", "2026-W50")
        assert state is not None and state.requested_seq == 5


def test_a_need_at_a_site_of_another_member_is_refused_and_nothing_is_written(
    app: Application,
) -> None:
    with pytest.raises(InvalidInput) as caught:
        app.bus.handle(c.SubmitNeed(group_id="ge1", need=new_need(site_id="ge1-s1")))
    assert [str(e) for e in caught.value.errors] == [
        "need.site_id: site 'ge1-s1' belongs to member 'ge1-m1', not 'ge1-m2'"
    ]
    assert sent_types(app) == []
    with app.uow() as uow:
        assert uow.session.get(m.Need, "ge1-n9") is None


def test_a_need_of_a_member_of_another_group_is_refused(app: Application) -> None:
    with pytest.raises(InvalidInput, match="unknown member 'geiq1-m1'"):
        app.bus.handle(
            c.SubmitNeed(group_id="ge1", need=new_need(member_id="geiq1-m1", site_id="geiq1-s1"))
        )


def test_changing_a_need_based_on_an_old_version_is_a_conflict(app: Application) -> None:
    app.bus.handle(c.SubmitNeed(group_id="ge1", need=new_need()))
    changed = new_need(headcount=2)
    app.bus.handle(c.ChangeNeed(group_id="ge1", need=changed, expected_version=1))
    with pytest.raises(VersionConflict):
        app.bus.handle(c.ChangeNeed(group_id="ge1", need=changed, expected_version=1))
    with app.uow() as uow:
        row = uow.session.get(m.Need, "ge1-n9")
        assert row is not None and row.version == 2 and row.headcount == 2


def test_cancelling_twice_is_cancelling_once(app: Application) -> None:
    app.bus.handle(c.SubmitNeed(group_id="ge1", need=new_need()))
    app.bus.handle(c.CancelNeed(group_id="ge1", need_id="ge1-n9"))
    app.bus.handle(c.CancelNeed(group_id="ge1", need_id="ge1-n9"))
    assert [t for t, _ in sent_types(app)].count("need.cancelled") == 1


def test_another_groups_need_is_not_found(app: Application) -> None:
    with pytest.raises(NotFound):
        app.bus.handle(c.CancelNeed(group_id="geiq1", need_id="ge1-n1"))


def test_a_failed_command_leaves_no_event(app: Application) -> None:
    with pytest.raises(NotFound):
        app.bus.handle(c.SubmitNeed(group_id="nope", need=new_need()))
    assert sent_types(app) == []
    with app.uow() as uow:
        assert uow.session.exec(select(m.PlanningState)).all() == []
