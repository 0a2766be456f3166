"""Column generation over employee weeks: a strong valid bound and rosters built from weeks.

Every hard rule of DESIGN §2 binds one employee at a time; only the needs (headcounts, quota
minutes and concurrency) and fairness between members link employees. So the week is a choice
of one *column* per employee — a whole week that obeys every hard rule for that person — such
that together the columns respect the linking rows (the Dantzig–Wolfe reformulation).

- The *master* is a linear program over the columns found so far (GLOP); its duals price the
  linking rows.
- The *pricing* problem of an employee is the CP-SAT model of that employee alone (every hard
  rule, every per-employee penalty) with need minutes valued at their priority weight minus
  the duals: its optimum is the employee's best week at those prices, a new column.
- The *Lagrangian bound* ``L(y)`` (``const + sum_e min_p (cost_p - y.A_p) - y.b + ...``) is a
  valid lower bound of the roster's objective for any non-negative prices ``y``; duals are
  rounded to integers so every number stays exact. It is far stronger than the linear
  relaxation of the whole model because each employee's rules are kept integral (the
  knapsack-like weekly caps and agreed hours are where the plain relaxation loses most).
- The *restricted master* solved with CP-SAT over the columns (one per employee, linking
  rows kept) is a roster that obeys every hard rule: a good warm start for the full search.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from solver.model import ModelContext
from solver.rules.soft import FAIRNESS_SCALE, coverable_minutes

# Penalties that link employees: the master owns them; every other penalty is per employee.
LINKING_PENALTIES = frozenset({"uncovered", "over_cover", "member_fairness"})
PRICING_SECONDS = 2.0  # per pricing solve; a timed-out pricing contributes its proved bound


@dataclass(frozen=True, slots=True)
class Row:
    """A linking constraint ``sum(coef[slot] * x) <= rhs`` over slot variables."""

    name: str
    coef: dict[int, int]
    rhs: int
    member_id: str | None = None  # fairness rows: the member, whose worst term joins the row
    # A soft row may be exceeded at this cost per unit (people beyond a headcount that allows
    # them); None: a hard row. Its price (dual) never exceeds this cost.
    excess_cost: int | None = None

    def clip(self, price: int) -> int:
        return price if self.excess_cost is None else min(price, self.excess_cost)


@dataclass(slots=True)
class Column:
    employee_id: str
    slots: frozenset[int]
    cost: int  # per-employee penalties, already weighted
    gain: int  # weighted need minutes covered

    @property
    def value(self) -> int:
        return self.cost - self.gain


@dataclass(slots=True)
class Linking:
    """The rows that link employees, and what each slot is worth to the objective."""

    rows: list[Row]
    gain: dict[int, int]  # slot index -> weighted minutes (priority weight x minutes)
    constant: int  # weighted minutes asked
    fairness_weight: int
    asked_by_member: dict[str, int]
    rows_of_slot: dict[int, list[tuple[int, int]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for r, row in enumerate(self.rows):
            for slot, coef in row.coef.items():
                self.rows_of_slot.setdefault(slot, []).append((r, coef))


def linking_rows(ctx: ModelContext) -> Linking:
    """The linking rows of ``ctx``'s problem, written as the full model writes them."""
    problem = ctx.problem
    table = ctx.table
    covering = problem.rule_enabled("uncovered")
    w = problem.weights.uncovered_minute if covering else 0
    rows: list[Row] = []
    gain: dict[int, int] = {}
    counted: dict[str, dict[int, int]] = {}  # need id -> slot -> minutes it covers
    constant = 0
    for n in problem.needs:
        slots = [
            i
            for i in table.by_need.get(n.id, ())
            if not table.slots[i].orphan
            and table.slots[i].start == n.start
            and table.slots[i].end == n.end
            and ctx.takers.get(i)
        ]
        counted[n.id] = {i: n.end - n.start for i in slots}
        if n.weight_under is not None:
            # Priced per person: each of the first ``headcount`` people saves weight_under;
            # each one beyond it costs weight_over, i.e. the row's excess gives the saving back.
            under = n.weight_under if covering else 0
            over = n.weight_over if problem.rule_enabled("over_cover") else None
            constant += under * n.headcount
            for i in slots:
                gain[i] = under
            excess = None if n.weight_over is None else under + (over or 0)
            if slots and excess != 0:
                rows.append(
                    Row(f"headcount[{n.id}]", dict.fromkeys(slots, 1), n.headcount, None, excess)
                )
            continue
        constant += w * n.priority * n.headcount * (n.end - n.start)
        for i in slots:
            gain[i] = w * n.priority * (n.end - n.start)
        if slots:
            rows.append(Row(f"headcount[{n.id}]", dict.fromkeys(slots, 1), n.headcount))
    for q in problem.quotas:
        constant += w * q.priority * q.weekly_minutes
        slots = [
            table.slots[i]
            for i in table.by_need.get(q.id, ())
            if table.slots[i].quota and ctx.takers.get(i)
        ]
        counted[q.id] = {s.index: s.minutes for s in slots}
        for s in slots:
            gain[s.index] = w * q.priority * s.minutes
        if not slots:
            continue
        rows.append(Row(f"quota[{q.id}]", {s.index: s.minutes for s in slots}, q.weekly_minutes))
        for t in sorted({s.start for s in slots}):
            active = [s for s in slots if s.start <= t < s.end]
            if sum(len(ctx.takers[s.index]) for s in active) > q.headcount:
                rows.append(Row(f"at_once[{q.id}|{t}]", {s.index: 1 for s in active}, q.headcount))
    weight = problem.weights.member_fairness_permille
    if not problem.rule_enabled("member_fairness"):
        weight = 0
    asked: dict[str, int] = {}
    fair: dict[str, tuple[dict[int, int], int]] = {}
    for need_id, minutes in counted.items():
        member = table.need_member.get(need_id)
        if member is None:
            continue
        asked[member] = asked.get(member, 0) + ctx.asked[need_id]
        coverable = coverable_minutes(ctx, need_id)
        if coverable > 0:
            coef, total = fair.get(member, ({}, 0))
            for i, m in minutes.items():
                coef[i] = coef.get(i, 0) - FAIRNESS_SCALE * m
            fair[member] = (coef, total + coverable)
    if weight:
        for member, (coef, total) in fair.items():
            rows.append(Row(f"fairness[{member}]", coef, -FAIRNESS_SCALE * total, member))
    return Linking(rows, gain, constant, weight if fair else 0, asked)


