"""GEIQ work-study: hosts, tutors, training centres and the weekly training days.

A work-study employee spends most of the week at one host member, with a named tutor
(*tuteur*), and one day (apprentices sometimes a day and a half) at a training centre. One day
of a 35-hour week is 20 % of the contract's hours, inside the 15–25 % the law asks of a
*contrat de professionnalisation* (L6325-13); apprentices often spend more.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from scheduler.generator import names
from scheduler.generator.clock import interval, weekly_window
from scheduler.generator.members import MemberPlan
from scheduler.generator.needs import Slot
from scheduler.generator.people import Person, make_work_study_person
from scheduler.generator.sizes import Profile
from scheduler.generator.territory import AREAS, Town, place_near
from scheduler.generator.trades import FRI, THU, TRADE_BY_ID, TUE, WED, WEEKDAYS, hm
from scheduler.scenario.schema import ContractKind, Placement, TrainingCentre, TrainingSession

_MORNING = (hm("08:30"), hm("12:00"))
_AFTERNOON = (hm("13:00"), hm("16:30"))
_TUTOR_LATEST = hm("21:30")  # a tutor is not on site at night, whatever the trade


@dataclass(frozen=True)
class _CentreKind:
    key: str
    name: str  # template: {town}, {area}
    trades: tuple[str, ...]  # empty: any trade
    kinds: tuple[ContractKind, ...]
    in_village: bool = False


_CENTRES: dict[Profile, tuple[_CentreKind, ...]] = {
    Profile.geiq_construction: (
        _CentreKind("cfa", "CFA du Bâtiment de {town}", (), (ContractKind.apprenticeship,)),
        _CentreKind("afpa", "Centre AFPA de {town}", (), (ContractKind.professionalisation,)),
    ),
    Profile.geiq_cross_sector: (
        _CentreKind(
            "hotel", "Lycée professionnel hôtelier de {town}", ("catering",), tuple(ContractKind)
        ),
        _CentreKind(
            "mfr",
            "Maison familiale rurale de {town}",
            ("market_gardening",),
            tuple(ContractKind),
            in_village=True,
        ),
        _CentreKind("cfa", "CFA interprofessionnel de {town}", (), (ContractKind.apprenticeship,)),
        _CentreKind("greta", "GRETA du {area}", (), (ContractKind.professionalisation,)),
    ),
}


def make_training_centres(
    rng: random.Random, group_id: str, profile: Profile, towns: list[Town], area: int
) -> dict[str, TrainingCentre]:
    """The centres a GEIQ works with, by kind key."""
    centres: dict[str, TrainingCentre] = {}
    for number, kind in enumerate(_CENTRES[profile], start=1):
        town = towns[-1] if kind.in_village else towns[0]
        centres[kind.key] = TrainingCentre(
            id=f"{group_id}-tc{number}",
            name=kind.name.format(town=town.name, area=AREAS[area]),
            place=place_near(rng, town, "public", spread=0.5),
        )
    return centres


def _centre_key(profile: Profile, person: Person) -> str:
    for kind in _CENTRES[profile]:
        if (not kind.trades or person.trades[0] in kind.trades) and person.kind in kind.kinds:
            return kind.key
    raise AssertionError(f"no training centre for {person.trades[0]} {person.kind}")


def _hosts(rng: random.Random, members: list[MemberPlan], count: int) -> list[MemberPlan]:
    """A host for each employee: every member hosts someone first, then by member size."""
    order = list(members)
    rng.shuffle(order)
    hosts = order[:count]
    while len(hosts) < count:
        hosts.append(rng.choices(members, weights=[m.size for m in members])[0])
    return hosts


@dataclass
class WorkStudy:
    people: list[Person]
    placements: list[Placement]
    centres: list[TrainingCentre]
    slots: list[Slot]


def make_work_study(
    rng: random.Random,
    group_id: str,
    profile: Profile,
    count: int,
    members: list[MemberPlan],
    towns: list[Town],
    area: int,
    weeks: list[str],
    days: tuple[date, date],
    zone: ZoneInfo,
) -> WorkStudy:
    """A GEIQ's employees, each placed at a host with a tutor and weekly training days."""
    first_monday, last_day = days
    centres = make_training_centres(rng, group_id, profile, towns, area)
    people: list[Person] = []
    placements: list[Placement] = []
    slots: list[Slot] = []
    session_number = 0
    for index, host in enumerate(_hosts(rng, members, count), start=1):
        person = make_work_study_person(
            rng, f"{group_id}-e{index:03d}", profile, host, towns, first_monday, last_day
        )
        trade = TRADE_BY_ID[person.trades[0]]
        training_day = rng.choices((TUE, WED, THU, FRI), weights=(2, 3, 3, 2))[0]
        half_day = (
            training_day + 1
            if person.kind == ContractKind.apprenticeship
            and training_day < FRI
            and rng.random() < 0.3
            else None
        )
        # One day is 20 % of 35 h and 25 % of 28 h: inside the range for every contract here.
        training_hours = 7.0 if half_day is None else 10.5

        tutor_start = trade.envelope[0]
        tutor_end = min(trade.envelope[1], _TUTOR_LATEST)
        tutor_days = list(WEEKDAYS)
        if rng.random() < 0.25:
            # A part-time tutor: off one day the apprentice is not in training.
            off = [d for d in WEEKDAYS if d not in (training_day, half_day)]
            tutor_days.remove(rng.choice(off))

        sessions: list[TrainingSession] = []
        centre = centres[_centre_key(profile, person)]
        for week in weeks:
            spans = [(training_day, *_MORNING), (training_day, *_AFTERNOON)]
            if half_day is not None:
                spans.append((half_day, *_MORNING))
            for day, start, end in spans:
                session_number += 1
                sessions.append(
                    TrainingSession(
                        id=f"{group_id}-t{session_number:04d}",
                        centre_id=centre.id,
                        period=interval(week, day, start, end, zone),
                    )
                )
        placements.append(
            Placement(
                id=f"{group_id}-p{index:03d}",
                employee_id=person.id,
                host_member_id=host.member.id,
                tutor_name=names.full_name(rng, rng.randint(1962, 1992)),
                tutor_presence=[weekly_window(d, tutor_start, tutor_end) for d in tutor_days],
                start=person.start,
                end=person.end or person.start,
                training=sessions,
            )
        )
        # Host time is what is left after training, on days the tutor is there and the
        # person is not at the centre.
        host_days = tuple(d for d in tutor_days if d not in (training_day, half_day))
        host_hours = person.weekly_hours - training_hours
        shares = [1.0] if len(person.skills) == 1 else [0.7, 0.3]
        for skill, part in zip(person.skills, shares, strict=True):
            slots.append(
                Slot(host, skill, host_hours * part, {person.id}, host_days, until=tutor_end)
            )
        people.append(person)
    return WorkStudy(people, placements, list(centres.values()), slots)
