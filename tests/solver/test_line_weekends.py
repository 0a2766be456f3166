"""Everyone's weekends planned together before the first lines (solver.line_weekends): the
plan must keep every rule a weekend alone can break (one shift a day, the successions from
Saturday to Sunday, the weekends allowed, each type's cap, the total), cover the weekends as
well as any plan can, and the first lines must keep it on the weekends while their weekdays
are each person's best.
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import replace

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from solver import line_search, line_weekends, solve
from solver.benchmarks.rota import to_problem
from solver.line_dp import LineSpec, weekend_flags, weekends_worked
from solver.line_model import weekends
from solver.line_search import Cover, LineSearch, PersonLines
from solver.problem import Problem, SolveParameters
from tests.solver.helpers import benchmark_or_skip, examples, objective_context
from tests.solver.test_line_dp import keeps_rules
from tests.solver.test_line_search import SMALL, rotas, valued_as_the_model

# ``solver.solve`` the module (the package exports the function under the same name).
solve_module = sys.modules["solver.solve"]


def test_the_plan_weekends_and_the_weekday_windows_between_them() -> None:
    # Ten days from a Sunday: Sunday 0 alone, then Saturday 6 with Sunday 7; the days between.
    spec = replace(every_day(10, max_weekends=1, max_units=10), first_weekday=6)
    assert weekends(spec) == [[0], [6, 7]]
    assert line_weekends.weekday_windows(*weekend_flags(spec)) == [(1, 6), (8, 10)]
    # Two weeks from a Monday, one day short: the last Saturday alone.
    spec = every_day(13, max_weekends=1, max_units=13)
    assert weekends(spec) == [[5, 6], [12]]
    assert line_weekends.weekday_windows(*weekend_flags(spec)) == [(0, 5), (7, 12)]


def spec_of(
    days: int,
    types: list[list[int]],
    *,
    follows: np.ndarray,
    caps: list[int],
    max_weekends: int,
    max_units: int,
    min_run: int = 0,
) -> LineSpec:
    """A spec whose day ``d`` offers the types ``types[d]``, each shift one unit."""
    day_start = np.concatenate([[0], np.cumsum([len(t) for t in types])]).astype(np.int64)
    option_type = np.array([t for day in types for t in day], dtype=np.int64)
    return LineSpec(
        days=days,
        day_start=day_start,
        option_type=option_type,
        option_units=np.ones(len(option_type), dtype=np.int64),
        type_class=np.arange(len(caps), dtype=np.int64),
        type_cap=np.array(caps, dtype=np.int64),
        follows=follows,
        min_run=min_run,
        max_run=days,
        min_off=0,
        min_units=0,
        max_units=max_units,
        max_weekends=max_weekends,
        bind_edges=False,
    )


def every_day(days: int, max_weekends: int, max_units: int, min_run: int = 0) -> LineSpec:
    """One type offered every day, with no succession forbidden and no cap."""
    return spec_of(
        days,
        [[0]] * days,
        follows=np.ones((1, 1), dtype=np.bool_),
        caps=[-1],
        max_weekends=max_weekends,
        max_units=max_units,
        min_run=min_run,
    )


def group(specs: list[LineSpec], headcount: np.ndarray, types: int) -> LineSearch:
    """A search over people ``p0``, ``p1``...; need ``types * d + t`` is type ``t`` on day
    ``d``, a person short worth 100 and one extra 1."""
    people = {}
    for i, spec in enumerate(specs):
        day = np.repeat(np.arange(spec.days), np.diff(spec.day_start))
        need = types * day + spec.option_type
        options = len(spec.option_type)
        people[f"p{i}"] = PersonLines(
            spec, need.copy(), need, np.zeros(options), np.zeros(spec.days)
        )
    cover = Cover(
        headcount.astype(np.int64),
        np.full(len(headcount), 100, dtype=np.int64),
        np.ones(len(headcount), dtype=np.int64),
    )
    return LineSearch(people, cover, {}, {}, random.Random(0))


@st.composite
def weekend_groups(draw) -> tuple[LineSearch, int]:
    """Two or three people over two or three weeks, two types, random successions, caps,
    weekend limits, totals and requests, and a random cover."""
    weeks = draw(st.integers(2, 3))
    days = 7 * weeks
    types = 2
    specs = []
    for _ in range(draw(st.integers(2, 3))):
        offered = [[t for t in range(types) if draw(st.integers(0, 4)) > 0] for _ in range(days)]
        follows = np.array(
            [[draw(st.integers(0, 2)) > 0 for _ in range(types)] for _ in range(types)]
        )
        specs.append(
            spec_of(
                days,
                offered,
                follows=follows,
                caps=[draw(st.integers(-1, 3)) for _ in range(types)],
                max_weekends=draw(st.integers(-1, weeks)),
                max_units=draw(st.integers(1, 2 * weeks)),
            )
        )
    headcount = np.array([draw(st.integers(0, 2)) for _ in range(types * days)])
    s = group(specs, headcount, types)
    for p in s.people.values():
        options = len(p.spec.option_type)
        p.request_cost = np.array([draw(st.integers(0, 3)) for _ in range(options)], dtype=float)
        p.off_cost = np.array([draw(st.integers(0, 2)) for _ in range(days)], dtype=float)
    return s, types


def plan_cost(s: LineSearch, lines: dict[str, np.ndarray], types: int) -> float:
    """What the plan's model minimises: the weekend cover, the requests on weekend days
    and a hundredth for each weekend worked."""
    cost = float(weekend_cost(s, lines, types))
    for e, line in lines.items():
        p = s.people[e]
        saturday, sunday = weekend_flags(p.spec)
        weekend = saturday | sunday
        cost += p.request_cost[line[line >= 0]].sum() + p.off_cost[weekend & (line < 0)].sum()
        cost += weekends_worked(line, saturday, sunday) / line_weekends.SCALE
    return cost


def weekend_cost(s: LineSearch, lines: dict[str, np.ndarray], types: int) -> int:
    """The cover's cost on the weekend needs for ``lines``."""
    people = np.zeros(len(s.cover.headcount), dtype=np.int64)
    for e, line in lines.items():
        np.add.at(people, s.people[e].option_need[line[line >= 0]], 1)
    spec = next(iter(s.people.values())).spec
    saturday, sunday = weekend_flags(spec)
    on_weekend = np.repeat(saturday | sunday, types)
    short = np.maximum(s.cover.headcount - people, 0)[on_weekend]
    extra = np.maximum(people - s.cover.headcount, 0)[on_weekend]
    return int(100 * short.sum() + extra.sum())


