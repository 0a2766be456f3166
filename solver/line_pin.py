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

# What leaving a pinned day's shift costs: more than any line can gain.
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
    day_start = [0]
    option: list[int] = []
    option_type: list[int] = []
    units: list[int] = []
    for d in range(spec.days):
        if free[d]:
            found = range(int(spec.day_start[d]), int(spec.day_start[d + 1]))
            option.extend(found)
            option_type.extend(int(spec.option_type[o]) for o in found)
            units.extend(int(spec.option_units[o]) for o in found)
        elif line[d] >= 0:
            option.append(int(line[d]))
            option_type.append(types + int(spec.option_type[line[d]]))
            units.append(0)
        day_start.append(len(option))
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
        day_start=np.array(day_start, dtype=np.int64),
        option_type=np.array(option_type, dtype=np.int64),
        option_units=np.array(units, dtype=np.int64),
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
    return Pinned(sub, np.array(option, dtype=np.int64), free, off)
