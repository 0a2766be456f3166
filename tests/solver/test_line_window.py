"""A response over a window of days (solver.line_search.LineSearch.propose_window): on a long
horizon whose minutes are priced, a response whose price search ends without a line changes
only four weeks of the person's line instead, found exactly over the frame around them. Such
a response must keep every rule of the whole line, leave every day outside its window as it
was, and be the cheapest line that does.
"""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from solver import line_search
from solver.line_dp import RELAX_MINUTES_ABOVE
from solver.line_model import add_line
from solver.line_search import Cover, LineSearch, PersonLines
from tests.solver.helpers import examples
from tests.solver.test_line_dp import keeps_rules, one_type
from tests.solver.test_line_frame import cheapest_keeping, long_lines


def one_person(spec, request_cost: np.ndarray, off_cost: np.ndarray, cover: Cover) -> LineSearch:
    """A search over one person ``e`` whose every option is a need of its own."""
    options = len(spec.option_type)
    person = PersonLines(spec, np.arange(options), np.arange(options), request_cost, off_cost)
    return LineSearch({"e": person}, cover, {}, {}, random.Random(0))


@examples(80)
@given(long_lines(), st.data())
def test_a_window_response_keeps_the_rules_and_the_days_outside_and_is_the_cheapest(
    case, data
) -> None:
    spec, line, (first, last), request_cost, off_cost = case
    # Open edges: where runs at the horizon's edges bind, responses stay whole-line.
    spec = replace(spec, bind_edges=False)
    assert keeps_rules(spec, line.tolist())
    options = len(spec.option_type)
    headcount = np.array(data.draw(st.lists(st.integers(0, 1), min_size=options, max_size=options)))
    cover = Cover(headcount, np.full(options, 7, dtype=np.int64), np.ones(options, dtype=np.int64))
    s = one_person(spec, request_cost, off_cost, cover)
    s.place("e", line)

    proposal = s.propose_window("e", data.draw(st.integers(0, 99)), first, last)

    assert proposal.line is not None  # the line itself keeps the rules: a response exists
    found = proposal.line.choice
    assert keeps_rules(spec, found.tolist())
    assert (found[:first] == line[:first]).all() and (found[last:] == line[last:]).all()
    # Each option is its own need: without e, a need asked for is short (one more person is
    # worth -7), any other would have one extra (+1).
    option_cost = request_cost + np.where(headcount > 0, -7, 1)
    cost = option_cost[found[found >= 0]].sum() + off_cost[found < 0].sum()
    m = cp_model.CpModel()
    take, off = add_line(m, spec)
    kept = {d: int(line[d]) for d in range(spec.days) if not first <= d < last}
    best = cheapest_keeping(m, take, off, option_cost, off_cost, kept).objective_value
    if proposal.line.prices.any():
        assert cost >= best  # a priced count may leave a cheaper line unfound, never a rule
    else:
        assert cost == best


def long_spec(max_units: int, *, bind_edges: bool = False):
    """84 days, one shift a day of one unit."""
    return one_type(list(range(85)), max_run=5, max_units=max_units, bind_edges=bind_edges)


