"""Absences of a few employees and the odd consent to a change inside the notice window."""

from __future__ import annotations

import random
from zoneinfo import ZoneInfo

from scheduler.generator.clock import interval, local
from scheduler.generator.trades import FRI, MON, SAT, hm
from scheduler.scenario.common import Interval, add_weeks
from scheduler.scenario.schema import (
    WORK_STUDY,
    Absence,
    AbsenceKind,
    Consent,
    ContractKind,
    Employee,
)

ABSENCE_RATE = (0.03, 0.06)  # share of employees absent at some point of the scenario


def make_absences(
    rng: random.Random,
    group_id: str,
    employees: list[Employee],
    weeks: list[str],
    zone: ZoneInfo,
) -> list[Absence]:
    """Sick leave, holidays and personal appointments for a few per cent of employees."""
    if not employees:
        return []
    count = round(len(employees) * rng.uniform(*ABSENCE_RATE))
    if count == 0 and rng.random() < 0.5:
        count = 1  # small groups still see someone off now and then
    absences: list[Absence] = []
    for person in rng.sample(employees, min(count, len(employees))):
        week = rng.choice(weeks)
        kind = rng.choices(
            (AbsenceKind.sick_leave, AbsenceKind.holiday, AbsenceKind.personal),
            weights=(0.5, 0.35, 0.15),
        )[0]
        if kind == AbsenceKind.sick_leave:
            first = rng.randint(MON, FRI)
            days = rng.randint(2, 5)
            # A doctor's note runs from midnight to midnight, weekend included if it spans it.
            period = Interval(
                start=local(week, first, 0, zone), end=local(week, first + days, 0, zone)
            )
            note = "Arrêt de travail"
        elif kind == AbsenceKind.holiday:
            first = rng.choice((MON, MON, rng.randint(MON, FRI)))
            period = Interval(start=local(week, first, 0, zone), end=local(week, SAT + 1, 0, zone))
            note = "Congés payés"
        else:
            day = rng.randint(MON, FRI)
            start, end = rng.choice(((hm("08:00"), hm("12:00")), (hm("13:30"), hm("17:30"))))
            period = interval(week, day, start, end, zone)
            note = rng.choice(("Rendez-vous médical", "Convocation administrative", "Déménagement"))
        if person.contract.kind in WORK_STUDY and kind == AbsenceKind.holiday:
            note = "Congés payés (hors période de formation)"
        absences.append(
            Absence(
                id=f"{group_id}-a{len(absences) + 1:03d}",
                employee_id=person.id,
                kind=kind,
                period=period,
                note=note,
            )
        )
    return absences


def make_consents(
    rng: random.Random,
    group_id: str,
    employees: list[Employee],
    weeks: list[str],
    zone: ZoneInfo,
) -> list[Consent]:
    """One or two part-timers agreeing to a change of their first week's hours."""
    part_timers = [
        e
        for e in employees
        if e.contract.kind in (ContractKind.permanent_part_time, ContractKind.fixed_term)
    ]
    if not part_timers:
        return []
    consents: list[Consent] = []
    week = weeks[0]
    for person in rng.sample(part_timers, min(len(part_timers), rng.randint(1, 2))):
        day = rng.randint(MON, FRI)
        start = rng.choice((hm("08:00"), hm("13:30"), hm("17:00")))
        # Given the Friday before, when the manager asked for a replacement.
        given = local(add_weeks(week, -1), FRI, hm("10:00") + rng.randint(0, 360), zone)
        consents.append(
            Consent(
                id=f"{group_id}-c{len(consents) + 1:03d}",
                employee_id=person.id,
                week=week,
                period=interval(week, day, start, start + 180, zone),
                given_at=given,
                note="Accepte un remplacement hors délai de prévenance",
            )
        )
    return consents
