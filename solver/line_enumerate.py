"""Every line of one person within a cost limit, by walking the recursion's states back.

Column generation proves a bound on the whole roster (its master's linear program) and gives
each line a reduced cost, which is never negative at the master's optimal duals. A roster of
value ``z`` is a sum of its lines' reduced costs above that bound, so each of its lines has a
reduced cost of at most ``z`` minus the bound: once every such line is listed, an integer
program over them holds every roster better than ``z`` (``line_exact``).

The listing runs ``line_dp``'s forward recursion once, keeping every day's states (the cheapest
way to reach each by the end of that day), then walks back from the last day's states: a step
back to a state is taken only when that state's cheapest prefix, the step and the days already
walked stay within the limit. Every state walked therefore lies on a line within it, so the
walk costs in proportion to the lines it lists. The state keeps every count that can bind
(shifts of a capped type, weekends): a line listed keeps every rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from solver.line_dp import (
    INF,
    LineSpec,
    _new_weekend,
    _solve,
    state_layout,
    successor_sets,
    weekend_flags,
)

# The recursion's kept states (classes x runs x units and counts, per day, three tables) are
# not built beyond this many cells, 400 MB of floats: the rota benchmark's Instance5 needs
# 861,840 for its largest person (with the counts that bind), Instance8 91.5 million (a run
# peaked at 1,157 MB listing them), Instance19 1.5 billion.
MAX_CELLS = 50_000_000
# Costs are sums of floats: a line this close above the limit is within it.
TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class _Layout:
    """The recursion's arguments for one spec with every count that can bind in its state."""

    radix: int
    step: np.ndarray
    room: np.ndarray
    runs: int
    offs: int
    width: int
    saturday: np.ndarray
    sunday: np.ndarray
    type_set: np.ndarray
    set_member: np.ndarray


def _layout(spec: LineSpec) -> _Layout | None:
    """None when the kept states would take more than ``MAX_CELLS``."""
    counted, counts_weekends = binding_counts(spec)
    radix, step, room = state_layout(spec, counted, counts_weekends)
    runs = max(min(spec.max_run, spec.days), 1)
    offs = max(spec.min_off, 1)
    width = (spec.max_units + 1) * radix
    if spec.days * width * (2 * spec.classes * runs + offs) > MAX_CELLS:
        return None
    saturday, sunday = weekend_flags(spec)
    type_set, set_member = successor_sets(spec)
    return _Layout(radix, step, room, runs, offs, width, saturday, sunday, type_set, set_member)


