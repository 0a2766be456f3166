"""Employees: who they are, their contracts, skills, availability, homes and ways to work.

Most shared employees of a GE hold a permanent part-time contract (*CDI à temps partagé*)
naming two to four member companies near home; some hold a fixed-term one (*CDD*), a few
also work for another employer. GEIQ employees are on work-study contracts (*contrat de
professionnalisation* or *d'apprentissage*), some of the apprentices aged 16 or 17, and go to
one host member.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from scheduler.generator import names
from scheduler.generator.availability import (
    Day,
    available_hours,
    base_availability,
    external_work,
    personal_constraints,
    windows_of,
)
from scheduler.generator.clock import round_to
from scheduler.generator.members import MemberPlan
from scheduler.generator.needs import Slot
from scheduler.generator.sizes import Profile
from scheduler.generator.territory import Town, pick_town, place_near
from scheduler.generator.trades import TRADE_BY_ID, TRADE_OF_SKILL, WEEKDAYS
from scheduler.scenario.schema import (
    Contract,
    ContractKind,
    Employee,
    ExternalWork,
    MemberAgreement,
    Place,
    TravelMode,
)
from scheduler.travel import distance_km, travel_minutes

# Contract hours a week and how common they are: shared part-time clusters around 20–24 h.
_GE_HOURS = (
    (10, 5),
    (12, 6),
    (14, 6),
    (15, 6),
    (17.5, 7),
    (20, 8),
    (21, 4),
    (24, 6),
    (25, 3),
    (26, 3),
    (28, 3),
    (30, 3),
    (32, 2),
    (34, 1),
)
_NON_PROFIT_HOURS = (
    (10, 6),
    (12, 6),
    (14, 5),
    (15, 5),
    (17.5, 5),
    (20, 5),
    (22, 3),
    (24, 4),
    (26, 2),
    (28, 2),
    (30, 1),
)


@dataclass
class Person:
    """An employee being generated; becomes a schema ``Employee`` once members are known."""

    id: str
    first_name: str
    last_name: str
    birth_date: date
    kind: ContractKind
    weekly_hours: float
    start: date
    end: date | None
    trades: list[str]  # primary first
    skills: list[str]
    town: Town
    home: Place
    travel_mode: TravelMode
    availability: dict[int, Day] = field(default_factory=dict)
    external: list[ExternalWork] = field(default_factory=list)
    allocation: dict[str, float] = field(default_factory=dict)  # member id -> weekly hours
    agreed: bool = False  # whether the contract fixes the hours at each member

    def to_employee(self) -> Employee:
        members = [
            MemberAgreement(member_id=m, weekly_hours=h if self.agreed else None)
            for m, h in self.allocation.items()
        ]
        return Employee(
            id=self.id,
            first_name=self.first_name,
            last_name=self.last_name,
            birth_date=self.birth_date,
            contract=Contract(
                kind=self.kind,
                weekly_hours=self.weekly_hours,
                start=self.start,
                end=self.end,
                members=members,
            ),
            skills=self.skills,
            availability=windows_of(self.availability),
            home=self.home,
            travel_mode=self.travel_mode,
            external_work=self.external,
        )


def birth_date_for_age(rng: random.Random, age: int, on: date) -> date:
    """A birth date making someone exactly ``age`` on ``on``."""
    try:
        anniversary = on.replace(year=on.year - age)
    except ValueError:  # 29 February
        anniversary = on.replace(year=on.year - age, day=28)
    return anniversary - timedelta(days=rng.randint(1, 360))


def _travel_mode(rng: random.Random, town: Town, minor: bool) -> TravelMode:
    modes = (TravelMode.car, TravelMode.public_transport, TravelMode.bike, TravelMode.walk)
    if minor:  # no licence before 18 (17 with a supervised driver only)
        return rng.choices(modes, weights=(0, 55, 35, 10))[0]
    if town.population >= 10000:
        return rng.choices(modes, weights=(45, 30, 15, 10))[0]
    if town.population >= 3000:
        return rng.choices(modes, weights=(65, 17, 11, 7))[0]
    return rng.choices(modes, weights=(78, 10, 8, 4))[0]


def _skills(rng: random.Random, trade_id: str, most: int) -> list[str]:
    skills = TRADE_BY_ID[trade_id].skill_ids
    # The first skill of a trade is the common one; the rarer ones come with experience.
    weights = [1.0 / (rank + 1) for rank in range(len(skills))]
    count = min(len(skills), rng.choices((1, 2, 3), weights=(0.5, 0.35, 0.15))[0], most)
    chosen: list[str] = []
    while len(chosen) < count:
        skill = rng.choices(skills, weights=weights)[0]
        if skill not in chosen:
            chosen.append(skill)
    return chosen


def _ge_contract(
    rng: random.Random, profile: Profile, scale: float, first_monday: date, last_day: date
) -> tuple[ContractKind, float, date, date | None]:
    non_profit = profile == Profile.ge_non_profit
    roll = rng.random()
    if not non_profit and roll < 0.04:
        return ContractKind.full_time, 35.0, first_monday - timedelta(rng.randint(60, 4000)), None
    table = _NON_PROFIT_HOURS if non_profit else _GE_HOURS
    hours = rng.choices([h for h, _ in table], weights=[w for _, w in table])[0]
    hours = max(10.0, round_to(hours * scale, 0.5))
    if roll < (0.35 if non_profit else 0.18):
        start = first_monday - timedelta(rng.randint(14, 200))
        return ContractKind.fixed_term, hours, start, last_day + timedelta(rng.randint(14, 240))
    start = first_monday - timedelta(rng.randint(30, 4000))
    return ContractKind.permanent_part_time, hours, start, None


def trade_weights(members: list[MemberPlan]) -> dict[str, float]:
    """How much each trade is asked for across members (sector mix times member size)."""
    weights: dict[str, float] = {}
    for plan in members:
        total = sum(plan.trades.values())
        for trade, weight in plan.sector.trades:
            weights[trade] = weights.get(trade, 0.0) + plan.size * weight / total
    return dict(sorted(weights.items()))


def _identity(
    rng: random.Random, age: int, first_monday: date, towns: list[Town]
) -> tuple[str, str, date, Town, Place]:
    birth = birth_date_for_age(rng, age, first_monday)
    town = pick_town(rng, towns, pull=0.7)
    home = place_near(rng, town, "rural" if rng.random() < 0.12 else "residential", spread=1.3)
    return names.first_name(rng, birth.year), names.last_name(rng), birth, town, home


def make_ge_people(
    rng: random.Random,
    group_id: str,
    profile: Profile,
    count: int,
    members: list[MemberPlan],
    towns: list[Town],
    weeks: tuple[date, date],
    hours_scale: float,
) -> list[Person]:
    """Employees of a GE, with their trades drawn from what the members ask for."""
    first_monday, last_day = weeks
    weights = trade_weights(members)
    trades = list(weights)
    people: list[Person] = []
    for index in range(1, count + 1):
        primary = rng.choices(trades, weights=[weights[t] for t in trades])[0]
        person_trades = [primary]
        skills = _skills(rng, primary, 3)
        others = [t for t in trades if t != primary]
        if others and rng.random() < 0.2:
            second = rng.choices(others, weights=[weights[t] for t in others])[0]
            person_trades.append(second)
            skills += _skills(rng, second, 1)
        kind, hours, start, end = _ge_contract(rng, profile, hours_scale, first_monday, last_day)
        age = rng.randint(20, 62)
        first, last, birth, town, home = _identity(rng, age, first_monday, towns)
        person = Person(
            id=f"{group_id}-e{index:03d}",
            first_name=first,
            last_name=last,
            birth_date=birth,
            kind=kind,
            weekly_hours=hours,
            start=start,
            end=end,
            trades=person_trades,
            skills=skills,
            town=town,
            home=home,
            travel_mode=_travel_mode(rng, town, minor=False),
        )
        person.availability = base_availability(person_trades, minor=False)
        constrained = personal_constraints(rng, person.availability, primary)
        # Keep room to place the contract's hours with some choice left to the solver.
        if available_hours(constrained) >= 1.6 * hours + 4:
            person.availability = constrained
        if kind != ContractKind.full_time and hours <= 28 and rng.random() < 0.12:
            person.availability, work = external_work(rng, person.availability, town)
            person.external.append(work)
        people.append(person)
    return people


# The longest daily trip to a member people accept, by way of travelling (minutes).
REACH = {
    TravelMode.walk: 35,
    TravelMode.bike: 45,
    TravelMode.public_transport: 70,
    TravelMode.car: 50,
}
_FALLBACK = {
    TravelMode.walk: TravelMode.bike,
    TravelMode.bike: TravelMode.public_transport,
    TravelMode.public_transport: TravelMode.car,
}


def _reachable(person: Person, candidates: list[MemberPlan], count: int) -> dict[str, int]:
    """Minutes to each candidate; someone who cannot reach enough members by their way of
    travelling uses the next one (a walker takes a bike, a bus user ends up buying a car)."""
    while True:
        minutes = {
            plan.member.id: travel_minutes(
                person.home, plan.member.sites[0].place, person.travel_mode
            )
            for plan in candidates
        }
        reach = REACH[person.travel_mode]
        enough = sum(m <= reach for m in minutes.values()) >= count
        if enough or person.travel_mode not in _FALLBACK:
            return minutes
        person.travel_mode = _FALLBACK[person.travel_mode]


def allocate_members(
    rng: random.Random, people: list[Person], members: list[MemberPlan]
) -> list[Slot]:
    """Give each GE employee 2–4 members near home and split their hours among them.

    Returns one slot per (member, skill) with the hours employees can bring there.
    """
    load = {plan.member.id: 0.0 for plan in members}
    total_size = sum(plan.size for plan in members) or 1.0
    mean_hours = sum(p.weekly_hours for p in people) / max(1, len(people))
    share = {plan.member.id: plan.size / total_size * mean_hours * len(people) for plan in members}
    slots: dict[tuple[str, str], Slot] = {}
    by_id = {plan.member.id: plan for plan in members}

    def add(person: Person, plan: MemberPlan, hours: float) -> None:
        usable = [s for s in person.skills if TRADE_OF_SKILL[s].id in plan.trades]
        # Mostly their main skill, so several employees meet in one member's slot (teams).
        skill = usable[0] if rng.random() < 0.85 else rng.choice(usable)
        slot = slots.setdefault((plan.member.id, skill), Slot(plan, skill, 0.0))
        slot.hours += hours
        slot.staff.add(person.id)
        person.allocation[plan.member.id] = person.allocation.get(plan.member.id, 0.0) + hours
        load[plan.member.id] += hours

    for person in people:
        # Trades were drawn from what members ask for, so someone always asks for this one.
        candidates = [p for p in members if any(t in p.trades for t in person.trades)]
        wanted = rng.choices((2, 3, 4), weights=(0.45, 0.35, 0.2))[0]
        count = max(1, min(wanted, int(person.weekly_hours // 5), len(candidates)))
        minutes = _reachable(person, candidates, count)
        reachable = [p for p in candidates if minutes[p.member.id] <= REACH[person.travel_mode]]
        count = min(count, len(reachable)) if reachable else 1

        pool = reachable or candidates
        # Near home first, with some luck, and away from members who already have their share.
        score = {
            plan.member.id: minutes[plan.member.id] * rng.uniform(0.8, 1.25)
            + 20 * load[plan.member.id] / max(share[plan.member.id], 1.0)
            for plan in pool
        }
        chosen = sorted(pool, key=lambda plan: score[plan.member.id])[:count]
        parts = [rng.uniform(0.6, 1.4) for _ in chosen]
        hours = [round_to(person.weekly_hours * p / sum(parts), 0.5) for p in parts]
        hours[0] += person.weekly_hours - sum(hours)  # rounding remainder to the main member
        for plan, h in zip(chosen, hours, strict=True):
            add(person, plan, h)
        person.agreed = len(chosen) >= 2 and rng.random() < 0.3

    # A member nobody was drawn to still gets a few hours from its nearest suitable employee,
    # as a group would arrange before taking the member in.
    for plan in members:
        if load[plan.member.id] > 0:
            continue
        suitable = [
            p for p in people if len(p.allocation) < 4 and any(t in plan.trades for t in p.trades)
        ]
        if not suitable:
            continue
        person = min(
            suitable,
            key=lambda p: travel_minutes(p.home, plan.member.sites[0].place, p.travel_mode),
        )
        biggest = max(person.allocation, key=lambda m: (person.allocation[m], m))
        moved = min(4.0, person.allocation[biggest] - 2.0)
        if moved <= 0:
            continue
        person.allocation[biggest] -= moved
        load[biggest] -= moved
        for slot in slots.values():
            if slot.member.member.id == biggest and person.id in slot.staff:
                slot.hours -= moved
                break
        add(person, by_id[plan.member.id], moved)
    return [slot for slot in slots.values() if slot.hours > 0]


def make_work_study_person(
    rng: random.Random,
    person_id: str,
    profile: Profile,
    host: MemberPlan,
    towns: list[Town],
    first_monday: date,
    last_day: date,
) -> Person:
    """A GEIQ employee on a work-study contract, attached to ``host``."""
    apprentice_share = 0.6 if profile == Profile.geiq_construction else 0.4
    apprentice = rng.random() < apprentice_share
    kind = ContractKind.apprenticeship if apprentice else ContractKind.professionalisation
    if apprentice:
        minor = rng.random() < (0.4 if profile == Profile.geiq_construction else 0.25)
        age = rng.randint(16, 17) if minor else rng.randint(18, 25)
    else:
        minor = False
        age = rng.choices((rng.randint(18, 25), rng.randint(26, 50)), weights=(0.6, 0.4))[0]
    hours = 35.0 if minor or rng.random() < 0.75 else float(rng.choice((28, 30, 32)))
    trades = list(host.trades)
    trade = rng.choices(trades, weights=[host.trades[t] for t in trades])[0]
    # Contracts start with the school year (September or October) before the scenario.
    year = first_monday.year - (first_monday < date(first_monday.year, 9, 1))
    start = date(year, rng.choice((9, 9, 10)), rng.choice((1, 15)))
    if start > first_monday:
        start = date(year, 9, 1)
    months = rng.choice((12, 18, 24)) if apprentice else rng.choice((6, 9, 12, 18, 24))
    end = start + timedelta(days=round(months * 30.44))
    if end < last_day + timedelta(days=28):
        end = last_day + timedelta(days=rng.randint(28, 200))
    # Work-study employees, often young and without a car, live near their host.
    near = [t for t in towns if distance_km(t, host.town) <= (8 if minor else 15)]
    first, last, birth, town, home = _identity(rng, age, first_monday, near)
    mode = _travel_mode(rng, town, minor=minor)
    workplace = host.member.sites[0].place
    while travel_minutes(home, workplace, mode) > REACH[mode] and mode in _FALLBACK:
        if minor and _FALLBACK[mode] == TravelMode.car:
            town = host.town  # a minor too far for a bus lives in the host's town
            home = place_near(rng, town, "residential")
            break
        mode = _FALLBACK[mode]
    person = Person(
        id=person_id,
        first_name=first,
        last_name=last,
        birth_date=birth,
        kind=kind,
        weekly_hours=hours,
        start=start,
        end=end,
        trades=[trade],
        skills=_skills(rng, trade, 2),
        town=town,
        home=home,
        travel_mode=mode,
    )
    # Work-study time follows the host's working week; the training days block themselves.
    person.availability = {
        day: ranges for day, ranges in base_availability([trade], minor).items() if day in WEEKDAYS
    }
    person.allocation = {host.member.id: hours}
    return person
