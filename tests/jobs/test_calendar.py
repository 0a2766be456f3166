"""Crontab strings, publication instants and the week a publication is for."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from scheduler.jobs.calendar import crontab_trigger, next_fire, publication_target

PARIS = ZoneInfo("Europe/Paris")


def test_weekday_numbers_are_read_as_crontab_numbers_where_sunday_is_zero() -> None:
    # APScheduler 3 alone would read 5 as Saturday.
    friday = next_fire(crontab_trigger("0 12 * * 5", PARIS), datetime(2026, 12, 1, tzinfo=UTC))
    sunday = next_fire(crontab_trigger("0 12 * * 0", PARIS), datetime(2026, 12, 1, tzinfo=UTC))
    assert friday.astimezone(PARIS).strftime("%a %H:%M") == "Fri 12:00"
    assert sunday.astimezone(PARIS).strftime("%a") == "Sun"
    assert (
        crontab_trigger("0 12 * * 7", PARIS).fields == crontab_trigger("0 12 * * sun", PARIS).fields
    )


@pytest.mark.parametrize(
    ("weekday", "days"),
    [("1-5", "mon,tue,wed,thu,fri"), ("*/2", "tue,thu,sat,sun"), ("5-7", "fri,sat,sun")],
)
def test_weekday_ranges_and_steps_keep_their_crontab_meaning(weekday: str, days: str) -> None:
    trigger = crontab_trigger(f"0 12 * * {weekday}", PARIS)
    assert str(trigger.fields[4]) == days


def test_the_default_publication_is_friday_noon_in_paris_in_winter_and_in_summer() -> None:
    trigger = crontab_trigger("0 12 * * fri", PARIS)
    winter = next_fire(trigger, datetime(2026, 12, 2, 9, tzinfo=UTC))
    summer = next_fire(trigger, datetime(2026, 7, 1, 9, tzinfo=UTC))
    assert winter == datetime(2026, 12, 4, 11, tzinfo=UTC)
    assert summer == datetime(2026, 7, 3, 10, tzinfo=UTC)


def test_next_fire_is_strictly_after_the_instant_given() -> None:
    trigger = crontab_trigger("0 12 * * fri", PARIS)
    at = datetime(2026, 12, 4, 11, tzinfo=UTC)
    assert next_fire(trigger, at) == datetime(2026, 12, 11, 11, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("0 12 * *", "5 fields"),
        ("0 12 1 * fri", "not both"),
        ("0 25 * * fri", "invalid crontab"),
        ("0 12 * * fry", "unknown day"),
        ("0 12 * * 5-1", "backwards"),
    ],
)
def test_a_bad_crontab_is_refused_with_its_reason(expression: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        crontab_trigger(expression, PARIS)


def test_a_friday_publication_is_for_the_week_after_next() -> None:
    friday_noon = datetime(2026, 12, 4, 11, tzinfo=UTC)  # in 2026-W49
    assert publication_target(friday_noon, PARIS, notice_days=7) == "2026-W51"
    assert publication_target(friday_noon, PARIS, notice_days=3) == "2026-W51"


def test_a_longer_notice_period_moves_the_published_week_later() -> None:
    friday_noon = datetime(2026, 12, 4, 11, tzinfo=UTC)
    # W51 starts 10.5 days later: not enough for 14 days of notice.
    assert publication_target(friday_noon, PARIS, notice_days=14) == "2026-W52"


def test_the_published_week_is_counted_in_the_group_time_zone() -> None:
    # Sunday 23:30 in Paris is already Monday in Nouméa.
    sunday_night = datetime(2026, 12, 6, 22, 30, tzinfo=UTC)
    assert publication_target(sunday_night, PARIS, 7) == "2026-W51"
    assert publication_target(sunday_night, ZoneInfo("Pacific/Noumea"), 7) == "2026-W52"
