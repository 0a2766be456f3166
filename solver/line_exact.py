"""The best roster below an upper value, proved, where every line that could be in it can be
listed: an integer program (SCIP) over each person's lines near the columns' bound.

At cover prices ``π`` (each between minus the over-cover weight and the under-cover weight),
any roster's value is at least ``L(π) = Σ π·headcount + Σ_e μ_e``, ``μ_e`` the cost of ``e``'s
cheapest line at those prices (the Lagrangian bound). A roster worth ``z`` exceeds it by the
sum of its lines' reduced costs (each ``cost - π·needs - μ_e``, never negative) and of what
its people short and extra cost at those prices (never negative either), so each of its
lines has a reduced cost of at most ``z - L(π)``. With the column generation's optimal duals
``L(π)`` is its master's value, and on the small rotas few lines lie that close to it
(Instance5 of the rota benchmark: 20,681 within 2.42 of 1,140.58, its optimum 1,143). Listed
by ``line_enumerate``, they make a set-partitioning program that holds every roster worth at
most ``z``: its optimum is the optimum, and its infeasibility proves none that good exists.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp

from solver.line_enumerate import cheapest_cost, lines_within
from solver.line_search import LineSearch, line_cost

# Lines listed for the program per second it has: SCIP solved Instance5's program over
# 1,701, 6,478 and 20,681 lines in 2.9, 7.8 and 18.6 s, some 1 s per 1,000 lines.
LINES_PER_SECOND = 1_000
# Without presolve and cutting planes: on Instance5's program over 20,681 lines, 11.6 s to the
# optimum against 18.6-24.8 s with SCIP's defaults (16.5-17.6 s without presolve alone).
SCIP_SETTINGS = "presolving/maxrounds = 0\nseparating/maxrounds = 0\nseparating/maxroundsroot = 0\n"
# Slack on sums of float costs.
EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class Settled:
    """What the program found: the best roster at or below the target it was given (None:
    none found), and a value no roster goes below."""

    lines: dict[str, np.ndarray] | None
    value: float
    bound: float


def settle(s: LineSearch, duals: np.ndarray, upper: float, deadline: float) -> Settled | None:
    """The best roster worth less than ``upper`` (at most ``upper`` less one where every cost
    is whole), searched among the lines close enough to the bound at cover prices ``duals``;
    None when someone's lines cannot be listed exactly or none of the targets fits the lines
    the time allows (``LINES_PER_SECOND``)."""
    if not math.isfinite(upper):
        raise ValueError(f"settle needs a roster's value above its target, not {upper}")
    cover = s.cover
    prices = np.clip(duals, -cover.weight_over, cover.weight_under)
    costs = {e: p.request_cost - prices[p.option_need] for e, p in s.people.items()}
    cheapest: dict[str, float] = {}
    for e, p in s.people.items():
        found = cheapest_cost(p.spec, costs[e], p.off_cost)
        if found is None or math.isinf(found):
            return None
        cheapest[e] = found
    bound = float(prices @ cover.headcount) + sum(cheapest.values())
    step = 1.0 if _whole(s) else 0.0
    top = upper - step if step else upper - EPSILON
    if top < bound - EPSILON:
        # Nothing below ``upper`` exists: the bound is at least ``upper``.
        return Settled(None, math.inf, max(bound, upper))
    most = int(LINES_PER_SECOND * (deadline - time.perf_counter()))
    if most <= 0:
        return None
    target, listed = _largest_target(s, costs, cheapest, bound, top, step, most)
    if listed is None:
        return None
    return _solve(s, listed, target, bound, step, deadline)


def _whole(s: LineSearch) -> bool:
    """Whether every cost is a whole number: then a better roster is at least one less."""
    parts = [s.cover.weight_under, s.cover.weight_over]
    for p in s.people.values():
        parts += [p.request_cost, p.off_cost]
    return all(np.array_equal(a, np.round(a)) for a in parts)


def _listing(
    s: LineSearch,
    costs: dict[str, np.ndarray],
    cheapest: dict[str, float],
    slack: float,
    most: int,
) -> dict[str, list[np.ndarray]] | None:
    """Everyone's lines within ``slack`` of their cheapest; None past ``most`` lines."""
    out: dict[str, list[np.ndarray]] = {}
    left = most
    for e, p in s.people.items():
        found = lines_within(p.spec, costs[e], p.off_cost, cheapest[e] + slack, left)
        if found is None:
            return None
        out[e] = found
        left -= len(found)
    return out


