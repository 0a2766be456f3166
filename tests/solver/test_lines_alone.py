"""Rotas longer than ``LINES_ALONE_DAYS`` are planned by the lines alone, with no CP-SAT model:
the roster must still keep every hard rule (the independent checker), and its reported value
must be the model's objective of that roster."""

from __future__ import annotations

import sys
from dataclasses import replace

import pytest

from solver import line_search, solve
from solver.checker import Violation, check
from solver.greedy import fixed_solve, week_hints
from solver.model import ModelContext
from solver.problem import Problem, SolveParameters
from solver.roster import Roster, SolveStatus
from solver.solve import LINES_ALONE_DAYS, lines_alone_applies
from tests.solver.helpers import objective_context
from tests.solver.test_checker_horizon import rota, worker

# ``solver.solve`` the module (the package exports the function under the same name).
solve_module = sys.modules["solver.solve"]
DAYS = LINES_ALONE_DAYS + 7


def long_rota(seconds: float = 2.0) -> Problem:
    staff = [
        worker(
            f"e{k}",
            max_shifts_per_type=(("N", 20),),
            min_total_minutes=480 * 40,
            max_total_minutes=480 * 60,
            min_consecutive_days=2,
            max_consecutive_days=5,
            min_consecutive_days_off=2,
            max_weekends=8,
        )
        for k in range(4)
    ]
    problem = rota(
        staff,
        days=DAYS,
        types="DLN",
        forbidden={"N": "DL", "L": "D"},
        weight_under=100,
        weight_over=1,
    )
    params = SolveParameters(time_limit_seconds=seconds, num_workers=2, explain_uncovered=False)
    return replace(problem, parameters=params)


@pytest.fixture
def builds(monkeypatch) -> list[bool]:
    """Each ModelContext ``solve`` builds, by whether it was for the lines only."""
    seen: list[bool] = []

    class Spy(ModelContext):
        def __init__(self, problem: Problem, **kwargs) -> None:
            seen.append(kwargs.get("lines_only", False))
            super().__init__(problem, **kwargs)

    monkeypatch.setattr(solve_module, "ModelContext", Spy)
    return seen


def model_value(problem: Problem, roster: Roster) -> float | None:
    """The full model's objective of ``roster``, or None when the model refuses it."""
    ctx = objective_context(problem)
    chosen: dict[str, set[int]] = {e: set() for e in ctx.employees}
    for a in roster.assignments:
        slot = ctx.table.find(a.need_id, a.site_id, a.start, a.end)
        assert slot is not None
        chosen[a.employee_id].add(slot.index)
    full = fixed_solve(ctx, week_hints(ctx, {e: frozenset(s) for e, s in chosen.items()}))
    return None if full is None else full.objective_value


def test_a_long_rota_is_planned_without_a_model_and_its_value_is_the_models(builds) -> None:
    problem = long_rota()
    assert lines_alone_applies(problem)
    result = solve(problem)
    assert builds == [True]
    assert result.status == SolveStatus.FEASIBLE
    assert result.best_bound is None
    assert check(problem, result.roster) == []
    assert result.objective == model_value(problem, result.roster)
    assert sum(result.penalties.values()) == result.objective
    assert set(result.penalties) == {"uncovered", "over_cover", "shift_requests"}
    assert result.first_feasible_seconds is not None
    assert result.first_feasible_seconds <= result.solve_seconds
    assert sum(result.minutes_by_employee.values()) == sum(
        a.minutes for a in result.roster.assignments
    )


def test_the_lines_only_context_holds_the_models_items_and_no_constraint() -> None:
    problem = long_rota()
    light = ModelContext(problem, lines_only=True)
    full = ModelContext(problem)
    assert not light.model.Proto().constraints and not light.model.Proto().variables
    assert light.takers.keys() == full.takers.keys()
    for e, em in full.employees.items():
        mine = light.employees[e]
        assert [[it.slot.index for it in d.items] for d in mine.days] == [
            [it.slot.index for it in d.items] for d in em.days
        ]
        assert [d.one_item for d in mine.days] == [d.one_item for d in em.days]
        assert all(it.lit is None for it in mine.items)
    assert line_search.applies(light)


def test_short_rotas_and_one_worker_keep_the_model() -> None:
    problem = long_rota()
    short = replace(problem, horizon_days=LINES_ALONE_DAYS)
    assert not lines_alone_applies(short)
    one = SolveParameters(time_limit_seconds=2.0, num_workers=1)
    assert not lines_alone_applies(replace(problem, parameters=one))


def test_when_someone_gets_no_line_the_model_decides(builds, monkeypatch) -> None:
    monkeypatch.setattr(line_search, "search", lambda *args, **kwargs: None)
    problem = long_rota(seconds=4.0)
    result = solve(problem)
    assert builds[0] is True and False in builds
    assert result.status in (SolveStatus.FEASIBLE, SolveStatus.OPTIMAL)
    assert check(problem, result.roster) == []


def test_a_roster_the_checker_refuses_is_left_to_the_model(builds, monkeypatch) -> None:
    refused: list[int] = []

    class Refusing:
        def __init__(self, problem: Problem) -> None:
            pass

        def check(self, roster: Roster) -> list[Violation]:
            refused.append(len(roster.assignments))
            return [Violation("consecutive_days", "e0", None, None, "a broken rule")]

    monkeypatch.setattr(solve_module, "Checker", Refusing)
    problem = long_rota(seconds=4.0)
    result = solve(problem)
    assert refused and builds[0] is True and False in builds
    assert result.status in (SolveStatus.FEASIBLE, SolveStatus.OPTIMAL)
    assert check(problem, result.roster) == []