def _forward(
    spec: LineSpec,
    at: _Layout,
    option_cost: np.ndarray,
    off_cost: np.ndarray,
    kept: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """``line_dp``'s recursion, exact (no noise, no prices): the cheapest line, or an array
    starting with -2 when there is none; each day's states copied into ``kept`` if it has
    rows."""
    return _solve(
        spec.days,
        spec.day_start,
        spec.option_type,
        spec.option_units,
        option_cost,
        off_cost,
        spec.type_class,
        at.type_set,
        at.set_member,
        at.saturday,
        at.sunday,
        0.0,
        max(spec.min_run, 1),
        at.runs,
        at.offs,
        spec.min_units,
        spec.max_units,
        spec.bind_edges,
        at.radix,
        at.step[-1],
        at.step[:-1].copy(),
        at.room,
        0.0,
        *kept,
    )


def cheapest_cost(spec: LineSpec, option_cost: np.ndarray, off_cost: np.ndarray) -> float | None:
    """The cost of ``spec``'s cheapest line at these costs, exact (every count that can bind
    kept in the state); None when the state is too large, ``math.inf`` when no line exists."""
    at = _layout(spec)
    if at is None:
        return None
    option_cost = option_cost.astype(np.float64)
    off_cost = off_cost.astype(np.float64)
    empty = (np.zeros((0, 0, 0, 0)), np.zeros((0, 0, 0, 0)), np.zeros((0, 0, 0)))
    line = _forward(spec, at, option_cost, off_cost, empty)
    if line[0] == -2:
        return math.inf
    return float(option_cost[line[line >= 0]].sum() + off_cost[line < 0].sum())


def lines_within(
    spec: LineSpec,
    option_cost: np.ndarray,
    off_cost: np.ndarray,
    limit: float,
    max_lines: int,
) -> list[np.ndarray] | None:
    """Every line of ``spec`` (option per day, -1 off) whose cost at these costs is at most
    ``limit``; None when there are more than ``max_lines``, or the states would take more
    than ``MAX_CELLS``."""
    at = _layout(spec)
    if at is None:
        return None
    days = spec.days
    option_cost = option_cost.astype(np.float64)
    off_cost = off_cost.astype(np.float64)
    work = np.full((days, spec.classes, at.runs, at.width), INF)
    edge = np.full((days, spec.classes, at.runs, at.width), INF)
    rest = np.full((days, at.offs, at.width), INF)
    if _forward(spec, at, option_cost, off_cost, (work, edge, rest))[0] == -2:
        return []
    out = np.empty((max_lines, days), dtype=np.int64)
    count = _walk_back(
        work,
        edge,
        rest,
        spec.day_start,
        spec.option_type,
        spec.option_units,
        option_cost,
        off_cost,
        spec.type_class,
        spec.follows,
        at.saturday,
        at.sunday,
        max(spec.min_run, 1),
        spec.min_units,
        spec.max_units,
        spec.bind_edges,
        at.radix,
        at.step[-1],
        at.step[:-1].copy(),
        at.room,
        limit + TOLERANCE,
        out,
    )
    if count < 0:
        return None
    return list(out[:count])


def binding_counts(spec: LineSpec) -> tuple[np.ndarray, bool]:
    """The types whose cap can bind (fewer than the days that offer the type), and whether
    the weekends' limit can (fewer than the weekends that offer work): only those counts need
    the state."""
    offered = np.zeros(len(spec.type_cap), dtype=np.int64)
    for d in range(spec.days):
        for t in set(spec.option_type[spec.day_start[d] : spec.day_start[d + 1]].tolist()):
            offered[t] += 1
    counted = (spec.type_cap >= 0) & (spec.type_cap < offered)
    saturday, sunday = weekend_flags(spec)
    has = np.diff(spec.day_start) > 0
    # A weekend is a Saturday and the Sunday after it (or either alone at the horizon's edges).
    weekends = int(np.sum(saturday & has)) + int(np.sum(sunday & has & ~np.roll(saturday & has, 1)))
    return counted, bool(0 <= spec.max_weekends < weekends)


@njit(cache=True, nogil=True)
def _walk_back(
    work,
    edge,
    rest,
    day_start,
    option_type,
    option_units,
    option_cost,
    off_cost,
    type_class,
    follows,
    saturday,
    sunday,
    min_run,
    min_units,
    max_units,
    bind_edges,
    radix,
    weekend_step,
    type_step,
    room,
    limit,
    out,
):  # pragma: no cover - compiled; exercised through lines_within
    """Lines within ``limit`` written into ``out``; their number, or -1 when ``out`` is full.

    A frame is a state by the end of day ``d``: kind 0 work, 1 a run begun on day 0 (open
    edges), 2 rest; ``c`` the class (or the rest's length - 1), ``r`` the run's length - 1,
    ``m`` the units and counts; ``tail`` the cost of the days after ``d``. Each frame tries
    its ways back one at a time (``at``), in the order of ``_next``."""
    days = work.shape[0]
    classes = work.shape[1]
    runs = work.shape[2]
    offs = rest.shape[1]
    wk = radix
    depth_d = np.zeros(days + 1, dtype=np.int64)
    depth_kind = np.zeros(days + 1, dtype=np.int64)
    depth_c = np.zeros(days + 1, dtype=np.int64)
    depth_r = np.zeros(days + 1, dtype=np.int64)
    depth_m = np.zeros(days + 1, dtype=np.int64)
    depth_tail = np.zeros(days + 1)
    depth_at = np.zeros(days + 1, dtype=np.int64)
    choice = np.full(days, -1, dtype=np.int64)
    count = 0
    last = days - 1
    for m in range(min_units * wk, max_units * wk + wk):
        for kind in range(3):
            for c in range(offs if kind == 2 else classes):
                for r in range(1 if kind == 2 else runs):
                    if kind == 0:
                        value = work[last, c, r, m]
                        if bind_edges and r + 1 < min_run:
                            continue
                    elif kind == 1:
                        value = edge[last, c, r, m]
                    else:
                        value = rest[last, c, m]
                        if bind_edges and c != offs - 1:
                            continue
                    if value > limit:
                        continue
                    top = 0
                    depth_d[0], depth_kind[0], depth_c[0] = last, kind, c
                    depth_r[0], depth_m[0], depth_tail[0], depth_at[0] = r, m, 0.0, 0
                    while top >= 0:
                        d = depth_d[top]
                        k = depth_kind[top]
                        at = depth_at[top]
                        depth_at[top] = at + 1
                        # The ways back: options x predecessor classes for work, then the
                        # predecessors of a rest; past them the frame is done.
                        if k == 2:
                            ways = 2 * classes * runs + 2
                        else:
                            ways = (day_start[d + 1] - day_start[d]) * classes
                        if at >= ways:
                            top -= 1
                            continue
                        c0 = depth_c[top]
                        r0 = depth_r[top]
                        m0 = depth_m[top]
                        tail = depth_tail[top]
                        if k == 2:
                            cost = off_cost[d] + tail
                            if d == 0:
                                first_rest = 0 if bind_edges else offs - 1
                                if at == 0 and m0 == 0 and c0 == first_rest and cost <= limit:
                                    choice[0] = -1
                                    if count == out.shape[0]:
                                        return -1
                                    out[count] = choice
                                    count += 1
                                continue
                            pk = -1
                            pc = 0
                            pr = 0
                            if at < 2 * classes * runs:
                                # A run ended yesterday: long enough, or begun on day 0.
                                if c0 != 0:
                                    continue
                                pk = 0 if at < classes * runs else 1
                                cr = at % (classes * runs)
                                pc = cr // runs
                                pr = cr % runs
                                if pk == 0 and pr + 1 < min_run:
                                    continue
                                before = (
                                    work[d - 1, pc, pr, m0] if pk == 0 else edge[d - 1, pc, pr, m0]
                                )
                            elif at == 2 * classes * runs:
                                # The rest one day shorter yesterday (a one-day rest rule:
                                # a rest going on).
                                if c0 == 0 and offs > 1:
                                    continue
                                pk = 2
                                pc = c0 - 1 if c0 > 0 else 0
                                before = rest[d - 1, pc, m0]
                            else:
                                # A rest already long enough, going on.
                                if c0 != offs - 1 or offs == 1:
                                    continue
                                pk = 2
                                pc = c0
                                before = rest[d - 1, pc, m0]
                            if before + cost > limit:
                                continue
                            choice[d] = -1
                            top += 1
                            depth_d[top], depth_kind[top], depth_c[top] = d - 1, pk, pc
                            depth_r[top], depth_m[top] = pr, m0
                            depth_tail[top], depth_at[top] = cost, 0
                            continue
                        o = day_start[d] + at // classes
                        pc = at % classes
                        t = option_type[o]
                        if type_class[t] != c0:
                            continue
                        cost = option_cost[o] + tail
                        ts = type_step[t]
                        if r0 == 0:
                            # A run begun today: after a long enough rest, or on day 0.
                            if pc != 0:
                                continue
                            up = _new_weekend(saturday, sunday, d, True) * weekend_step
                            if up > 0 and not room[room.shape[0] - 1, m0 % wk]:
                                continue
                            if ts > 0 and not room[t, m0 % wk]:
                                continue
                            source = m0 - option_units[o] * wk - up - ts
                            if d == 0:
                                if source == 0 and (k == 0) == bind_edges and cost <= limit:
                                    choice[0] = o
                                    if count == out.shape[0]:
                                        return -1
                                    out[count] = choice
                                    count += 1
                                continue
                            if k == 1 or source < 0:
                                continue
                            if rest[d - 1, offs - 1, source] + cost > limit:
                                continue
                            choice[d] = o
                            top += 1
                            depth_d[top], depth_kind[top], depth_c[top] = d - 1, 2, offs - 1
                            depth_r[top], depth_m[top] = 0, source
                            depth_tail[top], depth_at[top] = cost, 0
                            continue
                        # A run going on from yesterday's shift of class ``pc``.
                        if d == 0 or not follows[pc, t]:
                            continue
                        up = _new_weekend(saturday, sunday, d, False) * weekend_step
                        if up > 0 and not room[room.shape[0] - 1, m0 % wk]:
                            continue
                        if ts > 0 and not room[t, m0 % wk]:
                            continue
                        source = m0 - option_units[o] * wk - up - ts
                        if source < 0:
                            continue
                        before = (
                            work[d - 1, pc, r0 - 1, source]
                            if k == 0
                            else edge[d - 1, pc, r0 - 1, source]
                        )
                        if before + cost > limit:
                            continue
                        choice[d] = o
                        top += 1
                        depth_d[top], depth_kind[top], depth_c[top] = d - 1, k, pc
                        depth_r[top], depth_m[top] = r0 - 1, source
                        depth_tail[top], depth_at[top] = cost, 0
    return count