def keeps_weekend_rules(s: LineSearch, planned: dict[str, np.ndarray]) -> None:
    """Each planned line works weekend days only, and keeps what a weekend can break."""
    assert set(planned) == set(s.people)
    for e, line in planned.items():
        spec = s.people[e].spec
        saturday, sunday = weekend_flags(spec)
        worked = line >= 0
        assert not (worked & ~(saturday | sunday)).any()
        for d in np.flatnonzero(worked):
            assert spec.day_start[d] <= line[d] < spec.day_start[d + 1]
        if spec.max_weekends >= 0:
            assert weekends_worked(line, saturday, sunday) <= spec.max_weekends
        counts = np.bincount(spec.option_type[line[worked]], minlength=len(spec.type_cap))
        assert ((spec.type_cap < 0) | (counts <= spec.type_cap)).all()
        assert spec.option_units[line[worked]].sum() <= spec.max_units
        for d in np.flatnonzero(saturday & worked):
            if d + 1 < spec.days and worked[d + 1]:
                before = spec.type_class[spec.option_type[line[d]]]
                assert spec.follows[before, spec.option_type[line[d + 1]]]


@examples(40)
@given(weekend_groups())
def test_a_plan_works_weekend_days_only_and_keeps_what_a_weekend_can_break(case) -> None:
    s, types = case
    planned = line_weekends.plan(s, time.perf_counter() + 5.0, seed=1)
    keeps_weekend_rules(s, planned)
    # CP-SAT starts from the weekends' best responses, and ends no worse than they do.
    start = line_weekends.responses(s)
    keeps_weekend_rules(s, start)
    assert plan_cost(s, planned, types) <= plan_cost(s, start, types)


