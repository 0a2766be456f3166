"""When people can work: their trade's hours, their own limits, and other employers' hours."""

from __future__ import annotations

import random

from scheduler.generator.clock import weekly_window
from scheduler.generator.territory import Town
from scheduler.generator.trades import SAT, TRADE_BY_ID, WED, WEEKDAYS, hm
from scheduler.scenario.schema import ExternalWork, WeeklyWindow

Day = list[tuple[int, int]]  # free ranges of one weekday, minutes since midnight

_EXTERNAL_EMPLOYERS = (
    "Particuliers employeurs (CESU)",
    "Supermarché de {town}",
    "Collège de {town}",
    "La Poste",
    "Hôpital local de Vallière",
    "Auto-entreprise",
    "Pharmacie de {town}",
)


def windows_of(days: dict[int, Day]) -> list[WeeklyWindow]:
    return [weekly_window(day, start, end) for day in sorted(days) for start, end in days[day]]


def available_hours(days: dict[int, Day]) -> float:
    return sum(end - start for ranges in days.values() for start, end in ranges) / 60


def _subtract(ranges: Day, start: int, end: int) -> Day:
    """``ranges`` without ``[start, end)``."""
    kept: Day = []
    for a, b in ranges:
        if b <= start or end <= a:
            kept.append((a, b))
            continue
        if a < start:
            kept.append((a, start))
        if end < b:
            kept.append((end, b))
    return kept


def base_availability(trades: list[str], minor: bool) -> dict[int, Day]:
    """Every working day of the person's trades, over the widest hours of those trades."""
    days: dict[int, Day] = {}
    start = min(TRADE_BY_ID[t].envelope[0] for t in trades)
    end = max(TRADE_BY_ID[t].envelope[1] for t in trades)
    if minor:  # no night work under 18 (L3163-2): 22:00 to 06:00
        start, end = max(start, hm("06:00")), min(end, hm("22:00"))
    for trade in trades:
        for day in TRADE_BY_ID[trade].work_days:
            days[day] = [(start, end)]
    return days


def personal_constraints(
    rng: random.Random, availability: dict[int, Day], primary_trade: str
) -> dict[int, Day]:
    """``availability`` with a person's own limits: school runs, Wednesdays, Saturdays."""
    days = {day: list(ranges) for day, ranges in availability.items()}
    if primary_trade != "childcare" and WED in days and rng.random() < 0.2:
        del days[WED]  # Wednesday at home with the children
    if SAT in days and rng.random() < 0.3:
        del days[SAT]
    roll = rng.random()
    if roll < 0.12:
        days = {d: _subtract(r, hm("13:30"), 24 * 60) for d, r in days.items()}  # mornings
    elif roll < 0.2:
        days = {d: _subtract(r, 0, hm("12:00")) for d, r in days.items()}  # afternoons
    elif roll < 0.3:
        # School run: not before 09:00 on school days.
        days = {
            d: _subtract(r, 0, hm("09:00")) if d in WEEKDAYS and d != WED else r
            for d, r in days.items()
        }
    return {d: r for d, r in days.items() if r}


def external_work(
    rng: random.Random, availability: dict[int, Day], town: Town
) -> tuple[dict[int, Day], ExternalWork]:
    """Hours for another employer on fixed half-days, and the availability left around them."""
    candidates = sorted(d for d in availability if d in WEEKDAYS or d == SAT) or list(WEEKDAYS)
    chosen = sorted(rng.sample(candidates, min(len(candidates), rng.choice((1, 1, 2)))))
    start, end = rng.choice(
        ((hm("08:00"), hm("12:00")), (hm("14:00"), hm("18:00")), (hm("09:00"), hm("12:30")))
    )
    windows = [weekly_window(day, start, end) for day in chosen]
    left = {d: _subtract(r, start, end) if d in chosen else r for d, r in availability.items()}
    employer = rng.choice(_EXTERNAL_EMPLOYERS).format(town=town.name)
    hours = len(chosen) * (end - start) / 60
    work = ExternalWork(employer=employer, weekly_hours=hours, windows=windows)
    return {d: r for d, r in left.items() if r}, work