class Pricing:
    """One employee's CP-SAT model, re-solved at each set of prices."""

    def __init__(self, ctx: ModelContext, employee_id: str) -> None:
        self.employee_id = employee_id
        self.sub = ModelContext(
            ctx.problem, employee_ids=(employee_id,), shared=ctx, released=ctx.released
        )
        em = self.sub.employees[employee_id]
        self.items = [(it.slot.index, it.lit) for it in em.slot_items()]
        self.cost_expr = sum(
            p.weight * p.expr for p in self.sub.penalties if p.employee_id == employee_id
        )
        self.solver = cp_model.CpSolver()
        self.solver.parameters.num_workers = 1
        self.solver.parameters.max_time_in_seconds = PRICING_SECONDS
        self.solver.parameters.cp_model_probing_level = 0
        self.solver.parameters.symmetry_level = 0

    def solve(self, price: dict[int, int]) -> tuple[Column | None, float]:
        """The best week at ``price`` (slot -> value of taking it) and a lower bound of its
        value; (None, -inf) when no week was found (none exists, or time ran out)."""
        model = self.sub.model
        model.minimize(self.cost_expr - sum(price.get(i, 0) * lit for i, lit in self.items))
        status = self.solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, -math.inf
        chosen = frozenset(i for i, lit in self.items if self.solver.boolean_value(lit))
        cost = round(self.solver.value(self.cost_expr))
        return Column(self.employee_id, chosen, cost, 0), self.solver.best_objective_bound


