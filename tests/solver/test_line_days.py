"""One day's shifts dealt again among everyone who works it (solver.line_days): a deal must
keep every rule of every line, keep who works which day, find the best such day exactly, and
find the swaps no one person's best response makes.
"""

from __future__ import annotations

import itertools
import random
import sys
import time

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from solver import line_days, line_search
from solver.benchmarks.rota import to_problem
from solver.line_dp import best_line
from solver.line_search import LineSearch
from solver.problem import Problem, SolveParameters
from tests.solver.helpers import benchmark_or_skip, examples, objective_context
from tests.solver.test_line_dp import keeps_rules
from tests.solver.test_line_search import SMALL, rotas, valued_as_the_model
from tests.solver.test_line_weekends import group, spec_of

EVERY = np.ones((2, 2), dtype=np.bool_)
# ``solver.solve`` the module (the package exports the function under the same name).
solve_module = sys.modules["solver.solve"]


def two_types(days: int, *, caps: tuple[int, int] = (-1, -1), follows=EVERY, units: int = 9):
    """A spec offering both types every day, each shift one unit."""
    return spec_of(
        days,
        [[0, 1]] * days,
        follows=follows,
        caps=list(caps),
        max_weekends=-1,
        max_units=units,
    )


def swap_case(**spec_options) -> LineSearch:
    """Two people on one day, one type each, each asking (5) for the other's: one of each
    type is wanted (a person short costs 100, one extra 1)."""
    s = group([two_types(1, **spec_options)] * 2, np.array([1, 1]), 2)
    s.people["p0"].request_cost = np.array([5.0, 0.0])
    s.people["p1"].request_cost = np.array([0.0, 5.0])
    s.place("p0", np.array([0]))
    s.place("p1", np.array([1]))
    return s


def test_a_deal_swaps_the_shifts_two_people_want_where_neither_can_move_alone() -> None:
    s = swap_case()
    assert s.objective() == 10
    # Either one moving first leaves a type short: no best response moves.
    assert not s.respond("p0") and not s.respond("p1")
    assert line_days.sweep(s, time.perf_counter() + 5)
    assert s.lines["p0"].tolist() == [1] and s.lines["p1"].tolist() == [0]
    assert s.objective() == 0


def test_a_deal_fills_a_short_need_against_a_wish() -> None:
    # Both work type 1, of which one is wanted; type 0 is short. p0 would rather not (5) and
    # p1 far less (50), but a person missing costs 100.
    s = group([two_types(1)] * 2, np.array([1, 1]), 2)
    s.people["p0"].request_cost = np.array([5.0, 0.0])
    s.people["p1"].request_cost = np.array([50.0, 0.0])
    s.place("p0", np.array([1]))
    s.place("p1", np.array([1]))
    assert s.objective() == 101
    assert line_days.sweep(s, time.perf_counter() + 5)
    assert s.lines["p0"].tolist() == [0] and s.lines["p1"].tolist() == [1]
    assert s.objective() == 5


def test_a_deal_breaks_no_cap() -> None:
    # p0 may not work type 1 at all: the swap would break the cap, and is not made.
    s = group([two_types(1, caps=(-1, 0)), two_types(1)], np.array([1, 1]), 2)
    s.people["p0"].request_cost = np.array([5.0, 0.0])
    s.place("p0", np.array([0]))
    s.place("p1", np.array([1]))
    assert not line_days.sweep(s, time.perf_counter() + 5)
    assert s.lines["p0"].tolist() == [0]


def test_a_deal_keeps_the_succession_into_the_next_day() -> None:
    # Type 1 may not be followed by type 0; p0 works type 0 on both days and asks for
    # type 1 on the first, which p1 works: the swap would put 1 before p0's 0.
    follows = np.array([[True, True], [False, True]])
    s = group([two_types(2, follows=follows)] * 2, np.array([1, 1, 1, 1]), 2)
    s.people["p0"].request_cost = np.array([5.0, 0.0, 0.0, 0.0])
    s.place("p0", np.array([0, 2]))
    s.place("p1", np.array([1, 3]))
    assert not line_days.sweep(s, time.perf_counter() + 5)
    assert s.lines["p0"].tolist() == [0, 2]


def test_a_deal_keeps_the_total() -> None:
    # Type 1 is two units long and p0 may work two units in all: p0's type 0 for p1's type 1
    # would take p0 to three.
    spec = two_types(2, units=2)
    spec.option_units[1::2] = 2
    s = group([spec, two_types(2)], np.array([1, 1, 0, 0]), 2)
    s.people["p0"].request_cost = np.array([5.0, 0.0, 0.0, 0.0])
    s.place("p0", np.array([0, 2]))
    s.place("p1", np.array([1, -1]))
    assert not line_days.sweep(s, time.perf_counter() + 5)
    assert s.lines["p0"].tolist() == [0, 2]


@st.composite
def dealt_groups(draw) -> LineSearch:
    """Two to four people over one or two weeks, three types, random successions, caps,
    totals, runs and requests, each with a line that keeps their rules, and a random
    cover."""
    days = 7 * draw(st.integers(1, 2))
    types = 3
    specs, lines = [], []
    rng = np.random.default_rng(draw(st.integers(0, 1 << 20)))
    for _ in range(draw(st.integers(2, 4))):
        offered = [[t for t in range(types) if draw(st.integers(0, 3)) > 0] for _ in range(days)]
        follows = np.array(
            [[draw(st.integers(0, 3)) > 0 for _ in range(types)] for _ in range(types)]
        )
        spec = spec_of(
            days,
            offered,
            follows=follows,
            caps=[draw(st.integers(-1, 4)) for _ in range(types)],
            max_weekends=-1,
            max_units=draw(st.integers(2, days)),
            min_run=draw(st.integers(0, 2)),
        )
        spec.option_units[:] = rng.integers(1, 3, len(spec.option_units))
        line = best_line(spec, rng.normal(0, 1, len(spec.option_type)), np.zeros(days))
        if line is not None:
            specs.append(spec)
            lines.append(line.choice)
    headcount = np.array([draw(st.integers(0, 2)) for _ in range(types * days)])
    s = group(specs, headcount, types)
    s.rng = random.Random(draw(st.integers(0, 99)))
    for e, line in zip(s.people, lines, strict=True):
        p = s.people[e]
        p.request_cost = rng.integers(0, 4, len(p.spec.option_type)).astype(float)
        p.off_cost = rng.integers(0, 3, days).astype(float)
        s.place(e, line)
    return s


