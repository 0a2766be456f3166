"""Needs become slots (assignable intervals); each employee gets the slots they may take.

A block need is one slot taken by up to ``headcount`` people. A quota need is cut into
candidate segments: starts on a grain inside each window, lengths from the quota's minimum to
its maximum block length in grain steps; the grain grows until a window has at most
``max_segments_per_window`` segments, which keeps the candidate count bounded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from solver.facts import EmployeeFacts, ProblemIndex
from solver.problem import NeedQuota, Problem


@dataclass(frozen=True, slots=True)
class Slot:
    """One assignable interval of a need."""

    index: int
    need_id: str
    member_id: str
    site_id: str
    location_id: str
    skill: str
    start: int
    end: int
    priority: int
    quota: bool = False
    # A published assignment whose need has gone or moved: kept only if frozen.
    orphan: bool = False
    shift_type: str | None = None

    @property
    def minutes(self) -> int:
        return self.end - self.start


def quota_segments(quota: NeedQuota, grain: int, max_per_window: int) -> Iterator[tuple[int, int]]:
    """Candidate (start, end) segments of a quota, at most ``max_per_window`` per window."""
    lo = max(1, quota.min_block_minutes)
    hi = max(lo, quota.max_block_minutes)
    for window in quota.windows:
        g = max(1, grain)
        while True:
            segs = _segments(window.start, window.end, lo, hi, g)
            if len(segs) <= max_per_window:
                break
            g *= 2
        yield from segs


def _segments(ws: int, we: int, lo: int, hi: int, grain: int) -> list[tuple[int, int]]:
    lengths = sorted({min(hi, lo + k * grain) for k in range((hi - lo) // grain + 1)} | {hi})
    out = []
    start = ws
    while start + lo <= we:
        for length in lengths:
            if start + length <= we:
                out.append((start, start + length))
        start += grain
    if not out and we - ws > 0 and we - ws >= lo:
        out.append((ws, we))
    return out


class SlotTable:
    """All slots of a problem, with lookups by (member, skill) and by need."""

    def __init__(self, problem: Problem, index: ProblemIndex) -> None:
        self.slots: list[Slot] = []
        self.by_need: dict[str, list[int]] = {}
        self.need_member: dict[str, str] = {}
        self._by_key: dict[tuple[str, str, int, int], int] = {}
        params = problem.parameters
        for n in problem.needs:
            site = index.sites[n.site_id]
            self._add(
                n.id,
                site.member_id,
                n.site_id,
                site.location_id,
                n.skill,
                n.start,
                n.end,
                n.priority,
                quota=False,
                shift_type=n.shift_type,
            )
        for q in problem.quotas:
            site = index.sites[q.site_id]
            self.by_need.setdefault(q.id, [])
            for start, end in quota_segments(
                q, params.quota_grain_minutes, params.max_segments_per_window
            ):
                self._add(
                    q.id,
                    site.member_id,
                    q.site_id,
                    site.location_id,
                    q.skill,
                    start,
                    end,
                    q.priority,
                    quota=True,
                )
        shift_of_need = {n.id: n.shift_type for n in problem.needs}
        self.skill_of_need = {n.id: n.skill for n in problem.needs} | {
            q.id: q.skill for q in problem.quotas
        }
        self.quota_ids = {q.id for q in problem.quotas}
        # Published assignments become slots too, so warm start and freezing can name them.
        for p in problem.previous_assignments:
            if (p.need_id, p.site_id, p.start, p.end) in self._by_key:
                continue
            site = index.sites.get(p.site_id)
            known = p.need_id in self.skill_of_need
            inside = known and p.need_id in self.quota_ids and _inside_quota(problem, p)
            self._add(
                p.need_id,
                p.member_id,
                p.site_id,
                site.location_id if site else "",
                self.skill_of_need.get(p.need_id, ""),
                p.start,
                p.end,
                1,
                quota=inside,
                orphan=not inside,
                shift_type=shift_of_need.get(p.need_id),
            )
        self.by_member_skill: dict[tuple[str, str], list[int]] = {}
        for s in self.slots:
            if not s.orphan:
                self.by_member_skill.setdefault((s.member_id, s.skill), []).append(s.index)

    def _add(
        self,
        need_id: str,
        member_id: str,
        site_id: str,
        location_id: str,
        skill: str,
        start: int,
        end: int,
        priority: int,
        *,
        quota: bool,
        orphan: bool = False,
        shift_type: str | None = None,
    ) -> None:
        key = (need_id, site_id, start, end)
        if key in self._by_key:
            return
        slot = Slot(
            len(self.slots),
            need_id,
            member_id,
            site_id,
            location_id,
            skill,
            start,
            end,
            priority,
            quota,
            orphan,
            shift_type,
        )
        self._by_key[key] = slot.index
        self.slots.append(slot)
        self.by_need.setdefault(need_id, []).append(slot.index)
        self.need_member.setdefault(need_id, member_id)

    def find(self, need_id: str, site_id: str, start: int, end: int) -> Slot | None:
        i = self._by_key.get((need_id, site_id, start, end))
        return None if i is None else self.slots[i]

    def open_to(self, facts: EmployeeFacts, member_ids: list[str]) -> Iterator[Slot]:
        """Slots of the members and skills an employee may work for (before other rules)."""
        members = facts.employee.allowed_member_ids
        allowed = member_ids if members is None else [m for m in member_ids if m in members]
        for m in allowed:
            for skill in facts.employee.skills:
                for i in self.by_member_skill.get((m, skill), ()):
                    yield self.slots[i]


def _inside_quota(problem: Problem, p) -> bool:
    q = next(q for q in problem.quotas if q.id == p.need_id)
    return any(w.contains(p.start, p.end) for w in q.windows)
