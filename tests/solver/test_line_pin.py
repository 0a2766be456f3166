"""A line changed only inside a few windows (solver.line_pin, LineSearch.propose_pinned): on a
year whose counts are tight, a response trades one stretch of days for another. Such a line
must keep every rule of the whole line, leave every day outside its windows as it was, and be
the cheapest line that does; the search turns to these trades once its whole lines gain
little.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from solver import line_search
from solver.line_dp import best_line_and_prices
from solver.line_model import LineModel, add_line
from solver.line_pin import KEEP, pinned, whole_weekends
from solver.line_search import Cover, LineSearch
from tests.solver.helpers import examples
from tests.solver.test_line_dp import keeps_rules, one_type
from tests.solver.test_line_frame import cheapest_keeping, long_lines
from tests.solver.test_line_window import one_person


@examples(80)
@given(long_lines(), st.data())
def test_a_pinned_line_keeps_the_rules_and_the_days_outside_and_is_the_cheapest(case, data) -> None:
    spec, line, first_window, option_cost, off_cost = case
    first = data.draw(st.integers(0, spec.days - 1))
    second = (first, data.draw(st.integers(first + 1, min(spec.days, first + 7))))
    assert keeps_rules(spec, line.tolist())
    pin = pinned(spec, line, [first_window, second], off_cost)
    assert pin is not None  # the line itself keeps every count

    found, _ = best_line_and_prices(
        pin.spec,
        option_cost[pin.option],
        pin.off_cost,
        seed=data.draw(st.integers(0, 99)),
        count_states=True,
        price_total=False,
    )

    assert found is not None  # the line itself is one
    whole = pin.whole_line(found.choice)
    assert keeps_rules(spec, whole.tolist())
    assert (whole[~pin.free] == line[~pin.free]).all()
    cost = option_cost[whole[whole >= 0]].sum() + off_cost[whole < 0].sum()
    assert found.cost == cost  # no KEEP in it: every pinned day is as it was
    m = cp_model.CpModel()
    take, off = add_line(m, spec)
    kept = {d: int(line[d]) for d in np.flatnonzero(~pin.free)}
    best = cheapest_keeping(m, take, off, option_cost, off_cost, kept).objective_value
    if found.prices.any():
        assert cost >= best  # a priced count may leave a cheaper line unfound, never a rule
    else:
        assert cost == best


@examples(30)
@given(long_lines(), st.data())
def test_the_pricing_model_reads_a_pinned_spec_as_the_recursion_does(case, data) -> None:
    # Its weekends are only the free ones (``weekend_days``), their limit lowered by the kept.
    spec, line, window, option_cost, off_cost = case
    pin = pinned(spec, line, [window], off_cost)
    found, _ = best_line_and_prices(
        pin.spec, option_cost[pin.option], pin.off_cost, count_states=True, price_total=False
    )
    modelled = LineModel(pin.spec).cheapest(option_cost[pin.option], pin.off_cost, seconds=5.0)
    assert found is not None and modelled is not None
    if not found.prices.any():
        whole = pin.whole_line(modelled)
        cost = option_cost[whole[whole >= 0]].sum() + off_cost[whole < 0].sum()
        assert cost == found.cost


def test_windows_are_widened_so_as_not_to_cut_a_weekend() -> None:
    spec = one_type(list(range(22)))  # three weeks from a Monday
    free = whole_weekends(spec, [(6, 9), (12, 13)])
    # Sunday 6 brings its Saturday; Saturday 12 brings its Sunday.
    assert np.flatnonzero(free).tolist() == [5, 6, 7, 8, 12, 13]


def test_days_kept_that_already_break_a_count_allow_no_line() -> None:
    spec = one_type(list(range(15)), max_weekends=1)
    line = np.full(14, -1, dtype=np.int64)
    line[[5, 12]] = [5, 12]  # two weekends worked, one allowed
    assert pinned(spec, line, [(0, 3)], np.zeros(14)) is None
    assert pinned(spec, line, [(0, 7)], np.zeros(14)) is not None


def test_pinned_days_worked_may_not_be_left_and_keep_their_own_costs() -> None:
    spec = one_type(list(range(15)))
    line = np.full(14, -1, dtype=np.int64)
    line[[2, 9]] = [2, 9]
    pin = pinned(spec, line, [(7, 14)], np.ones(14))
    assert pin.off_cost[2] == 1 + KEEP and pin.off_cost[9] == 1
    # Day 2 keeps its one option, of no length; the free week keeps all of its own.
    assert pin.option[pin.spec.day_start[2] : pin.spec.day_start[3]].tolist() == [2]
    assert pin.spec.option_units[pin.spec.day_start[2]] == 0
    assert pin.spec.day_start[1] == pin.spec.day_start[0]  # day 0 kept off: no option


def traded_weekend() -> tuple[LineSearch, np.ndarray]:
    """Twelve weeks, ten shifts of 100 units exactly and one weekend a year: the person
    works weekend 0 and eight weekdays, all over the cover, while weekend 10 is short."""
    spec = one_type(
        list(range(85)), units=100, max_run=5, min_units=1000, max_units=1000, max_weekends=1
    )
    headcount = np.zeros(84, dtype=np.int64)
    headcount[[75, 76]] = 1
    cover = Cover(headcount, np.full(84, 100, dtype=np.int64), np.ones(84, dtype=np.int64))
    s = one_person(spec, np.zeros(84), np.zeros(84), cover)
    line = np.full(84, -1, dtype=np.int64)
    worked = [5, 6, 14, 15, 16, 17, 21, 22, 23, 24]
    line[worked] = worked
    s.place("e", line)
    assert s.windowed("e") and s.objective() == 200 + 10
    return s, line


def test_a_short_weekend_is_traded_for_the_weekend_worked_over() -> None:
    s, line = traded_weekend()
    for seed in range(10):
        s.rng.seed(seed)
        windows = s.pair_windows("e")
        # Four weeks from a Wednesday around the short weekend, and the week of the weekend
        # given up for it (not a weekday over: the weekend is what the trade needs).
        (away, short) = windows
        assert away == (2, 9)
        assert short in [(51, 79), (56, 84)]  # from Wednesday 72, 65, 58 or 51; 56 at most

    proposal = s.propose_pinned("e", 0, windows, line)
    assert s.apply("e", proposal)
    found = s.lines["e"]
    assert keeps_rules(s.people["e"].spec, found.tolist())
    assert found[[75, 76]].tolist() == [75, 76] and (found[[5, 6]] < 0).all()
    assert s.objective() == 8  # the eight weekdays still over


def test_once_pairing_the_responses_of_windowed_people_are_trades(monkeypatch) -> None:
    s, _ = traded_weekend()
    calls: list[str] = []
    pinned_response = LineSearch.propose_pinned

    def counted(self, *args, **kwargs):
        calls.append("pinned")
        return pinned_response(self, *args, **kwargs)

    monkeypatch.setattr(LineSearch, "propose_pinned", counted)
    monkeypatch.setattr(LineSearch, "propose", lambda *a, **k: line_search.Proposal(None))
    monkeypatch.setattr(LineSearch, "propose_window", lambda *a, **k: line_search.Proposal(None))
    assert s.respond_all(["e"], None) == 0 and calls == []
    s.pairing = True
    assert s.respond_all(["e"], None) == 1 and calls == ["pinned"]
    assert s.objective() == 8


class Enough(Exception):
    pass


def test_the_search_turns_to_trades_once_a_round_gains_little(monkeypatch) -> None:
    s, _ = traded_weekend()
    s.chains = s.teams = False
    seen: list[bool] = []
    # A round that takes the roster from 210 to 110, then one that gains nothing.
    rounds = iter([True, False])

    def round_(self, people, pool, deadline=float("inf")):
        seen.append(self.pairing)
        gains = next(rounds, None)
        if gains is None:
            raise Enough
        if gains:
            self.cover.headcount[75] = 0
        return int(gains)

    monkeypatch.setattr(LineSearch, "respond_all", round_)
    monkeypatch.setattr(line_search, "_ruin_and_recreate", lambda *a: None)
    with pytest.raises(Enough):
        line_search.improve(s, float("inf"))
    assert seen == [False, False, True]