def _largest_target(
    s: LineSearch,
    costs: dict[str, np.ndarray],
    cheapest: dict[str, float],
    bound: float,
    top: float,
    step: float,
    most: int,
) -> tuple[float, dict[str, list[np.ndarray]] | None]:
    """The highest target up to ``top`` whose lines fit ``most``, and those lines: the
    targets are whole numbers where the costs are (searched by bisection, a listing taking
    some 0.01 s a person on the small rotas), else ``top`` alone."""
    listed = _listing(s, costs, cheapest, top - bound, most)
    if listed is not None or not step:
        return top, listed
    low, high = math.ceil(bound - EPSILON), round(top) - 1
    best: tuple[float, dict[str, list[np.ndarray]] | None] = (low, None)
    while low <= high:
        middle = (low + high) // 2
        found = _listing(s, costs, cheapest, middle - bound, most)
        if found is None:
            high = middle - 1
        else:
            best = (float(middle), found)
            low = middle + 1
    return best


def _solve(
    s: LineSearch,
    listed: dict[str, list[np.ndarray]],
    target: float,
    bound: float,
    step: float,
    deadline: float,
) -> Settled:
    """SCIP's best roster of at most ``target`` from the lines ``listed``, by ``deadline``."""
    cover = s.cover
    solver = pywraplp.Solver.CreateSolver("SCIP")
    objective = solver.Objective()
    ceiling = solver.Constraint(-solver.infinity(), target + EPSILON, "")
    rows = []
    for n, head in enumerate(cover.headcount):
        row = solver.Constraint(float(head), float(head), "")
        for sign, weight in ((1.0, cover.weight_under[n]), (-1.0, cover.weight_over[n])):
            slack = solver.NumVar(0.0, solver.infinity(), "")
            row.SetCoefficient(slack, sign)
            objective.SetCoefficient(slack, float(weight))
            ceiling.SetCoefficient(slack, float(weight))
        rows.append(row)
    chosen: dict[str, list[pywraplp.Variable]] = {}
    for e, lines in listed.items():
        p = s.people[e]
        one = solver.Constraint(1.0, 1.0, "")
        chosen[e] = []
        for line in lines:
            x = solver.BoolVar("")
            cost = line_cost(p, line)
            objective.SetCoefficient(x, cost)
            ceiling.SetCoefficient(x, cost)
            one.SetCoefficient(x, 1.0)
            for n in p.option_need[line[line >= 0]]:
                rows[int(n)].SetCoefficient(x, 1.0)
            chosen[e].append(x)
    objective.SetMinimization()
    solver.SetTimeLimit(max(1, int((deadline - time.perf_counter()) * 1000)))
    solver.SetNumThreads(2)
    solver.SetSolverSpecificParametersAsString(SCIP_SETTINGS)
    status = solver.Solve()
    if status == pywraplp.Solver.INFEASIBLE:
        # Every roster worth at most the target was in the program.
        return Settled(None, math.inf, target + step if step else target)
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return Settled(None, math.inf, bound)
    # SCIP's sum of whole costs can land a few ulps off the whole number it is.
    value = float(round(objective.Value())) if step else objective.Value()
    lines = {
        e: listed[e][int(np.argmax([x.solution_value() for x in xs]))] for e, xs in chosen.items()
    }
    proved = value if status == pywraplp.Solver.OPTIMAL else bound
    return Settled(lines, value, max(bound, proved))
