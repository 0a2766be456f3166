"""Everyone's weekends planned together, before anyone's line: the first roster's backbone.

Where each person may work only a few of the weekends and the weekends' cover asks for
about as many person-days as those allow, who works which weekend is the roster's hardest
choice, and one person's best response cannot make it well: each takes the weekends short
at the moment, the next finds them full and works a weekend on one day only, which spends
a weekend of their limit for half its worth. Here one CP-SAT model takes every person's
weekend days at once: their options on those days, the successions from Saturday to
Sunday, the weekends each may work, their caps on each type and their total, the cover of
the weekend needs and everyone's requests on those days. The weekdays are left out: the
first lines are then each person's best over the weekdays, their weekends kept as planned
(``line_pin.pinned``), and the search's rounds go on from there, free to change any of it.
Measured on the rota benchmark (docs/curtois.md): Instance13 (120 people, 4 weeks, at most
1-3 of their 4 weekends each, whose weekends ask about as many person-days as they allow)
gave 2,208, 2,003 and 2,019 over three seeds, against 2,636, 2,440 and 2,659 without.
"""

from __future__ import annotations

import itertools
import time
from typing import TYPE_CHECKING

import numpy as np
from ortools.sat.python import cp_model

from solver.line_dp import LineSpec
from solver.line_model import SCALE, weekends

if TYPE_CHECKING:
    from solver.line_search import LineSearch

# Rounds of best responses over the weekends alone for CP-SAT's first plan (``responses``).
RESPONSE_ROUNDS = 3


def weekday_windows(saturday: np.ndarray, sunday: np.ndarray) -> list[tuple[int, int]]:
    """The stretches of days between weekends, as ranges."""
    free = ~(saturday | sunday)
    out: list[tuple[int, int]] = []
    d = 0
    while d < len(free):
        if free[d]:
            first = d
            while d < len(free) and free[d]:
                d += 1
            out.append((first, d))
        else:
            d += 1
    return out


def responses(s: LineSearch, rounds: int = RESPONSE_ROUNDS) -> dict[str, np.ndarray]:
    """A first plan by best responses over the weekends alone, everyone in turn: each takes
    the weekends where their best shifts gain most against everyone else's, up to their
    limit, keeping their caps and total. Where CP-SAT starts from nothing, its first plans
    leave most weekends short for seconds: on Instance13, 9 s of CP-SAT (seeds 0-3) left
    13-24 people missing on its weekends from nothing, 11-12 from these responses' plan
    (22 missing alone)."""
    c = s.cover
    people = np.zeros(len(c.headcount), dtype=np.int64)
    planned: dict[str, np.ndarray] = {}
    for _ in range(rounds):
        for e, p in s.people.items():
            line = planned.get(e)
            if line is not None:
                np.add.at(people, p.option_need[line[line >= 0]], -1)
            planned[e] = line = _response(s, e, people)
            np.add.at(people, p.option_need[line[line >= 0]], 1)
    return planned


def _response(s: LineSearch, e: str, people: np.ndarray) -> np.ndarray:
    """``e``'s best weekends against ``people`` on each need (without ``e``): the weekends
    whose best shifts gain most, in turn, while the limits hold."""
    p = s.people[e]
    spec = p.spec
    cost = p.request_cost + s.cover.marginal(p.option_need, people)
    offered = []
    for days in weekends(spec):
        off = float(p.off_cost[days].sum())
        choices = [range(int(spec.day_start[d]), int(spec.day_start[d + 1])) for d in days]
        best: tuple[float, tuple[int, ...]] | None = None
        for pattern in itertools.product(*[[-1, *options] for options in choices]):
            if all(o < 0 for o in pattern) or not _follows(spec, pattern):
                continue
            value = 1.0 / SCALE + sum(
                float(cost[o]) if o >= 0 else float(p.off_cost[d])
                for d, o in zip(days, pattern, strict=True)
            )
            if best is None or value < best[0]:
                best = (value, pattern)
        if best is not None and best[0] < off:
            offered.append((best[0] - off, days, best[1]))
    offered.sort(key=lambda x: x[0])
    line = np.full(spec.days, -1, dtype=np.int64)
    counts = np.zeros(len(spec.type_cap), dtype=np.int64)
    units = 0
    taken = 0
    for _, days, pattern in offered:
        if 0 <= spec.max_weekends <= taken:
            break
        worked = [o for o in pattern if o >= 0]
        more = np.bincount(spec.option_type[worked], minlength=len(counts))
        more_units = int(spec.option_units[worked].sum())
        capped = spec.type_cap >= 0
        if (capped & (counts + more > spec.type_cap)).any() or units + more_units > spec.max_units:
            continue
        counts += more
        units += more_units
        taken += 1
        for d, o in zip(days, pattern, strict=True):
            line[d] = o
    return line


