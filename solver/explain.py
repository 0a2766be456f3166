"""Explanations: why need minutes stay uncovered, and which hard rules conflict for whom.

Uncovered reasons ask, for every employee who has the skill and may work for the member, what
stops them: a rule that forbids the slot outright (absence, availability, tutor, a legal limit),
another assignment at the same time, travel, or — tried with the independent checker — the
legal limit that the added assignment would break. The need's reason is the most common one.
"""

from __future__ import annotations

from collections import Counter

from ortools.sat.python import cp_model

from solver.candidates import Slot, SlotTable, quota_segments
from solver.checker import Checker
from solver.facts import EmployeeFacts, ProblemIndex
from solver.model import ModelContext
from solver.problem import MINUTES_PER_DAY, Problem
from solver.roster import Assignment, Conflict, ReasonCode, Roster, Uncovered
from solver.rules import HARD_RULES, legal_limit

# Rules that say who is a candidate at all, rather than why a candidate cannot come.
_STRUCTURAL = ("skill", "allowed_member", "work_study_host")
# Tie-break between reasons equally common among the candidates.
_ORDER = [
    ReasonCode.ABSENT,
    ReasonCode.UNAVAILABLE,
    ReasonCode.TUTOR_ABSENT,
    ReasonCode.BUSY_ELSEWHERE,
    ReasonCode.TRAVEL,
    ReasonCode.LEGAL_LIMIT,
    ReasonCode.NOT_CHOSEN,
]
_QUOTA_PROBES = 6


def _rank(reason: str) -> int:
    head = reason.split(":", 1)[0]
    return next((i for i, code in enumerate(_ORDER) if code == head), len(_ORDER))


class _Explainer:
    def __init__(self, problem: Problem, roster: Roster, ctx: ModelContext | None) -> None:
        self.problem = problem
        self.index = ctx.index if ctx is not None else ProblemIndex(problem)
        self.table = ctx.table if ctx is not None else SlotTable(problem, self.index)
        self.checker = Checker(problem)
        self.by_employee: dict[str, list[Assignment]] = {e.id: [] for e in problem.employees}
        for a in roster.assignments:
            self.by_employee.setdefault(a.employee_id, []).append(a)
        self._baseline: dict[str, Counter] = {}

    def employee_reason(self, facts: EmployeeFacts, slot: Slot) -> str | None:
        """Why this employee does not take ``slot``; None if they are not a candidate."""
        for rule in HARD_RULES.values():
            if not self.index.problem.rule_enabled(rule.name):
                continue
            if rule.excludes is not None and rule.excludes(facts, slot, self.index):
                if rule.name in _STRUCTURAL:
                    return None
                return rule.reason or legal_limit(rule.name)
        mine = self.by_employee.get(facts.id, [])
        if any(a.start < slot.end and slot.start < a.end for a in mine):
            return ReasonCode.BUSY_ELSEWHERE
        mode = facts.employee.travel_mode
        location = self.index.sites[slot.site_id].location_id
        for a in mine:
            if a.start // MINUTES_PER_DAY != slot.start // MINUTES_PER_DAY:
                continue
            other = self.index.sites[a.site_id].location_id
            travel = self.index.travel_minutes(mode, other, location)
            if (a.end <= slot.start and slot.start - a.end < travel) or (
                slot.end <= a.start and a.start - slot.end < travel
            ):
                return ReasonCode.TRAVEL
        added = Assignment(
            facts.id, slot.member_id, slot.site_id, slot.need_id, slot.start, slot.end
        )
        before = self._baseline.get(facts.id)
        if before is None:
            before = Counter(v.rule for v in self.checker.check_employee(facts.id, mine))
            self._baseline[facts.id] = before
        after = Counter(v.rule for v in self.checker.check_employee(facts.id, [*mine, added]))
        new = [rule for rule in after if after[rule] > before.get(rule, 0)]
        if new:
            return legal_limit(sorted(new)[0])
        return ReasonCode.NOT_CHOSEN

    def need_reason(self, slots: list[Slot], taken_by: set[str]) -> tuple[str, dict[str, str]]:
        detail: dict[str, str] = {}
        for facts in self.index.facts.values():
            if facts.id in taken_by:
                continue
            reasons = [r for s in slots if (r := self.employee_reason(facts, s)) is not None]
            if reasons:
                detail[facts.id] = str(min(reasons, key=_rank))
        if not detail:
            return ReasonCode.NO_SKILL, detail
        counts = Counter(detail.values())
        best = max(counts.items(), key=lambda kv: (kv[1], -_rank(kv[0]), kv[0]))
        return best[0], detail


