"""Column generation over whole lines, and a dive from its linear program to a rota roster.

A line search stops at a local optimum: no one person's line can change alone for the better.
Column generation looks at the whole group at once. Its *master* is a linear program over the
lines found so far (each person takes a convex mix of their lines; each need's people short or
extra are priced by its weights). Its duals say what one more person on each need is worth to
the group, and each person's best lines at those prices (the *pricing*) join the pool when they
would lower the master's value.

- The pricing is exact. The recursion of ``line_dp`` keeps the weekends and the types' counts
  in its state (where it stays small), so its line is the cheapest and is taken as it is;
  where a count had to stay priced, each person's ``LineModel`` (CP-SAT) keeps every rule,
  hinted with the recursion's line. With the counts priced, the recursion once missed the
  best line of half the people of the benchmark's Instance8 (by 10 % to 80 %).
- The duals are smoothed (Wentges): each round prices at a point between the master's duals
  and the best point seen by its Lagrangian value, which damps the swings that make column
  generation slow to converge.

The *dive* turns the master into a roster: each step fixes the people whose mix is one line,
and as few of the others as its time allows (one at best), the heaviest lines first; a few
rounds of pricing follow, and so on until everyone has a line. It only starts from a master
that converged: from one still far from its optimum it was measured worse than the line
search it began from. A dive that ends well above the master, with time left, starts again
from the root in another order, and the best of its rosters is kept.

Before the dives, where every line close enough to the root's bound can be listed in the time
(``line_exact``), an integer program over them finds the optimum and proves it; the dives
then only run where it did not.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import linear_solver_pb2, pywraplp

from solver import line_exact
from solver.line_dp import best_line, relaxes
from solver.line_exact import Settled
from solver.line_model import LineModel
from solver.line_search import LineSearch, PersonLines, line_cost

# A column joins the pool when its reduced cost is below this (costs are whole numbers).
IMPROVING = -1e-6
# Weight of the best point in the smoothed duals.
SMOOTHING = 0.6
# A line weighing this much in the master's mix is taken as it is.
WHOLE = 0.999
# The root's pricing stops within this share of its bound: its last rounds gain little (on
# Instance12: 4,095 to 4,040 took 12 of 36 rounds), and the dive prices again anyway.
ROOT_GAP = 0.01
# Rounds a root takes at the least (measured: 17 on Instance11, 18 on 9, 20 on 10, 36 on 12,
# 46 on 14): a root whose first rounds are too slow for that many is given up at once.
ROOT_ROUNDS = 17
# Pricing rounds after each step of the dive, and at most, where the time left would still
# fix one person a step at the rounds' pace.
DIVE_ROUNDS = 3
DIVE_ROUNDS_MAX = 10
# A dive whose roster is more than ``ROOT_GAP`` above the root's master, and that ends with
# time for this many more, starts again from the root, its heaviest lines' order shaken by up
# to this share of their weight, up to ``DIVES`` in all; the best roster is kept. On Instance8
# (master some 1,299) the first dive ended at 1,405-1,507 in five runs of six, and CP-SAT's
# minute from there ended either near 1,400 or near 1,300; with dives again, 1-5 dives came
# within 1 % and the six runs ended at 1,302-1,305.
REDIVE_PACE = 1.5
DIVE_JITTER = 0.3
DIVES = 8
# Share of the time left after the root that ``line_exact``'s program may take, before the
# dives: on the rota benchmark's Instance5 it proves the optimum (1,143) in some 20 s of the
# 42 s the columns have, where the dives and CP-SAT's minute end at 1,145.
SETTLE_SHARE = 0.6


@dataclass(slots=True)
class Pool:
    """Every line found per person, with its own cost and the needs it is on."""

    lines: dict[str, list[np.ndarray]] = field(default_factory=dict)
    costs: dict[str, list[float]] = field(default_factory=dict)
    needs: dict[str, list[np.ndarray]] = field(default_factory=dict)
    seen: dict[str, set[bytes]] = field(default_factory=dict)

    def add(self, p: PersonLines, e: str, line: np.ndarray) -> bool:
        """Whether ``line`` was new to ``e``'s lines."""
        key = line.tobytes()
        seen = self.seen.setdefault(e, set())
        if key in seen:
            return False
        seen.add(key)
        self.lines.setdefault(e, []).append(line)
        self.costs.setdefault(e, []).append(line_cost(p, line))
        self.needs.setdefault(e, []).append(p.option_need[line[line >= 0]])
        return True

    def size(self) -> int:
        return sum(len(v) for v in self.lines.values())


