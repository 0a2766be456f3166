"""Assemble a territory: groups of every kind, their members, staff, placements and needs.

Randomness comes only from ``random.Random(seed)``: each group draws its own generator from
the territory's, so the same seed always gives the same document, byte for byte.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter

from scheduler.generator.absences import make_absences, make_consents
from scheduler.generator.geiq import make_work_study
from scheduler.generator.members import MemberPlan, make_members
from scheduler.generator.needs import Slot, make_needs
from scheduler.generator.people import Person, allocate_members, make_ge_people
from scheduler.generator.sizes import SIZES, GroupPlan, Profile, Size, SizeSpec, apportion
from scheduler.generator.stats import block_count, need_weeks
from scheduler.generator.territory import AREAS, area_towns
from scheduler.generator.trades import TRADES
from scheduler.rules import GroupRules
from scheduler.scenario.common import Week, add_weeks, week_monday
from scheduler.scenario.schema import (
    Group,
    GroupKind,
    Need,
    Placement,
    Scenario,
    Skill,
    TrainingCentre,
)

TIME_ZONE = "Europe/Paris"
_CALIBRATION_ROUNDS = 4
_BLOCK_TOLERANCE = 0.04  # relative error on a group's blocks a week that ends calibration
_MAX_SCALE = 1.1  # demand never exceeds supply by more than this, whatever the block count
_MIN_SCALE = 0.2  # a floor so that a group never loses its demand altogether
DEFAULT_FIRST_WEEK = "2026-W50"

_GROUP_NAMES = {
    Profile.ge_market: "GE Emploi Partagé – {area}",
    Profile.ge_non_profit: "GE Associations et Collectivités – {area}",
    Profile.geiq_construction: "GEIQ BTP – {area}",
    Profile.geiq_cross_sector: "GEIQ Multisectoriel – {area}",
}


@dataclass(frozen=True)
class _Context:
    weeks: list[str]
    zone: ZoneInfo


@dataclass
class _Draft:
    """A group whose staff and members exist, waiting for its share of the block budget."""

    plan: GroupPlan
    rng: random.Random
    members: list[MemberPlan]
    people: list[Person]
    slots: list[Slot]
    placements: list[Placement]
    centres: list[TrainingCentre]
    factors: dict[str, float] = field(default_factory=dict)  # demand over supply, per trade
    short: frozenset[str] = frozenset()  # trades short of staff, kept so whatever the scale
    needs_state: tuple[object, ...] = ()  # the random state needs are drawn from

    def __post_init__(self) -> None:
        hours: dict[str, float] = {}
        for slot in self.slots:
            hours[slot.trade.id] = hours.get(slot.trade.id, 0.0) + slot.hours
        trades = sorted(hours)
        # Demand against supply, trade by trade: some trades have slack, and one or two are
        # short of staff even after demand is scaled to the block count, so that every
        # group has real trade-offs to make.
        spread = 0.15 if self.plan.profile.is_geiq else 0.2
        self.factors = {trade: self.rng.uniform(1 - spread, 1 + spread) for trade in trades}
        # The short trade is a minor one (at most a fifth of the group's hours): when most of
        # a group is short of staff, it is the group that is too small, not a trade.
        total = sum(hours.values())
        minor = [t for t in trades if hours[t] <= total / 5]
        if minor:
            short = self.rng.choices(minor, weights=[hours[t] for t in minor])[0]
            self.short = frozenset({short})
            self.factors[short] = self.rng.uniform(1.05, 1.2)
        self.needs_state = self.rng.getstate()

    @property
    def supply_hours(self) -> float:
        return sum(slot.hours for slot in self.slots)


def _draft(
    rng: random.Random,
    plan: GroupPlan,
    spec: SizeSpec,
    employees: int,
    members: int,
    weeks: list[str],
    zone: ZoneInfo,
    used_names: set[str],
) -> _Draft:
    towns = area_towns(plan.area)
    first_monday = week_monday(weeks[0])
    last_day = week_monday(weeks[-1]) + timedelta(days=6)
    member_plans = make_members(rng, plan.id, plan.profile, members, towns, used_names)
    if plan.profile.is_geiq:
        work_study = make_work_study(
            rng,
            plan.id,
            plan.profile,
            employees,
            member_plans,
            towns,
            plan.area,
            weeks,
            (first_monday, last_day),
            zone,
        )
        return _Draft(
            plan,
            rng,
            member_plans,
            work_study.people,
            work_study.slots,
            work_study.placements,
            work_study.centres,
        )
    people = make_ge_people(
        rng,
        plan.id,
        plan.profile,
        employees,
        member_plans,
        towns,
        (first_monday, last_day),
        spec.contract_hours_scale,
    )
    slots = allocate_members(rng, people, member_plans)
    return _Draft(plan, rng, member_plans, people, slots, [], [])


def _rules(profile: Profile) -> GroupRules:
    if profile == Profile.ge_non_profit:
        # Social and cultural branch agreements (ALISFA, animation) commonly allow
        # complementary hours up to a third of the contract and a 3-day notice.
        return GroupRules(complementary_hours_ratio=1 / 3, notice_days=3)
    return GroupRules()


def _needs(draft: _Draft, block_hours: float, scale: float, ctx: _Context) -> list[Need]:
    """The group's needs, always from the same random draws whatever the scale."""
    draft.rng.setstate(draft.needs_state)
    factors = {t: f if t in draft.short else f * scale for t, f in draft.factors.items()}
    return make_needs(
        draft.rng, draft.plan.id, draft.slots, factors, block_hours, ctx.weeks, ctx.zone
    )


