"""Members' needs, made from the hours the group's staff can give them.

Demand starts from supply: each employee's contract hours are shared among the members their
contract lists (a *slot*: member, skill, weekly hours), and each trade's demand is then that
supply times a factor a little above or below one. So every need has someone who could cover
it on paper, while some trades are short of people and others have slack: the trade-offs a
solver must make. Blocks aim at one length for the whole territory, within what each trade
allows; the caller scales demand so that blocks a week land on the size table's figure.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo

from scheduler.generator.clock import interval, round_to
from scheduler.generator.members import MemberPlan
from scheduler.generator.trades import TRADE_OF_SKILL, Shift, Trade
from scheduler.scenario.common import Interval, add_weeks
from scheduler.scenario.schema import Need, NeedKind

ONCE_SHARE = 0.15  # share of demand that comes as one-off needs (replacements, peaks)
ONCE_THRESHOLD_HOURS = 3.0  # one-off demand smaller than this is not worth a need
_MAX_QUOTA = 60.0  # the schema's ceiling on a quota's weekly hours
_CREWS = frozenset({"construction", "logistics", "market_gardening"})  # teams of three happen


@dataclass
class Slot:
    """Weekly hours a member can get in one skill from the group's staff."""

    member: MemberPlan
    skill: str
    hours: float
    staff: set[str] = field(default_factory=set)  # employees behind it: who may share a block
    days: tuple[int, ...] | None = None  # restricts the days (a work-study host's days)
    until: int = 24 * 60  # latest end of a block, minutes (a tutor's presence)

    @property
    def trade(self) -> Trade:
        return TRADE_OF_SKILL[self.skill]

    def allows(self, days: Iterable[int]) -> list[int]:
        return sorted(d for d in set(days) if self.days is None or d in self.days)


@dataclass(frozen=True)
class _Period:
    recurrence: Literal["once", "weekly"]
    first_week: str  # the week its blocks or windows are given in
    last_week: str | None


