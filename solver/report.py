"""Turn a solved model into a ``SolveResult``: roster, minutes, reasons, changes, shares."""

from __future__ import annotations

import math
from typing import Any

from ortools.sat.python import cp_model

from solver.explain import explain_uncovered
from solver.model import ModelContext
from solver.problem import WORK_STUDY_KINDS, Problem
from solver.roster import (
    Assignment,
    Change,
    ChangeKind,
    Roster,
    SolveResult,
    SolveStatus,
    TrainingShare,
)


def extract_roster(ctx: ModelContext, solver: cp_model.CpSolver) -> Roster:
    assignments = []
    for em in ctx.employees.values():
        for it in em.slot_items():
            if solver.boolean_value(it.lit):
                s = it.slot
                assignments.append(
                    Assignment(em.id, s.member_id, s.site_id, s.need_id, s.start, s.end)
                )
    return Roster(ctx.problem.week, tuple(sorted(assignments)))


def build_result(
    ctx: ModelContext,
    solver: cp_model.CpSolver,
    objective: dict[str, Any],
    *,
    status: SolveStatus,
    solve_seconds: float,
    first_feasible_seconds: float | None,
    bound: float | None = None,
) -> SolveResult:
    roster = extract_roster(ctx, solver)
    travel = {
        em.id: sum(a.travel for d in em.days for a in d.arcs if solver.boolean_value(a.lit))
        for em in ctx.employees.values()
    }
    penalties = {name: int(solver.value(expr)) for name, expr in objective.items()}
    for name, excess in _loose_people(ctx, solver).items():
        if name in penalties:
            penalties[name] -= excess
    obj = float(sum(penalties.values())) if penalties else solver.objective_value
    if bound is None:
        bound = solver.best_objective_bound
    best_bound = min(bound, obj) if math.isfinite(bound) else None
    return _result(
        ctx,
        roster,
        travel,
        penalties,
        obj,
        best_bound,
        status=status,
        solve_seconds=solve_seconds,
        first_feasible_seconds=first_feasible_seconds,
    )


def chosen_roster(ctx: ModelContext, chosen: dict[str, frozenset[int]]) -> Roster:
    """The roster of ``chosen`` (slot indices per employee)."""
    slots = ctx.table.slots
    assignments = [
        Assignment(e, s.member_id, s.site_id, s.need_id, s.start, s.end)
        for e, indices in chosen.items()
        for s in (slots[i] for i in indices)
    ]
    return Roster(ctx.problem.week, tuple(sorted(assignments)))


def lines_result(
    ctx: ModelContext,
    roster: Roster,
    penalties: dict[str, int],
    *,
    solve_seconds: float,
    first_feasible_seconds: float | None,
) -> SolveResult:
    """A feasible roster found without the model (a rota's lines: one shift a day, so no
    travel), with no bound on the objective."""
    return _result(
        ctx,
        roster,
        {e: 0 for e in ctx.employees},
        penalties,
        float(sum(penalties.values())),
        None,
        status=SolveStatus.FEASIBLE,
        solve_seconds=solve_seconds,
        first_feasible_seconds=first_feasible_seconds,
    )


def _result(
    ctx: ModelContext,
    roster: Roster,
    travel: dict[str, int],
    penalties: dict[str, int],
    obj: float,
    best_bound: float | None,
    *,
    status: SolveStatus,
    solve_seconds: float,
    first_feasible_seconds: float | None,
) -> SolveResult:
    problem = ctx.problem
    return SolveResult(
        status=status,
        roster=roster,
        objective=obj,
        best_bound=best_bound,
        gap=None if best_bound is None else abs(obj - best_bound) / max(1.0, abs(obj)),
        solve_seconds=solve_seconds,
        first_feasible_seconds=first_feasible_seconds,
        minutes_by_employee=minutes_by_employee(problem, roster),
        travel_minutes_by_employee=travel,
        minutes_by_member=minutes_by_member(problem, roster),
        asked_minutes_by_member=asked_minutes_by_member(problem),
        uncovered=(
            tuple(explain_uncovered(problem, roster, ctx))
            if problem.parameters.explain_uncovered
            else ()
        ),
        changes=tuple(roster_changes(problem, roster)),
        training_shares=tuple(training_shares(problem)),
        penalties=penalties,
    )


def _loose_people(ctx: ModelContext, solver: cp_model.CpSolver) -> dict[str, int]:
    """Weighted people missing and extra that the solution carries beyond what its takers
    make (``ModelContext.people_on``), per penalty name: the roster's value leaves them out."""
    under = over = 0
    for need_id, lits in ctx.people_on.items():
        need = ctx.blocks[need_id]
        people = sum(solver.value(lit) for lit in lits)
        if need_id in ctx.under_people:
            held = solver.value(ctx.under_people[need_id])
            under += (held - max(0, need.headcount - people)) * (need.weight_under or 0)
        if need_id in ctx.over_people:
            held = solver.value(ctx.over_people[need_id])
            over += (held - max(0, people - need.headcount)) * (need.weight_over or 0)
    return {"uncovered": under, "over_cover": over}


def minutes_by_employee(problem: Problem, roster: Roster) -> dict[str, int]:
    out = {e.id: 0 for e in problem.employees}
    for a in roster.assignments:
        out[a.employee_id] = out.get(a.employee_id, 0) + a.minutes
    return out


def minutes_by_member(problem: Problem, roster: Roster) -> dict[str, int]:
    out = {m.id: 0 for m in problem.members}
    for a in roster.assignments:
        out[a.member_id] = out.get(a.member_id, 0) + a.minutes
    return out


def asked_minutes_by_member(problem: Problem) -> dict[str, int]:
    member_of_site = {s.id: s.member_id for s in problem.sites}
    out = {m.id: 0 for m in problem.members}
    for n in problem.needs:
        m = member_of_site[n.site_id]
        out[m] = out.get(m, 0) + n.headcount * (n.end - n.start)
    for q in problem.quotas:
        m = member_of_site[q.site_id]
        out[m] = out.get(m, 0) + q.weekly_minutes
    return out


def roster_changes(problem: Problem, roster: Roster) -> list[Change]:
    """Assignments added and removed against the previous roster of the week."""
    if not problem.previous_assignments:
        return []
    before = {
        Assignment(p.employee_id, p.member_id, p.site_id, p.need_id, p.start, p.end)
        for p in problem.previous_assignments
    }
    after = set(roster.assignments)
    return [Change(ChangeKind.REMOVED, a) for a in sorted(before - after)] + [
        Change(ChangeKind.ADDED, a) for a in sorted(after - before)
    ]


def training_shares(problem: Problem) -> list[TrainingShare]:
    """Training minutes of each work-study employee against their contract minutes."""
    s = problem.settings
    out = []
    for e in problem.employees:
        if e.contract_kind not in WORK_STUDY_KINDS:
            continue
        minutes = sum(t.end - t.start for t in problem.training_sessions if t.employee_id == e.id)
        share = minutes / e.weekly_contract_minutes if e.weekly_contract_minutes else 0.0
        out.append(
            TrainingShare(
                e.id,
                minutes,
                e.weekly_contract_minutes,
                round(share, 4),
                s.training_share_min <= share <= s.training_share_max,
            )
        )
    return out