@dataclass(slots=True)
class Generation:
    """What a column generation run leaves: columns, the best bound and its progress."""

    columns: list[Column]
    bound: float
    lp_value: float | None
    iterations: int
    seconds: float
    # The master's last solution: weight of each column (those added since are absent).
    weights: list[float] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class MasterLP:
    value: float
    duals: list[float]
    weights: list[float]


def generate_columns(
    ctx: ModelContext,
    linking: Linking,
    starts: list[list[Column]],
    time_limit: float,
    threads: int = 1,
) -> Generation | None:
    """Column generation until the master is optimal or time runs out.

    None when an employee has no week at all, or when some penalty is neither an employee's
    nor a linking one (the decomposition would not be exact: no bound is better than a
    wrong one).

    ``starts`` are the weeks of known rosters (``columns_of``): the first columns.
    """
    started = time.perf_counter()
    if any(p.employee_id is None and p.name not in LINKING_PENALTIES for p in ctx.penalties):
        return None
    pricers = {e: Pricing(ctx, e) for e in ctx.employees}
    columns: list[Column] = []
    seen: set[tuple[str, frozenset[int]]] = set()

    def add(col: Column) -> bool:
        key = (col.employee_id, col.slots)
        if key in seen:
            return False
        seen.add(key)
        col.gain = sum(linking.gain.get(i, 0) for i in col.slots)
        columns.append(col)
        return True

    for start in starts:
        for col in start:
            if col.employee_id in pricers:
                add(col)
    best = -math.inf
    lp_value = None
    weights: list[float] = []
    iterations = 0
    last: dict[str, tuple[dict[int, int], float]] = {}
    duals: list[float] = [0.0] * len(linking.rows)
    with ThreadPoolExecutor(max(1, threads)) as pool:
        while True:
            iterations += 1
            y = [row.clip(max(0, round(-d))) for row, d in zip(linking.rows, duals, strict=True)]
            todo = []
            for e, pricer in pricers.items():
                price = {}
                for i, _ in pricer.items:
                    v = linking.gain.get(i, 0)
                    for r, coef in linking.rows_of_slot.get(i, ()):
                        v -= y[r] * coef
                    price[i] = v
                if e not in last or last[e][0] != price:
                    todo.append((e, price))
            # The same prices give the same best week: only employees whose prices moved
            # are priced again.
            results = list(pool.map(lambda job: pricers[job[0]].solve(job[1]), todo))
            added = 0
            for (e, price), (col, low) in zip(todo, results, strict=True):
                if col is None:
                    return None
                last[e] = (price, low)
                if add(col):
                    added += 1
            total = sum(low for _, low in last.values())
            worst_coef = linking.fairness_weight - sum(
                y[r] * linking.asked_by_member.get(row.member_id, 0)
                for r, row in enumerate(linking.rows)
                if row.member_id is not None
            )
            bound = (
                linking.constant
                + total
                - sum(y[r] * row.rhs for r, row in enumerate(linking.rows))
                + min(0, worst_coef * FAIRNESS_SCALE)
            )
            best = max(best, math.ceil(bound - 1e-6))
            if added == 0 or time.perf_counter() - started > time_limit:
                break
            solved = _master_lp(linking, columns, pricers)
            if solved is None:
                break
            lp_value, duals = solved.value, solved.duals
            weights = solved.weights
            if lp_value - best <= 1e-9 * max(1.0, abs(lp_value)):
                break
    return Generation(columns, best, lp_value, iterations, time.perf_counter() - started, weights)


def columns_of(ctx: ModelContext, solver: cp_model.CpSolver) -> list[Column]:
    """Each employee's week in the full model's solution held by ``solver``, as columns."""
    cost: dict[str, int] = dict.fromkeys(ctx.employees, 0)
    for p in ctx.penalties:
        if p.employee_id is not None and p.name not in LINKING_PENALTIES:
            cost[p.employee_id] += p.weight * solver.value(p.expr)
    return [
        Column(
            em.id,
            frozenset(it.slot.index for it in em.slot_items() if solver.boolean_value(it.lit)),
            cost[em.id],
            0,
        )
        for em in ctx.employees.values()
    ]