@dataclass(slots=True)
class Master:
    """The linear master over the pool; columns are added as the pool grows."""

    lp: pywraplp.Solver
    headcount: np.ndarray
    convexity: dict[str, pywraplp.Constraint]
    cover: list[pywraplp.Constraint]
    columns: dict[str, list[pywraplp.Variable]] = field(default_factory=dict)

    def add(self, pool: Pool, e: str) -> None:
        k = len(self.columns.setdefault(e, []))
        var = self.lp.NumVar(0.0, 1.0, "")
        self.lp.Objective().SetCoefficient(var, pool.costs[e][k])
        self.convexity[e].SetCoefficient(var, 1.0)
        for n in pool.needs[e][k]:
            self.cover[int(n)].SetCoefficient(var, 1.0)
        self.columns[e].append(var)

    def solve(self) -> tuple[float, np.ndarray, dict[str, float]] | None:
        """The value, the cover's duals and each person's dual; None if not solved."""
        # GLOP, warm from its last basis, now and then calls a master ABNORMAL that it solves
        # cold (four runs of six on Instance8 met one; the dive was lost before).
        optimal = pywraplp.Solver.OPTIMAL
        if self.lp.Solve() != optimal and (not self._cold() or self.lp.Solve() != optimal):
            return None
        duals = np.array([c.dual_value() for c in self.cover])
        mu = {e: c.dual_value() for e, c in self.convexity.items()}
        return self.lp.Objective().Value(), duals, mu

    def _cold(self) -> bool:
        """The same program in a new solver, which starts with no basis; whether it loaded."""
        proto = linear_solver_pb2.MPModelProto()
        self.lp.ExportModelToProto(proto)
        lp = pywraplp.Solver.CreateSolver("GLOP")
        if lp.LoadModelFromProto(proto):
            return False  # Its error message: the master stays as it was.
        variables, constraints = lp.variables(), lp.constraints()
        self.columns = {e: [variables[v.index()] for v in vs] for e, vs in self.columns.items()}
        self.convexity = {e: constraints[c.index()] for e, c in self.convexity.items()}
        self.cover = [constraints[c.index()] for c in self.cover]
        self.lp = lp
        return True

    def fix(self, e: str, k: int) -> None:
        self.columns[e][k].SetLb(1.0)

    def unfix(self, e: str, k: int) -> None:
        self.columns[e][k].SetLb(0.0)

    def weights(self, e: str) -> list[float]:
        return [v.solution_value() for v in self.columns[e]]


def master(s: LineSearch, pool: Pool) -> Master:
    """The master over ``pool``'s lines and ``s``'s needs."""
    lp = pywraplp.Solver.CreateSolver("GLOP")
    objective = lp.Objective()
    cover = s.cover
    rows = []
    for n, head in enumerate(cover.headcount):
        row = lp.Constraint(float(head), float(head), "")
        short = lp.NumVar(0.0, lp.infinity(), "")
        extra = lp.NumVar(0.0, lp.infinity(), "")
        objective.SetCoefficient(short, float(cover.weight_under[n]))
        objective.SetCoefficient(extra, float(cover.weight_over[n]))
        row.SetCoefficient(short, 1.0)
        row.SetCoefficient(extra, -1.0)
        rows.append(row)
    objective.SetMinimization()
    m = Master(
        lp, cover.headcount.astype(float), {e: lp.Constraint(1.0, 1.0, "") for e in s.people}, rows
    )
    for e, lines in pool.lines.items():
        for _ in lines:
            m.add(pool, e)
    return m


