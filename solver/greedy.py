"""A quick greedy roster: hints for the search, and the baseline the solver must beat.

Needs are served by priority then length; each goes to the candidate with the most contract
minutes left (preferring someone already working for that member), provided the independent
checker finds nothing wrong with that person's week once the assignment is added. Rules that
only a complete week can satisfy (agreed minimum hours, grouping of short contracts) are
checked at the end, and a person whose week still breaks them is left out of the hint.
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

from ortools.sat.python import cp_model

from solver.checker import Checker
from solver.model import ModelContext
from solver.problem import Problem
from solver.roster import Assignment, Roster

# Rules a partial week may break on its way to a complete one.
_COMPLETES_LATER = frozenset(
    {
        "agreed_minutes",
        "short_contract_grouping",
        "horizon_minutes",
        "consecutive_days",
        "consecutive_days_off",
    }
)


class _Builder:
    def __init__(self, ctx: ModelContext) -> None:
        self.ctx = ctx
        self.checker = Checker(ctx.problem)
        self.mine: dict[str, list[Assignment]] = {e.id: [] for e in ctx.problem.employees}
        self.members: dict[str, set[str]] = {e.id: set() for e in ctx.problem.employees}
        self.worked: Counter[str] = Counter()
        self._base: dict[str, Counter] = {}

    def baseline(self, employee_id: str) -> Counter:
        if employee_id not in self._base:
            self._base[employee_id] = Counter(
                v.rule for v in self.checker.check_employee(employee_id, self.mine[employee_id])
            )
        return self._base[employee_id]

    def try_add(self, a: Assignment) -> bool:
        mine = self.mine[a.employee_id]
        if any(b.start < a.end and a.start < b.end for b in mine):
            return False
        cap = self.ctx.index.facts[a.employee_id].limits.group_weekly_cap
        if cap is not None and self.worked[a.employee_id] + a.minutes > cap:
            return False
        trial = [*mine, a]
        after = Counter(v.rule for v in self.checker.check_employee(a.employee_id, trial))
        before = self.baseline(a.employee_id)
        if any(
            n > before.get(rule, 0) for rule, n in after.items() if rule not in _COMPLETES_LATER
        ):
            return False
        mine.append(a)
        self.members[a.employee_id].add(a.member_id)
        self.worked[a.employee_id] += a.minutes
        self._base[a.employee_id] = after
        return True

    def order(self, employee_ids: list[str], member_id: str) -> list[str]:
        facts = self.ctx.index.facts

        def key(e: str) -> tuple:
            contract = facts[e].employee.weekly_contract_minutes
            return (member_id not in self.members[e], -(contract - self.worked[e]), e)

        return sorted(employee_ids, key=key)


def greedy_roster(ctx: ModelContext) -> Roster:
    """A roster that the checker accepts, built without search."""
    b = _Builder(ctx)
    table = ctx.table
    # Keep the previous roster where it still holds (frozen assignments first).
    cutoff = ctx.problem.notice_cutoff
    previous = sorted(
        ctx.problem.previous_assignments,
        key=lambda p: (cutoff is None or p.start >= cutoff, p.start),
    )
    for p in previous:
        slot = table.find(p.need_id, p.site_id, p.start, p.end)
        takers = ctx.takers.get(slot.index, []) if slot else []
        if any(e == p.employee_id for e, _ in takers):
            b.try_add(Assignment(p.employee_id, p.member_id, p.site_id, p.need_id, p.start, p.end))
    on_need: Counter[str] = Counter(a.need_id for m in b.mine.values() for a in m)
    on_need_minutes: Counter[str] = Counter()
    for m in b.mine.values():
        for a in m:
            on_need_minutes[a.need_id] += a.minutes
    blocks = sorted(ctx.problem.needs, key=lambda n: (-n.priority, -(n.end - n.start), n.start))
    for n in blocks:
        slot = table.find(n.id, n.site_id, n.start, n.end)
        if slot is None:
            continue
        takers = [e for e, _ in ctx.takers.get(slot.index, [])]
        for e in b.order(takers, slot.member_id):
            if on_need[n.id] >= n.headcount:
                break
            if any(a.need_id == n.id for a in b.mine[e]):
                continue
            if b.try_add(Assignment(e, slot.member_id, slot.site_id, n.id, n.start, n.end)):
                on_need[n.id] += 1
    for q in sorted(ctx.problem.quotas, key=lambda q: -q.priority):
        segments = sorted(
            (table.slots[i] for i in table.by_need.get(q.id, ()) if table.slots[i].quota),
            key=lambda s: (-s.minutes, s.start),
        )
        busy: list[Assignment] = [a for m in b.mine.values() for a in m if a.need_id == q.id]
        for s in segments:
            if on_need_minutes[q.id] + s.minutes > q.weekly_minutes:
                continue
            at_once = sum(1 for a in busy if a.start < s.end and s.start < a.end)
            if at_once >= q.headcount:
                continue
            if any(a.start // 1440 == s.start // 1440 for a in busy):
                continue  # one piece per day keeps quota work in blocks
            takers = [e for e, _ in ctx.takers.get(s.index, [])]
            for e in b.order(takers, s.member_id):
                a = Assignment(e, s.member_id, s.site_id, q.id, s.start, s.end)
                if b.try_add(a):
                    busy.append(a)
                    on_need_minutes[q.id] += s.minutes
                    break
    out = []
    for e, mine in b.mine.items():
        if not b.checker.check_employee(e, mine):
            out.extend(mine)
    return Roster(ctx.problem.week, tuple(sorted(out)))


def greedy_applies(problem: Problem) -> bool:
    """Whether the greedy can give a roster: not when a rota contract sets minimum hours or
    minimum runs over the horizon, which an assignment-by-assignment roster only meets by
    chance (on a year-long rota it would spend seconds to hand back nothing)."""
    for e in problem.employees:
        limits = e.horizon_limits
        if limits is not None and (
            limits.min_total_minutes > 0
            or limits.min_consecutive_days > 1
            or limits.min_consecutive_days_off > 1
        ):
            return False
    return True


def greedy_hints(ctx: ModelContext) -> dict[Any, int]:
    """Hints for every candidate and timeline variable from the greedy roster."""
    roster = greedy_roster(ctx)
    chosen = {(a.employee_id, a.need_id, a.site_id, a.start, a.end) for a in roster.assignments}
    return week_hints(
        ctx,
        {
            em.id: frozenset(
                it.slot.index
                for it in em.slot_items()
                if (em.id, it.slot.need_id, it.slot.site_id, it.start, it.end) in chosen
            )
            for em in ctx.employees.values()
        },
    )


def week_hints(ctx: ModelContext, chosen: dict[str, frozenset[int]]) -> dict[Any, int]:
    """Hints for every candidate and timeline variable from each employee's chosen slots."""
    hints: dict[Any, int] = {}
    for em in ctx.employees.values():
        mine = chosen.get(em.id, frozenset())
        on: set[int] = set()
        for it in em.items:
            value = 1 if it.slot is None else int(it.slot.index in mine)
            hints[it.lit] = value
            if value:
                on.add(it.pos)
        for day in em.days:
            if not day.items:
                continue
            worked = [it for it in day.items if it.pos in on]
            hints[day.works] = int(bool(worked))
            if len(day.items) == 1:
                continue
            for it in day.items:
                hints[day.first[it.pos]] = int(bool(worked) and it is worked[0])
                hints[day.last[it.pos]] = int(bool(worked) and it is worked[-1])
            pairs = {(a.pos, b.pos) for a, b in itertools.pairwise(worked)}
            for arc in day.arcs:
                hints[arc.lit] = int((arc.tail.pos, arc.head.pos) in pairs)
    return hints