def test_a_plan_gives_each_person_whole_weekends_where_halves_would_leave_a_day_short() -> None:
    # Two weeks, one type, two people allowed one weekend each, one person asked on each
    # weekend day: each must work both days of a weekend of their own.
    days = 14
    specs = [every_day(days, max_weekends=1, max_units=days) for _ in range(2)]
    headcount = np.zeros(days, dtype=np.int64)
    headcount[[5, 6, 12, 13]] = 1
    s = group(specs, headcount, 1)
    planned = line_weekends.plan(s, time.perf_counter() + 5.0)
    assert weekend_cost(s, planned, 1) == 0
    assert sorted(tuple(np.flatnonzero(line >= 0)) for line in planned.values()) == [
        (5, 6),
        (12, 13),
    ]


def test_a_plan_keeps_the_succession_from_saturday_to_sunday() -> None:
    # Type 1 (a night) may not be followed by type 0: one person allowed one weekend, asked
    # for a night on Saturday and a day on Sunday, works the night alone.
    days = 7
    follows = np.array([[True, True], [False, True]])
    spec = spec_of(
        days, [[0, 1]] * days, follows=follows, caps=[-1, -1], max_weekends=1, max_units=days
    )
    headcount = np.zeros(2 * days, dtype=np.int64)
    headcount[[2 * 5 + 1, 2 * 6 + 0]] = 1
    s = group([spec], headcount, 2)
    planned = line_weekends.plan(s, time.perf_counter() + 5.0)["p0"]
    assert weekend_cost(s, {"p0": planned}, 2) == 100
    worked = np.flatnonzero(planned >= 0).tolist()
    assert len(worked) == 1


def test_the_first_lines_keep_the_planned_weekends_and_take_the_best_weekdays() -> None:
    # Min runs of two: a person working a lone Saturday must work Friday too.
    days = 14
    specs = [every_day(days, max_weekends=1, max_units=4, min_run=2) for _ in range(3)]
    headcount = np.zeros(days, dtype=np.int64)
    headcount[[1, 2, 3, 5, 6, 12, 13]] = 1
    s = group(specs, headcount, 1)
    planned = line_weekends.plan(s, time.perf_counter() + 5.0)
    order = sorted(s.people)
    line_search._plant(s, planned, order, float("inf"))
    assert set(s.lines) == set(s.people)
    for e, line in s.lines.items():
        spec = s.people[e].spec
        assert keeps_rules(spec, line.tolist())
        saturday, sunday = weekend_flags(spec)
        weekend = saturday | sunday
        assert (line[weekend] == planned[e][weekend]).all()
    # Both weekends whole, and the weekdays asked for taken by the third person and the
    # rest of the others' totals.
    assert s.cover.parts() == (0, 0)


def test_weekends_bind_only_where_someone_may_work_fewer_than_the_horizon_holds() -> None:
    days = 14
    for limit, bind in ((1, True), (2, False), (-1, False)):
        spec = every_day(days, max_weekends=limit, max_units=days)
        assert line_search.weekends_bind(group([spec], np.zeros(days), 1)) == bind


@SMALL
@given(rotas())
def test_lines_begun_from_a_plan_are_valued_as_the_model_values_them_and_break_no_rule(
    problem: Problem,
) -> None:
    ctx = objective_context(problem)
    found = line_search.search(ctx, time.perf_counter() + 0.5, weekends_first=0.2)
    if found is not None:  # else someone has no line the prices found: CP-SAT decides
        valued_as_the_model(problem, ctx, found)


def test_solve_plans_the_weekends_first_only_where_the_lines_hand_over_to_cp_sat(
    monkeypatch,
) -> None:
    # Instance1 (two weeks, one weekend each): its columns run after the lines, and the plan
    # is left out; without the columns it plans the weekends first.
    asked: list[float] = []
    search = line_search.search

    def recorded(ctx, deadline, **kwargs):
        asked.append(kwargs.get("weekends_first", 0.0))
        return search(ctx, deadline, **kwargs)

    monkeypatch.setattr(line_search, "search", recorded)
    params = SolveParameters(time_limit_seconds=6, num_workers=2, decomposition=False)
    problem = to_problem(benchmark_or_skip(1), parameters=replace(params, line_share=0.5))
    solve(problem)
    assert asked == [0.0]
    monkeypatch.setattr(solve_module, "COLUMNS_MAX_CANDIDATES", 0)
    result = solve(problem)
    assert asked == [0.0, solve_module.WEEKENDS_FIRST_SHARE * 6]
    assert result.objective is not None and result.objective >= 607
