"""Rota rosters one line at a time (solver.line_search): the value it keeps is the model's.

The search keeps the cover and each person's request cost up to date as lines change: a
mistake there would drift from the objective CP-SAT computes for the same roster, or leave a
roster that breaks a rule. Both are checked on generated rotas.
"""

from __future__ import annotations

import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from solver import line_columns, line_search, solve
from solver.benchmarks.evaluator import evaluate
from solver.benchmarks.rota import to_lines, to_problem
from solver.checker import check
from solver.greedy import fixed_solve, week_hints
from solver.line_dp import Line
from solver.problem import Problem, ShiftRequest, SolveParameters
from solver.report import extract_roster
from solver.roster import SolveStatus
from solver.testing import Size, generate
from tests.solver.helpers import benchmark_or_skip, examples, objective_context, use_cp_solver
from tests.solver.test_checker_horizon import rota, worker

SMALL = examples(15)
# ``solver.solve`` the module (the package exports the function under the same name).
solve_module = sys.modules["solver.solve"]


@st.composite
def rotas(draw, weeks: tuple[int, int] = (1, 3)) -> Problem:
    days = 7 * draw(st.integers(*weeks))
    people = draw(st.integers(2, 5))
    staff = [
        worker(
            f"e{k}",
            max_shifts_per_type=(("N", draw(st.integers(0, days))),),
            min_total_minutes=480 * draw(st.integers(0, days // 3)),
            max_total_minutes=480 * draw(st.integers(days // 3, days)),
            min_consecutive_days=draw(st.integers(0, 3)),
            max_consecutive_days=draw(st.integers(3, 6)),
            min_consecutive_days_off=draw(st.integers(0, 2)),
            max_weekends=draw(st.integers(0, days // 7)),
        )
        for k in range(people)
    ]
    requests = tuple(
        ShiftRequest(
            f"e{draw(st.integers(0, people - 1))}",
            draw(st.integers(0, days - 1)),
            draw(st.sampled_from(["D", "L", "N", None])),
            on=draw(st.booleans()),
            weight=draw(st.integers(1, 3)),
        )
        for _ in range(draw(st.integers(0, 6)))
    )
    return rota(
        staff,
        days=days,
        types="DLN",
        forbidden={"N": "DL", "L": "D"},
        headcount=draw(st.integers(0, 2)),
        weight_under=draw(st.integers(1, 100)),
        weight_over=draw(st.integers(0, 5)),
        edges=draw(st.booleans()),
        shift_requests=requests,
    )


@SMALL
@given(rotas())
def test_the_search_value_is_the_model_objective_and_no_rule_breaks(problem: Problem) -> None:
    ctx = objective_context(problem)
    assert line_search.applies(ctx)
    found = line_search.search(ctx, time.perf_counter() + 0.3)
    if found is not None:  # else someone has no line the prices found: CP-SAT decides
        valued_as_the_model(problem, ctx, found)


def valued_as_the_model(problem: Problem, ctx, found: line_search.LineSearch) -> None:
    """The lines' roster keeps every hard rule of the model, which values it as the lines
    do, and the independent checker finds no broken rule."""
    full = fixed_solve(ctx, week_hints(ctx, found.chosen()))
    assert full is not None, "the lines' roster breaks a hard rule of the model"
    assert full.objective_value == found.objective()
    assert check(problem, extract_roster(ctx, full)) == []


def test_every_person_gets_a_line_when_the_rules_allow_one() -> None:
    staff = [
        worker(
            f"e{k}",
            min_total_minutes=480 * 8,
            max_total_minutes=480 * 10,
            min_consecutive_days=2,
            max_consecutive_days=4,
            min_consecutive_days_off=2,
            max_weekends=1,
        )
        for k in range(4)
    ]
    problem = rota(
        staff, days=14, types="DLN", forbidden={"N": "DL"}, weight_under=100, weight_over=1
    )
    found = line_search.search(objective_context(problem), time.perf_counter() + 1)
    assert found is not None and set(found.lines) == {"e0", "e1", "e2", "e3"}


def test_weekly_plans_under_french_law_are_not_for_lines() -> None:
    weekly = generate(Size(employees=3, members=1, blocks=4, quotas=0), seed=1)
    assert not line_search.applies(objective_context(weekly))


def test_on_a_benchmark_instance_the_search_value_is_the_evaluators() -> None:
    # Instance4 (4 weeks, 10 people): the evaluator shares no code with the search.
    instance = benchmark_or_skip(4)
    ctx = objective_context(to_problem(instance))
    found = line_search.search(ctx, time.perf_counter() + 3)
    assert found is not None
    full = fixed_solve(ctx, week_hints(ctx, found.chosen()))
    assert full is not None
    evaluation = evaluate(instance, to_lines(instance, extract_roster(ctx, full)))
    assert evaluation.feasible, evaluation.violations[:5]
    assert evaluation.objective == found.objective()


def instance1_by_lines() -> Problem:
    """The benchmark's Instance1 (optimum 607), solved with the lines first, in 6 s."""
    params = SolveParameters(time_limit_seconds=6, num_workers=2, decomposition=False)
    return to_problem(benchmark_or_skip(1), parameters=replace(params, line_share=0.5))


def without_the_proof(monkeypatch) -> None:
    """The columns' program (``line_exact``) left out: it proves Instance1's optimum and ends
    the solve before the search these tests watch."""
    monkeypatch.setattr(line_columns, "_settle", lambda *args: None)


def test_the_columns_program_proves_instance1_optimal_and_ends_the_solve(monkeypatch) -> None:
    searched: list[bool] = []

    class Records(cp_model.CpSolver):
        def solve(self, model, callback=None):
            if callback is not None:
                searched.append(True)
            return super().solve(model, callback)

    use_cp_solver(monkeypatch, solve_module, Records)
    result = solve(instance1_by_lines())
    assert (result.status, result.objective) == (SolveStatus.OPTIMAL, 607)
    assert result.best_bound == 607
    assert searched == []


def test_solve_hands_the_lines_roster_to_the_search() -> None:
    result = solve(instance1_by_lines())
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert result.objective == 607


def test_the_columns_run_only_where_their_root_can_converge(monkeypatch) -> None:
    dives = []

    def dive(found, *args, **kwargs):
        dives.append(found)
        return None  # as a root that did not converge: the lines go on

    monkeypatch.setattr(line_columns, "dive", dive)
    params = SolveParameters(time_limit_seconds=4, num_workers=2, decomposition=False)
    problem = to_problem(benchmark_or_skip(1), parameters=params)
    assert solve(problem).objective is not None
    assert len(dives) == 1
    monkeypatch.setattr(solve_module, "COLUMNS_MAX_CANDIDATES", 50)
    assert solve(problem).objective is not None
    assert len(dives) == 1


def test_a_search_that_ends_worse_than_its_warm_start_leaves_the_warm_start(
    monkeypatch,
) -> None:
    class LosesTheHint(cp_model.CpSolver):
        def solve(self, model, callback=None):
            if callback is None:
                return super().solve(model)
            # The final search: its first roster without the lines' hint, and no more.
            model.clear_hints()
            self.parameters.stop_after_first_solution = True
            return super().solve(model, callback)

    use_cp_solver(monkeypatch, solve_module, LosesTheHint)
    without_the_proof(monkeypatch)
    problem = instance1_by_lines()
    seen: list[float] = []
    result = solve(problem, on_progress=lambda progress: seen.append(progress.objective))
    assert result.status == SolveStatus.FEASIBLE
    # The search reported its worse roster, but the best one seen is what comes out.
    assert max(seen) > min(seen)
    assert result.objective == min(seen)


def test_on_a_large_rota_the_search_after_the_lines_runs_its_neighbourhoods_alone(
    monkeypatch,
) -> None:
    lns_only: list[bool] = []

    class Records(cp_model.CpSolver):
        def solve(self, model, callback=None):
            if callback is not None:
                lns_only.append(self.parameters.use_lns_only)
            return super().solve(model, callback)

    use_cp_solver(monkeypatch, solve_module, Records)
    without_the_proof(monkeypatch)
    problem = instance1_by_lines()
    # Instance1 has 104 candidates: the full search runs, and proves the optimum.
    small = solve(problem)
    assert lns_only == [False]
    assert (small.status, small.objective) == (SolveStatus.OPTIMAL, 607)
    monkeypatch.setattr(solve_module, "LNS_ONLY_MIN_CANDIDATES", 100)
    large = solve(problem)
    assert lns_only == [False, True]
    # The neighbourhoods alone keep the lines' roster (607) at least.
    assert large.objective == 607


# -- ejection chains --------------------------------------------------------------------------


def two_needs_one_taker_each(b_works_days: bool) -> tuple[line_search.LineSearch, list[str]]:
    """Day 0 needs one person on D and one on N (every other need is empty). ``a`` works
    either, one shift in all; ``b`` only D (or nothing at all). ``a`` starts on D0, ``b`` off:
    N0 is short, and neither alone can gain (``a`` moving to N0 leaves D0 short, ``b`` on D0
    would be an extra person)."""
    staff = [
        worker("a", max_total_minutes=600),
        worker(
            "b",
            max_shifts_per_type=(("N", 0),) if b_works_days else (("N", 0), ("D", 0)),
            max_total_minutes=480,
        ),
    ]
    problem = rota(staff, days=7, types="DN", weight_under=100, weight_over=1)
    problem = replace(
        problem,
        needs=tuple(replace(n, headcount=int(n.id in ("D0", "N0"))) for n in problem.needs),
    )
    s = line_search.start(objective_context(problem))
    s.sideways = False
    ids = [n.id for n in problem.needs]
    # a on D0 (the option of day 0 whose need is D0), b off.
    a = s.people["a"]
    line = np.full(7, -1, dtype=np.int64)
    line[0] = np.flatnonzero(a.option_need == ids.index("D0"))[0]
    s.place("a", line)
    s.place("b", np.full(7, -1, dtype=np.int64))
    return s, ids


def needs_of(s: line_search.LineSearch, ids: list[str], e: str) -> list[str]:
    return [ids[n] for n in sorted(s.needs_of(e, s.lines[e]))]


def test_no_one_person_move_gains_but_an_ejection_chain_does() -> None:
    s, ids = two_needs_one_taker_each(b_works_days=True)
    assert s.objective() == 100
    assert not s.respond("a") and not s.respond("b")
    assert s.eject(ids.index("N0"), tries=1, followers=1, depth=1)
    assert s.objective() == 0
    assert needs_of(s, ids, "a") == ["N0"] and needs_of(s, ids, "b") == ["D0"]


def test_an_ejection_chain_that_does_not_gain_is_undone_exactly() -> None:
    s, ids = two_needs_one_taker_each(b_works_days=False)
    lines, people = dict(s.lines), s.cover.people.copy()
    assert not s.eject(ids.index("N0"), tries=2, followers=2, depth=3)
    assert s.objective() == 100
    assert all(s.lines[e] is lines[e] for e in lines)
    assert (s.cover.people == people).all()


def test_a_line_of_equal_value_is_kept_only_when_moving_sideways() -> None:
    # a moving from D0 to N0 leaves the roster's value as it is (one need short either way).
    for sideways in (False, True):
        s, ids = two_needs_one_taker_each(b_works_days=True)
        s.sideways = sideways
        on_n0 = np.full(7, -1, dtype=np.int64)
        on_n0[0] = np.flatnonzero(s.people["a"].option_need == ids.index("N0"))[0]
        worse = on_n0.copy()
        worse[3] = np.flatnonzero(s.people["a"].option_need == ids.index("D3"))[0]
        assert not s.apply("a", line_search.Proposal(Line(worse, 0.0, np.zeros(0))))
        assert needs_of(s, ids, "a") == ["D0"]
        assert not s.apply(
            "a", line_search.Proposal(Line(on_n0, 0.0, np.zeros(0)))
        )  # no gain either way
        assert needs_of(s, ids, "a") == (["N0"] if sideways else ["D0"])
        assert s.objective() == 100


def wait_for(condition, seconds: float = 10.0) -> bool:
    """Whether ``condition()`` came true within ``seconds``."""
    ends = time.perf_counter() + seconds
    while time.perf_counter() < ends:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_a_response_still_running_sees_the_roster_it_began_on(monkeypatch) -> None:
    # a has no line: its response always goes in. b's, slower, runs on while a's line is
    # applied, and must still price the roster as it was when b began (a response reading
    # the cover while ``apply`` changes it made the threaded search differ from run to run).
    s, _ = two_needs_one_taker_each(b_works_days=True)
    s.remove("a")
    before = s.cover.people.copy()
    seen: dict[str, np.ndarray] = {}
    applied_meanwhile: list[bool] = []
    propose = line_search.LineSearch.propose

    def slow_b(self: line_search.LineSearch, e: str, seeds: list[int], **kwargs):
        if e == "b":
            applied_meanwhile.append(wait_for(lambda: "a" in self.lines))
        seen[e] = kwargs["others"].copy()
        return propose(self, e, seeds, **kwargs)

    monkeypatch.setattr(line_search.LineSearch, "propose", slow_b)
    with ThreadPoolExecutor(2) as pool:
        s.respond_all(["a", "b"], pool)
    assert applied_meanwhile == [True]
    assert "a" in s.lines
    # b is off: everyone else's places are the whole cover before a's line.
    assert (seen["a"] == before).all() and (seen["b"] == before).all()


def test_a_response_begins_as_soon_as_one_ends(monkeypatch) -> None:
    # Three people, b's response slow: c's begins once a's ends, while b's still runs (pairs
    # waited for b, leaving a core idle), and c prices a's line, already in.
    problem = rota(
        [worker(e, max_total_minutes=480) for e in "abc"],
        days=7,
        types="D",
        weight_under=100,
        weight_over=1,
    )
    s = line_search.start(objective_context(problem))
    c_began = threading.Event()
    began_with: dict[str, np.ndarray] = {}
    propose = line_search.LineSearch.propose

    def slow_b(self: line_search.LineSearch, e: str, seeds: list[int], **kwargs):
        began_with[e] = kwargs["others"].copy()
        if e == "c":
            c_began.set()
        if e == "b":
            assert c_began.wait(10), "c began only once b ended"
        return propose(self, e, seeds, **kwargs)

    monkeypatch.setattr(line_search.LineSearch, "propose", slow_b)
    with ThreadPoolExecutor(2) as pool:
        assert s.respond_all(["a", "b", "c"], pool) == 3
    assert set(s.lines) == {"a", "b", "c"}
    assert not began_with["b"].any()
    a_alone = np.zeros_like(s.cover.people)
    np.add.at(a_alone, s.people["a"].option_need[s.lines["a"][s.lines["a"] >= 0]], 1)
    assert a_alone.any() and (began_with["c"] == a_alone).all()


def test_no_response_begins_after_the_deadline() -> None:
    s, _ = two_needs_one_taker_each(b_works_days=True)
    lines = dict(s.lines)
    with ThreadPoolExecutor(2) as pool:
        assert s.respond_all(["a", "b"], pool, deadline=time.perf_counter() - 1) == 0
    assert s.respond_all(["a", "b"], None, deadline=time.perf_counter() - 1) == 0
    assert s.lines == lines


def test_a_response_that_finds_no_line_keeps_where_its_prices_ended() -> None:
    s, _ = two_needs_one_taker_each(b_works_days=True)
    before = dict(s.lines)
    ended = np.array([3.0, 0.0, 0.0, 0.0, 0.0])
    assert not s.apply("b", line_search.Proposal(None, ended))
    assert s.lines == before
    assert s.prices["b"] is ended
    # The next search of b starts from them: its proposal carries what it ended on.
    proposal = s.propose("b", s.seeds())
    assert proposal.line is not None and proposal.prices is proposal.line.prices
