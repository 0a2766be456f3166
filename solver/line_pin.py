"""One person's line changed only inside a few windows of days, exact over the whole horizon.

A window response (``line_model.frame``) changes one stretch of days; what it takes from one
season it cannot give back in another, where a year's counts (a total of minutes within a
band of one shift, a cap on weekends) make most useful moves a trade between two places: a
weekend worked where the cover is full given up for one where it is short. Here the days
outside the windows are pinned to what they hold: each keeps its one option (or none, if
off), re-typed as an uncapped twin of its type of no length, and is barred from being off.
The recursion then runs over the whole horizon, so every run and rest across a window's edge
is read as it is, while its state holds only what the windows can change: the minutes, the
shifts of each type and the weekends they take, each limit lowered by what the pinned days
use. A year with five weeks free takes some milliseconds (Instance24: 9 ms a line, two at a
time on two cores), where the price search over its whole line takes tens.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from solver.line_dp import SATURDAY, LineSpec, weekend_flags, weekends_worked
from solver.line_model import option_days

# What changing a day that is to stay as it is costs (a pinned day's shift here, a frame's day
# outside its window in ``line_search.propose_window``): more than any line can gain.
KEEP = 1e6


@dataclass(frozen=True, slots=True)
class Pinned:
    """``spec`` with every day outside ``free`` pinned to ``line``'s; ``option`` maps its
    options back to the whole spec's."""

    spec: LineSpec
    option: np.ndarray
    free: np.ndarray  # bool per day
    off_cost: np.ndarray  # the off costs given, KEEP on the pinned days worked

    def whole_line(self, choice: np.ndarray) -> np.ndarray:
        """A line of ``spec`` in the whole spec's option numbering."""
        out = np.full(len(choice), -1, dtype=np.int64)
        out[choice >= 0] = self.option[choice[choice >= 0]]
        return out


def whole_weekends(spec: LineSpec, windows: list[tuple[int, int]]) -> np.ndarray:
    """The days of ``windows`` (ranges of days), each widened so as not to cut a weekend in
    two: a weekend's count would be read twice, once kept and once free."""
    free = np.zeros(spec.days, dtype=np.bool_)
    for first, last in windows:
        free[max(0, first) : min(spec.days, last)] = True
    weekday = (np.arange(spec.days) + spec.first_weekday) % 7
    for d in np.flatnonzero(weekday == SATURDAY):
        if d + 1 < spec.days and free[d] != free[d + 1]:
            free[d] = free[d + 1] = True
    return free


def pinned(
    spec: LineSpec, line: np.ndarray, windows: list[tuple[int, int]], off_cost: np.ndarray
) -> Pinned | None:
    """``spec`` free only over ``windows``, every other day kept as ``line`` has it; None when
    the days kept already break a count (no line keeps them)."""
    free = whole_weekends(spec, windows)
    types = len(spec.type_cap)
    day = option_days(spec)
    chosen = np.zeros(len(day), dtype=np.bool_)
    chosen[line[line >= 0]] = True
    # A free day keeps all its options, a pinned one only the option it holds.
    option = np.flatnonzero(free[day] | chosen)
    held = ~free[day[option]]
    day_start = np.concatenate([[0], np.cumsum(np.bincount(day[option], minlength=spec.days))])
    kept = line[~free & (line >= 0)]
    kept_types = np.bincount(spec.option_type[kept], minlength=types)
    kept_units = int(spec.option_units[kept].sum())
    max_weekends = spec.max_weekends
    if max_weekends >= 0:
        saturday, sunday = weekend_flags(spec)
        max_weekends -= weekends_worked(np.where(free, -1, line), saturday, sunday)
    capped = spec.type_cap >= 0
    if (
        spec.max_units < kept_units
        or (capped & (kept_types > spec.type_cap)).any()
        or (spec.max_weekends >= 0 and max_weekends < 0)
    ):
        return None
    cap = np.where(capped, spec.type_cap - kept_types, -1)
    sub = replace(
        spec,
        day_start=day_start.astype(np.int64),
        option_type=spec.option_type[option] + types * held,
        option_units=np.where(held, 0, spec.option_units[option]),
        # Each type's pinned twin: the same successions, no cap.
        type_class=np.concatenate([spec.type_class, spec.type_class]),
        type_cap=np.concatenate([cap, np.full(types, -1, dtype=np.int64)]),
        follows=np.concatenate([spec.follows, spec.follows], axis=1),
        min_units=max(0, spec.min_units - kept_units),
        max_units=spec.max_units - kept_units,
        max_weekends=max_weekends,
        weekend_days=free,
    )
    off = off_cost + np.where(~free & (line >= 0), KEEP, 0.0)
    return Pinned(sub, option, free, off)