def _follows(spec: LineSpec, pattern: tuple[int, ...]) -> bool:
    """Whether a weekend's Saturday shift may be followed by its Sunday one."""
    if len(pattern) < 2 or pattern[0] < 0 or pattern[1] < 0:
        return True
    before = spec.type_class[spec.option_type[pattern[0]]]
    return bool(spec.follows[before, spec.option_type[pattern[1]]])


def plan(
    s: LineSearch,
    deadline: float,
    *,
    threads: int = 1,
    seed: int = 0,
    subsolvers: tuple[str, ...] = (),
) -> dict[str, np.ndarray]:
    """A line per person with only their weekend days planned (-1 on every other day), the
    best CP-SAT finds by ``deadline`` (a ``time.perf_counter()`` instant; with
    ``subsolvers`` when given: the problem's); empty when it finds none."""
    model = cp_model.CpModel()
    chosen: dict[str, list[tuple[int, int, cp_model.IntVar]]] = {}
    on_need: dict[int, list[cp_model.IntVar]] = {}
    costs: list[cp_model.LinearExprT] = []
    for e, p in s.people.items():
        spec = p.spec
        mine: list[tuple[int, int, cp_model.IntVar]] = []
        per_type: dict[int, list[cp_model.IntVar]] = {}
        units: list[cp_model.LinearExprT] = []
        worked_weekends = []
        for days in weekends(spec):
            by_day = []
            for d in days:
                xs = []
                for o in range(int(spec.day_start[d]), int(spec.day_start[d + 1])):
                    x = model.new_bool_var(f"{e}_{o}")
                    xs.append((o, x))
                    mine.append((d, o, x))
                    on_need.setdefault(int(p.option_need[o]), []).append(x)
                    per_type.setdefault(int(spec.option_type[o]), []).append(x)
                    units.append(int(spec.option_units[o]) * x)
                    if p.request_cost[o]:
                        costs.append(round(SCALE * float(p.request_cost[o])) * x)
                model.add_at_most_one(x for _, x in xs)
                if p.off_cost[d]:
                    costs.append(round(SCALE * float(p.off_cost[d])) * (1 - sum(x for _, x in xs)))
                by_day.append(xs)
            if len(by_day) == 2:
                for (o, x), (o2, x2) in itertools.product(*by_day):
                    if not _follows(spec, (o, o2)):
                        model.add_bool_or([~x, ~x2])
            worked = model.new_bool_var(f"{e}_weekend_{days[0]}")
            for xs in by_day:
                for _, x in xs:
                    model.add_implication(x, worked)
            worked_weekends.append(worked)
            # The least cost the model has: of two plans that cover alike, the one on fewer
            # weekends, whole ones, which leave the limits and the days around them free.
            costs.append(worked)
        if spec.max_weekends >= 0:
            model.add(sum(worked_weekends) <= spec.max_weekends)
        for t, xs in per_type.items():
            if spec.type_cap[t] >= 0:
                model.add(sum(xs) <= int(spec.type_cap[t]))
        model.add(sum(units) <= int(spec.max_units))
        chosen[e] = mine
    c = s.cover
    for n, xs in on_need.items():
        headcount = int(c.headcount[n])
        short = model.new_int_var(0, headcount, f"short_{n}")
        over = model.new_int_var(0, len(xs), f"over_{n}")
        model.add(sum(xs) + short - over == headcount)
        costs.append(round(SCALE * float(c.weight_under[n])) * short)
        costs.append(round(SCALE * float(c.weight_over[n])) * over)
    model.minimize(sum(costs))
    start = responses(s)
    for e, mine in chosen.items():
        for d, o, x in mine:
            model.add_hint(x, int(start[e][d] == o))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, deadline - time.perf_counter())
    solver.parameters.num_workers = max(1, threads)
    solver.parameters.random_seed = seed
    solver.parameters.subsolvers.extend(subsolvers)
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}
    lines: dict[str, np.ndarray] = {}
    for e, mine in chosen.items():
        line = np.full(s.people[e].spec.days, -1, dtype=np.int64)
        for d, o, x in mine:
            if solver.boolean_value(x):
                line[d] = o
        lines[e] = line
    return lines