def value_from_scratch(s: LineSearch) -> float:
    """The roster's value computed again from its lines alone."""
    people = np.zeros(len(s.cover.headcount), dtype=np.int64)
    cost = 0.0
    for e, line in s.lines.items():
        p = s.people[e]
        np.add.at(people, p.option_need[line[line >= 0]], 1)
        cost += p.request_cost[line[line >= 0]].sum() + p.off_cost[line < 0].sum()
    short = np.maximum(s.cover.headcount - people, 0)
    extra = np.maximum(people - s.cover.headcount, 0)
    return float((short * s.cover.weight_under).sum() + (extra * s.cover.weight_over).sum() + cost)


def best_on_the_day(s: LineSearch, day: int) -> float:
    """The best value of the roster over every way of dealing ``day``'s shifts again among
    the people who work it that keeps their lines' rules (by brute force)."""
    workers = [e for e, line in s.lines.items() if line[day] >= 0]
    choices = []
    for e in workers:
        spec = s.people[e].spec
        options = range(int(spec.day_start[day]), int(spec.day_start[day + 1]))
        keep = []
        for o in options:
            line = s.lines[e].copy()
            line[day] = o
            if keeps_rules(spec, line.tolist()):
                keep.append(line)
        choices.append(keep)
    saved = {e: s.lines[e] for e in workers}
    best = s.objective()
    for lines in itertools.product(*choices):
        s._put(dict(zip(workers, lines, strict=True)))
        best = min(best, s.objective())
    s._put(saved)
    return best


@examples(60)
@given(dealt_groups(), st.data())
def test_a_deal_is_the_best_day_that_keeps_every_rule_and_who_works_when(s, data) -> None:
    if not s.lines:
        return
    days = next(iter(s.people.values())).spec.days
    day = data.draw(st.integers(0, days - 1))
    worked = {e: line >= 0 for e, line in s.lines.items()}
    best = best_on_the_day(s, day)
    deals = line_days.Deals(s)
    deals.deal(day)
    assert s.objective() == best
    assert s.objective() == value_from_scratch(s)
    for e, line in s.lines.items():
        spec = s.people[e].spec
        assert keeps_rules(spec, line.tolist())
        assert ((line >= 0) == worked[e]).all()
    # What the deals carry from day to day stays the lines' own.
    again = line_days.Deals(s)
    assert (deals.lines == again.lines).all()
    assert (deals.counts == again.counts).all()
    assert (deals.total == again.total).all()


@examples(40)
@given(dealt_groups())
def test_a_sweep_keeps_every_rule_and_never_loses(s) -> None:
    before = s.objective()
    worked = {e: line >= 0 for e, line in s.lines.items()}
    line_days.sweep(s, time.perf_counter() + 5)
    assert s.objective() <= before
    assert s.objective() == value_from_scratch(s)
    for e, line in s.lines.items():
        assert keeps_rules(s.people[e].spec, line.tolist())
        assert ((line >= 0) == worked[e]).all()


@SMALL
@given(rotas())
def test_dealt_rosters_are_valued_as_the_model_values_them_and_break_no_rule(
    problem: Problem,
) -> None:
    ctx = objective_context(problem)
    found = line_search.search(ctx, time.perf_counter() + 0.3)
    if found is None:  # someone has no line the prices found: CP-SAT decides
        return
    before = found.objective()
    line_days.sweep(found, time.perf_counter() + 5)
    assert found.objective() <= before
    valued_as_the_model(problem, ctx, found)


def test_the_search_deals_the_days_after_each_round(monkeypatch) -> None:
    s = swap_case()
    swept: list[float] = []
    sweep = line_search.sweep

    def recorded(s: LineSearch, deadline: float) -> bool:
        swept.append(s.objective())
        return sweep(s, deadline)

    monkeypatch.setattr(line_search, "sweep", recorded)
    s.teams = False
    s.deals = True
    line_search.improve(s, time.perf_counter() + 0.2)
    assert swept and swept[0] == 10
    assert s.objective() == 0
    s = swap_case()
    s.deals = False
    swept.clear()
    line_search.improve(s, time.perf_counter() + 0.2)
    assert not swept


def test_only_the_lines_alone_deal_the_days(monkeypatch) -> None:
    # Where CP-SAT or the columns go on from the lines, the lines do not deal (they did not
    # pay there); where the lines make the roster alone, they do.
    problem = to_problem(benchmark_or_skip(1), parameters=SolveParameters(time_limit_seconds=2))
    ctx = objective_context(problem)
    assert not line_search.search(ctx, time.perf_counter() + 0.2).deals
    assert line_search.search(ctx, time.perf_counter() + 0.2, deals=True).deals
    asked: list[bool] = []
    search = line_search.search

    def recorded(ctx, deadline, **kwargs):
        asked.append(kwargs.get("deals", False))
        return search(ctx, deadline, **kwargs)

    monkeypatch.setattr(line_search, "search", recorded)
    assert solve_module._lines_alone(problem, None, time.perf_counter()) is not None
    assert asked == [True]