def chosen_slots(ctx: ModelContext, solver: cp_model.CpSolver) -> dict[str, frozenset[int]]:
    """Each employee's slots in the solution held by ``solver``."""
    return {
        em.id: frozenset(it.slot.index for it in em.slot_items() if solver.boolean_value(it.lit))
        for em in ctx.employees.values()
    }


def greedy_baseline(problem: Problem) -> Roster:
    """The greedy roster alone (for the benchmark's ratio to beat)."""
    return greedy_roster(ModelContext(problem))


def complete_hint(
    ctx: ModelContext, partial: dict[Any, int], time_limit: float = 5.0
) -> cp_model.CpSolver | None:
    """Extend hints on candidate and timeline variables to every variable, by a fixed solve.

    A complete, feasible hint gives the search its first solution at once; a partial one can
    even slow it down. Returns the solver holding the completed solution (also a fallback
    roster), or None — leaving the partial hint — when the completion fails.
    """
    solver = fixed_solve(ctx, partial, time_limit)
    model = ctx.model
    if solver is None:
        model.clear_hints()
        hint = model.proto.solution_hint
        hint.vars.extend(var.index for var in partial)
        hint.values.extend(partial.values())
        return None
    use_as_hint(ctx, solver)
    return solver


def fixed_solve(
    ctx: ModelContext, partial: dict[Any, int], time_limit: float = 5.0
) -> cp_model.CpSolver | None:
    """The model's solution with ``partial``'s variables fixed, or None when there is none."""
    probe = ctx.model.clone()
    probe.clear_hints()
    variables = probe.proto.variables
    for var, value in partial.items():
        domain = variables[var.index].domain
        domain[0] = value
        domain[1] = value
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = time_limit
    # Bounded by work too, so that a loaded machine cannot change which hint comes out.
    solver.parameters.max_deterministic_time = time_limit
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 0
    if solver.solve(probe) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return solver


def use_as_hint(ctx: ModelContext, solver: cp_model.CpSolver) -> None:
    """Make the complete solution held by ``solver`` the model's hint."""
    model = ctx.model
    model.clear_hints()
    hint = model.proto.solution_hint
    values = list(solver.response_proto.solution)
    hint.vars.extend(range(len(values)))
    hint.values.extend(values)