def explain_uncovered(
    problem: Problem, roster: Roster, ctx: ModelContext | None = None
) -> list[Uncovered]:
    """Every need with uncovered minutes, with its reason code and per-employee detail."""
    ex = _Explainer(problem, roster, ctx)
    on_need: dict[str, list[Assignment]] = {}
    for a in roster.assignments:
        on_need.setdefault(a.need_id, []).append(a)
    out = []
    for n in problem.needs:
        mine = [a for a in on_need.get(n.id, []) if (a.start, a.end) == (n.start, n.end)]
        missing = n.headcount - len(mine)
        if missing <= 0:
            continue
        site = ex.index.sites[n.site_id]
        slot = Slot(
            -1,
            n.id,
            site.member_id,
            n.site_id,
            site.location_id,
            n.skill,
            n.start,
            n.end,
            n.priority,
        )
        reason, detail = ex.need_reason([slot], {a.employee_id for a in mine})
        out.append(
            Uncovered(
                n.id,
                site.member_id,
                n.site_id,
                n.skill,
                n.start,
                n.end,
                missing * (n.end - n.start),
                str(reason),
                detail,
            )
        )
    params = problem.parameters
    for q in problem.quotas:
        covered = sum(a.minutes for a in on_need.get(q.id, []))
        if covered >= q.weekly_minutes:
            continue
        site = ex.index.sites[q.site_id]
        segments = list(
            quota_segments(q, params.quota_grain_minutes, params.max_segments_per_window)
        )
        step = max(1, len(segments) // _QUOTA_PROBES)
        probes = [
            Slot(
                -1,
                q.id,
                site.member_id,
                q.site_id,
                site.location_id,
                q.skill,
                s,
                e,
                q.priority,
                quota=True,
            )
            for s, e in segments[::step]
        ]
        reason, detail = ex.need_reason(probes, set()) if probes else (ReasonCode.NO_SKILL, {})
        start = min((w.start for w in q.windows), default=0)
        end = max((w.end for w in q.windows), default=0)
        out.append(
            Uncovered(
                q.id,
                site.member_id,
                q.site_id,
                q.skill,
                start,
                end,
                q.weekly_minutes - covered,
                str(reason),
                detail,
            )
        )
    return out


def diagnose_infeasibility(
    problem: Problem,
    time_limit: float = 10.0,
    released: frozenset[tuple[str, str]] = frozenset(),
) -> list[Conflict]:
    """Which hard rules, for whom, cannot hold together (a small set, in plain words)."""
    ctx = ModelContext(problem, diagnose=True, released=released)
    keys = list(ctx.guards)
    lits = [ctx.guards[k] for k in keys]
    core = _core(ctx.model, lits, time_limit, problem.parameters.random_seed)
    if core is None:
        return [Conflict("unknown", None, "The rules could not be shown to conflict in time.")]
    conflicts = []
    by_lit = {lit.index: key for key, lit in zip(keys, lits, strict=True)}
    for index in core:
        rule, employee = by_lit[index]
        description = HARD_RULES[rule].description if rule in HARD_RULES else rule
        who = f" for {employee}" if employee else ""
        conflicts.append(Conflict(rule, employee, f"{description.rstrip('.')}{who}."))
    if len(conflicts) > 1:
        names = ", ".join(f"{c.rule} ({c.employee_id})" for c in conflicts)
        conflicts.append(Conflict("summary", None, f"These rules cannot all hold: {names}."))
    return conflicts


def _core(model: cp_model.CpModel, lits: list, time_limit: float, seed: int) -> list[int] | None:
    """A minimal set of guard literals (by index) that is infeasible together."""

    def infeasible(assumed: list) -> tuple[bool, list[int]]:
        model.clear_assumptions()
        model.add_assumptions(assumed)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_limit
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        status = solver.solve(model)
        if status == cp_model.INFEASIBLE:
            return True, list(solver.sufficient_assumptions_for_infeasibility())
        return False, []

    ok, core = infeasible(lits)
    if not ok:
        return None
    by_index = {lit.index: lit for lit in lits}
    core = [i for i in core if i in by_index]
    # Deletion-based minimisation: drop each literal the conflict does without.
    for i in list(core):
        if len(core) <= 1:
            break
        trial = [by_index[j] for j in core if j != i]
        still, _ = infeasible(trial)
        if still:
            core = [j for j in core if j != i]
    model.clear_assumptions()
    return core
