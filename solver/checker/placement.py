"""Checks on single assignments and on coverage: who may be where, and not over the ask."""

from __future__ import annotations

from solver.checker.core import Lookups, Violation
from solver.problem import MINUTES_PER_DAY
from solver.roster import Assignment


def check_assignment(lk: Lookups, a: Assignment) -> list[Violation]:
    """Everything that can be said of one assignment on its own."""
    out: list[Violation] = []

    def bad(rule: str, message: str) -> None:
        out.append(Violation(rule, a.employee_id, a.start, a.end, message))

    e = lk.employees.get(a.employee_id)
    if e is None:
        bad("need_match", f"unknown employee {a.employee_id}")
        return out
    if a.end <= a.start:
        bad("need_match", "assignment ends before it starts")
    site = lk.sites.get(a.site_id)
    if site is None or site.member_id != a.member_id:
        bad("need_match", f"site {a.site_id} does not belong to member {a.member_id}")
    block, quota = lk.blocks.get(a.need_id), lk.quotas.get(a.need_id)
    skill = None
    if block is not None:
        skill = block.skill
        if (block.site_id, block.start, block.end) != (a.site_id, a.start, a.end):
            bad("need_match", f"does not match block {block.id}")
    elif quota is not None:
        skill = quota.skill
        if quota.site_id != a.site_id or not any(
            w.start <= a.start and a.end <= w.end for w in quota.windows
        ):
            bad("need_match", f"outside the windows of quota {quota.id}")
    else:
        bad("need_match", f"unknown need {a.need_id}")
    if skill is not None and skill not in e.skills:
        bad("skill", f"{e.id} lacks skill {skill}")
    if e.allowed_member_ids is not None and a.member_id not in e.allowed_member_ids:
        bad("allowed_member", f"{e.id}'s contract does not list member {a.member_id}")
    placement = lk.placement.get(e.id)
    if placement is not None and e.contract_kind in ("professionalisation", "apprenticeship"):
        if a.member_id != placement.member_id:
            bad("work_study_host", f"{e.id} works outside host member {placement.member_id}")
        if not any(t.start <= a.start and a.end <= t.end for t in placement.tutor_presence):
            bad("tutor_presence", f"{e.id}'s tutor is not present")
    for ab in lk.absences.get(e.id, ()):
        if ab.start < a.end and a.start < ab.end:
            bad("absence", f"{e.id} is absent")
    if e.availability is not None and not any(
        w.start <= a.start and a.end <= w.end for w in e.availability
    ):
        bad("availability", f"{e.id} is not available")
    for t in lk.training.get(e.id, ()):
        if t.start < a.end and a.start < t.end:
            bad("training_sessions", f"{e.id} is in training")
    for x in e.external_intervals:
        if x.start < a.end and a.start < x.end:
            bad("external_work", f"{e.id} works for another employer")
    if e.is_minor and _touches_night(lk, a.start, a.end):
        bad("minor_night", f"{e.id} is under 18 and works between 22:00 and 06:00")
    return out


def _touches_night(lk: Lookups, start: int, end: int) -> bool:
    s = lk.problem.settings
    for minute in range(start, end):
        t = minute % MINUTES_PER_DAY
        if t >= s.minor_night_start_minute or t < s.minor_night_end_minute:
            return True
    return False


def check_coverage(lk: Lookups, assignments: tuple[Assignment, ...]) -> list[Violation]:
    """No need gets more than it asks.

    A block takes at most ``headcount`` people, unless it prices extra people
    (``weight_over``); a quota at most its minutes, and ``headcount`` people at once.
    """
    out: list[Violation] = []
    per_need: dict[str, list[Assignment]] = {}
    for a in assignments:
        per_need.setdefault(a.need_id, []).append(a)
    for need_id, items in per_need.items():
        block, quota = lk.blocks.get(need_id), lk.quotas.get(need_id)
        over_allowed = block is not None and block.weight_over is not None
        if block is not None and len(items) > block.headcount and not over_allowed:
            out.append(
                Violation(
                    "headcount",
                    None,
                    block.start,
                    block.end,
                    f"block {need_id}: {len(items)} people for {block.headcount} asked",
                )
            )
        if quota is not None:
            total = sum(a.end - a.start for a in items)
            if total > quota.weekly_minutes:
                out.append(
                    Violation(
                        "headcount",
                        None,
                        None,
                        None,
                        f"quota {need_id}: {total} minutes for {quota.weekly_minutes}",
                    )
                )
            for a in items:
                at_once = sum(1 for b in items if b.start <= a.start < b.end)
                if at_once > quota.headcount:
                    out.append(
                        Violation(
                            "headcount",
                            None,
                            a.start,
                            a.end,
                            f"quota {need_id}: {at_once} people at once",
                        )
                    )
                    break
            out.extend(_quota_blocks(quota, items))
    return out


def _quota_blocks(quota, items: list[Assignment]) -> list[Violation]:
    """A person's touching pieces of one quota form one block, within min and max length."""
    out = []
    by_person: dict[str, list[Assignment]] = {}
    for a in items:
        by_person.setdefault(a.employee_id, []).append(a)
    for person, mine in by_person.items():
        mine.sort(key=lambda a: a.start)
        runs: list[list[int]] = []
        for a in mine:
            if runs and runs[-1][1] == a.start:
                runs[-1][1] = a.end
            else:
                runs.append([a.start, a.end])
        for start, end in runs:
            length = end - start
            if length < min(quota.min_block_minutes, _window_len(quota, start)) or (
                length > max(quota.max_block_minutes, quota.min_block_minutes)
            ):
                out.append(
                    Violation(
                        "need_match",
                        person,
                        start,
                        end,
                        f"quota {quota.id}: a block of {length} minutes",
                    )
                )
    return out


def _window_len(quota, start: int) -> int:
    return max((w.end - w.start for w in quota.windows if w.start <= start < w.end), default=0)
