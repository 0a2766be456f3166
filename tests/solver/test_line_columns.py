"""Column generation over lines and the dive (solver.line_columns).

The master prices what the roster's value prices, and the dive's roster is a roster like any
other: every line keeps every rule, and its value is the model's. On Instance1, whose optimum
of 607 is proved, the exact pricing's Lagrangian bound must not pass it.
"""

from __future__ import annotations

import math
import time

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from solver import line_columns, line_search
from solver.benchmarks.rota import to_problem
from solver.checker import check
from solver.greedy import fixed_solve, week_hints
from solver.line_search import PersonLines
from solver.problem import Problem
from solver.report import extract_roster
from tests.solver.helpers import benchmark_or_skip, examples, objective_context
from tests.solver.test_line_dp import cheapest, cost_of, keeps_rules, specs, weekend_specs
from tests.solver.test_line_search import rotas


@examples(150)
@given(specs(counted=True))
def test_lines_priced_at_costs_far_below_zero_keep_every_rule(case) -> None:
    # Costs far below zero once tempted the recursion onto a closed weekend (when weekends
    # were tried set by set): every line returned must keep every rule.
    spec, option_cost, off_cost = case
    n = len(option_cost)
    person = PersonLines(spec, np.arange(n), np.arange(n), option_cost, off_cost)
    lines, _ = line_columns.price_lines(person, option_cost - 1000.0, seed=0)
    for line in lines:
        assert keeps_rules(spec, line.tolist())


@examples(800)
@given(specs(counted=True))
def test_lines_the_recursion_proves_cheapest_are_the_cheapest(case) -> None:
    # The pricing skips the exact model when the recursion says its line is the cheapest:
    # brute force must find none cheaper (beyond the recursion's half unit of tie-breaking).
    spec, option_cost, off_cost = case
    # Costs spread wide: a line priced onto its counts then misses the cheapest by more
    # than the tolerance.
    option_cost, off_cost = 10 * option_cost, 10 * off_cost
    n = len(option_cost)
    person = PersonLines(spec, np.arange(n), np.arange(n), option_cost, off_cost)
    lines, proved = line_columns.price_lines(person, option_cost, seed=0)
    if proved:
        best = cheapest(spec, option_cost, off_cost)
        assert best is not None
        found = min(cost_of(line.tolist(), option_cost, off_cost) for line in lines)
        assert found <= best + 0.5


@examples(150)
@given(st.one_of(specs(counted=True), weekend_specs()))
def test_counts_kept_in_the_state_make_the_line_proved_and_the_cheapest(case) -> None:
    # Weekends and the types' counts that fit the recursion's state are counted there: on
    # groups this small all fit, so every line found is proved, and it is the cheapest.
    spec, option_cost, off_cost = case
    option_cost, off_cost = 10 * option_cost, 10 * off_cost
    n = len(option_cost)
    person = PersonLines(spec, np.arange(n), np.arange(n), option_cost, off_cost)
    lines, proved = line_columns.price_lines(person, option_cost, seed=0)
    best = cheapest(spec, option_cost, off_cost)
    if best is None:
        assert lines == []
        return
    assert proved
    assert all(keeps_rules(spec, line.tolist()) for line in lines)
    assert min(cost_of(line.tolist(), option_cost, off_cost) for line in lines) <= best + 0.5


@examples(10)
@given(rotas())
def test_the_dive_roster_keeps_every_rule_and_its_value_is_the_model_objective(
    problem: Problem,
) -> None:
    ctx = objective_context(problem)
    found = line_search.search(ctx, time.perf_counter() + 0.2)
    if found is None:
        return
    start = found.objective()
    dived = line_columns.dive(found, time.perf_counter() + 5.0)
    assert dived is not None, "the root's pricing did not converge on a tiny rota in 5 s"
    assert set(dived) == set(found.people)
    found.adopt(dived)
    assert found.objective() <= start
    full = fixed_solve(ctx, week_hints(ctx, found.chosen()))
    assert full is not None, "the dive's roster breaks a hard rule of the model"
    assert full.objective_value == found.objective()
    assert check(problem, extract_roster(ctx, full)) == []


def test_the_recursion_proves_every_line_of_instance19_when_every_need_is_short() -> None:
    # Each of Instance19's people with a type capped (6 weekends, up to 216 units, a cap of
    # 12: some 1.7 million states) is priced by the recursion with the count in its state,
    # not left to CP-SAT (3 of its 40 people were, at COUNT_STATES of a million).
    s = line_search.start(objective_context(to_problem(benchmark_or_skip(19))))
    unproved = [
        e
        for e, p in s.people.items()
        if not line_columns.price_lines(p, p.request_cost - 100.0, seed=0)[1]
    ]
    assert unproved == []


def instance1() -> line_search.LineSearch:
    """Instance1 (2 weeks, 8 people, optimum 607) with a line search's first roster."""
    found = line_search.search(
        objective_context(to_problem(benchmark_or_skip(1))), time.perf_counter() + 0.5
    )
    assert found is not None
    return found


def generator(found: line_search.LineSearch) -> line_columns.Generator:
    """Exact pricing against a master over ``found``'s lines."""
    pool = line_columns.Pool()
    for e, line in found.lines.items():
        pool.add(found.people[e], e, line)
    return line_columns.Generator(found, pool, line_columns.master(found, pool), map, exact=True)