@dataclass
class NeedMaker:
    """Turns slots into needs: blocks or quotas, weekly or one-off, at the members' sites."""

    rng: random.Random
    group_id: str
    weeks: list[str]
    zone: ZoneInfo
    block_hours: float = 4.0  # the block length to aim at
    needs: list[Need] = field(default_factory=list)

    def _next_id(self) -> str:
        return f"{self.group_id}-n{len(self.needs) + 1:04d}"

    def fill(self, demand: list[tuple[Slot, float]], week: str | None) -> None:
        """Needs for ``demand`` (slot, hours).

        ``week`` None makes weekly needs starting in the first week; a week label makes
        one-off needs in that week, pooled across slots so small leftovers add up.
        """
        target = self.block_hours
        carry = 0.0
        for slot, hours in demand:
            if week is None:
                left = hours
            else:
                carry += hours
                if carry < ONCE_THRESHOLD_HOURS:
                    continue
                left, carry = carry, 0.0
            shortest = min(shift.min_hours for shift in slot.trade.shifts)
            while left > 0:
                # A remainder shorter than any block becomes one with matching odds, so that
                # scaling demand down also thins out the many small slots.
                if left < shortest and self.rng.random() >= left / shortest:
                    break
                need, need_hours = self._need(slot, left, target, week)
                self.needs.append(need)
                left -= need_hours

    def _need(self, slot: Slot, left: float, target: float, week: str | None) -> tuple[Need, float]:
        trade = slot.trade
        rng = self.rng
        period = self._period(week)
        quota_days = slot.allows(trade.quota.days)
        if quota_days and rng.random() < trade.quota_share:
            return self._quota_need(slot, left, target, period, quota_days)
        return self._blocks_need(slot, left, target, period)

    def _period(self, week: str | None) -> _Period:
        """When a need applies: one week, or weekly from its first week to its last."""
        if week is not None:
            return _Period("once", week, None)
        weeks, rng = self.weeks, self.rng
        roll = rng.random()
        # Every weekly need says when it ends: an explicit last_week cannot be misread,
        # while "no last week" could mean "for ever" or "this week only".
        if roll < 0.94 or len(weeks) < 2:
            # A standing order until the end of a term, a season or the year.
            return _Period("weekly", weeks[0], add_weeks(weeks[-1], rng.randint(0, 52)))
        # As many orders start during the scenario as stop during it, so that every week
        # keeps about the same number of blocks.
        middle = rng.randint(0, len(weeks) - 2)
        if roll < 0.97:
            return _Period("weekly", weeks[0], weeks[middle])
        return _Period("weekly", weeks[middle + 1], add_weeks(weeks[-1], rng.randint(0, 52)))

    def _build(self, slot: Slot, period: _Period, **shape: Any) -> Need:
        """A need at one of the member's sites; ``shape`` holds its blocks or its quota."""
        rng = self.rng
        site = rng.choice(slot.member.member.sites)
        priority = rng.choices((1, 2, 3), weights=slot.trade.priorities)[0]
        return Need(
            id=self._next_id(),
            member_id=slot.member.member.id,
            site_id=site.id,
            skill=slot.skill,
            priority=priority,
            recurrence=period.recurrence,
            last_week=period.last_week,
            **shape,
        )

    def _days(self, available: list[int], wanted: float) -> list[int]:
        """``wanted`` days (rounded) among ``available``, sometimes fewer to split demand."""
        count = max(1, min(len(available), round(wanted)))
        if count > 1 and self.rng.random() < 0.3:
            count = self.rng.randint(1, count)
        if count == len(available):
            return available
        return sorted(self.rng.sample(available, count))

    def _blocks_need(
        self, slot: Slot, left: float, target: float, period: _Period
    ) -> tuple[Need, float]:
        rng, trade = self.rng, slot.trade
        shifts = [
            s for s in trade.shifts if slot.allows(s.days) and s.latest_end <= slot.until
        ] or list(trade.shifts)
        # Favour the shifts whose lengths can reach the target; keep some of every kind.
        weights = [
            1.0 / (1.0 + abs(min(max(target, s.min_hours), s.max_hours) - target)) for s in shifts
        ]
        shift = rng.choices(shifts, weights=weights)[0]
        start, length = self._start_and_length(shift, target)
        headcount = 1
        # Teams only where several employees serve this member in this skill: a block for
        # two that only one person could ever cover would be uncoverable by construction.
        staff = len(slot.staff)
        if trade.teams and staff >= 2 and rng.random() < min(0.6, target / length - 1):
            headcount = 3 if staff >= 3 and trade.id in _CREWS and rng.random() < 0.3 else 2
        days = self._days(slot.allows(shift.days) or list(shift.days), left / (length * headcount))
        end = start + round(length * 60)
        blocks = [interval(period.first_week, day, start, end, self.zone) for day in days]
        need = self._build(slot, period, kind=NeedKind.blocks, headcount=headcount, blocks=blocks)
        return need, len(blocks) * length * headcount

    def _start_and_length(self, shift: Shift, target: float) -> tuple[int, float]:
        wanted = round_to(target * self.rng.uniform(0.85, 1.15), 0.25)
        length = min(max(wanted, shift.min_hours), shift.max_hours)
        starts = [s for s in shift.starts if s + shift.min_hours * 60 <= shift.latest_end]
        start = self.rng.choice(starts)
        # A late start shortens the block rather than running past the trade's day.
        room = (shift.latest_end - start) / 60
        return start, max(shift.min_hours, math.floor(min(length, room) * 4) / 4)

    def _quota_need(
        self, slot: Slot, left: float, target: float, period: _Period, available: list[int]
    ) -> tuple[Need, float]:
        pattern = slot.trade.quota
        longest = max(end - start for start, end in pattern.windows) / 60
        high_cap = min(pattern.max_hours, longest)
        low = min(max(round_to(target - 1, 0.5), pattern.min_hours), high_cap)
        high = min(max(round_to(target + 1, 0.5), low), high_cap)
        typical = (low + high) / 2
        fitting = [(a, b) for a, b in pattern.windows if (b - a) / 60 >= low]
        # The member offers more room than it needs: the solver chooses where the hours go.
        wanted = max(1.0, left / typical)
        days = self._days(available, wanted / len(fitting) * self.rng.uniform(1.2, 2.0))
        windows: list[Interval] = [
            interval(period.first_week, day, start, end, self.zone)
            for day in days
            for start, end in pattern.windows
        ]
        # Hours that n blocks of allowed lengths can make exactly, one block per window.
        count = min(max(1, round(wanted)), len(days) * len(fitting), int(_MAX_QUOTA // low))
        room = sorted((min((b - a) / 60, high) for _ in days for a, b in fitting), reverse=True)
        most = math.floor(sum(room[:count]) * 2) / 2
        hours = min(round_to(min(max(left, count * low), most), 0.5), _MAX_QUOTA)
        need = self._build(
            slot,
            period,
            kind=NeedKind.quota,
            windows=windows,
            weekly_hours=hours,
            min_block_hours=low,
            max_block_hours=high,
        )
        return need, hours


def make_needs(
    rng: random.Random,
    group_id: str,
    slots: list[Slot],
    factors: dict[str, float],
    block_hours: float,
    weeks: list[str],
    zone: ZoneInfo,
) -> list[Need]:
    """A group's needs: weekly standing orders, then one-off needs in each week.

    ``factors`` set each trade's demand against its supply; blocks aim at ``block_hours``
    long, within what each trade allows.
    """
    maker = NeedMaker(rng, group_id, weeks, zone, block_hours=block_hours)
    weekly = [(slot, slot.hours * factors[slot.trade.id] * (1 - ONCE_SHARE)) for slot in slots]
    maker.fill(weekly, week=None)
    for week in weeks:
        once = [(slot, slot.hours * factors[slot.trade.id] * ONCE_SHARE) for slot in slots]
        rng.shuffle(once)
        maker.fill(once, week=week)
    return maker.needs