def price_lines(
    p: PersonLines, option_cost: np.ndarray, seed: int
) -> tuple[list[np.ndarray], bool]:
    """``p``'s cheapest line by the recursion at ``option_cost``, with the weekends and the
    types' counts kept in its state where it stays small (``best_line``'s ``count_states``);
    and whether it is ``p``'s cheapest line (within the half unit of the recursion's
    tie-breaking): so it is when the recursion ran with the minutes in its state and found a
    line with no count priced, the optimum of a recursion that keeps every rule."""
    spec = p.spec
    exact = not relaxes(spec)
    # Counted rather than priced or tried set by set (as they were), the counts make every
    # pricing call of an Instance17 run (3,427) proved by the recursion alone, 3.2 ms each on
    # average; its root converged in 2.3 s (rounds of 0.1 s, not 2 s), and Instance14's in
    # 7.5 s, not 24-26 s.
    found = best_line(spec, option_cost, p.off_cost, seed=seed, exact=exact, count_states=True)
    if found is None:
        return [], False
    return [found.choice], exact and not found.prices.any()


class Generator:
    """Rounds of pricing against one master, with the duals smoothed.

    With ``exact``, each person's line is the recursion's where it proves it the cheapest,
    else their ``LineModel``'s (hinted with the cheaper of the recursion's line and the
    model's last); otherwise the recursion's alone."""

    def __init__(
        self, s: LineSearch, pool: Pool, m: Master, mapper: Callable, *, exact: bool
    ) -> None:
        self.s = s
        self.pool = pool
        self.m = m
        self.map = mapper
        self.models = {e: LineModel(p.spec) for e, p in s.people.items()} if exact else {}
        self.center: np.ndarray | None = None
        self.center_value = -math.inf
        self.rounds = 0
        self.converged = False
        self.last: dict[str, np.ndarray] = {}

    def run(
        self,
        deadline: float,
        fixed: Mapping[str, int] | None = None,
        max_rounds: int | None = None,
        gap: float = 0.0,
        rounds_needed: int = 0,
    ) -> float | None:
        """Price until no column improves or the master's value is within ``gap`` (a share)
        of the best Lagrangian bound (then ``converged``), ``max_rounds`` or ``deadline``; the
        master's value (None when it was not solved). The bound is only a bound when the
        pricing is exact. Once two rounds show that ``rounds_needed`` of them cannot end by
        ``deadline`` at their pace (one round, that they would need twice the time; a first
        round stops once it has taken twice its share), it stops there, not converged."""
        began = time.perf_counter()
        pinned = fixed or {}
        free = [e for e in self.s.people if e not in pinned]
        value = None
        done = 0
        smooth = True
        self.converged = False
        # The best point so far was best with other people free.
        self.center, self.center_value = None, -math.inf
        while time.perf_counter() < deadline and (max_rounds is None or done < max_rounds):
            solved = self.m.solve()
            if solved is None:
                return None
            value, duals, mu = solved
            done += 1
            self.rounds += 1
            point = duals
            if smooth and self.center is not None:
                point = SMOOTHING * self.center + (1 - SMOOTHING) * duals
            cut = deadline
            if done == 1 and rounds_needed:
                # A first round that takes twice its share of the time gives up before it
                # ends (one took 14 s of Instance19's 21).
                cut = min(deadline, began + 2 * (deadline - began) / rounds_needed)
            added, lagrangian = self._price(free, pinned, point, duals, mu, cut)
            if lagrangian is None:
                break  # The deadline cut the round short.
            now = time.perf_counter()
            pace = (now - began) / done
            # A first round also builds the models, so it alone only gives up on a root that
            # would need twice its time.
            slack = deadline - began if done == 1 else 0.0
            if now + pace * (rounds_needed - done) > deadline + slack:
                break
            if lagrangian > self.center_value:
                self.center, self.center_value = point, lagrangian
            if value - self.center_value <= gap * abs(value):
                self.converged = True
                break
            if added:
                smooth = True
            elif point is not duals:
                smooth = False  # Mispriced: price at the master's own duals next.
            else:
                self.converged = True
                break
        return value

    def _price(
        self,
        people: list[str],
        fixed: Mapping[str, int],
        point: np.ndarray,
        duals: np.ndarray,
        mu: dict[str, float],
        deadline: float,
    ) -> tuple[int, float | None]:
        """Lines priced at ``point`` for ``people``; those improving at ``duals`` join. The new
        columns, and the Lagrangian value at ``point`` (anyone with no line priced counted at
        their best column in the pool, the ``fixed`` at the column they are fixed to; None
        when ``deadline`` came before everyone was priced: a round on a large group takes
        seconds)."""
        seed = self.rounds
        added = 0
        lagrangian: float | None = float(point @ self.m.headcount)
        priced = set()

        def lines_of(e: str) -> tuple[str, list[np.ndarray] | None]:
            if time.perf_counter() >= deadline:
                return e, None
            return e, self._lines(e, point, seed)

        for e, lines in self.map(lines_of, people):
            if lines is None:
                lagrangian = None
                continue
            p = self.s.people[e]
            best = math.inf
            for line in lines:
                needs = p.option_need[line[line >= 0]]
                cost = line_cost(p, line)
                best = min(best, cost - point[needs].sum())
                if cost - duals[needs].sum() - mu[e] < IMPROVING and self.pool.add(p, e, line):
                    self.m.add(self.pool, e)
                    added += 1
            if lines and lagrangian is not None:
                priced.add(e)
                lagrangian += best
        if lagrangian is None:
            return added, None
        for e in people:
            if e not in priced:
                lagrangian += min(
                    c - point[n].sum()
                    for c, n in zip(self.pool.costs[e], self.pool.needs[e], strict=True)
                )
        # The fixed people's lines are in every roster left: counted, they make the value a
        # bound on the master with those people fixed, so a dive's step stops pricing once its
        # master is proved (a step once always took its rounds).
        for e, k in fixed.items():
            lagrangian += self.pool.costs[e][k] - point[self.pool.needs[e][k]].sum()
        return added, lagrangian

    def _lines(self, e: str, point: np.ndarray, seed: int) -> list[np.ndarray]:
        p = self.s.people[e]
        cost = p.request_cost - point[p.option_need]
        model = self.models.get(e)
        if model is None:
            return price_lines(p, cost, seed)[0]

        def reduced(line: np.ndarray) -> float:
            return line_cost(p, line) - point[p.option_need[line[line >= 0]]].sum()

        # The recursion runs for everyone every time: with the counts in its state it proves
        # nearly every line (Instance18, seed 1: 2,433 of 2,436 calls), and a person it once
        # missed, priced by the model alone from then on, took 225 model calls and 22.4 s.
        lines, proved = price_lines(p, cost, seed)
        if proved:
            # The recursion's line is the model's optimum: the model would only confirm it.
            return lines
        last = self.last.get(e)
        hint = min([*lines, *([] if last is None else [last])], key=reduced, default=None)
        found = model.cheapest(cost, p.off_cost, hint=hint, seed=seed)
        if found is not None:
            self.last[e] = found
            lines.append(found)
        return lines