def test_only_lines_whose_minutes_are_priced_and_edges_free_respond_over_windows() -> None:
    priced = RELAX_MINUTES_ABOVE // 84 + 1
    for spec, windowed in (
        (long_spec(priced), True),
        (long_spec(priced, bind_edges=True), False),
        (long_spec(RELAX_MINUTES_ABOVE // 84 - 1), False),
    ):
        cover = Cover(np.zeros(84, dtype=np.int64), np.ones(84, dtype=np.int64), np.ones(84))
        s = one_person(spec, np.zeros(84), np.zeros(84), cover)
        assert not s.windowed("e")  # no line yet: a first line is the whole line's
        s.place("e", np.full(84, -1, dtype=np.int64))
        assert s.windowed("e") is windowed


def test_a_window_is_placed_around_a_short_need_the_person_could_take() -> None:
    spec = long_spec(RELAX_MINUTES_ABOVE // 84 + 1)
    headcount = np.zeros(84, dtype=np.int64)
    headcount[60] = 1  # the option of day 60 is the one short need
    cover = Cover(headcount, np.full(84, 100, dtype=np.int64), np.ones(84, dtype=np.int64))
    s = one_person(spec, np.zeros(84), np.zeros(84), cover)
    s.place("e", np.full(84, -1, dtype=np.int64))
    for seed in range(20):
        s.rng = random.Random(seed)
        first, last = s.window("e")
        assert last - first == line_search.WINDOW_DAYS and first <= 60 < last


def test_a_response_whose_price_search_fails_takes_its_window_and_keeps_its_prices(
    monkeypatch,
) -> None:
    spec = long_spec(RELAX_MINUTES_ABOVE // 84 + 1)
    headcount = np.zeros(84, dtype=np.int64)
    headcount[60] = 1
    cover = Cover(headcount, np.full(84, 100, dtype=np.int64), np.ones(84, dtype=np.int64))
    s = one_person(spec, np.zeros(84), np.zeros(84), cover)
    s.place("e", np.full(84, -1, dtype=np.int64))
    ended = np.array([2.0, 0.0, 0.0, 0.0])
    windows: list[tuple[int, int]] = []
    propose_window = LineSearch.propose_window

    def failed(self, e, seeds, bonus=None, near=None, others=None):
        return line_search.Proposal(None, ended)

    def counted(self, e, seed, first, last, base=None, others=None):
        windows.append((first, last))
        return propose_window(self, e, seed, first, last, base, others)

    monkeypatch.setattr(LineSearch, "propose", failed)
    monkeypatch.setattr(LineSearch, "propose_window", counted)
    assert s.objective() == 100
    assert s.respond_all(["e"], None) == 1
    ((first, last),) = windows
    assert first <= 60 < last
    assert s.objective() == 0  # the short need taken, nothing else worked
    assert s.prices["e"] is ended


def test_where_responses_are_not_windowed_a_failed_search_is_all_there_is(monkeypatch) -> None:
    spec = long_spec(RELAX_MINUTES_ABOVE // 84 - 1)  # minutes in the state: exact already
    cover = Cover(np.ones(84, dtype=np.int64), np.ones(84, dtype=np.int64), np.ones(84))
    s = one_person(spec, np.zeros(84), np.zeros(84), cover)
    s.place("e", np.full(84, -1, dtype=np.int64))
    monkeypatch.setattr(LineSearch, "propose", lambda *a, **k: line_search.Proposal(None))
    monkeypatch.setattr(LineSearch, "propose_window", lambda *a, **k: pytest.fail("windowed"))
    assert s.respond_all(["e"], None) == 0


def test_a_response_prices_split_weekends_from_the_dearest_person_missing() -> None:
    # One person, one week, two shifts to work, Tuesday to Friday against their wishes;
    # Monday and Saturday are short, Sunday is not. Saturday with Monday covers both, but
    # splits the weekend: priced, the response takes Saturday and Sunday.
    spec = one_type(list(range(8)), min_units=2, max_units=2)
    headcount = np.array([1, 0, 0, 0, 0, 1, 0])
    cover = Cover(headcount, np.full(7, 10, dtype=np.int64), np.zeros(7, dtype=np.int64))
    s = one_person(spec, np.array([0.0, 5, 5, 5, 5, 0, 0]), np.zeros(7), cover)
    seeds = [0] * line_search.SEEDS

    assert s.propose("e", seeds).line.choice.tolist() == [0, -1, -1, -1, -1, 5, -1]
    s.split_price = line_search.SPLIT_WEEKEND * 10
    assert s.propose("e", seeds).line.choice.tolist() == [-1, -1, -1, -1, -1, 5, 6]


def test_a_failed_search_whose_last_line_breaks_the_total_is_repaired_in_the_window(
    monkeypatch,
) -> None:
    # 30 shifts of 10 units exactly, runs of 5 at most; six weeks of Monday to Friday worked,
    # and days 46 and 60 short. The failed search's last line left Monday 0 for both short
    # days, one shift too many; the window over days 42-69 keeps one of them. The person's
    # own line could not gain there: every shift of theirs lies outside the window.
    spec = one_type(list(range(85)), units=10, max_run=5, min_units=300, max_units=300)
    headcount = np.zeros(84, dtype=np.int64)
    headcount[[46, 60]] = 1
    cover = Cover(headcount, np.full(84, 100, dtype=np.int64), np.ones(84, dtype=np.int64))
    s = one_person(spec, np.zeros(84), np.zeros(84), cover)
    line = np.full(84, -1, dtype=np.int64)
    for week in range(6):
        line[7 * week : 7 * week + 5] = np.arange(7 * week, 7 * week + 5)
    s.place("e", line)
    assert s.objective() == 30 + 200
    base = line.copy()
    base[0] = -1
    base[[46, 60]] = [46, 60]
    ended = np.array([1.0, 0.0, 0.0, 0.0])

    def failed(self, e, seeds, bonus=None, near=None, others=None):
        near.append(base)
        return line_search.Proposal(None, ended)

    own = s.propose_window("e", 0, 42, 70)
    assert own.line is None or not s.apply("e", own)
    monkeypatch.setattr(LineSearch, "propose", failed)
    proposal = s._propose_or_window("e", [0, 0], (0, 42, 70))
    assert proposal.prices is ended
    assert s.apply("e", proposal)
    found = s.lines["e"]
    assert keeps_rules(spec, found.tolist())
    assert (found[:42] == base[:42]).all() and (found[70:] == base[70:]).all()
    assert s.objective() == 29 + 100  # one short day taken, Monday 0 given up


def test_a_repair_that_cannot_bring_a_count_back_is_refused() -> None:
    # The failed line passes the total by two shifts, but the window holds only one of them.
    spec = one_type(list(range(85)), units=10, max_run=5, min_units=300, max_units=300)
    cover = Cover(np.ones(84, dtype=np.int64), np.full(84, 100, dtype=np.int64), np.ones(84))
    s = one_person(spec, np.zeros(84), np.zeros(84), cover)
    base = np.full(84, -1, dtype=np.int64)
    for week in range(6):
        base[7 * week : 7 * week + 5] = np.arange(7 * week, 7 * week + 5)
    base[[46, 60]] = [46, 60]
    s.place("e", base)  # only for the cover the window reads
    assert s.propose_window("e", 0, 56, 84, base=base).line is None
