"""Teams of lines re-planned together (``solver.line_team``): the move no one person makes."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from hypothesis import given

from solver import line_search, line_team
from solver.checker import check
from solver.greedy import fixed_solve, week_hints
from solver.problem import Problem
from solver.report import extract_roster
from tests.solver.helpers import examples, objective_context
from tests.solver.test_line_search import needs_of, rotas, two_needs_one_taker_each


def test_a_team_gains_where_no_one_person_can() -> None:
    s, ids = two_needs_one_taker_each(b_works_days=True)
    assert s.objective() == 100
    assert not s.respond("a") and not s.respond("b")
    assert line_team.replan(s, ["a", "b"], seconds=5)
    assert s.objective() == 0
    assert needs_of(s, ids, "a") == ["N0"] and needs_of(s, ids, "b") == ["D0"]


def test_a_team_that_cannot_gain_leaves_every_line_as_it_was() -> None:
    s, _ = two_needs_one_taker_each(b_works_days=False)
    lines, people = dict(s.lines), s.cover.people.copy()
    assert not line_team.replan(s, ["a", "b"], seconds=5)
    assert s.objective() == 100
    assert all(s.lines[e] is lines[e] for e in lines)
    assert (s.cover.people == people).all()


def test_a_plan_changes_nothing_and_its_lines_are_the_teams_gain() -> None:
    s, ids = two_needs_one_taker_each(b_works_days=True)
    lines, people = dict(s.lines), s.cover.people.copy()
    planned = line_team.plan(s, ["a", "b"], seconds=5)
    assert planned is not None and sorted(planned) == ["a", "b"]
    assert all(s.lines[e] is lines[e] for e in lines)
    assert (s.cover.people == people).all() and s.objective() == 100
    assert s.adopt(planned)
    assert s.objective() == 0
    assert needs_of(s, ids, "a") == ["N0"] and needs_of(s, ids, "b") == ["D0"]


def test_teams_planned_two_at_a_time_are_kept_one_at_a_time(monkeypatch) -> None:
    # Two short needs, the same team drawn for both: planned at once against the same
    # roster, the first plan is kept, and the second, judged again after it, gains nothing.
    s, ids = two_needs_one_taker_each(b_works_days=True)
    s.cover.headcount[ids.index("D1")] = 1
    monkeypatch.setattr(line_team, "short_need_team", lambda s, need: (["a", "b"], (0, 7)))
    planned = []
    plan = line_team.plan

    def counted(*args):
        # Each thread returns its own plan: reading the list back could return the other's.
        lines = plan(*args)
        planned.append(lines)
        return lines

    monkeypatch.setattr(line_team, "plan", counted)
    with ThreadPoolExecutor(2) as pool:
        assert line_team.teams(s, tries=2, deadline=time.perf_counter() + 10, pool=pool)
    assert len(planned) == 2
    # One of D0 and D1 stays short: a and b have one shift each.
    assert s.objective() == 100
    assert needs_of(s, ids, "a") == ["N0"] and needs_of(s, ids, "b") in (["D0"], ["D1"])


def test_a_team_keeps_its_lines_outside_the_window() -> None:
    # The gain is on day 0: a window from day 1 on cannot reach it.
    s, _ = two_needs_one_taker_each(b_works_days=True)
    lines = dict(s.lines)
    assert not line_team.replan(s, ["a", "b"], seconds=5, window=(1, 7))
    assert all(s.lines[e] is lines[e] for e in lines)
    assert line_team.replan(s, ["a", "b"], seconds=5, window=(0, 1))
    assert s.objective() == 0


def test_a_team_is_drawn_among_those_who_could_take_the_short_need() -> None:
    s, ids = two_needs_one_taker_each(b_works_days=True)
    drawn = line_team.short_need_team(s, ids.index("D0"))
    assert drawn is not None
    team, window = drawn
    assert sorted(team) == ["a", "b"]
    assert window[0] == 0 and window[1] - window[0] == line_team.TEAM_DAYS
    # Only a works nights.
    team, (first, last) = line_team.short_need_team(s, ids.index("N0"))
    assert team == ["a"] and first <= 0 < last


@examples(15)
@given(rotas())
def test_teams_keep_every_rule_and_the_search_value_is_the_model_objective(
    problem: Problem,
) -> None:
    _teams_keep_every_rule(problem, [None, (1, 5), None])


@examples(10)
@given(rotas(weeks=(4, 6)))
def test_teams_framed_inside_a_long_horizon_keep_every_rule(problem: Problem) -> None:
    # Frames that stop inside the horizon on both sides: what the kept days use of the
    # counts (types, minutes, weekends) and the runs across the frame's edges must hold.
    _teams_keep_every_rule(problem, [(10, 13), (15, 22), (8, 9)])


def _teams_keep_every_rule(problem: Problem, windows: list[tuple[int, int] | None]) -> None:
    ctx = objective_context(problem)
    found = line_search.search(ctx, time.perf_counter() + 0.2)
    if found is None:
        return  # someone has no line the prices found; the solver falls back on CP-SAT
    before = found.objective()
    everyone = list(found.lines)
    for window in windows:
        line_team.replan(found, found.rng.sample(everyone, min(3, len(everyone))), 2, window=window)
    line_team.teams(found, tries=3, deadline=time.perf_counter() + 3)
    # Two at a time against the same roster: the second is kept only if it still gains
    # once the first's lines are in, and whatever it holds of the first's people.
    with ThreadPoolExecutor(2) as pool:
        line_team.teams(found, tries=4, deadline=time.perf_counter() + 3, pool=pool)
    assert found.objective() <= before
    full = fixed_solve(ctx, week_hints(ctx, found.chosen()))
    assert full is not None, "a team's lines break a hard rule of the model"
    assert full.objective_value == found.objective()
    assert check(problem, extract_roster(ctx, full)) == []
    people = np.zeros_like(found.cover.people)
    for e, line in found.lines.items():
        np.add.at(people, found.people[e].option_need[line[line >= 0]], 1)
    assert (people == found.cover.people).all()
