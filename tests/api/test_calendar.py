"""Calendar feeds: the published roster as iCalendar, parsed back by ``icalendar``."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar

from tests.api.conftest import World

PARIS = ZoneInfo("Europe/Paris")


def _feed(world: World) -> tuple[str, str]:
    response = world.client.post(
        "/v1/employees/ge1-e1/calendar-feeds", headers=world.headers("other", "employee")
    )
    assert response.status_code == 201, response.text
    return response.json()["id"], response.json()["url"]


def test_the_feed_lists_the_published_week_with_member_address_and_paris_times(
    world: World,
) -> None:
    _, url = _feed(world)
    response = world.client.get(url)  # no API key: the secret URL is the credential

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["SUMMARY"]) == "Boulangerie Martin"
    assert "1 rue du Four, Testville" in str(event["LOCATION"])
    start = event.decoded("DTSTART")
    assert start == datetime(2026, 12, 8, 6, 0, tzinfo=PARIS)
    assert str(start.tzinfo) == "Europe/Paris"
    assert event.decoded("DTEND") == datetime(2026, 12, 8, 9, 0, tzinfo=PARIS)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]


def test_a_revoked_feed_answers_404(world: World) -> None:
    newest, url = _feed(world)
    assert world.client.get(url).status_code == 200
    response = world.client.delete(
        f"/v1/calendar-feeds/{newest}", headers=world.headers("other", "employee")
    )
    assert response.status_code == 204
    assert world.client.get(url).status_code == 404
    assert world.client.get("/calendar/" + "x" * 43 + ".ics").status_code == 404


def test_drafts_never_reach_the_feed(world: World) -> None:
    from scheduler import models as m

    with world.application.uow() as uow:
        version = m.RosterVersion(
            group_id="ge1", week="2026-W51", number=1, status="draft", created_at=world.clock.now()
        )
        uow.session.add(version)
        uow.session.flush()
        uow.session.add(
            m.Assignment(
                roster_version_id=version.id,
                employee_id="ge1-e1",
                member_id="ge1-m2",
                site_id="ge1-s2",
                start=datetime(2026, 12, 15, 9, tzinfo=PARIS),
                end=datetime(2026, 12, 15, 12, tzinfo=PARIS),
            )
        )
        uow.commit()
    calendar = Calendar.from_ical(world.client.get(_feed(world)[1]).content)
    assert len(list(calendar.walk("VEVENT"))) == 1
