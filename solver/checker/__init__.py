"""Independent checker: every hard-rule violation of a roster, in plain words.

It shares no code with the model (``solver.model``, ``solver.rules``): it imports only the
problem and roster types and reads the rules again from the settings. A rule left out of
``Problem.enabled_rules`` is not reported; the structural checks (``STRUCTURAL_RULES``) always
are.
"""

from __future__ import annotations

from solver.checker.core import STRUCTURAL_RULES, Lookups, Violation, Work
from solver.checker.placement import check_assignment, check_coverage
from solver.checker.timeline import check_employee_week, employee_work
from solver.problem import Problem
from solver.roster import Assignment, Roster

__all__ = ["STRUCTURAL_RULES", "Checker", "Violation", "Work", "check", "employee_work"]


class Checker:
    """Checks rosters of one problem; ``check_employee`` serves the explanations."""

    def __init__(self, problem: Problem) -> None:
        self.lookups = Lookups(problem)

    def check(self, roster: Roster | tuple[Assignment, ...]) -> list[Violation]:
        assignments = roster.assignments if isinstance(roster, Roster) else roster
        lk = self.lookups
        out: list[Violation] = []
        by_employee: dict[str, list[Assignment]] = {e.id: [] for e in lk.problem.employees}
        for a in assignments:
            out += check_assignment(lk, a)
            if a.employee_id in by_employee:
                by_employee[a.employee_id].append(a)
        out += check_coverage(lk, tuple(assignments))
        for e in lk.problem.employees:
            out += check_employee_week(lk, e, by_employee[e.id])
            out += self._notice(e.id, by_employee[e.id])
        out = lk.enabled_only(out)
        return sorted(out, key=lambda v: (v.rule, v.employee_id or "", v.start or 0))

    def check_employee(self, employee_id: str, assignments: list[Assignment]) -> list[Violation]:
        """Violations of one employee's week (their assignments only)."""
        lk = self.lookups
        e = lk.employees[employee_id]
        out: list[Violation] = []
        for a in assignments:
            out += check_assignment(lk, a)
        out += check_employee_week(lk, e, assignments) + self._notice(e.id, assignments)
        return lk.enabled_only(out)

    def _notice(self, employee_id: str, assignments: list[Assignment]) -> list[Violation]:
        """Published hours before the notice cutoff stay, unless consented or impossible."""
        lk = self.lookups
        p = lk.problem
        cutoff = p.notice_cutoff
        if cutoff is None:
            return []
        limits = lk.limits[employee_id]
        if p.settings.notice_part_time_only and not limits.part_time:
            return []
        out = []
        current = {(a.need_id, a.site_id, a.start, a.end) for a in assignments}
        published = {
            (a.need_id, a.site_id, a.start, a.end): a
            for a in p.previous_assignments
            if a.employee_id == employee_id
        }
        for key, a in published.items():
            if a.start >= cutoff or key in current or lk.consented(employee_id, a.start, a.end):
                continue
            if self._impossible_now(employee_id, a):
                continue
            out.append(
                Violation(
                    "notice_period",
                    employee_id,
                    a.start,
                    a.end,
                    f"{employee_id}'s published hours changed inside the notice "
                    "window without consent",
                )
            )
        for a in assignments:
            key = (a.need_id, a.site_id, a.start, a.end)
            if (
                a.start < cutoff
                and key not in published
                and not lk.consented(employee_id, a.start, a.end)
            ):
                out.append(
                    Violation(
                        "notice_period",
                        employee_id,
                        a.start,
                        a.end,
                        f"{employee_id} gets new hours inside the notice window without consent",
                    )
                )
        return out

    def _impossible_now(self, employee_id: str, a: Assignment) -> bool:
        """The published assignment cannot be kept: its need is gone, or the person can't."""
        lk = self.lookups
        block, quota = lk.blocks.get(a.need_id), lk.quotas.get(a.need_id)
        if block is not None and (block.site_id, block.start, block.end) != (
            a.site_id,
            a.start,
            a.end,
        ):
            return True
        if quota is not None and not any(
            w.start <= a.start and a.end <= w.end for w in quota.windows
        ):
            return True
        if block is None and quota is None:
            return True
        return bool(lk.enabled_only(check_assignment(lk, a)))


def check(problem: Problem, roster: Roster | tuple[Assignment, ...]) -> list[Violation]:
    """Every hard-rule violation of ``roster`` for ``problem``."""
    return Checker(problem).check(roster)
