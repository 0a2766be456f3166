"""A few people's lines re-planned together with CP-SAT: the move one best response lacks.

At the line search's local optima no one person's line can change alone for the better: a
short need can be taken only by someone whose line then leaves another need short, which a
third person could take. Re-planning a team of such people at once, every rule of each line
exact (``line_model.add_line``) and the cover between them priced as the roster prices it,
finds those moves. Everyone outside the team keeps their line, and the team keeps theirs
outside a window of days around the short need: a whole month of a dozen people is proved
in seconds, a week of them in a fraction of one. The model covers only the frame around
the window (``line_model.frame``), with what the kept days use taken off the counts, so a
team costs the same on a year as on a month (some 0.1 s a team on Instance22).
"""

from __future__ import annotations

import functools
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
from ortools.sat.python import cp_model

from solver.line_model import SCALE, add_line, frame, hint_line, option_days, read_line

if TYPE_CHECKING:
    from solver.line_search import LineSearch

# People re-planned together, days around the short need, and CP-SAT's time for one team.
# Measured on the rota benchmark after 15 s of best responses, 30 s more (docs/curtois.md):
# teams of 12-16 over 5-7 days beat teams of 6-8, and beat the best responses alone on the
# months of 120 and 60 people (Instance13: 3,619-4,136 against 4,782; Instance12: 4,670
# against 5,201).
TEAM_SIZE = 12
TEAM_DAYS = 7
TEAM_SECONDS = 1.0


def replan(
    s: LineSearch,
    team: list[str],
    seconds: float,
    seed: int = 0,
    window: tuple[int, int] | None = None,
) -> bool:
    """``team``'s best lines together, everyone else fixed (and the team's own lines outside
    ``window``, a range of days, when given); kept when the roster gains."""
    lines = plan(s, team, seconds, seed, window)
    return lines is not None and s.adopt(lines)


def plan(
    s: LineSearch,
    team: list[str],
    seconds: float,
    seed: int = 0,
    window: tuple[int, int] | None = None,
) -> dict[str, np.ndarray] | None:
    """``team``'s best lines together, as ``replan`` finds them; reads the search's state and
    changes nothing, so two plans may run at once (CP-SAT's solve releases the GIL). None
    when CP-SAT found no lines in ``seconds``."""
    c = s.cover
    others = s.others_than(team)
    m = cp_model.CpModel()
    on_need: dict[int, list[cp_model.IntVar]] = {}
    terms: list[cp_model.IntVar] = []
    coefs: list[int] = []
    frames = {}
    for e in team:
        p = s.people[e]
        line = s.lines[e]
        f = frame(p.spec, line, *(window or (0, p.spec.days)))
        take, off = add_line(m, f.spec, f.edges)
        day_of = option_days(f.spec)
        frames[e] = f, take, day_of
        part = f.sub_line(line)
        hint_line(m, take, off, part)
        chosen = set(part[part >= 0].tolist())
        for o, var in enumerate(take):
            if window is not None and not window[0] <= f.start + day_of[o] < window[1]:
                m.add(var == (o in chosen))
            whole = f.option_start + o
            on_need.setdefault(int(p.option_need[whole]), []).append(var)
            if p.request_cost[whole]:
                terms.append(var)
                coefs.append(round(p.request_cost[whole] * SCALE))
        for d, var in enumerate(off):
            if p.off_cost[f.start + d]:
                terms.append(var)
                coefs.append(round(p.off_cost[f.start + d] * SCALE))
    for n, vars_ in on_need.items():
        # People the team must bring for the need to be full; below zero it is over already.
        wanted = int(c.headcount[n] - others[n])
        count = sum(vars_)
        if c.weight_under[n] and wanted > 0:
            short = m.new_int_var(0, wanted, "")
            m.add(short >= wanted - count)
            terms.append(short)
            coefs.append(round(c.weight_under[n] * SCALE))
        if c.weight_over[n]:
            extra = m.new_int_var(0, len(vars_) + max(0, -wanted), "")
            m.add(extra >= count - wanted)
            terms.append(extra)
            coefs.append(round(c.weight_over[n] * SCALE))
    m.minimize(cp_model.LinearExpr.weighted_sum(terms, coefs))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    # The linear relaxation of the cover between the team's lines is what proves a team's
    # best quickly (measured: 6 people of Instance8 over a month in 1-4 s, none within 10 s
    # without it).
    solver.parameters.linearization_level = 2
    if solver.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {
        e: f.whole_line(s.lines[e], read_line(solver, take, day_of, f.spec.days))
        for e, (f, take, day_of) in frames.items()
    }


def short_need_team(s: LineSearch, need: int) -> tuple[list[str], tuple[int, int]] | None:
    """A team for a short ``need``: people who could take it, and a window of days around
    its day; None when no one could."""
    takers = [e for e in s.takers_of(need) if e in s.lines]
    if not takers:
        return None
    team = s.rng.sample(takers, min(TEAM_SIZE, len(takers)))
    p = s.people[team[0]]
    day = int(option_days(p.spec)[np.flatnonzero(p.option_need == need)[0]])
    days = p.spec.days
    width = min(TEAM_DAYS, days)
    first = max(0, min(days - width, day - s.rng.randrange(width)))
    return team, (first, first + width)


def teams(
    s: LineSearch, tries: int, deadline: float, pool: ThreadPoolExecutor | None = None
) -> bool:
    """Teams re-planned around short needs drawn at random; whether one gained. With a
    ``pool``, two teams are planned at a time against the same roster (CP-SAT's solve
    releases the GIL) and kept in turn, each only if the roster gains once the other's lines
    are in."""
    c = s.cover
    short = np.flatnonzero(c.people < c.headcount).tolist()
    s.rng.shuffle(short)
    # Every draw is made before any team is solved: the same teams whatever the timing.
    drawn = []
    for need in short[:tries]:
        found = short_need_team(s, need)
        if found is not None:
            drawn.append((*found, s.rng.randrange(1 << 30)))
    gained = False
    at_once = 2 if pool is not None else 1
    for k in range(0, len(drawn), at_once):
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        jobs = [
            functools.partial(plan, s, team, min(TEAM_SECONDS, left), seed, window)
            for team, window, seed in drawn[k : k + at_once]
        ]
        if pool is None:
            planned = [job() for job in jobs]
        else:
            # Every plan is in before the first is kept: a plan still running reads the
            # roster that keeping one changes.
            planned = [f.result() for f in [pool.submit(job) for job in jobs]]
        for lines in planned:
            if lines is not None:
                gained |= s.adopt(lines)
    return gained
