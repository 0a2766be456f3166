"""A lower bound on the objective from the linear relaxation of the whole CP-SAT model.

CP-SAT adds its linear relaxation lazily and, on these rostering models, leaves its proved bound
far below the optimum within seconds. Solving the relaxation once with GLOP gives a bound that
is tight on the coverage part (the per-day path formulation and the overlap cliques have exact
relaxations per employee). Relaxing means: every variable takes its domain's hull, enforced
linear constraints are dropped, enforced clauses become linear implications. Any solution of
the model satisfies the relaxation, so its optimum is a valid lower bound.
"""

from __future__ import annotations

import math

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

_INF = 2**62


def lp_lower_bound(
    model: cp_model.CpModel, time_limit: float = 5.0, *, implications: bool = False
) -> float | None:
    """The optimum of the linear relaxation of ``model`` (minimisation), or None."""
    proto = model.proto
    lp = pywraplp.Solver.CreateSolver("GLOP")
    if lp is None:
        return None
    lp.SetTimeLimit(int(time_limit * 1000))
    xs = []
    for v in proto.variables:
        lo, hi = v.domain[0], v.domain[len(v.domain) - 1]
        xs.append(lp.NumVar(_finite(lo), _finite(hi), ""))

    def lit_terms(ref: int) -> tuple[int, float, int]:
        """A literal as (variable, coefficient, constant)."""
        return (ref, 1.0, 0) if ref >= 0 else (-ref - 1, -1.0, 1)

    def add_row(lo: float, hi: float, refs: list[int], extra: list[tuple[int, float]]) -> None:
        const = 0.0
        row_terms: dict[int, float] = {}
        for ref in refs:
            var, coef, c = lit_terms(ref)
            row_terms[var] = row_terms.get(var, 0.0) + coef
            const += c
        for var, coef in extra:
            row_terms[var] = row_terms.get(var, 0.0) + coef
        row = lp.Constraint(lo - const, hi - const)
        for var, coef in row_terms.items():
            row.SetCoefficient(xs[var], coef)

    for c in proto.constraints:
        enforcement = list(c.enforcement_literal)
        if c.has_linear():
            if enforcement:
                continue
            domain = c.linear.domain
            lo, hi = _finite(domain[0]), _finite(domain[len(domain) - 1])
            add_row(lo, hi, [], list(zip(c.linear.vars, c.linear.coeffs, strict=True)))
        elif c.has_at_most_one() and not enforcement:
            add_row(-math.inf, 1, list(c.at_most_one.literals), [])
        elif c.has_exactly_one() and not enforcement:
            add_row(1, 1, list(c.exactly_one.literals), [])
        elif enforcement and not implications:
            continue
        elif c.has_bool_or():
            # (e1 and ... and ek) => (l1 or ... or lm):  sum(l) - sum(e) >= 1 - k
            negated = [-e - 1 for e in enforcement]
            add_row(1, math.inf, [*c.bool_or.literals, *negated], [])
        elif c.has_bool_and():
            negated = [-e - 1 for e in enforcement]
            for literal in c.bool_and.literals:
                add_row(1, math.inf, [literal, *negated], [])
    objective = lp.Objective()
    for var, coef in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
        objective.SetCoefficient(xs[var], objective.GetCoefficient(xs[var]) + coef)
    objective.SetMinimization()
    params = pywraplp.MPSolverParameters()
    params.SetIntegerParam(params.LP_ALGORITHM, params.DUAL)
    params.SetIntegerParam(params.PRESOLVE, params.PRESOLVE_ON)
    if lp.Solve(params) != pywraplp.Solver.OPTIMAL:
        return None
    value = objective.Value() + proto.objective.offset
    # The objective is integral: round up, after a margin for the LP's tolerances.
    return float(math.ceil(value - 1e-6 * max(1.0, abs(value))))


def _finite(value: int) -> float:
    if value <= -_INF:
        return -math.inf
    if value >= _INF:
        return math.inf
    return float(value)
