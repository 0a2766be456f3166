"""One person's line as a small CP-SAT model: exact where the recursion only prices.

``line_dp.best_line`` keeps every rule of a ``LineSpec`` exactly except two counts, shifts per
type and weekends, which it prices; a line it finds keeps them, but is not always the cheapest
that does (measured on the rota benchmark's Instance8: half the people's best lines at random
prices were missed by 10 % to 80 %). This model states every rule of the spec as constraints,
counts included, so CP-SAT's optimum is the cheapest line. It is built once per person and
solved again for each set of costs, with a line from the recursion as its hint.

The rules read as the recursion reads them (and the tests hold the two to each other): a run of
work between ``min_run`` and ``max_run`` days, a rest of at least ``min_off`` days, runs and
rests touching the horizon's edges bound by the shortest lengths only when ``bind_edges``;
a weekend is a Saturday and the Sunday after it, worked when either is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from ortools.sat.python import cp_model

from solver.line_dp import SATURDAY, LineSpec

# Costs are floats (the master's duals, weights, requests); the CP-SAT models' and the flows'
# over lines (``line_team``, ``line_weekends``, ``line_days``) are whole numbers at this scale.
SCALE = 100
# CP-SAT's linear relaxation at every level of its search (its default is 1). Pricing calls
# replayed from the roots of the rota benchmark took, at level 2 against 1, 0.08 of the time
# on Instance16 (where a quarter of the default's calls ran out their 1 s unproved), 0.41
# on Instance14 and 0.92 on Instance8, the same optima wherever both proved one; but 1.78 on
# Instance5, whose calls take 9 ms. Choosing the level per person by the time of their
# first call loses Instance16: its first round, at level 1, is too slow and the root gives up.
PRICING_LINEARIZATION = 2


class LineModel:
    """The model of one spec's lines; ``cheapest`` solves it for one set of costs."""

    def __init__(self, spec: LineSpec) -> None:
        self.spec = spec
        self.model = cp_model.CpModel()
        self.take, self.off = add_line(self.model, spec)
        self.option_day = option_days(spec)

    def cheapest(
        self,
        option_cost: np.ndarray,
        off_cost: np.ndarray,
        *,
        hint: np.ndarray | None = None,
        seconds: float = 1.0,
        seed: int = 0,
    ) -> np.ndarray | None:
        """The cheapest line (option per day, -1 off) at these costs, or the best found in
        ``seconds``; None when none was found (or none exists)."""
        m = self.model
        m.minimize(
            cp_model.LinearExpr.weighted_sum(
                self.take + self.off,
                [round(c * SCALE) for c in option_cost] + [round(c * SCALE) for c in off_cost],
            )
        )
        m.clear_hints()
        if hint is not None:
            hint_line(m, self.take, self.off, hint)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = seconds
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        solver.parameters.linearization_level = PRICING_LINEARIZATION
        if solver.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        return read_line(solver, self.take, self.option_day, self.spec.days)


def add_line(
    m: cp_model.CpModel, spec: LineSpec, edges: tuple[bool, bool] | None = None
) -> tuple[list[cp_model.IntVar], list[cp_model.IntVar]]:
    """One person's rules in ``m``: a variable per option taken and per day off. ``edges``:
    whether runs touching the first and the last day are bound by the shortest lengths (the
    spec's ``bind_edges`` for both by default; a frame's inner edges are open)."""
    days = spec.days
    edges = (spec.bind_edges, spec.bind_edges) if edges is None else edges
    take = [m.new_bool_var(f"o{o}") for o in range(len(spec.option_type))]
    off = [m.new_bool_var(f"off{d}") for d in range(days)]
    work = [v.Not() for v in off]
    for d in range(days):
        m.add_exactly_one([take[o] for o in _options(spec, d)] + [off[d]])
    for d in range(days - 1):
        for o in _options(spec, d):
            row = spec.follows[spec.type_class[spec.option_type[o]]]
            banned = [take[n] for n in _options(spec, d + 1) if not row[spec.option_type[n]]]
            if banned:
                m.add_bool_and([b.Not() for b in banned]).only_enforce_if(take[o])
    for t, cap in enumerate(spec.type_cap):
        if cap >= 0:
            m.add(sum(take[o] for o in np.flatnonzero(spec.option_type == t)) <= int(cap))
    units = cp_model.LinearExpr.weighted_sum(take, [int(u) for u in spec.option_units])
    m.add_linear_constraint(units, spec.min_units, spec.max_units)
    _runs(m, work, spec.min_run, spec.max_run, edges)
    _runs(m, off, spec.min_off, days, edges)
    if spec.max_weekends >= 0:
        worked = []
        for days_of in weekends(spec):
            w = m.new_bool_var("")
            m.add_max_equality(w, [work[d] for d in days_of])
            worked.append(w)
        m.add(sum(worked) <= spec.max_weekends)
    return take, off


