"""A small territory on the weeks around today, and needs to submit to it.

The pipeline tests run workers in other processes on the system clock, so their data must lie
in the planning horizon of the real today (the fixed weeks of tests/scenario/sample.py would
leave it within weeks).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from scheduler.scenario import schema as s
from scheduler.scenario.common import add_weeks, week_monday, week_of
from scheduler.scenario.validation import parse_scenario

PARIS = ZoneInfo("Europe/Paris")
DAYS = ("mon", "tue", "wed", "thu", "fri")


def target_week(today: date | None = None) -> str:
    """Two weeks ahead: inside the 4-week planning horizon, outside any notice window."""
    today = today or datetime.now(UTC).astimezone(PARIS).date()
    return add_weeks(week_of(today), 2)


def _place(n: int) -> dict[str, Any]:
    return {"address": f"{n} rue du Test", "latitude": 45.0 + n / 100, "longitude": 4.8}


def group_document(group_id: str, *, employees: int = 4, members: int = 2) -> dict[str, Any]:
    """A GE whose full-time cleaners work for every member, Monday to Friday, 07:00–19:00."""
    member_ids = [f"{group_id}-m{i}" for i in range(1, members + 1)]
    return {
        "id": group_id,
        "name": f"GE {group_id}",
        "kind": "ge",
        "members": [
            {
                "id": member,
                "name": f"Adhérent {member}",
                "sites": [{"id": f"{member}-s", "name": "Site", "place": _place(i)}],
            }
            for i, member in enumerate(member_ids, start=1)
        ],
        "employees": [
            {
                "id": f"{group_id}-e{i}",
                "first_name": "Camille",
                "last_name": f"Test{i}",
                "birth_date": "1990-01-01",
                "contract": {
                    "kind": "full_time",
                    "weekly_hours": 35,
                    "start": "2025-01-06",
                    "members": [{"member_id": m} for m in member_ids],
                },
                "skills": ["cleaning"],
                "availability": [{"day": d, "start": "07:00", "end": "19:00"} for d in DAYS],
                "home": _place(10 + i),
                "travel_mode": "car",
            }
            for i in range(1, employees + 1)
        ],
    }


def territory(groups: tuple[str, ...] = ("ga", "gb"), *, employees: int = 4) -> s.Scenario:
    week = target_week()
    document = {
        "name": "Pays des workers",
        "time_zone": "Europe/Paris",
        "weeks": [add_weeks(week, -2), add_weeks(week, -1), week],
        "skills": [{"id": "cleaning", "label": "Nettoyage"}],
        "groups": [group_document(g, employees=employees) for g in groups],
    }
    return parse_scenario(json.dumps(document))


def need(
    group_id: str,
    number: int,
    *,
    week: str | None = None,
    day: int = 0,
    start_hour: float = 8.0,
    hours: float = 1.0,
    member: int = 1,
) -> s.Need:
    """A one-off block need; ``number`` makes its id, ``day`` 0 is Monday."""
    week = week or target_week()
    member_id = f"{group_id}-m{member}"
    monday = week_monday(week) + timedelta(days=day)
    start = datetime.combine(monday, time(0, 0), PARIS) + timedelta(hours=start_hour)
    end = start + timedelta(hours=hours)
    return s.Need.model_validate(
        {
            "id": f"{group_id}-n{number}",
            "member_id": member_id,
            "site_id": f"{member_id}-s",
            "skill": "cleaning",
            "kind": "blocks",
            "blocks": [{"start": start.isoformat(), "end": end.isoformat()}],
        }
    )


def burst_need(group_id: str, number: int, *, week: str | None = None) -> s.Need:
    """Needs spread over the week's days and hours so that ``number`` of them do not overlap
    more than the staff can cover: 5 days x 11 one-hour slots x 2 members."""
    slot = number % 55
    return need(
        group_id,
        number,
        week=week,
        day=slot // 11,
        start_hour=7 + slot % 11,
        member=1 + (number // 55) % 2,
    )