def test_the_exact_bound_on_instance1_stays_below_its_proved_optimum() -> None:
    gen = generator(instance1())
    value = gen.run(time.perf_counter() + 60.0)
    assert gen.converged and value is not None
    assert -math.inf < gen.center_value <= 607 + 1e-6
    assert gen.center_value <= value + 1e-6
    # The linear program of these rotas is tight: the bound is close to the optimum.
    assert gen.center_value >= 0.9 * 607


def test_with_people_fixed_the_lagrangian_stays_a_bound_on_the_master() -> None:
    # The fixed people's lines are in every roster the master has left: the bound counts
    # them, or it passes the master's value (some 2,000 to 3,200 against some 610 when it
    # left them out).
    gen = generator(instance1())
    gen.run(time.perf_counter() + 60.0)
    assert gen.converged and gen.m.solve() is not None
    chosen = {e: int(np.argmax(gen.m.weights(e))) for e in list(gen.s.people)[:4]}
    for e, k in chosen.items():
        gen.m.fix(e, k)
    value = gen.run(time.perf_counter() + 60.0, chosen)
    assert value is not None and gen.converged
    assert -math.inf < gen.center_value <= value + 1e-6


def test_the_dive_reaches_the_optimum_of_instance1() -> None:
    found = instance1()
    dived = line_columns.dive(found, time.perf_counter() + 30.0, threads=2)
    assert dived is not None
    found.adopt(dived)
    assert found.objective() >= 607
    assert found.objective() <= 607 * 1.02


def test_a_root_far_too_slow_for_its_time_is_given_up_after_one_round() -> None:
    gen = generator(instance1())
    # A million rounds at any pace overrun a minute many times: the root stops once it has a
    # pace.
    gen.run(time.perf_counter() + 60.0, rounds_needed=10**6)
    assert not gen.converged
    assert gen.rounds == 1


def test_a_dive_prices_more_rounds_a_step_only_where_its_time_allows_them() -> None:
    # No pace measured yet: the usual rounds.
    assert line_columns._dive_rounds(10.0, 5, 0.0, 0) == line_columns.DIVE_ROUNDS
    # 0.1 s a round, 5 people left, one a step: 10 s allow 20 rounds each, capped.
    assert line_columns._dive_rounds(10.0, 5, 1.0, 10) == line_columns.DIVE_ROUNDS_MAX
    # 2 s allow 4 rounds each.
    assert line_columns._dive_rounds(2.0, 5, 1.0, 10) == 4
    # Too little time for even the usual rounds: never fewer than those.
    assert line_columns._dive_rounds(0.5, 5, 1.0, 10) == line_columns.DIVE_ROUNDS
    assert line_columns._dive_rounds(10.0, 0, 1.0, 10) == line_columns.DIVE_ROUNDS


class _FailsOnce:
    """A GLOP solver whose next solve reports ABNORMAL, as a warm GLOP now and then does."""

    def __init__(self, lp) -> None:
        self.lp = lp
        self.failed = False

    def Solve(self) -> int:
        if not self.failed:
            self.failed = True
            return line_columns.pywraplp.Solver.ABNORMAL
        return self.lp.Solve()

    def __getattr__(self, name: str):
        return getattr(self.lp, name)


def test_a_master_its_warm_solver_calls_abnormal_is_solved_cold() -> None:
    gen = generator(instance1())
    gen.run(time.perf_counter() + 60.0)
    m = gen.m
    before = m.solve()
    assert before is not None
    m.lp = _FailsOnce(m.lp)
    after = m.solve()
    assert after is not None, "one ABNORMAL solve lost the master"
    assert not isinstance(m.lp, _FailsOnce), "the master was not rebuilt"
    # The same program solved from scratch: the same optimum, up to the last bit of a float
    # (one CI run: 557.9999999999999 against 558.0).
    assert math.isclose(after[0], before[0], abs_tol=1e-6)
    # The rebuilt program still answers to the master's columns and rows.
    e = next(iter(m.columns))
    k = int(np.argmax(m.weights(e)))
    m.fix(e, k)
    fixed = m.solve()
    assert fixed is not None and m.weights(e)[k] == 1.0
    assert fixed[0] >= after[0] - 1e-6
    assert set(fixed[2]) == set(m.convexity)


def test_a_dive_far_above_its_root_dives_again_and_keeps_its_best_roster(monkeypatch) -> None:
    # The first descent is made to come out far above the root; the dive goes on from the
    # root with its fixes undone, and keeps the better of the rosters.
    found = instance1()
    descend = line_columns._descend
    values: list[float] = []
    lowered: list[int] = []

    def descend_badly_first(s, m, gen, deadline, jitter):
        lowered.append(sum(v.lb() > 0 for vs in m.columns.values() for v in vs))
        fixed, value = descend(s, m, gen, deadline, jitter)
        values.append(value)
        return fixed, (value + 10_000 if len(values) == 1 else value)

    monkeypatch.setattr(line_columns, "_descend", descend_badly_first)
    dived = line_columns.dive(found, time.perf_counter() + 30.0)
    assert dived is not None
    assert 2 <= len(values) <= line_columns.DIVES, "a dive far above its root did not dive again"
    assert set(lowered) == {0}, "a dive began with the last one's people fixed"
    found.adopt(dived)
    assert found.objective() == min(values[1:])