@dataclass(frozen=True, slots=True)
class Frame:
    """Days ``start:end`` of one person's line, re-planned alone while the rest is kept.

    ``spec`` states the rules over those days: its counts (shifts per type, units, weekends)
    are what the kept days leave, and its edges are open where the frame stops inside the
    horizon. The frame reaches far enough past the days that may change (the longest run,
    the shortest run or rest, and a day more) that every run or rest they touch lies inside
    it, its start seen: the rules on the frame are then exactly the rules on the whole line.
    It starts and ends on Mondays, so no weekend is cut in two.
    """

    spec: LineSpec
    start: int
    end: int
    option_start: int  # the frame's first option in the whole spec's numbering
    edges: tuple[bool, bool]

    def sub_line(self, line: np.ndarray) -> np.ndarray:
        """``line`` (the whole horizon's) over the frame, in the frame's option numbering."""
        part = line[self.start : self.end]
        return np.where(part >= 0, part - self.option_start, -1)

    def whole_line(self, line: np.ndarray, part: np.ndarray) -> np.ndarray:
        """``line`` with the frame's days replaced by ``part`` (in the frame's numbering)."""
        out = line.copy()
        out[self.start : self.end] = np.where(part >= 0, part + self.option_start, -1)
        return out


def frame(spec: LineSpec, line: np.ndarray, first: int, last: int) -> Frame:
    """The frame in which days ``first:last`` of ``line`` may change, the rest kept."""
    days = spec.days
    margin = max(spec.max_run, spec.min_run, spec.min_off) + 1
    weekday = spec.first_weekday
    start = max(0, first - margin)
    start -= (weekday + start) % 7
    start = max(0, start)
    end = min(days, last + margin)
    end = min(days, end + (-(weekday + end)) % 7)
    kept = np.concatenate([line[:start], line[end:]])
    kept = kept[kept >= 0]
    kept_types = np.bincount(spec.option_type[kept], minlength=len(spec.type_cap))
    kept_units = int(spec.option_units[kept].sum())
    cap = np.where(spec.type_cap >= 0, spec.type_cap - kept_types, -1)
    weekends_left = spec.max_weekends
    if weekends_left >= 0:
        worked = line >= 0
        weekends_left -= sum(
            1
            for days_of in weekends(spec)
            if not start <= days_of[0] < end and any(worked[d] for d in days_of)
        )
    option_start = int(spec.day_start[start])
    sub = replace(
        spec,
        days=end - start,
        day_start=spec.day_start[start : end + 1] - option_start,
        option_type=spec.option_type[option_start : spec.day_start[end]],
        option_units=spec.option_units[option_start : spec.day_start[end]],
        type_cap=cap,
        min_units=max(0, spec.min_units - kept_units),
        max_units=spec.max_units - kept_units,
        max_weekends=weekends_left,
        first_weekday=(weekday + start) % 7,
        weekend_days=None if spec.weekend_days is None else spec.weekend_days[start:end],
    )
    edges = (spec.bind_edges if start == 0 else False, spec.bind_edges if end == days else False)
    return Frame(sub, start, end, option_start, edges)


def hint_line(
    m: cp_model.CpModel, take: list[cp_model.IntVar], off: list[cp_model.IntVar], line: np.ndarray
) -> None:
    """``line`` (option per day, -1 off) as the hint of ``add_line``'s variables."""
    chosen = set(line[line >= 0].tolist())
    for o, var in enumerate(take):
        m.add_hint(var, o in chosen)
    for d, var in enumerate(off):
        m.add_hint(var, bool(line[d] < 0))


def read_line(
    solver: cp_model.CpSolver, take: list[cp_model.IntVar], option_day: np.ndarray, days: int
) -> np.ndarray:
    """The line (option per day, -1 off) of ``add_line``'s variables in ``solver``'s
    solution."""
    line = np.full(days, -1, dtype=np.int64)
    for o, var in enumerate(take):
        if solver.boolean_value(var):
            line[option_day[o]] = o
    return line


def option_days(spec: LineSpec) -> np.ndarray:
    """The day of each option."""
    return np.repeat(np.arange(spec.days), np.diff(spec.day_start))


def _options(spec: LineSpec, d: int) -> range:
    return range(int(spec.day_start[d]), int(spec.day_start[d + 1]))


def _runs(
    m: cp_model.CpModel, on: list, shortest: int, longest: int, edges: tuple[bool, bool]
) -> None:
    """Runs of ``on`` days last ``shortest`` to ``longest`` days; at an open edge a run
    touching the first or last day may be shorter."""
    days = len(on)
    if longest < days:
        for d in range(days - longest):
            m.add(sum(on[d : d + longest + 1]) <= longest)
    for d in range(days):
        starts = [on[d]] if d == 0 else [on[d], on[d - 1].Not()]
        if d == 0 and not edges[0]:
            continue
        for k in range(1, shortest):
            if d + k >= days:
                if edges[1]:
                    # A run starting here would end short at the horizon's end.
                    m.add_bool_or([s.Not() for s in starts])
                break
            m.add_bool_or([s.Not() for s in starts] + [on[d + k]])


def weekends(spec: LineSpec) -> list[list[int]]:
    """Each weekend's days inside the horizon (a Sunday on the first day is one alone); only
    those of the spec's ``weekend_days`` when set."""
    days = spec.days
    weekday = (np.arange(days) + spec.first_weekday) % 7
    out = [[d, d + 1] if d + 1 < days else [d] for d in range(days) if weekday[d] == SATURDAY]
    if days and weekday[0] == SATURDAY + 1:
        out.insert(0, [0])
    if spec.weekend_days is not None:
        out = [days_of for days_of in out if spec.weekend_days[days_of[0]]]
    return out
