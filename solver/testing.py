"""Random but plausible groups for tests and measurements (until the real generator exists).

``generate(SIZES["M"], seed=1)`` makes a group of DESIGN §5 size M: employees with one to three
skills and contracts listing nearby members that need those skills, fixed blocks and a few
weekly quotas, absences, work-study placements with training days, a few minors.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace

from solver.problem import (
    Absence,
    ContractKind,
    Employee,
    Interval,
    Member,
    NeedBlock,
    NeedQuota,
    Placement,
    PreviousAssignment,
    Problem,
    Site,
    SolveParameters,
    TrainingSession,
    TravelTime,
)
from solver.roster import Roster

SKILLS = (
    "cleaning",
    "reception",
    "accounting",
    "maintenance",
    "logistics",
    "catering",
    "care",
    "it",
)
MODES = ("car", "transit", "bike")
DAY = 1440


@dataclass(frozen=True, slots=True)
class Size:
    employees: int
    members: int
    blocks: int
    quotas: int = 0


SIZES = {
    "S": Size(25, 12, 60, 2),
    "M": Size(120, 60, 400, 8),
    "L": Size(500, 250, 2000, 30),
    "XL": Size(2000, 1000, 8000, 120),
}


def generate(
    size: Size,
    seed: int = 0,
    *,
    time_limit: float = 10.0,
    workers: int = 2,
    minors: bool = True,
    work_study: bool = True,
) -> Problem:
    """A random group of the given size (same seed, same group)."""
    rng = random.Random(seed)
    members, sites, coords, needs_skill = [], [], {}, {}
    for m in range(size.members):
        mid = f"m{m}"
        members.append(Member(mid, f"Member {m}"))
        cx, cy = rng.uniform(0, 30), rng.uniform(0, 30)
        for k in range(1 if rng.random() < 0.7 else 2):
            sid = f"{mid}s{k}"
            sites.append(Site(sid, mid, f"loc-{sid}"))
            coords[f"loc-{sid}"] = (cx + rng.uniform(-2, 2), cy + rng.uniform(-2, 2))
        needs_skill[mid] = rng.sample(SKILLS, 1 if rng.random() < 0.6 else 2)
    sites_of = {m.id: [s for s in sites if s.member_id == m.id] for m in members}
    coords["loc-training"] = (15.0, 15.0)

    employees, placements, training = [], [], []
    for i in range(size.employees):
        eid = f"e{i}"
        primary = rng.choice(SKILLS)
        skills = tuple(sorted({primary, *rng.sample(SKILLS, rng.randint(0, 2))}))
        near = [m.id for m in members if primary in needs_skill[m.id]]
        home = (rng.uniform(0, 30), rng.uniform(0, 30))
        near.sort(key=lambda m: _dist(home, coords[sites_of[m][0].location_id]))
        allowed = tuple(sorted(near[: rng.randint(2, 6)])) or (members[0].id,)
        r = rng.random()
        is_minor = False
        if work_study and r < 0.1:
            kind = rng.choice([ContractKind.PROFESSIONALISATION, ContractKind.APPRENTICESHIP])
            contract = 2100
            is_minor = minors and rng.random() < 0.3
            host = allowed[0]
            allowed = (host,)
            placements.append(
                Placement(
                    eid,
                    host,
                    tuple(Interval(d * DAY + 7 * 60, d * DAY + 19 * 60) for d in range(5)),
                    "tutor",
                )
            )
            tday = rng.randint(0, 4)
            training.append(
                TrainingSession(eid, "loc-training", tday * DAY + 480, tday * DAY + 720)
            )
            training.append(
                TrainingSession(eid, "loc-training", tday * DAY + 780, tday * DAY + 1020)
            )
        elif r < 0.3:
            kind, contract = ContractKind.FULL_TIME, 2100
        elif r < 0.4:
            kind, contract = ContractKind.FIXED_TERM, rng.choice([1200, 1500, 1800, 2100])
        else:
            kind = ContractKind.PERMANENT_PART_TIME
            contract = rng.choice([600, 900, 1200, 1440, 1500, 1680, 1800])
        availability = None
        if rng.random() < 0.2:
            availability = tuple(Interval(d * DAY + 6 * 60, d * DAY + 20 * 60) for d in range(6))
        employees.append(
            Employee(
                eid,
                kind,
                contract,
                skills,
                availability,
                is_minor,
                home_location_id=None,
                travel_mode=rng.choice(MODES),
                allowed_member_ids=allowed,
                previous_weeks_minutes=tuple(contract + rng.randint(-120, 240) for _ in range(11)),
                last_work_end=-rng.choice([300, 600, 1200, 2000]),
            )
        )

    travel = []
    seen = set()
    for e in employees:
        locs = sorted(
            {s.location_id for m in e.allowed_member_ids for s in sites_of[m]} | {"loc-training"}
        )
        speed = {"car": 1.5, "transit": 3.0, "bike": 4.0}[e.travel_mode]
        for a in locs:
            for b in locs:
                if a < b and (e.travel_mode, a, b) not in seen:
                    seen.add((e.travel_mode, a, b))
                    minutes = 5 + int(_dist(coords[a], coords[b]) * speed)
                    travel.append(TravelTime(e.travel_mode, a, b, minutes))

    needs = []
    starts = [6 * 60, 7 * 60, 8 * 60, 9 * 60, 13 * 60, 14 * 60, 17 * 60]
    for k in range(size.blocks):
        m = members[k % size.members] if k < size.members else rng.choice(members)
        site = rng.choice(sites_of[m.id])
        day = rng.randint(0, 5 if rng.random() < 0.9 else 6)
        start = day * DAY + rng.choice(starts)
        length = rng.choice([120, 180, 210, 240, 240, 300])
        needs.append(
            NeedBlock(
                f"n{k}",
                site.id,
                rng.choice(needs_skill[m.id]),
                start,
                start + length,
                2 if rng.random() < 0.15 else 1,
                rng.choice([1, 1, 2, 3]),
            )
        )
    quotas = []
    for k in range(size.quotas):
        m = rng.choice(members)
        site = rng.choice(sites_of[m.id])
        h0 = rng.choice([6, 17])
        windows = tuple(Interval(d * DAY + h0 * 60, d * DAY + (h0 + 4) * 60) for d in range(5))
        quotas.append(
            NeedQuota(
                f"q{k}",
                site.id,
                rng.choice(needs_skill[m.id]),
                rng.choice([360, 600, 900]),
                windows,
                120,
                180,
                rng.choice([1, 2]),
            )
        )
    absences = []
    for e in employees:
        if rng.random() < 0.06:
            d = rng.randint(0, 5)
            absences.append(Absence(e.id, d * DAY, (d + rng.randint(1, 3)) * DAY, "sick"))
    return Problem(
        week="2026-W50",
        employees=tuple(employees),
        members=tuple(members),
        sites=tuple(sites),
        needs=tuple(needs),
        quotas=tuple(quotas),
        travel_times=tuple(travel),
        placements=tuple(placements),
        training_sessions=tuple(training),
        absences=tuple(absences),
        parameters=SolveParameters(
            time_limit_seconds=time_limit, num_workers=workers, random_seed=seed
        ),
    )


def with_previous(problem: Problem, roster: Roster, notice_cutoff: int | None = None) -> Problem:
    """The same week re-planned against ``roster`` (published when a cutoff is given)."""
    previous = tuple(
        PreviousAssignment(a.employee_id, a.member_id, a.site_id, a.need_id, a.start, a.end)
        for a in roster.assignments
    )
    return replace(problem, previous_assignments=previous, notice_cutoff=notice_cutoff)


def _dist(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


# -- small hand-made problems ----------------------------------------------------------------


def at(day: int, hour: int, minute: int = 0) -> int:
    """Week minute of ``day`` (0 = Monday) at ``hour:minute``."""
    return day * DAY + hour * 60 + minute


def person(
    employee_id: str = "e1",
    kind: ContractKind = ContractKind.FULL_TIME,
    contract: int = 2100,
    skills: tuple[str, ...] = ("cleaning",),
    **fields,
) -> Employee:
    """An employee with sensible defaults; ``fields`` override any other attribute."""
    return Employee(employee_id, kind, contract, skills, **fields)


def block(
    need_id: str,
    start: int,
    end: int,
    site_id: str = "s1",
    skill: str = "cleaning",
    headcount: int = 1,
    priority: int = 1,
) -> NeedBlock:
    return NeedBlock(need_id, site_id, skill, start, end, headcount, priority)


def small_problem(
    employees: tuple[Employee, ...] | list[Employee],
    needs: tuple[NeedBlock, ...] | list[NeedBlock] = (),
    *,
    travel_minutes: int = 0,
    **fields,
) -> Problem:
    """Two members (m1 with site s1 at L1, m2 with site s2 at L2), one worker, fixed seed."""
    travel = (
        tuple(TravelTime(mode, "L1", "L2", travel_minutes) for mode in MODES)
        if travel_minutes
        else ()
    )
    base = {
        "week": "2026-W50",
        "employees": tuple(employees),
        "members": (Member("m1"), Member("m2")),
        "sites": (Site("s1", "m1", "L1"), Site("s2", "m2", "L2")),
        "needs": tuple(needs),
        "travel_times": travel,
        "parameters": SolveParameters(time_limit_seconds=5.0, num_workers=1, random_seed=0),
    }
    base.update(fields)
    return Problem(**base)