def _blocks(needs: list[Need], ctx: _Context) -> float:
    """Mean blocks a week, a quota counted as blocks of its typical length."""
    total = sum(block_count(n) * len(need_weeks(n, ctx.weeks, ctx.zone)) for n in needs)
    return total / len(ctx.weeks)


def _calibrated_needs(drafts: list[_Draft], block_target: int, ctx: _Context) -> list[list[Need]]:
    """Every group's needs, their blocks a week adding up to ``block_target``.

    Blocks aim at the length that would spend the staff's hours in the target count, but
    trades cap lengths (no building-site block runs past lunch), so staff on long weeks would
    need more blocks than the size table allows. Then demand is scaled down by one factor for
    the whole territory (except in each group's short trades), replaying each group's random
    draws so only the hours change.
    """
    supply = sum(d.supply_hours for d in drafts) or 1.0
    block_hours = supply / block_target
    natural = [_blocks(_needs(d, block_hours, 1.0, ctx), ctx) for d in drafts]
    shared = min(_MAX_SCALE, block_target / (sum(natural) or 1.0))
    result = []
    for draft, blocks in zip(drafts, natural, strict=True):
        budget, scale = blocks * shared, shared
        for _ in range(_CALIBRATION_ROUNDS):
            needs = _needs(draft, block_hours, scale, ctx)
            found = _blocks(needs, ctx)
            if abs(found / budget - 1) <= _BLOCK_TOLERANCE:
                break
            scale = max(_MIN_SCALE, scale * budget / found)
        result.append(needs)
    return result


def _finish(draft: _Draft, needs: list[Need], ctx: _Context) -> Group:
    rng, plan = draft.rng, draft.plan
    weeks, zone = ctx.weeks, ctx.zone
    employees = [person.to_employee() for person in draft.people]
    return Group(
        id=plan.id,
        name=_GROUP_NAMES[plan.profile].format(area=AREAS[plan.area]),
        kind=GroupKind.geiq if plan.profile.is_geiq else GroupKind.ge,
        non_profit=plan.profile == Profile.ge_non_profit,
        rules=_rules(plan.profile),
        members=[m.member for m in draft.members],
        training_centres=draft.centres,
        employees=employees,
        needs=needs,
        placements=draft.placements,
        absences=make_absences(rng, plan.id, employees, weeks, zone),
        consents=(
            [] if plan.profile.is_geiq else make_consents(rng, plan.id, employees, weeks, zone)
        ),
    )


def generate(
    size: Size, seed: int, first_week: str = DEFAULT_FIRST_WEEK, weeks: int = 2
) -> Scenario:
    """A realistic territory of ``size`` (DESIGN §5) over ``weeks`` weeks from ``first_week``."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}: choose one of {', '.join(SIZES)}")
    if not 1 <= weeks <= 52:
        raise ValueError("weeks must be between 1 and 52")
    first_week = TypeAdapter(Week).validate_python(first_week)
    spec = SIZES[size]
    zone = ZoneInfo(TIME_ZONE)
    labels = [add_weeks(first_week, offset) for offset in range(weeks)]
    rng = random.Random(seed)
    plans = spec.groups
    employee_counts = apportion(spec.employees, [p.employee_share for p in plans], minimum=2)
    member_counts = apportion(spec.members, [p.member_share for p in plans], minimum=1)
    used_names: set[str] = set()
    drafts = [
        _draft(
            random.Random(rng.getrandbits(64)),
            plan,
            spec,
            employees,
            members,
            labels,
            zone,
            used_names,
        )
        for plan, employees, members in zip(plans, employee_counts, member_counts, strict=True)
    ]
    ctx = _Context(labels, zone)
    needs = _calibrated_needs(drafts, spec.blocks_per_week, ctx)
    groups = [_finish(d, n, ctx) for d, n in zip(drafts, needs, strict=True)]
    name = (
        f"Réseau régional des groupements d'employeurs – taille {size}, graine {seed}"
        if len({p.area for p in plans}) > 1
        else f"{AREAS[plans[0].area]} – taille {size}, graine {seed}"
    )
    return Scenario(
        name=name,
        time_zone=TIME_ZONE,
        weeks=labels,
        skills=[Skill(id=skill, label=label) for trade in TRADES for skill, label in trade.skills],
        groups=groups,
    )


def scenario_json(scenario: Scenario) -> str:
    """The scenario as the JSON text of a scenario file (stable for a given scenario)."""
    # Same layout as `partage export`, so generated and exported files diff cleanly.
    return scenario.model_dump_json(indent=2, exclude_none=True) + "\n"


def generate_scenario_json(
    size: Size, seed: int, first_week: str = DEFAULT_FIRST_WEEK, weeks: int = 2
) -> str:
    """``generate`` straight to the text of a scenario file (what `partage generate` writes)."""
    return scenario_json(generate(size, seed, first_week=first_week, weeks=weeks))


def write_scenario(scenario: Scenario, path: str | Path) -> int:
    """Write ``scenario`` to ``path`` as UTF-8 JSON; returns the number of bytes written."""
    data = scenario_json(scenario).encode("utf-8")
    Path(path).write_bytes(data)
    return len(data)