def dive(
    s: LineSearch,
    deadline: float,
    *,
    root_deadline: float | None = None,
    threads: int = 1,
    exact: bool = True,
) -> dict[str, np.ndarray] | None:
    """A line per person from the master's linear program, grown from ``s``'s roster.

    None when the root's pricing has not converged by ``root_deadline``, or its first rounds
    show it will not (a dive from a master that far from its optimum was measured worse than
    the line search it started from). When
    ``deadline`` comes, everyone not yet fixed takes their heaviest line at once."""
    pool = Pool()
    for e, line in s.lines.items():
        pool.add(s.people[e], e, line)
    m = master(s, pool)
    began = time.perf_counter()
    with _mapper(threads) as mapper:
        gen = Generator(s, pool, m, mapper, exact=exact)
        root = gen.run(
            deadline if root_deadline is None else root_deadline,
            gap=ROOT_GAP if exact else 0.0,
            rounds_needed=ROOT_ROUNDS,
        )
        if not gen.converged or root is None:
            return None
        settled = _settle(s, m, gen, deadline, time.perf_counter() - began) if exact else None
        if settled is not None and settled.lines is not None and settled.value <= s.bound:
            return settled.lines
        best: dict[str, int] = {}
        best_value = math.inf
        jitter = 0.0
        for _ in range(DIVES):
            began = time.perf_counter()
            fixed, value = _descend(s, m, gen, deadline, jitter)
            if value is not None and value < best_value:
                best, best_value = fixed, value
            took = time.perf_counter() - began
            if (
                value is None
                or best_value <= root * (1 + ROOT_GAP)
                or time.perf_counter() + REDIVE_PACE * took > deadline
            ):
                break
            for e, k in fixed.items():
                m.unfix(e, k)
            jitter = DIVE_JITTER
    if settled is not None and settled.lines is not None and settled.value < best_value:
        return settled.lines
    if not best:
        return None
    return {e: pool.lines[e][k] for e, k in best.items()}


