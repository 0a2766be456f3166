"""Properties over small generated groups: checker-clean, never over the ask, notice kept."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from solver.bound import lp_lower_bound
from solver.checker import check
from solver.problem import MINUTES_PER_DAY, Consent
from solver.roster import SolveStatus
from solver.solve import solve
from solver.testing import with_previous
from tests.solver.helpers import examples, generated_groups, objective_context

SMALL = examples(100)


small_groups = generated_groups


@SMALL
@given(small_groups())
def test_solver_rosters_break_no_hard_rule(problem):
    result = solve(problem)
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert check(problem, result.roster) == []


@SMALL
@given(small_groups())
def test_covered_minutes_never_exceed_asked_minutes(problem):
    result = solve(problem)
    per_need = Counter()
    for a in result.assignments:
        per_need[a.need_id] += a.minutes
    asked = {n.id: n.headcount * (n.end - n.start) for n in problem.needs}
    asked |= {q.id: q.weekly_minutes for q in problem.quotas}
    assert all(per_need[n] <= asked[n] for n in per_need)
    for member, minutes in result.minutes_by_member.items():
        assert minutes <= result.asked_minutes_by_member[member]


@SMALL
@given(small_groups(), st.integers(1, 4), st.booleans())
def test_published_hours_inside_the_notice_window_stay_without_consent(problem, day, consent):
    first = solve(problem)
    cutoff = day * MINUTES_PER_DAY
    consents = (Consent(problem.employees[0].id),) if consent else ()
    # A week that changed since publication: every need's priority goes up, and one is gone.
    changed = replace(
        problem,
        needs=tuple(replace(n, priority=n.priority + 1) for n in problem.needs[1:]),
        consents=consents,
    )
    replanned = with_previous(changed, first.roster, notice_cutoff=cutoff)
    again = solve(replanned)
    # Only a conflict with the law may release a window, and the result says for whom.
    released = {c.employee_id for c in again.conflicts if c.rule == "notice_period"}
    assert again.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    violations = check(replanned, again.roster)
    assert all(v.rule == "notice_period" and v.employee_id in released for v in violations)
    still_needed = {n.id for n in changed.needs}
    protected = {c.employee_id for c in consents} | released
    frozen = {
        a
        for a in first.assignments
        if a.start < cutoff and a.need_id in still_needed and a.employee_id not in protected
    }
    assert frozen <= set(again.assignments)
    new_inside = {
        a for a in again.assignments if a.start < cutoff and a.employee_id not in protected
    } - set(first.assignments)
    assert new_inside == set()


@SMALL
@given(small_groups())
def test_linear_relaxation_bound_never_exceeds_the_optimum(problem):
    result = solve(replace(problem, parameters=replace(problem.parameters, time_limit_seconds=10)))
    ctx = objective_context(problem)
    bound = lp_lower_bound(ctx.model)
    assert bound is not None
    assert bound <= result.objective + 1e-6
