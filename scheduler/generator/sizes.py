"""The sizes of DESIGN §5 and how a territory of each size splits into employer groups."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Size = Literal["S", "M", "L", "XL"]


class Profile(StrEnum):
    """The kind of employer group, which decides its members' sectors and its contracts."""

    ge_market = "ge_market"  # GE of companies: the bulk of a territory's shared staff
    ge_non_profit = "ge_non_profit"  # GE of associations and local authorities
    geiq_construction = "geiq_construction"  # GEIQ BTP
    geiq_cross_sector = "geiq_cross_sector"  # GEIQ multisectoriel

    @property
    def is_geiq(self) -> bool:
        return self in (Profile.geiq_construction, Profile.geiq_cross_sector)


@dataclass(frozen=True)
class GroupPlan:
    """One group of a territory: its share of the territory's employees and members."""

    id: str
    profile: Profile
    employee_share: float
    member_share: float
    area: int = 0  # index of the area (pays) it recruits in, see territory.AREAS


@dataclass(frozen=True)
class SizeSpec:
    employees: int
    members: int
    blocks_per_week: int  # need blocks a week, a quota counted as blocks of its typical length
    groups: tuple[GroupPlan, ...]
    contract_hours_scale: float  # <1 for a young group whose contracts are still small


# One territory (a pays of ~40 km) with the usual four groups; the GE holds 60 % of the staff.
_TERRITORY = (
    GroupPlan("ge1", Profile.ge_market, 0.60, 0.55),
    GroupPlan("ges1", Profile.ge_non_profit, 0.18, 0.25),
    GroupPlan("gqb1", Profile.geiq_construction, 0.12, 0.11),
    GroupPlan("gqm1", Profile.geiq_cross_sector, 0.10, 0.09),
)

# A regional network: four pays, each with its GE, and shared non-profit GEs and GEIQs.
_REGION = (
    GroupPlan("ge1", Profile.ge_market, 0.18, 0.17, area=0),
    GroupPlan("ge2", Profile.ge_market, 0.15, 0.14, area=1),
    GroupPlan("ge3", Profile.ge_market, 0.13, 0.12, area=2),
    GroupPlan("ge4", Profile.ge_market, 0.12, 0.11, area=3),
    GroupPlan("ges1", Profile.ge_non_profit, 0.10, 0.14, area=0),
    GroupPlan("ges2", Profile.ge_non_profit, 0.08, 0.11, area=2),
    GroupPlan("gqb1", Profile.geiq_construction, 0.07, 0.06, area=0),
    GroupPlan("gqb2", Profile.geiq_construction, 0.06, 0.06, area=1),
    GroupPlan("gqm1", Profile.geiq_cross_sector, 0.06, 0.05, area=2),
    GroupPlan("gqm2", Profile.geiq_cross_sector, 0.05, 0.04, area=3),
)

SIZES: dict[str, SizeSpec] = {
    # S stands for a young GE: its part-time contracts are still small.
    "S": SizeSpec(25, 12, 60, _TERRITORY, contract_hours_scale=0.8),
    "M": SizeSpec(120, 60, 400, _TERRITORY, contract_hours_scale=1.0),
    "L": SizeSpec(500, 250, 2000, _TERRITORY, contract_hours_scale=1.0),
    "XL": SizeSpec(2000, 1000, 8000, _REGION, contract_hours_scale=1.0),
}


def apportion(total: int, shares: list[float], minimum: int = 1) -> list[int]:
    """Split ``total`` along ``shares`` in whole numbers that add up (largest remainder)."""
    weight = sum(shares)
    exact = [total * share / weight for share in shares]
    counts = [max(minimum, int(value)) for value in exact]
    # Hand out what is left by largest remainder; ties go to the earlier group (stable).
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] - int(exact[i])), i))
    index = 0
    while sum(counts) < total:
        counts[order[index % len(order)]] += 1
        index += 1
    while sum(counts) > total:
        # Only when minimums overshot a tiny total: take back from the largest.
        largest = max(range(len(counts)), key=lambda i: (counts[i], -i))
        counts[largest] -= 1
    return counts
