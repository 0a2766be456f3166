"""One person's line by dynamic programming (solver.line_dp), against brute force.

Every line over a short horizon is enumerated and judged by rules written out here, apart from
the recursion: the recursion's line must keep them all, and without priced counts (per-type
caps, weekends) it must be the cheapest line there is, to within the tie-breaking noise.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from solver import line_dp
from solver.line_dp import NOISE, Line, LineSpec, best_line, counts_kept, relaxes, units_of
from tests.solver.helpers import examples

SATURDAY, SUNDAY = 5, 6
SETTINGS = examples(150)


def keeps_rules(spec: LineSpec, line: list[int]) -> bool:
    """Whether ``line`` (option per day, -1 off) keeps every rule of ``spec``."""
    days = spec.days
    for d, o in enumerate(line):
        if o >= 0 and not spec.day_start[d] <= o < spec.day_start[d + 1]:
            return False
    units = sum(int(spec.option_units[o]) for o in line if o >= 0)
    if not spec.min_units <= units <= spec.max_units:
        return False
    for a, b in itertools.pairwise(line):
        if (
            a >= 0
            and b >= 0
            and not spec.follows[spec.type_class[spec.option_type[a]], spec.option_type[b]]
        ):
            return False
    d = 0
    while d < days:
        end = d
        while end < days and (line[end] >= 0) == (line[d] >= 0):
            end += 1
        length, touches_edge = end - d, d == 0 or end == days
        held = spec.bind_edges or not touches_edge
        if line[d] >= 0:
            if length > spec.max_run or (held and length < spec.min_run):
                return False
        elif held and length < spec.min_off:
            return False
        d = end
    for t, cap in enumerate(spec.type_cap):
        if cap >= 0 and sum(1 for o in line if o >= 0 and spec.option_type[o] == t) > cap:
            return False
    if spec.max_weekends >= 0:
        # A weekend is a Saturday and the Sunday after it: the same week, counted from Monday.
        weekday = [(d + spec.first_weekday) % 7 for d in range(days)]
        weekends = {
            (d + spec.first_weekday) // 7
            for d in range(days)
            if line[d] >= 0 and weekday[d] in (SATURDAY, SUNDAY)
        }
        if len(weekends) > spec.max_weekends:
            return False
    return True


def cost_of(line: list[int], option_cost: np.ndarray, off_cost: np.ndarray) -> float:
    return float(sum(option_cost[o] if o >= 0 else off_cost[d] for d, o in enumerate(line)))


def cheapest(spec: LineSpec, option_cost: np.ndarray, off_cost: np.ndarray) -> float | None:
    choices = [[-1, *range(spec.day_start[d], spec.day_start[d + 1])] for d in range(spec.days)]
    costs = [
        cost_of(list(line), option_cost, off_cost)
        for line in itertools.product(*choices)
        if keeps_rules(spec, list(line))
    ]
    return min(costs, default=None)


def one_type(
    day_start: list[int], units: int = 1, *, cap: int = -1, succeeds: bool = True, **rules: int
) -> LineSpec:
    """A spec with one shift type of ``units`` a shift, options per ``day_start``; ``rules``
    set the runs, rests, totals and weekends (no limit where left out)."""
    options = day_start[-1]
    days = len(day_start) - 1
    defaults = dict(min_run=0, max_run=days, min_off=0, min_units=0, max_units=units * options)
    return LineSpec(
        days=days,
        day_start=np.array(day_start, dtype=np.int64),
        option_type=np.zeros(options, dtype=np.int64),
        option_units=np.full(options, units, dtype=np.int64),
        type_class=np.zeros(1, dtype=np.int64),
        type_cap=np.array([cap], dtype=np.int64),
        follows=np.full((1, 1), succeeds, dtype=np.bool_),
        max_weekends=rules.pop("max_weekends", -1),
        bind_edges=bool(rules.pop("bind_edges", False)),
        **(defaults | rules),
    )


def drawn_spec(
    draw,
    day_start: list[int],
    option_type: list[int],
    units: list[int],
    type_class: list[int],
    follows: np.ndarray,
    type_cap: list[int],
    **fixed: int,
) -> tuple[LineSpec, np.ndarray, np.ndarray]:
    """A spec over the options given, its runs, rests and total drawn, and costs drawn for
    its options and days off; ``fixed`` sets the weekends and the first weekday."""
    days = len(day_start) - 1
    max_units = draw(st.integers(1, 2 * days))
    spec = LineSpec(
        days=days,
        day_start=np.array(day_start, dtype=np.int64),
        option_type=np.array(option_type, dtype=np.int64),
        option_units=np.array([units[t] for t in option_type], dtype=np.int64),
        type_class=np.array(type_class, dtype=np.int64),
        type_cap=np.array(type_cap, dtype=np.int64),
        follows=follows,
        min_run=draw(st.integers(0, 3)),
        max_run=draw(st.integers(1, 5)),
        min_off=draw(st.integers(0, 3)),
        min_units=draw(st.integers(0, max_units)),
        max_units=max_units,
        bind_edges=draw(st.booleans()),
        **fixed,
    )
    option_cost = np.array([draw(st.integers(-5, 5)) for _ in option_type], dtype=float)
    off_cost = np.array([draw(st.integers(0, 3)) for _ in range(days)], dtype=float)
    return spec, option_cost, off_cost


@st.composite
def specs(draw, *, counted: bool) -> tuple[LineSpec, np.ndarray, np.ndarray]:
    days = draw(st.integers(2, 9))
    types = draw(st.integers(1, 3))
    units = [draw(st.integers(1, 2)) for _ in range(types)]
    forbidden = [[draw(st.integers(0, 3)) == 0 for _ in range(types)] for _ in range(types)]
    classes: dict[tuple[bool, ...], int] = {}
    type_class = [classes.setdefault(tuple(row), len(classes)) for row in forbidden]
    follows = np.ones((len(classes), types), dtype=np.bool_)
    for row, c in classes.items():
        follows[c] = ~np.array(row)
    day_start, option_type = [0], []
    for _ in range(days):
        option_type += [t for t in range(types) if draw(st.integers(0, 4)) > 0]
        day_start.append(len(option_type))
    caps = [draw(st.integers(-1, 3)) if counted else -1 for _ in range(types)]
    weekends = draw(st.integers(-1, 1)) if counted else -1
    return drawn_spec(
        draw, day_start, option_type, units, type_class, follows, caps, max_weekends=weekends
    )


@st.composite
def weekend_specs(draw) -> tuple[LineSpec, np.ndarray, np.ndarray]:
    """Up to two weeks starting on any weekday, at most one option a day (few enough lines
    to enumerate), with a cap on the weekends and no other count."""
    days = draw(st.integers(6, 15))
    types = draw(st.integers(1, 2))
    day_start, option_type = [0], []
    for _ in range(days):
        if draw(st.integers(0, 9)) < 7:
            option_type.append(draw(st.integers(0, types - 1)))
        day_start.append(len(option_type))
    units = [draw(st.integers(1, 2)) for _ in range(types)]
    follows = np.ones((types, types), dtype=np.bool_)
    follows[types - 1, 0] = draw(st.booleans())
    return drawn_spec(
        draw,
        day_start,
        option_type,
        units,
        list(range(types)),
        follows,
        [-1] * types,
        max_weekends=draw(st.integers(0, 2)),
        first_weekday=draw(st.integers(0, 6)),
    )


def assert_cheapest(case, found: Line | None, tolerance: float) -> None:
    """``found`` keeps every rule, its cost is its own, and no line is cheaper by more than
    ``tolerance``; no line at all where none exists."""
    spec, option_cost, off_cost = case
    best = cheapest(spec, option_cost, off_cost)
    if best is None:
        assert found is None
        return
    assert found is not None
    assert keeps_rules(spec, found.choice.tolist())
    assert found.cost == pytest.approx(cost_of(found.choice.tolist(), option_cost, off_cost))
    assert found.cost <= best + tolerance


@SETTINGS
@given(weekend_specs())
def test_weekends_counted_in_the_state_give_the_cheapest_line(case) -> None:
    # Counted rather than priced, the weekends bind exactly: the first recursion's line is
    # the cheapest that keeps them (within its half unit of tie-breaking), with no price
    # left on any count.
    spec, option_cost, off_cost = case
    found = best_line(spec, option_cost, off_cost, count_states=True)
    assert_cheapest(case, found, 0.5)
    assert found is None or not found.prices.any()


@examples(400)
@given(specs(counted=True))
def test_counts_kept_in_the_state_give_the_cheapest_line(case) -> None:
    # A type's count joins the state once a recursion's line breaks its cap: then no count is
    # left priced, and the line is the cheapest that keeps them all. Costs spread wide, so
    # that a line priced onto its counts (noise of up to NOISE an option) would miss it.
    spec, option_cost, off_cost = case
    option_cost, off_cost = 10 * option_cost, 10 * off_cost
    found = best_line(spec, option_cost, off_cost, count_states=True)
    assert_cheapest((spec, option_cost, off_cost), found, 0.5)
    assert found is None or not found.prices.any()


@SETTINGS
@given(specs(counted=True))
def test_counts_too_large_for_the_state_stay_priced_and_keep_every_rule(case) -> None:
    # Past COUNT_STATES nothing joins the state: the counts are priced, and the line still
    # keeps them (or none is found).
    spec, option_cost, off_cost = case
    with mock.patch.object(line_dp, "COUNT_STATES", 0):
        found = best_line(spec, option_cost, off_cost, count_states=True)
    if found is not None:
        assert keeps_rules(spec, found.choice.tolist())
        assert found.cost >= cheapest(spec, option_cost, off_cost)


@SETTINGS
@given(specs(counted=False))
def test_without_counts_the_line_is_the_cheapest_there_is(case) -> None:
    spec, option_cost, off_cost = case
    # The tie-breaking noise may cost up to NOISE per day worked, never more.
    assert_cheapest(case, best_line(spec, option_cost, off_cost), NOISE * spec.days)


@SETTINGS
@given(specs(counted=True), st.booleans())
def test_priced_counts_still_give_a_line_that_keeps_every_rule(case, count_states) -> None:
    spec, option_cost, off_cost = case
    found = best_line(spec, option_cost, off_cost, count_states=count_states)
    if found is not None:
        assert keeps_rules(spec, found.choice.tolist())
        assert found.cost >= cheapest(spec, option_cost, off_cost)


def test_without_noise_to_matter_integer_costs_give_the_exact_optimum() -> None:
    # Costs far apart: the noise (below NOISE a day) cannot reorder lines.
    spec = one_type(list(range(8)), min_run=2, max_run=3, min_off=2, min_units=3, max_units=4)
    option_cost = np.array([1, 100, 100, 0, 0, 0, 100], dtype=float)
    found = best_line(spec, option_cost, np.zeros(7))
    assert found is not None
    # Days 3-5 cost nothing and make the three units; the rest of one day after them touches
    # the horizon's end, so it needs no second day.
    assert found.choice.tolist() == [-1, -1, -1, 3, 4, 5, -1]
    assert found.cost == 0


def test_a_year_with_a_tight_total_is_found_quickly_enough_to_repeat() -> None:
    # 364 days, 10 types in 4 succession classes, 232-234 shifts: the benchmark's Instance22
    # contract. The recursion must find a line (the counts priced) well inside a second.
    rng = np.random.default_rng(0)
    days, types = 364, 10
    classes = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]
    follows = np.ones((4, types), dtype=np.bool_)
    for c in range(4):
        for t in range(types):
            follows[c, t] = classes[t] >= c
    off = set(rng.choice(days, 36, replace=False).tolist())
    option_type = [t for d in range(days) if d not in off for t in range(types)]
    day_start = np.cumsum([0] + [0 if d in off else types for d in range(days)])
    spec = LineSpec(
        days=days,
        day_start=day_start.astype(np.int64),
        option_type=np.array(option_type, dtype=np.int64),
        option_units=np.ones(len(option_type), dtype=np.int64),
        type_class=np.array(classes, dtype=np.int64),
        type_cap=np.array([46, 46, 46, 364, 364, 364, 46, 46, 46, 58], dtype=np.int64),
        follows=follows,
        min_run=2,
        max_run=5,
        min_off=2,
        min_units=232,
        max_units=234,
        max_weekends=26,
        bind_edges=False,
    )
    option_cost = rng.integers(-100, 5, len(option_type)).astype(float)
    found = best_line(spec, option_cost, np.zeros(days))
    assert found is not None
    choice = found.choice.tolist()
    assert keeps_rules(spec, choice)
    assert 232 <= sum(1 for o in choice if o >= 0) <= 234


def test_units_are_the_lengths_common_divisor() -> None:
    assert units_of([480, 600, 720]) == 120
    assert units_of([480]) == 480
    assert units_of([]) == 1


def test_a_year_of_mixed_lengths_prices_the_total_and_still_keeps_it() -> None:
    # Lengths of 4, 5 and 6 units and a total of 928-936 units: the state would carry every
    # unit count, so the total is priced first (``relaxes``); the line must still land in it.
    rng = np.random.default_rng(1)
    days, types = 364, 6
    lengths = np.array([4, 5, 6, 4, 5, 6])
    follows = np.ones((2, types), dtype=np.bool_)
    follows[1, :3] = False  # the second class may not be followed by the first three types
    option_type = [t for _ in range(days) for t in range(types)]
    spec = LineSpec(
        days=days,
        day_start=np.arange(0, types * days + 1, types, dtype=np.int64),
        option_type=np.array(option_type, dtype=np.int64),
        option_units=lengths[option_type].astype(np.int64),
        type_class=np.array([0, 0, 0, 1, 1, 1], dtype=np.int64),
        type_cap=np.array([46, 46, 46, 364, 58, 46], dtype=np.int64),
        follows=follows,
        min_run=2,
        max_run=5,
        min_off=2,
        min_units=928,
        max_units=936,
        max_weekends=26,
        bind_edges=False,
    )
    assert relaxes(spec)
    option_cost = rng.integers(-100, 5, len(option_type)).astype(float)
    found = best_line(spec, option_cost, np.zeros(days))
    assert found is not None
    assert keeps_rules(spec, found.choice.tolist())


def test_no_line_is_found_where_none_exists_even_when_every_shift_pays() -> None:
    # Two-unit shifts that may not follow each other on days 1 and 2 hold two units, not the
    # three asked. Unreachable states are INF plus the day's costs, below INF when the costs
    # are negative: they must never read as a line (they once sent the path back through
    # cells never written).
    spec = one_type([0, 0, 1, 2], 2, succeeds=False, min_units=3, max_units=3)
    assert best_line(spec, np.full(2, -1000.0), np.zeros(3)) is None


def test_a_search_out_of_rounds_hands_back_its_prices_and_the_next_goes_on_from_them() -> None:
    # Every day pays for a shift, but at most 3 of the 14 may be worked: one round breaks the
    # cap and ends with a price on it; a search from that price finds the line.
    spec = one_type(list(range(15)), cap=3)
    assert not relaxes(spec)
    option_cost = -np.linspace(10.0, 20.0, 14)
    found, ended = line_dp.best_line_and_prices(spec, option_cost, np.zeros(14), rounds=1)
    assert found is None
    assert ended[0] > 0
    found, prices = line_dp.best_line_and_prices(spec, option_cost, np.zeros(14), prices=ended)
    assert found is not None and (prices == found.prices).all()
    assert keeps_rules(spec, found.choice.tolist())


def split_weekends(spec: LineSpec, line: list[int]) -> int:
    """Weekends (a Saturday and the Sunday after it, both in the horizon) worked on one day
    while the day left off had options."""
    split = 0
    for d in range(spec.days - 1):
        if (d + spec.first_weekday) % 7 != SATURDAY or (line[d] >= 0) == (line[d + 1] >= 0):
            continue
        off = d if line[d] < 0 else d + 1
        split += bool(spec.day_start[off + 1] > spec.day_start[off])
    return split


@SETTINGS
@given(weekend_specs(), st.integers(1, 20))
def test_a_price_on_split_weekends_gives_the_cheapest_line_with_it_and_leaves_it_out_of_the_cost(
    case, split_price
) -> None:
    # The price steers the search; the line's cost stays what the roster pays for it.
    spec, option_cost, off_cost = case
    found = best_line(spec, option_cost, off_cost, count_states=True, split_price=split_price)
    shaped = [
        cost_of(list(line), option_cost, off_cost) + split_price * split_weekends(spec, list(line))
        for line in itertools.product(
            *[[-1, *range(spec.day_start[d], spec.day_start[d + 1])] for d in range(spec.days)]
        )
        if keeps_rules(spec, list(line))
    ]
    if not shaped:
        assert found is None
        return
    assert found is not None
    line = found.choice.tolist()
    assert keeps_rules(spec, line)
    assert found.cost == pytest.approx(cost_of(line, option_cost, off_cost))
    assert found.cost + split_price * split_weekends(spec, line) <= min(shaped) + 0.5


def test_a_weekend_left_whole_costs_the_split_price_nothing() -> None:
    # A week of one shift a day, two to work: Saturday with Monday is cheaper by 1, but
    # splits the weekend; at a price of 5 the weekend is worked whole.
    spec = one_type(list(range(8)), min_units=2, max_units=2)
    option_cost = np.array([-1.0, 1, 1, 1, 1, -1, 0])
    off_cost = np.zeros(7)
    assert best_line(spec, option_cost, off_cost).choice.tolist() == [0, -1, -1, -1, -1, 5, -1]
    whole = best_line(spec, option_cost, off_cost, split_price=5)
    assert whole.choice.tolist() == [-1, -1, -1, -1, -1, 5, 6]
    assert whole.cost == -1
    # A Sunday without options cannot be worked: its Saturday alone is no split.
    spec = one_type([0, 1, 2, 3, 4, 5, 6, 6], min_units=2, max_units=2)
    alone = best_line(spec, option_cost[:6], off_cost, split_price=5)
    assert alone.choice.tolist() == [0, -1, -1, -1, -1, 5, -1]


@SETTINGS
@given(weekend_specs(), st.data())
def test_counts_kept_reads_the_counts_as_the_brute_force_rules_do(case, data) -> None:
    # Lines that keep the runs and successions: then the counts alone decide.
    spec = replace(case[0], min_run=0, max_run=case[0].days, min_off=0)
    spec = replace(spec, follows=np.ones_like(spec.follows))
    line = [
        data.draw(st.sampled_from([-1, *range(spec.day_start[d], spec.day_start[d + 1])]))
        for d in range(spec.days)
    ]
    assert counts_kept(spec, np.array(line, dtype=np.int64)) == keeps_rules(spec, line)
