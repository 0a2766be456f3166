"""A frame of one person's line (solver.line_model.frame): re-planning some days of a line over
a few weeks around them must allow exactly the lines the whole horizon allows.

The horizons here are long (two to five weeks) against short runs, so that a frame stops
inside the horizon; the rules are judged by ``keeps_rules``, written apart from both models.
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from solver.line_dp import LineSpec
from solver.line_model import LineModel, add_line, frame, option_days, read_line
from tests.solver.helpers import examples
from tests.solver.test_line_dp import keeps_rules, one_type


@st.composite
def long_lines(draw) -> tuple[LineSpec, np.ndarray, tuple[int, int], np.ndarray, np.ndarray]:
    """A spec over 2-5 weeks, a line that keeps it, a window of days and costs."""
    days = 7 * draw(st.integers(2, 5))
    types = draw(st.integers(1, 2))
    follows = np.array([[draw(st.integers(0, 3)) > 0 for _ in range(types)] for _ in range(types)])
    day_start, option_type = [0], []
    for _ in range(days):
        option_type += [t for t in range(types) if draw(st.integers(0, 5)) > 0]
        day_start.append(len(option_type))
    options = len(option_type)
    max_units = draw(st.integers(days // 3, days))
    spec = LineSpec(
        days=days,
        day_start=np.array(day_start, dtype=np.int64),
        option_type=np.array(option_type, dtype=np.int64),
        option_units=np.ones(options, dtype=np.int64),
        type_class=np.arange(types, dtype=np.int64),
        type_cap=np.array([draw(st.integers(-1, days)) for _ in range(types)], dtype=np.int64),
        follows=follows,
        min_run=draw(st.integers(0, 3)),
        max_run=draw(st.integers(2, 4)),
        min_off=draw(st.integers(0, 2)),
        min_units=draw(st.integers(0, max_units)),
        max_units=max_units,
        max_weekends=draw(st.integers(-1, days // 7)),
        bind_edges=draw(st.booleans()),
    )
    seed_cost = np.array([draw(st.integers(-3, 3)) for _ in range(options)], dtype=float)
    line = LineModel(spec).cheapest(seed_cost, np.zeros(days), seconds=5.0)
    assume(line is not None)
    first = draw(st.integers(0, days - 1))
    last = draw(st.integers(first + 1, min(days, first + 7)))
    option_cost = np.array([draw(st.integers(-5, 5)) for _ in range(options)], dtype=float)
    off_cost = np.array([draw(st.integers(0, 3)) for _ in range(days)], dtype=float)
    return spec, line, (first, last), option_cost, off_cost


def cheapest_keeping(
    m: cp_model.CpModel,
    take: list,
    off: list,
    option_cost: np.ndarray,
    off_cost: np.ndarray,
    kept: dict[int, int],
) -> cp_model.CpSolver | None:
    """The cheapest of ``m``'s lines that keep day ``d`` as ``kept[d]`` (option, -1 off)."""
    for d, o in kept.items():
        m.add(off[d] == (o < 0))
        if o >= 0:
            m.add(take[o] == 1)
    m.minimize(
        cp_model.LinearExpr.weighted_sum(
            take + off, [int(c) for c in option_cost] + [int(c) for c in off_cost]
        )
    )
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 10.0
    solver.parameters.num_workers = 1
    if solver.solve(m) != cp_model.OPTIMAL:
        return None
    return solver


@examples(120)
@given(long_lines())
def test_a_frame_allows_exactly_the_lines_the_whole_horizon_allows(case) -> None:
    spec, line, (first, last), option_cost, off_cost = case
    outside = [d for d in range(spec.days) if not first <= d < last]

    whole = cp_model.CpModel()
    take, off = add_line(whole, spec)
    kept = {d: int(line[d]) for d in outside}
    best_whole = cheapest_keeping(whole, take, off, option_cost, off_cost, kept)
    # The line itself keeps the rules, so the best over its window exists.
    assert best_whole is not None

    f = frame(spec, line, first, last)
    assert f.start <= first and last <= f.end
    part = f.sub_line(line)
    sub = cp_model.CpModel()
    sub_take, sub_off = add_line(sub, f.spec, f.edges)
    sub_kept = {d - f.start: int(part[d - f.start]) for d in outside if f.start <= d < f.end}
    costs = option_cost[f.option_start : f.option_start + len(f.spec.option_type)]
    best_sub = cheapest_keeping(sub, sub_take, sub_off, costs, off_cost[f.start : f.end], sub_kept)
    assert best_sub is not None
    # Outside the frame both keep the line: the same costs, so the optima must be equal.
    left_out = sum(
        option_cost[line[d]] if line[d] >= 0 else off_cost[d]
        for d in range(spec.days)
        if not f.start <= d < f.end
    )
    assert best_sub.objective_value + left_out == best_whole.objective_value

    merged = f.whole_line(line, read_line(best_sub, sub_take, option_days(f.spec), f.spec.days))
    assert keeps_rules(spec, merged.tolist())
    assert all(merged[d] == line[d] for d in outside)


def test_a_frame_starts_and_ends_on_mondays_a_runs_length_past_the_window() -> None:
    spec, line = _month()
    f = frame(spec, line, 12, 15)
    # The longest run is 5 days: the frame reaches 6 days past the window, then to a Monday.
    assert (f.start, f.end) == (0, 21)
    assert f.edges == (spec.bind_edges, False)
    f = frame(spec, line, 14, 15)
    assert (f.start, f.end) == (7, 21)
    assert f.edges == (False, False)
    f = frame(spec, line, 20, 25)
    assert (f.start, f.end) == (14, 28)


def test_a_frames_counts_are_what_the_kept_days_leave() -> None:
    spec, line = _month()
    f = frame(spec, line, 14, 15)
    kept = [line[d] for d in [*range(7), *range(21, 28)] if line[d] >= 0]
    assert len(kept) == 9
    assert f.spec.max_units == spec.max_units - len(kept)
    assert f.spec.type_cap[0] == spec.type_cap[0] - len(kept)
    # The first weekend (its Saturday worked) lies outside: one weekend fewer; the last,
    # also outside, is off.
    assert f.spec.max_weekends == spec.max_weekends - 1
    assert f.spec.first_weekday == 0
    assert f.spec.days == 14


def _month() -> tuple[LineSpec, np.ndarray]:
    days = 28
    spec = one_type(
        list(range(days + 1)),
        cap=20,
        min_run=2,
        max_run=5,
        min_off=2,
        max_units=22,
        max_weekends=3,
        bind_edges=True,
    )
    # Wednesday to Saturday, Tuesday to Friday, then two weeks of Monday to Friday.
    worked = {2, 3, 4, 5, 8, 9, 10, 11, *range(14, 19), *range(21, 26)}
    line = np.array([d if d in worked else -1 for d in range(days)], dtype=np.int64)
    return spec, line