def _settle(
    s: LineSearch, m: Master, gen: Generator, deadline: float, root_seconds: float
) -> Settled | None:
    """``line_exact``'s program from the root's master, converged to its optimum first (its
    duals make the bound; for no longer than the root took), within ``SETTLE_SHARE`` of the
    time left; ``s.bound`` raised to what it proves."""
    began = time.perf_counter()
    end = began + SETTLE_SHARE * (deadline - began)
    gen.run(min(end, began + root_seconds), gap=0.0)
    solved = m.solve()
    if not gen.converged or solved is None:
        return None
    settled = line_exact.settle(s, solved[1], s.objective(), end)
    if settled is not None:
        s.bound = max(s.bound, settled.bound)
    return settled


def _descend(
    s: LineSearch, m: Master, gen: Generator, deadline: float, jitter: float
) -> tuple[dict[str, int], float | None]:
    """One dive from ``m``'s master: the line fixed per person, and the roster's value (None
    when the master could not be solved)."""
    fixed: dict[str, int] = {}
    stepped = time.perf_counter()
    # Seconds and rounds of the dive's pricing so far: its pace.
    pricing_seconds, pricing_rounds = 0.0, 0
    while len(fixed) < len(s.people):
        # The last round's columns came after the last solve.
        if m.solve() is None:
            return fixed, None
        whole, heavy = [], []
        for e in s.people:
            if e in fixed:
                continue
            weights = m.weights(e)
            k = int(np.argmax(weights))
            if weights[k] > WHOLE:
                whole.append((e, k))
            else:
                rank = weights[k] * (1.0 - jitter * s.rng.random()) if jitter else weights[k]
                heavy.append((rank, e, k))
        heavy.sort(key=lambda h: -h[0])
        # As many steps as the time left allows at the last step's pace, one person a
        # step at best: the fewer fixed at once, the closer the dive stays to the master.
        now = time.perf_counter()
        steps = (deadline - now) / max(now - stepped, 1e-3)
        share = len(heavy) if steps < 1 else math.ceil(len(heavy) / steps)
        stepped = now
        whole += [(e, k) for _, e, k in heavy[: max(1, share) if not whole else share]]
        for e, k in whole:
            fixed[e] = k
            m.fix(e, k)
        began, before = time.perf_counter(), gen.rounds
        gen.run(
            deadline,
            fixed,
            _dive_rounds(
                deadline - began, len(s.people) - len(fixed), pricing_seconds, pricing_rounds
            ),
        )
        pricing_seconds += time.perf_counter() - began
        pricing_rounds += gen.rounds - before
    # With everyone fixed, the master's value is the roster's own.
    solved = m.solve()
    return fixed, None if solved is None else solved[0]


def _dive_rounds(left: float, free: int, pricing_seconds: float, pricing_rounds: int) -> int:
    """Pricing rounds for the next step of a dive: more than ``DIVE_ROUNDS`` where ``left``
    seconds allow that many for each of the ``free`` people still to fix, one a step, at the
    pace of the dive's rounds so far. On Instance18 (22 people, 12 weeks) the dive with three
    rounds a step ended in 10-13 s of its 28 s, 20-25 % above the root's linear program."""
    if not pricing_rounds or not free:
        return DIVE_ROUNDS
    affordable = int(left / (free * pricing_seconds / pricing_rounds))
    return max(DIVE_ROUNDS, min(DIVE_ROUNDS_MAX, affordable))


@contextlib.contextmanager
def _mapper(threads: int) -> Iterator[Callable]:
    """``map`` over two threads (the recursion runs without the GIL), or in this one."""
    if threads < 2:
        yield map
        return
    with ThreadPoolExecutor(2) as pool:
        yield pool.map
