"""One day's shifts dealt again among everyone who works that day: a min-cost flow.

Where two people each hold the shift the other asked for, neither can swap alone: the one who
moves first leaves a need short, which costs more than their wish is worth, and a best
response (``line_search``) never takes that step. Dealing a whole day's shifts at once among
the people who work it finds such swaps, and longer rings of them, exactly. Who works which
day stays as it is, so every rule over the days (runs, days off, weekends) holds as before;
what a new shift can break is checked before it is offered: its succession from the day
before and into the day after, its type's cap and the person's total. What is left is an
assignment of people to the day's needs, each need worth a missing person's weight up to its
headcount and costing an extra person's weight beyond it: a min-cost flow, solved exactly in
about a millisecond a day.

Measured on the rota benchmark (docs/curtois.md): from the line search's roster after its
minute, sweeps over every day took Instance23 from 21,632 to 20,455 in 4.6 s and Instance24
from 60,123 to 56,934 in 7 s, almost all of it requests; the best responses alone took 100 s
more to gain as much on Instance23.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
from ortools.graph.python import min_cost_flow

if TYPE_CHECKING:
    from solver.line_search import LineSearch

# Costs are floats (weights, requests); the flow's are whole numbers at this scale.
SCALE = 100


def sweep(s: LineSearch, deadline: float) -> bool:
    """Every day's shifts dealt again (``deal``), the days in turn from a random one, until
    ``deadline`` (a ``time.perf_counter()`` instant); whether the roster gained. A deal of
    equal value is kept too: ties break another way on each sweep, and the roster drifts
    across equal rosters to where the next responses can gain."""
    if not s.lines:
        return False
    before = s.objective()
    days = next(iter(s.people.values())).spec.days
    counts, units = {}, {}
    for e, line in s.lines.items():
        spec = s.people[e].spec
        worked = line[line >= 0]
        counts[e] = np.bincount(spec.option_type[worked], minlength=len(spec.type_cap))
        units[e] = int(spec.option_units[worked].sum())
    first = s.rng.randrange(days)
    for k in range(days):
        if time.perf_counter() >= deadline:
            break
        deal(s, (first + k) % days, counts, units)
    return s.objective() < before - 1e-9


def deal(s: LineSearch, day: int, counts: dict[str, np.ndarray], units: dict[str, int]) -> bool:
    """The best shifts on ``day`` for the people who work it, everything else kept; kept when
    the roster is no worse. ``counts`` (each person's shifts per type) and ``units`` (their
    total) are read, and kept up to date."""
    workers = [e for e, line in s.lines.items() if line[day] >= 0]
    if len(workers) < 2:
        return False
    # The flow breaks ties by the order of its arcs: a new order gives another equal roster.
    s.rng.shuffle(workers)
    c = s.cover
    tails, heads, costs, offered = [], [], [], []
    need_node: dict[int, int] = {}
    on_need: dict[int, int] = {}
    for i, e in enumerate(workers):
        options = _offered(s, e, day, counts[e], units[e])
        needs = s.people[e].option_need[options]
        nodes = []
        for n in needs.tolist():
            nodes.append(need_node.setdefault(n, len(workers) + len(need_node)))
        current = int(s.people[e].option_need[s.lines[e][day]])
        on_need[current] = on_need.get(current, 0) + 1
        tails.append(np.full(len(options), i, dtype=np.int64))
        heads.append(np.array(nodes, dtype=np.int64))
        costs.append(np.rint(SCALE * s.people[e].request_cost[options]).astype(np.int64))
        offered.append(options)
    sink = len(workers) + len(need_node)
    need_tails, need_heads, need_caps, need_costs = [], [], [], []
    for n, node in need_node.items():
        others = int(c.people[n]) - on_need.get(n, 0)
        room = max(0, int(c.headcount[n]) - others)
        if room:
            need_tails.append(node)
            need_heads.append(sink)
            need_caps.append(room)
            need_costs.append(-SCALE * int(c.weight_under[n]))
        need_tails.append(node)
        need_heads.append(sink)
        need_caps.append(len(workers))
        need_costs.append(SCALE * int(c.weight_over[n]))
    worker_tails = np.concatenate(tails)
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([worker_tails, np.array(need_tails, dtype=np.int64)]),
        np.concatenate([*heads, np.array(need_heads, dtype=np.int64)]),
        np.concatenate([np.ones(len(worker_tails), dtype=np.int64), need_caps]),
        np.concatenate([*costs, np.array(need_costs, dtype=np.int64)]),
    )
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[: len(workers)] = 1
    supplies[sink] = -len(workers)
    flow.set_nodes_supplies(np.arange(sink + 1), supplies)
    if flow.solve() != flow.OPTIMAL:
        return False
    taken = np.flatnonzero(flow.flows(arcs[: len(worker_tails)]))
    options = np.concatenate(offered)
    changed: dict[str, np.ndarray] = {}
    for a in taken.tolist():
        e = workers[int(worker_tails[a])]
        line = s.lines[e]
        if int(options[a]) != line[day]:
            new = line.copy()
            new[day] = options[a]
            changed[e] = new
    if not changed:
        return False
    old = {e: s.lines[e][day] for e in changed}
    if not s.adopt(changed, ties=True):
        return False
    for e, was in old.items():
        spec = s.people[e].spec
        now = s.lines[e][day]
        counts[e][spec.option_type[was]] -= 1
        counts[e][spec.option_type[now]] += 1
        units[e] += int(spec.option_units[now]) - int(spec.option_units[was])
    return True


def _offered(s: LineSearch, e: str, day: int, counts: np.ndarray, units: int) -> np.ndarray:
    """The options on ``day`` that ``e``'s line may take in place of its own, the rest of the
    line kept: the successions on either side, the type's cap and the total hold."""
    spec = s.people[e].spec
    line = s.lines[e]
    current = line[day]
    options = np.arange(spec.day_start[day], spec.day_start[day + 1])
    types = spec.option_type[options]
    caps = spec.type_cap[types]
    moved = (types != spec.option_type[current]).astype(np.int64)
    ok = (caps < 0) | (counts[types] + moved <= caps)
    if day > 0 and line[day - 1] >= 0:
        ok &= spec.follows[spec.type_class[spec.option_type[line[day - 1]]], types]
    if day + 1 < spec.days and line[day + 1] >= 0:
        ok &= spec.follows[spec.type_class[types], spec.option_type[line[day + 1]]]
    total = units - spec.option_units[current] + spec.option_units[options]
    ok &= (total >= spec.min_units) & (total <= spec.max_units)
    ok |= options == current
    return options[ok]