def _master_lp(
    linking: Linking, columns: list[Column], pricers: dict[str, Pricing]
) -> MasterLP | None:
    lp = pywraplp.Solver.CreateSolver("GLOP")
    if lp is None:
        return None
    # Slack on every row at a price above anything a slot is worth keeps the master feasible
    # whatever columns exist; the Lagrangian bound does not depend on it.
    penalty = 10 * max([1, *linking.gain.values()])
    rows = []
    for row in linking.rows:
        rows.append(lp.Constraint(-math.inf, row.rhs))
    objective = lp.Objective()
    for r, row in enumerate(linking.rows):
        slack = lp.NumVar(0, math.inf, "")
        rows[r].SetCoefficient(slack, -1)
        scale = FAIRNESS_SCALE if row.member_id is not None else 1
        cost = penalty if row.excess_cost is None else row.excess_cost
        objective.SetCoefficient(slack, cost / scale)
    convexity = {e: lp.Constraint(1, 1) for e in pricers}
    lambdas = []
    for col in columns:
        var = lp.NumVar(0, 1, "")
        lambdas.append(var)
        convexity[col.employee_id].SetCoefficient(var, 1)
        objective.SetCoefficient(var, col.value)
        coef: dict[int, float] = {}
        for i in col.slots:
            for r, c in linking.rows_of_slot.get(i, ()):
                coef[r] = coef.get(r, 0) + c
        for r, c in coef.items():
            rows[r].SetCoefficient(var, c)
    if linking.fairness_weight:
        worst = lp.NumVar(0, FAIRNESS_SCALE, "worst")
        objective.SetCoefficient(worst, linking.fairness_weight)
        for r, row in enumerate(linking.rows):
            if row.member_id is not None:
                rows[r].SetCoefficient(worst, -linking.asked_by_member[row.member_id])
    objective.SetMinimization()
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return MasterLP(
        objective.Value() + linking.constant,
        [c.dual_value() for c in rows],
        [v.solution_value() for v in lambdas],
    )


def restricted_master(
    linking: Linking,
    columns: list[Column],
    employees: list[str],
    time_limit: float,
    hint: dict[str, frozenset[int]] | None = None,
    num_workers: int = 1,
    seed: int = 0,
) -> dict[str, frozenset[int]] | None:
    """One column per employee with the linking rows kept (CP-SAT); None if none found."""
    model = cp_model.CpModel()
    by_employee: dict[str, list[tuple[Any, Column]]] = {e: [] for e in employees}
    for k, col in enumerate(columns):
        by_employee[col.employee_id].append((model.new_bool_var(f"col[{k}]"), col))
    if any(not cols for cols in by_employee.values()):
        return None
    for cols in by_employee.values():
        model.add_exactly_one(v for v, _ in cols)
    terms: list[list[tuple[Any, int]]] = [[] for _ in linking.rows]
    for cols in by_employee.values():
        for v, col in cols:
            coef: dict[int, int] = {}
            for i in col.slots:
                for r, c in linking.rows_of_slot.get(i, ()):
                    coef[r] = coef.get(r, 0) + c
            for r, c in coef.items():
                terms[r].append((v, c))
    worst = model.new_int_var(0, FAIRNESS_SCALE, "worst")
    excess = []
    for r, row in enumerate(linking.rows):
        expr = sum(c * v for v, c in terms[r])
        if row.member_id is not None:
            expr -= linking.asked_by_member[row.member_id] * worst
        if row.excess_cost is not None and terms[r]:
            extra = model.new_int_var(0, sum(c for _, c in terms[r]), f"excess[{r}]")
            expr -= extra
            excess.append(row.excess_cost * extra)
        model.add(expr <= row.rhs)
    model.minimize(
        sum(col.value * v for cols in by_employee.values() for v, col in cols)
        + linking.fairness_weight * worst
        + sum(excess)
    )
    if hint:
        for cols in by_employee.values():
            for v, col in cols:
                model.add_hint(v, hint.get(col.employee_id) == col.slots)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit)
    solver.parameters.num_workers = max(1, num_workers)
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {
        e: next(col.slots for v, col in cols if solver.boolean_value(v))
        for e, cols in by_employee.items()
    }
