"""One day's shifts dealt again among everyone who works that day: a min-cost flow.

Where two people each hold the shift the other asked for, neither can swap alone: the one who
moves first leaves a need short, which costs more than their wish is worth, and a best
response (``line_search``) never takes that step. Dealing a whole day's shifts at once among
the people who work it finds such swaps, and longer rings of them, exactly. Who works which
day stays as it is, so every rule over the days (runs, days off, weekends) holds as before;
what a new shift can break is checked before it is offered: its succession from the day
before and into the day after, its type's cap and the person's total. What is left is an
assignment of people to the day's needs, each need worth a missing person's weight up to its
headcount and costing an extra person's weight beyond it: a min-cost flow, solved exactly.
Everyone's options sit end to end in flat arrays (``Deals``), so a day's offers are a few
array operations, not a loop over people.

Measured on the rota benchmark (docs/curtois.md): the same flow over the line search's roster
after its minute took Instance23 from 21,632 to 20,455 in 20 sweeps (4.6 s) and Instance24
from 60,123 to 56,934 in 10 (7 s), almost all of it requests. After each round of the
search (`bench/curtois.py`, seeds 0-2): Instance23 18,864, 18,820 and 19,660 against 21,534,
21,171 and 22,467 before; a first version that looped over people took 38 s of Instance22's
57 s of lines, and lost there.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
from ortools.graph.python import min_cost_flow

from solver.line_model import SCALE

if TYPE_CHECKING:
    from solver.line_search import LineSearch


def sweep(s: LineSearch, deadline: float) -> bool:
    """Every day's shifts dealt again (``Deals.deal``), the days in turn from a random one,
    until ``deadline`` (a ``time.perf_counter()`` instant); whether the roster gained. A deal
    of equal value is kept too: ties break another way on each sweep, and the roster drifts
    across equal rosters to where the next responses can gain."""
    if not s.lines:
        return False
    before = s.objective()
    deals = Deals(s)
    first = s.rng.randrange(deals.days)
    for k in range(deals.days):
        if time.perf_counter() >= deadline:
            break
        deals.deal((first + k) % deals.days)
    return s.objective() < before - 1e-9


class Deals:
    """Everyone's options end to end (a global index per option), their lines as a matrix of
    those indices, and the counts a new shift may break: built once a sweep, kept up to date
    by each deal. Types and succession classes are each person's own, offset into flat
    arrays."""

    def __init__(self, s: LineSearch) -> None:
        self.s = s
        self.names = list(s.lines)
        specs = [s.people[e].spec for e in self.names]
        self.days = specs[0].days
        sizes = np.array([len(spec.option_type) for spec in specs], dtype=np.int64)
        offset = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        types = np.array([len(spec.type_cap) for spec in specs], dtype=np.int64)
        type_offset = np.concatenate([[0], np.cumsum(types)[:-1]])
        follows_size = np.array([spec.follows.size for spec in specs], dtype=np.int64)
        self.follows_base = np.concatenate([[0], np.cumsum(follows_size)[:-1]])
        self.follows = np.concatenate([spec.follows.ravel() for spec in specs])
        self.types = types
        self.start = np.stack(
            [spec.day_start + o for spec, o in zip(specs, offset, strict=True)]
        ).astype(np.int64)
        people = [s.people[e] for e in self.names]
        self.need = np.concatenate([p.option_need for p in people]).astype(np.int64)
        self.request = np.concatenate(
            [np.rint(SCALE * p.request_cost).astype(np.int64) for p in people]
        )
        self.units = np.concatenate([spec.option_units for spec in specs]).astype(np.int64)
        self.local_type = np.concatenate([spec.option_type for spec in specs]).astype(np.int64)
        self.type = self.local_type + np.repeat(type_offset, sizes)
        self.local_class = np.concatenate(
            [spec.type_class[spec.option_type] for spec in specs]
        ).astype(np.int64)
        self.cap = np.concatenate([spec.type_cap for spec in specs]).astype(np.int64)
        self.min_units = np.array([spec.min_units for spec in specs], dtype=np.int64)
        self.max_units = np.array([spec.max_units for spec in specs], dtype=np.int64)
        self.offset = offset
        self.lines = np.stack(
            [
                np.where(s.lines[e] >= 0, s.lines[e] + o, -1)
                for e, o in zip(self.names, offset, strict=True)
            ]
        ).astype(np.int64)
        worked = self.lines[self.lines >= 0]
        self.counts = np.bincount(self.type[worked], minlength=int(types.sum()))
        self.total = np.array(
            [int(self.units[row[row >= 0]].sum()) for row in self.lines], dtype=np.int64
        )
        self.rng = np.random.default_rng(s.rng.randrange(1 << 30))

    def offered(self, day: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The people who work ``day`` (rows, in a random order: the flow breaks ties by the
        order of its arcs), and each option on that day one of them may take in place of
        their own, the rest of the line kept: the options and their row's position."""
        current = self.lines[:, day]
        workers = self.rng.permutation(np.flatnonzero(current >= 0))
        first = self.start[workers, day]
        lengths = self.start[workers, day + 1] - first
        position = np.repeat(np.arange(len(workers)), lengths)
        options = np.arange(int(lengths.sum())) + np.repeat(
            first - np.cumsum(lengths) + lengths, lengths
        )
        rows = workers[position]
        now = current[rows]
        kind = self.type[options]
        caps = self.cap[kind]
        moved = (kind != self.type[now]).astype(np.int64)
        ok = (caps < 0) | (self.counts[kind] + moved <= caps)
        base = self.follows_base[rows]
        width = self.types[rows]
        if day > 0:
            before = self.lines[rows, day - 1]
            on = before >= 0
            ok[on] &= self.follows[
                base[on] + self.local_class[before[on]] * width[on] + self.local_type[options[on]]
            ]
        if day + 1 < self.days:
            after = self.lines[rows, day + 1]
            on = after >= 0
            ok[on] &= self.follows[
                base[on] + self.local_class[options[on]] * width[on] + self.local_type[after[on]]
            ]
        total = self.total[rows] - self.units[now] + self.units[options]
        ok &= (total >= self.min_units[rows]) & (total <= self.max_units[rows])
        ok |= options == now
        return workers, options[ok], position[ok]

    def deal(self, day: int) -> bool:
        """The best shifts on ``day`` for the people who work it, everything else kept; kept
        when the roster is no worse."""
        workers, options, position = self.offered(day)
        if len(options) <= len(workers):  # only their own shifts: nothing to deal
            return False
        c = self.s.cover
        current = self.lines[workers, day]
        needs, node = np.unique(self.need[options], return_inverse=True)
        on_need = np.bincount(np.searchsorted(needs, self.need[current]), minlength=len(needs))
        others = c.people[needs] - on_need
        room = np.maximum(c.headcount[needs] - others, 0)
        count, kinds, sink = len(workers), len(needs), len(workers) + len(needs)
        short = np.flatnonzero(room > 0)
        flow = min_cost_flow.SimpleMinCostFlow()
        arcs = flow.add_arcs_with_capacity_and_unit_cost(
            np.concatenate([position, count + short, count + np.arange(kinds)]),
            np.concatenate([count + node, np.full(len(short) + kinds, sink)]),
            np.concatenate(
                [np.ones(len(options), dtype=np.int64), room[short], np.full(kinds, count)]
            ),
            np.concatenate(
                [
                    self.request[options],
                    -SCALE * c.weight_under[needs[short]],
                    SCALE * c.weight_over[needs],
                ]
            ).astype(np.int64),
        )
        supplies = np.zeros(sink + 1, dtype=np.int64)
        supplies[:count] = 1
        supplies[sink] = -count
        flow.set_nodes_supplies(np.arange(sink + 1), supplies)
        if flow.solve() != flow.OPTIMAL:
            return False
        taken = np.flatnonzero(flow.flows(arcs[: len(options)]))
        chosen = np.empty(count, dtype=np.int64)
        chosen[position[taken]] = options[taken]
        moved = np.flatnonzero(chosen != current)
        if not len(moved):
            return False
        rows = workers[moved]
        before = self.s.objective()
        local = chosen[moved] - self.offset[rows]
        for row, option in zip(rows.tolist(), local.tolist(), strict=True):
            self.s.change_day(self.names[row], day, option)
        # The flow's costs are rounded: the roster's own value has the last word.
        if self.s.objective() > before + 1e-9:
            for row, option in zip(
                rows.tolist(), (current[moved] - self.offset[rows]).tolist(), strict=True
            ):
                self.s.change_day(self.names[row], day, option)
            return False
        was = current[moved]
        np.subtract.at(self.counts, self.type[was], 1)
        np.add.at(self.counts, self.type[chosen[moved]], 1)
        self.total[rows] += self.units[chosen[moved]] - self.units[was]
        self.lines[rows, day] = chosen[moved]
        return True
