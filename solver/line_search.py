"""Rota rosters built and improved one person's line at a time (``solver.line_dp``).

On a rota (one shift a day, cover priced per person, shift requests) every hard rule binds one
person and people meet only in the needs' headcounts. So with everyone else fixed, one
person's best line is a shortest path over the days (``best_line``), priced by what each shift
is worth to the roster right now: a missing person's weight while the need is short, the extra
person's weight once it is full, plus the person's own requests. A response replaces the
person's line when the roster's value, kept exactly, does not rise.

The search: everyone gets their best line in turn (the first roster); then rounds of best
responses, one of equal value kept too (a sideways move: the roster drifts from one short need
to another). Where a person's total minutes are priced (a year of mixed shift lengths) and a
response's price search ends without a line, it changes only four weeks around a short need
instead, found exactly over the frame around them (``propose_window``); once a round gains less
than 1 %, such people trade two stretches of their line instead, exact over the whole horizon
(``propose_pinned``), which moves work and weekends from one season to another. After each
round (up to 12 weeks), ejection chains from the short needs: someone is made to take one
whatever it costs, the needs they leave short are offered to others, a few links deep, and the
whole chain is undone unless the roster gains (where no one person can gain alone, one moving
pays only once another fills the gap). Where the lines make the roster alone, after each
round too, every day's shifts are dealt again among the people who work that day
(``line_days``: a min-cost flow a day, who works which day kept), which makes the swaps no
best response makes: two people who each hold the shift the other asked for. When a round
gains nothing, a dozen people who could take a short need are re-planned together over the
week around it (``line_team``, two teams at a time on two threads); when that gains nothing
either, ruin and recreate: a few people's lines are cleared and rebuilt one by one, kept when
the roster is no worse. Measured on the rota benchmark (docs/curtois.md), a year-long roster
comes out in seconds where CP-SAT's search over everything finds none in a minute.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
import random
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

import numpy as np

from solver import line_weekends
from solver.line_days import sweep
from solver.line_dp import (
    PRICE_ROUNDS,
    REFINE_ROUNDS,
    Line,
    LineSpec,
    best_line,
    best_line_and_prices,
    counts_kept,
    relaxes,
    units_of,
    weekend_flags,
    weekends_worked,
)
from solver.line_model import frame, option_days, weekends
from solver.line_pin import KEEP, pinned
from solver.line_team import teams
from solver.model import ModelContext
from solver.rules.profiles import ROTA_RULES

# Rounds of weekday responses around the planned weekends, at most (``_plant``).
PLANT_ROUNDS = 10

# People cleared together by one ruin, as a share of the group (at least two).
RUIN_SHARE = 0.05
# Below this horizon a response takes milliseconds: two threads would cost more than they
# save.
PARALLEL_MIN_DAYS = 84
# Pricing rounds for a first line before the cover's prices are damped.
FIRST_LINE_ROUNDS = 6
# Tie-breaks tried for one response.
SEEDS = 2
# What taking a need is made worth to the head of an ejection chain: more than anything else
# on the line can cost.
FORCE = 1e4
# Ejection chains after each round: short needs tried, people made to take each, people
# asked to take up each need a link leaves short, and links at most.
CHAIN_NEEDS = 20
CHAIN_TRIES = 3
CHAIN_FOLLOWERS = 3
CHAIN_DEPTH = 3
# Longer horizons leave the chains out: a chain's responses run one at a time, and each takes
# long (Instance24, 45 s: 127,166 with chains against 108,331 without; Instance20, two seeds:
# 5,775 and 5,644 against 5,771 and 5,711).
CHAIN_MAX_DAYS = 84
# Short needs whose teams are re-planned together (``line_team``) after a round that gained
# nothing, before a ruin. A team's model covers a few weeks around the need whatever the
# horizon, so years have them too (50 s of lines, two seeds, without / with teams:
# Instance20 5,526 / 5,466 and 5,487 / 5,339; Instance22 38,324 / 37,349 and 41,271 /
# 39,322). Teams after every round, gaining or not, lost to the best responses on both.
TEAM_TRIES = 5
# Where a person's total minutes are priced over the whole line (``relaxes``: a year of mixed
# shift lengths), a response's price search often ends without a line inside the narrow band
# of minutes (Instance24: 941 of 1,143). Such a response then changes only a window of days
# around a short need the person could take, found exactly over the frame around it (minutes
# in the state; ``line_model.frame``), so that its time still buys a move. Measured
# (docs/curtois.md), `bench/curtois.py`, seeds 0-2: Instance24 88,098, 82,412 and 85,217
# against 100,483, 89,246 and 90,672; 20-23 within their spread. Windows in place of most
# whole-line responses gained more on 24 and lost on 20 and 23.
WINDOW_DAYS = 28
# Once a round of responses gains less than this share of the roster's value, the responses
# that may change a window (``windowed``) trade two stretches of the line instead
# (``propose_pinned``: exact over the whole horizon, a few milliseconds on a year where a
# whole line's price search takes tens and mostly fails): four weeks around a short need
# the person could take, and a week around a day they work where the cover is over, or,
# when the short need is on a weekend and their weekends are all taken, around the weekend
# they could best give up. Early on, the whole lines' responses gain more. Measured, lines
# alone, seeds 0 and 1, whole lines / pairs: Instance23 at 50 s 22,023 / 20,846 and 23,753 /
# 21,586; Instance24 at 60 s 59,617 / 58,307 and 59,987 / 61,533; Instance22 at 50 s 34,895 /
# 34,677 and 34,528 / 35,015. In the whole minute (`bench/curtois.py`, seeds 0-2) 21-23 gain
# 0.2-0.8 % on the median and 20 and 24 lose 0.6 and 1.7 %, each within a seed's spread; on
# Instance24 the trades reach lower past the minute (docs/curtois.md).
PAIR_AFTER = 0.01
PAIR_TO_WEEKS = 4
# The weeks traded begin on a Wednesday: the weekend is in the middle, and the runs around it
# can change on both sides.
PAIR_FIRST_WEEKDAY = 2
# A weekend worked on one day where both could be is all but barred from a response's line
# (priced at this many times the dearest person missing; the roster's value leaves it out,
# and a response is still kept only if the roster gains): a split weekend spends one of the
# person's weekends on one day of cover, and at the local optima the search reaches with
# them, the weekends' cover is what is short (Instance22: 322 of 329 people missing, and 176
# split weekends). Measured, lines alone, 40-55 s, seed 0, without / with: Instance22 37,355
# / 34,740, 23 26,639 / 23,587, 24 95,531 / 77,591, 20 5,593 / 5,363, 19 4,330 / 4,158, 13
# 4,453 / 3,913 (docs/curtois.md).
SPLIT_WEEKEND = 10.0

Chosen = dict[str, frozenset[int]]


@dataclass(slots=True)
class PersonLines:
    """One person's options and their fixed costs, in ``LineSpec`` order."""

    spec: LineSpec
    option_slot: np.ndarray  # slot index of each option
    option_need: np.ndarray  # need position of each option
    request_cost: np.ndarray  # the person's own wishes, per option
    off_cost: np.ndarray  # per day


def line_cost(p: PersonLines, line: np.ndarray) -> float:
    """The person's own requests that ``line`` does not grant."""
    return float(p.request_cost[line[line >= 0]].sum() + p.off_cost[line < 0].sum())


@dataclass(slots=True)
class Cover:
    """People on each need and the price of one more or one fewer."""

    headcount: np.ndarray
    weight_under: np.ndarray
    weight_over: np.ndarray
    people: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.people = np.zeros(len(self.headcount), dtype=np.int64)

    def value(self) -> float:
        return float(sum(self.parts()))

    def parts(self) -> tuple[int, int]:
        """The weighted people missing, and the weighted extra people."""
        short = np.maximum(self.headcount - self.people, 0)
        extra = np.maximum(self.people - self.headcount, 0)
        return int((short * self.weight_under).sum()), int((extra * self.weight_over).sum())

    def marginal(self, needs: np.ndarray, people: np.ndarray) -> np.ndarray:
        """What one more person on each of ``needs`` changes, ``people`` being on each need
        already."""
        short = people[needs] < self.headcount[needs]
        return np.where(short, -self.weight_under[needs], self.weight_over[needs]).astype(float)


@dataclass(frozen=True, slots=True)
class Proposal:
    """A person's best response: their line, None when the search found none; and the
    prices on their counts it ended on, where their next search starts."""

    line: Line | None
    prices: np.ndarray | None = None


@dataclass(slots=True)
class LineSearch:
    people: dict[str, PersonLines]
    cover: Cover
    lines: dict[str, np.ndarray]  # chosen option per day, -1 off
    costs: dict[str, float]  # request cost of each person's line
    rng: random.Random
    # Each person's last prices on their counts: the next response starts from them.
    prices: dict[str, np.ndarray] = field(default_factory=dict)
    # A response of equal value is kept: the roster drifts across a plateau (one need short
    # instead of another) until someone can gain from where it went.
    sideways: bool = True
    # Ejection chains (``eject``) after each round of responses.
    chains: bool = True
    # Teams re-planned together (``line_team``) when a round gains nothing.
    teams: bool = True
    # Every day's shifts dealt again among the people who work it after each round
    # (``line_days``). Measured (docs/curtois.md), `bench/curtois.py`, seeds 0-2: Instance23
    # 18,864, 18,820 and 19,660 against 21,534, 21,171 and 22,467 without; Instance24 52,943,
    # 53,825 and 53,110 against 62,079, 64,093 and 61,319. ``search`` sets it only where the
    # lines make the roster alone: where CP-SAT or the columns go on from the lines, it did
    # not pay (Instance15: 4,151, 3,853 and 4,042 against 3,846-3,964 before).
    deals: bool = False
    # Who has an option on each need (built on first use).
    takers: dict[int, list[str]] = field(default_factory=dict)
    # What a response's recursion adds for a weekend split (``best_line``'s ``split_price``).
    split_price: float = 0.0
    # Whether the responses that may change a window trade two stretches of days instead
    # (``propose_pinned``): set once a round of responses gains little (``improve``).
    pairing: bool = False
    # A value no roster goes below, where one was proved (the columns' ``line_exact``).
    bound: float = -math.inf

    def objective(self) -> float:
        return self.cover.value() + sum(self.costs.values())

    def penalties(self) -> dict[str, int]:
        """The objective by the soft rules' names (``solver.rules.soft``)."""
        under, over = self.cover.parts()
        return {
            "uncovered": under,
            "over_cover": over,
            "shift_requests": round(sum(self.costs.values())),
        }

    def chosen(self) -> Chosen:
        out: Chosen = {}
        for e, line in self.lines.items():
            p = self.people[e]
            out[e] = frozenset(int(p.option_slot[o]) for o in line if o >= 0)
        return out

    def _take(self, e: str, line: np.ndarray, sign: int) -> None:
        needs = self.people[e].option_need[line[line >= 0]]
        np.add.at(self.cover.people, needs, sign)

    def remove(self, e: str) -> None:
        if e in self.lines:
            self._take(e, self.lines.pop(e), -1)
            self.costs.pop(e)

    def place(self, e: str, line: np.ndarray) -> None:
        p = self.people[e]
        self.lines[e] = line
        self.costs[e] = line_cost(p, line)
        self._take(e, line, +1)

    def adopt(self, lines: dict[str, np.ndarray]) -> bool:
        """Take ``lines`` (some or all people's, each of whom has a line) in place of theirs
        if the roster gains."""
        before_value, before = self.objective(), {e: self.lines[e] for e in lines}
        self._put(lines)
        if self.objective() < before_value - 1e-9:
            return True
        self._put(before)
        return False

    def change_day(self, e: str, day: int, option: int) -> None:
        """``e``'s line with ``option`` on ``day`` (-1: off) in place of what it had there; the
        cover and the line's cost follow, without the whole line's being counted again."""
        p = self.people[e]
        line = self.lines[e].copy()
        for o, sign in ((int(line[day]), -1), (option, 1)):
            if o >= 0:
                self.cover.people[p.option_need[o]] += sign
                self.costs[e] += sign * float(p.request_cost[o])
            else:
                self.costs[e] += sign * float(p.off_cost[day])
        line[day] = option
        self.lines[e] = line

    def _put(self, lines: dict[str, np.ndarray]) -> None:
        """``lines`` in place of those people's own."""
        for e in lines:
            self.remove(e)
        for e, line in lines.items():
            self.place(e, line)

    def respond(self, e: str) -> bool:
        """Give ``e`` their best line against everyone else; whether the roster gained.
        False also when no line was found (the current one, if any, stays)."""
        return self.apply(e, self.propose(e, self.seeds()))

    def respond_all(
        self,
        people: list[str],
        pool: ThreadPoolExecutor | None,
        deadline: float = float("inf"),
    ) -> int:
        """Best responses of ``people`` in turn, none begun after ``deadline``. The gains.

        With a pool, two are always running: each is proposed against the roster as it was
        when it began (``_proposer`` takes its copy), and judged against the roster as it is
        when it ends (``apply``). Waiting for both of a pair left a core idle behind the
        slower one (Instance22: 13 % more responses than one at a time, not 100 %)."""
        gains = 0
        todo = iter(people)
        if pool is None:
            for e in todo:
                if time.perf_counter() >= deadline:
                    break
                gains += self.apply(e, self._proposer(e)())
            return gains
        running: dict[Future[Proposal], str] = {}

        def begin() -> None:
            e = next(todo, None)
            if e is not None and time.perf_counter() < deadline:
                running[pool.submit(self._proposer(e))] = e

        begin()
        begin()
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            # In the order they began: two ending together are applied the same way each run.
            for job in [j for j in running if j in done]:
                gains += self.apply(running.pop(job), job.result())
                begin()
        return gains

    def _proposer(self, e: str) -> Callable[[], Proposal]:
        """``e``'s next response, its random draws made and everyone else's places read now
        (by the caller's thread): a response still running sees the roster it began on, not
        one half-changed by another's ``apply``."""
        seeds = self.seeds()
        others = self.others_than([e])
        if self.pairing and self.windowed(e):
            windows = self.pair_windows(e)
            if windows is not None:
                return functools.partial(
                    self.propose_pinned, e, seeds[0], windows, self.lines[e], others
                )
        if not self.windowed(e):
            return functools.partial(self.propose, e, seeds, others=others)
        first, last = self.window(e)
        window = (self.rng.randrange(1 << 30), first, last)
        return functools.partial(self._propose_or_window, e, seeds, window, others)

    def _propose_or_window(
        self,
        e: str,
        seeds: list[int],
        window: tuple[int, int, int],
        others: np.ndarray | None = None,
    ) -> Proposal:
        """``e``'s best response over the whole line; when its price search ends without a
        line, the best over ``window`` (seed, first day, end) instead: of the search's last
        line if a window brings its counts back within the rules, else of ``e``'s own. The
        prices the search ended on are kept either way: the next one goes on from them.
        ``others``: as ``propose``'s."""
        near: list[np.ndarray] = []
        whole = self.propose(e, seeds, near=near, others=others)
        if whole.line is not None:
            return whole
        if near:
            # The failed search's last line made the moves only a whole line can (a weekend
            # from one season to another, minutes where they are short) and broke a count by
            # a little: the window, exact, may repair it.
            repaired = self.propose_window(e, *window, base=near[-1], others=others)
            if repaired.line is not None:
                return Proposal(repaired.line, whole.prices)
        return Proposal(self.propose_window(e, *window, others=others).line, whole.prices)

    def windowed(self, e: str) -> bool:
        """Whether ``e``'s responses may change a window of days only: where their total
        minutes are priced, and runs touching the horizon's edges are free (a frame inside
        the horizon has open edges, which the recursion then reads right at both ends)."""
        spec = self.people[e].spec
        return e in self.lines and relaxes(spec) and not spec.bind_edges

    def window(self, e: str) -> tuple[int, int]:
        """``WINDOW_DAYS`` days around one of the short needs ``e`` could take (at random
        among them; anywhere when none is short)."""
        p = self.people[e]
        days = p.spec.days
        width = min(WINDOW_DAYS, days)
        day = self._short_day(e)
        if day is None:
            first = self.rng.randrange(days - width + 1)
            return first, first + width
        first = max(0, min(days - width, day - self.rng.randrange(width)))
        return first, first + width

    def _short_day(self, e: str) -> int | None:
        """The day of one of the short needs ``e`` could take, at random; None when none is."""
        p = self.people[e]
        c = self.cover
        short = np.flatnonzero(c.people[p.option_need] < c.headcount[p.option_need])
        if not len(short):
            return None
        option = int(short[self.rng.randrange(len(short))])
        return int(np.searchsorted(p.spec.day_start, option, side="right")) - 1

    def seeds(self) -> list[int]:
        # Drawn by the caller's thread, so that a response does not depend on thread timing.
        return [self.rng.randrange(1 << 30) for _ in range(3 * SEEDS + 1)]

    def propose(
        self,
        e: str,
        seeds: list[int],
        bonus: np.ndarray | None = None,
        near: list[np.ndarray] | None = None,
        others: np.ndarray | None = None,
    ) -> Proposal:
        """``e``'s best line against everyone else's current lines (``others``: the people
        on each need without ``e``, read now if not given); reads the search's state,
        changes nothing. ``near``: as ``best_line``'s, for each search that found no line."""
        p = self.people[e]
        before = self.lines.get(e)
        if others is None:
            others = self.others_than([e])
        marginal = self.cover.marginal(p.option_need, others)
        if bonus is not None:
            marginal = marginal + bonus
        # The prices on counts may miss a line that exists: other tie-breaks usually find
        # it, and a person still without a line takes any line at all (the cover's prices
        # damped, then gone), which the pricing finds far more easily. Where the total
        # minutes are priced first (``relaxes``), every cheap attempt comes before an exact
        # recursion.
        first = before is None
        damping = (1.0, 0.1, 0.0) if first else (1.0,)
        relaxed = relaxes(p.spec)
        attempts = [(f, not relaxed) for f in damping for _ in range(SEEDS)]
        if relaxed and first:
            # A better line is worth an exact recursion only when there is none yet: a
            # person whose priced responses fail keeps the line they have.
            attempts.append((damping[-1], True))
        ended = None
        for (factor, exact), seed in zip(attempts, seeds, strict=False):
            found, ended = best_line_and_prices(
                p.spec,
                p.request_cost + factor * marginal,
                p.off_cost,
                seed=seed,
                prices=self.prices.get(e),
                # A first line only has to exist: the rounds of best responses refine it,
                # and a line priced into a corner is cheaper to find with damped prices.
                refine=0 if first else REFINE_ROUNDS,
                rounds=FIRST_LINE_ROUNDS if first and factor else PRICE_ROUNDS,
                exact=exact,
                split_price=self.split_price,
                near=near,
            )
            if found is not None:
                return Proposal(found, found.prices)
        return Proposal(None, ended)

    def propose_window(
        self,
        e: str,
        seed: int,
        first: int,
        last: int,
        base: np.ndarray | None = None,
        others: np.ndarray | None = None,
    ) -> Proposal:
        """``e``'s best line that changes only days ``first:last`` of theirs, against
        everyone else's current lines: exact, minutes in the recursion's state, over the frame
        around those days (the rules on a frame are the rules on the whole line). Reads the
        search's state, changes nothing; the person's prices are left as they are.

        ``base``: a line to change instead of ``e``'s own, which may break the counts (a failed
        price search's last line): the window then has to bring them back within the rules.
        ``others``: as ``propose``'s."""
        p = self.people[e]
        line = self.lines[e] if base is None else base
        f = frame(p.spec, line, first, last)
        if f.spec.max_units < 0:
            return Proposal(None)  # the days kept already pass the total
        options = slice(f.option_start, f.option_start + len(f.spec.option_type))
        if others is None:
            others = self.others_than([e])
        cost = p.request_cost[options] + self.cover.marginal(p.option_need[options], others)
        off = p.off_cost[f.start : f.end].copy()
        part = f.sub_line(line)
        # The frame's days outside the window keep what they have: anything else costs KEEP.
        frame_days = np.arange(f.start, f.end)
        outside = (frame_days < first) | (frame_days >= last)
        kept = outside[option_days(f.spec)]
        kept[part[part >= 0]] = False
        cost[kept] += KEEP
        off[outside & (part >= 0)] += KEEP
        found = best_line(f.spec, cost, off, seed=seed, split_price=self.split_price)
        if found is None:
            return Proposal(None)
        whole = f.whole_line(line, found.choice)
        if not (
            np.array_equal(whole[:first], line[:first])
            and np.array_equal(whole[last:], line[last:])
        ):
            return Proposal(None)
        # A frame reads a count the kept days already break as no limit at all.
        if base is not None and not counts_kept(p.spec, whole):
            return Proposal(None)
        return Proposal(Line(whole, found.cost, found.prices))

    def pair_windows(self, e: str) -> list[tuple[int, int]] | None:
        """Two stretches of ``e``'s line to trade between, each of whole weeks from a
        ``PAIR_FIRST_WEEKDAY``: ``PAIR_TO_WEEKS`` around a short need ``e`` could take, and
        one around a day ``e`` works where the cover is over. Where the short need falls on a
        weekend and ``e``'s weekends are all taken, that week is the one of the weekend ``e``
        works with the most of its days over, so that it can be given up for the other.
        None when no need ``e`` could take is short, or no day ``e`` works is over."""
        p = self.people[e]
        spec = p.spec
        line = self.lines[e]
        c = self.cover
        worked = np.flatnonzero(line >= 0)
        needs = p.option_need[line[worked]]
        over = worked[c.people[needs] > c.headcount[needs]]
        if not len(over):
            return None
        to = self._short_day(e)
        if to is None:
            return None
        away = int(over[self.rng.randrange(len(over))])
        saturday, sunday = weekend_flags(spec)
        if (
            (saturday[to] or sunday[to])
            and spec.max_weekends >= 0
            and weekends_worked(line, saturday, sunday) >= spec.max_weekends
        ):
            # Each weekend worked away from the short need, scored by its days over less
            # its days worked: giving up one whose days are all over loses no cover.
            scored: dict[int, list[int]] = {}
            for d in np.flatnonzero(saturday & (line >= 0) | sunday & (line >= 0)):
                saturday_of = int(d) - int(sunday[d])
                if abs(saturday_of - to) < 7:
                    continue
                n = p.option_need[line[d]]
                scored.setdefault(saturday_of, []).append(int(c.people[n] > c.headcount[n]) - 1)
            if scored:
                best = max(sum(v) for v in scored.values())
                away = self.rng.choice([d for d, v in scored.items() if sum(v) == best])
        short_weeks = self._weeks_around(spec, to, PAIR_TO_WEEKS)
        return sorted({short_weeks, self._weeks_around(spec, away, 1)})

    def _weeks_around(self, spec: LineSpec, day: int, weeks: int) -> tuple[int, int]:
        """``weeks`` weeks from a ``PAIR_FIRST_WEEKDAY``, ``day`` in one of them at random."""
        weekday = (day + spec.first_weekday) % 7
        first = day - (weekday - PAIR_FIRST_WEEKDAY) % 7 - 7 * self.rng.randrange(weeks)
        first = max(0, min(first, spec.days - 7 * weeks))
        return first, min(spec.days, first + 7 * weeks)

    def propose_pinned(
        self,
        e: str,
        seed: int,
        windows: list[tuple[int, int]],
        line: np.ndarray,
        others: np.ndarray | None = None,
        *,
        exact: bool = True,
    ) -> Proposal:
        """``e``'s best line that changes only the days of ``windows`` of ``line`` (``e``'s),
        against everyone else's current lines: exact over the whole horizon
        (``line_pin.pinned``). Reads the search's state, changes nothing; the person's prices
        are left as they are. ``others``: as ``propose``'s. Not ``exact``: the counts are
        priced first (``best_line_and_prices``' default), for windows that cover most of the
        line, whose exact state would be the whole line's."""
        p = self.people[e]
        pin = pinned(p.spec, line, windows, p.off_cost)
        if pin is None:
            return Proposal(None)
        if others is None:
            others = self.others_than([e])
        need = p.option_need[pin.option]
        cost = p.request_cost[pin.option] + self.cover.marginal(need, others)
        found = None
        for count_states in (False, True) if not exact else (True,):
            found, _ = best_line_and_prices(
                pin.spec,
                cost,
                pin.off_cost,
                seed=seed,
                count_states=count_states,
                price_total=not exact,
                split_price=self.split_price,
            )
            if found is not None:
                break
        if found is None:
            return Proposal(None)
        whole = pin.whole_line(found.choice)
        if not np.array_equal(whole[~pin.free], line[~pin.free]):
            return Proposal(None)
        return Proposal(Line(whole, found.cost, found.prices))

    def apply(self, e: str, proposal: Proposal) -> bool:
        """Put the proposed line in ``e``'s place if the roster gains (always when ``e`` had
        none). The prices its search ended on are kept, found or not: on a year, a response's
        price search runs out of rounds more often than not (Instance24: 941 of 1,143), and
        the next one goes on from where it was."""
        if proposal.prices is not None:
            self.prices[e] = proposal.prices
        found = proposal.line
        if found is None:
            return False
        before = self.lines.get(e)
        if before is None:
            self.place(e, found.choice)
            return True
        before_value = self.objective()
        self.remove(e)
        self.place(e, found.choice)
        after = self.objective()
        if after < before_value - 1e-9:
            return True
        if self.sideways and after <= before_value + 1e-9:
            return False
        self.remove(e)
        self.place(e, before)
        return False

    def others_than(self, people: list[str]) -> np.ndarray:
        """The people on each need, ``people``'s own places taken out (a copy)."""
        out = self.cover.people.copy()
        for e in people:
            line = self.lines.get(e)
            if line is not None:
                np.add.at(out, self.people[e].option_need[line[line >= 0]], -1)
        return out

    def takers_of(self, need: int) -> list[str]:
        if not self.takers:
            for e, p in self.people.items():
                for n in set(p.option_need.tolist()):
                    self.takers.setdefault(n, []).append(e)
        return self.takers.get(need, [])

    def needs_of(self, e: str, line: np.ndarray) -> set[int]:
        return set(self.people[e].option_need[line[line >= 0]].tolist())

    def eject(self, need: int, tries: int, followers: int, depth: int) -> bool:
        """An ejection chain for a short ``need``: someone is made to take it, whatever their
        line then leaves short; others' best responses take up what was left, and what they
        leave in turn, ``depth`` links deep. Kept only when the roster gains, undone
        otherwise."""
        c = self.cover
        takers = [e for e in self.takers_of(need) if e in self.lines]
        for a in self.rng.sample(takers, min(tries, len(takers))):
            p = self.people[a]
            old = self.lines[a]
            had = self.needs_of(a, old)
            if need in had:
                continue
            found = self.propose(
                a, self.seeds(), bonus=np.where(p.option_need == need, -FORCE, 0)
            ).line
            taken = set() if found is None else self.needs_of(a, found.choice)
            if need not in taken:
                continue
            before_value = self.objective()
            saved = {a: old}
            self.remove(a)
            self.place(a, found.choice)
            left = [(n, 1) for n in had - taken]
            while left:
                n, link = left.pop()
                others = [b for b in self.takers_of(n) if b not in saved and b in self.lines]
                for b in self.rng.sample(others, min(followers, len(others))):
                    if c.people[n] >= c.headcount[n]:
                        break
                    prev = saved[b] = self.lines[b]
                    self.respond(b)
                    if link < depth and self.lines[b] is not prev:
                        gone = self.needs_of(b, prev) - self.needs_of(b, self.lines[b])
                        left += [(m, link + 1) for m in gone]
            if self.objective() < before_value - 1e-9:
                return True
            self._put(saved)
        return False


def applies(ctx: ModelContext) -> bool:
    """Whether every rule of ``ctx``'s problem is one a line keeps exactly or prices."""
    problem = ctx.problem
    enabled = problem.enabled_rules
    if enabled is None or not enabled <= ROTA_RULES or problem.quotas or not ctx.employees:
        return False
    if any(n.weight_under is None or n.shift_type is None for n in problem.needs):
        return False
    for em in ctx.employees.values():
        for day in em.days:
            if day.items and (not day.one_item or any(it.slot is None for it in day.items)):
                return False
    return True


def person_lines(ctx: ModelContext, employee_id: str, need_pos: dict[str, int]) -> PersonLines:
    """``employee_id``'s options per day, succession classes and limits as a ``LineSpec``."""
    problem = ctx.problem
    em = ctx.employees[employee_id]
    limits = em.facts.employee.horizon_limits
    forbidden = {t.id: frozenset(t.forbidden_next) for t in problem.shift_types}
    type_ids = sorted({it.slot.shift_type for it in em.slot_items()})
    type_pos = {t: i for i, t in enumerate(type_ids)}
    # Types whose forbidden successors (among this person's types) agree share a class.
    rows: dict[frozenset[str], int] = {}
    type_class = [
        rows.setdefault(forbidden.get(t, frozenset()) & set(type_ids), len(rows)) for t in type_ids
    ]
    follows = np.ones((max(1, len(rows)), max(1, len(type_ids))), dtype=np.bool_)
    for row, c in rows.items():
        for t in row:
            follows[c, type_pos[t]] = False
    requests: dict[int, list] = {}
    for r in problem.shift_requests:
        if r.employee_id == employee_id:
            requests.setdefault(r.day, []).append(r)
    day_start = [0]
    option_type, option_minutes, option_slot, option_need, request_cost = [], [], [], [], []
    off_cost = np.zeros(ctx.days)
    for d, day in enumerate(em.days):
        for it in day.items:
            slot = it.slot
            option_type.append(type_pos[slot.shift_type])
            option_minutes.append(it.minutes)
            option_slot.append(slot.index)
            option_need.append(need_pos[slot.need_id])
            cost = 0.0
            for r in requests.get(d, ()):
                match = r.shift_type is None or r.shift_type == slot.shift_type
                if match != r.on:
                    cost += r.weight
            request_cost.append(cost)
        day_start.append(len(option_type))
        off_cost[d] = sum(r.weight for r in requests.get(d, ()) if r.on)
    unit = units_of(option_minutes or [1])
    min_total = limits.min_total_minutes if limits else 0
    max_total = limits.max_total_minutes if limits else None
    if max_total is None:
        max_total = sum(
            max(option_minutes[a:b], default=0) for a, b in itertools.pairwise(day_start)
        )
    caps = np.full(len(type_ids), -1, dtype=np.int64)
    if limits:
        for t, n in limits.max_shifts_per_type:
            if t in type_pos:
                caps[type_pos[t]] = n
    spec = LineSpec(
        days=ctx.days,
        day_start=np.array(day_start, dtype=np.int64),
        option_type=np.array(option_type, dtype=np.int64),
        option_units=np.array(option_minutes, dtype=np.int64) // unit,
        type_class=np.array(type_class, dtype=np.int64),
        type_cap=caps,
        follows=follows,
        min_run=limits.min_consecutive_days if limits else 0,
        max_run=(limits.max_consecutive_days or ctx.days) if limits else ctx.days,
        min_off=limits.min_consecutive_days_off if limits else 0,
        # Whole units inside [min, max]: the minimum rounds up, the maximum down.
        min_units=-(-min_total // unit),
        max_units=max_total // unit,
        max_weekends=(limits.max_weekends if limits and limits.max_weekends is not None else -1),
        bind_edges=ctx.settings.min_runs_bind_at_edges,
    )
    return PersonLines(
        spec,
        np.array(option_slot, dtype=np.int64),
        np.array(option_need, dtype=np.int64),
        np.array(request_cost),
        off_cost,
    )


def start(ctx: ModelContext, seed: int = 0) -> LineSearch:
    """An empty roster over ``ctx``'s people and needs."""
    problem = ctx.problem
    need_pos = {n.id: i for i, n in enumerate(problem.needs)}
    cover = Cover(
        np.array([n.headcount for n in problem.needs], dtype=np.int64),
        np.array([n.weight_under or 0 for n in problem.needs], dtype=np.int64),
        np.array([n.weight_over or 0 for n in problem.needs], dtype=np.int64),
    )
    people = {e: person_lines(ctx, e, need_pos) for e in sorted(ctx.employees)}
    split = SPLIT_WEEKEND * float(cover.weight_under.max(initial=0))
    return LineSearch(people, cover, {}, {}, random.Random(seed), split_price=split)


def search(
    ctx: ModelContext,
    deadline: float,
    *,
    seed: int = 0,
    patience: float | None = None,
    threads: int = 1,
    on_better: Callable[[float], None] | None = None,
    weekends_first: float = 0.0,
    deals: bool = False,
) -> LineSearch | None:
    """The best roster found by ``deadline`` (a ``time.perf_counter()`` instant), or once
    ``patience`` seconds pass without a gain; None when someone got no line (their rules may
    still allow one: the caller tries other means). With ``threads`` of 2 or more, long
    horizons compute two responses at a time (the recursion runs without the GIL).
    ``weekends_first``: seconds for planning everyone's weekends together before the first
    lines (``line_weekends``), where some weekends are limited; 0 leaves it out.
    ``deals``: every day's shifts dealt again after each round (``LineSearch.deals``)."""
    s = start(ctx, seed)
    s.deals = deals
    order = list(s.people)
    # The most constrained first: they have the fewest ways to fill what is left.
    order.sort(key=lambda e: len(s.people[e].option_slot))
    if weekends_first > 0 and weekends_bind(s):
        planted = line_weekends.plan(
            s,
            min(deadline, time.perf_counter() + weekends_first),
            threads=threads,
            seed=seed,
            subsolvers=ctx.problem.parameters.subsolvers,
        )
        if planted:
            _plant(s, planted, order, deadline)
    with _pool(threads, ctx.days) as pool:
        todo = [e for e in order if e not in s.lines]
        if s.respond_all(todo, pool) < len(todo):
            return None
    if on_better is not None:
        on_better(s.objective())
    return improve(s, deadline, patience=patience, threads=threads, on_better=on_better)


def improve(
    s: LineSearch,
    deadline: float,
    *,
    patience: float | None = None,
    threads: int = 1,
    on_better: Callable[[float], None] | None = None,
) -> LineSearch:
    """Rounds of best responses on ``s`` (everyone has a line), and ruin and recreate when a
    round gains nothing, until ``deadline`` or ``patience`` seconds without a gain."""
    order = list(s.people)
    best_value = s.objective()
    gained_at = time.perf_counter()
    days = next(iter(s.people.values())).spec.days if s.people else 0
    with _pool(threads, days) as pool, _team_pool(threads, pool) as team_pool:
        while time.perf_counter() < deadline:
            if patience is not None and time.perf_counter() - gained_at > patience:
                break
            s.rng.shuffle(order)
            before_round = s.objective()
            gained = s.respond_all(order, pool, deadline)
            if s.objective() > before_round * (1 - PAIR_AFTER):
                s.pairing = True
            if s.chains and days <= CHAIN_MAX_DAYS and _chains(s, deadline):
                gained += 1
            if s.deals and sweep(s, deadline):
                gained += 1
            if not gained and s.teams:
                gained += teams(s, TEAM_TRIES, deadline, team_pool)
            if not gained:
                _ruin_and_recreate(s, order, deadline)
            value = s.objective()
            if value < best_value - 1e-9:
                best_value = value
                gained_at = time.perf_counter()
                if on_better is not None:
                    on_better(value)
    return s


def weekends_bind(s: LineSearch) -> bool:
    """Whether someone may work fewer weekends than the horizon holds."""
    return any(0 <= p.spec.max_weekends < len(weekends(p.spec)) for p in s.people.values())


def _plant(
    s: LineSearch, planted: dict[str, np.ndarray], order: list[str], deadline: float
) -> None:
    """Everyone's first line, their weekends kept as ``planted`` and their weekdays their best
    response; rounds of such responses until one gains nothing (each a tenth of a second on
    Instance13, where the first rounds each gain a tenth of the roster). Whoever finds no line
    so is left without one."""
    windows = {e: line_weekends.weekday_windows(*weekend_flags(s.people[e].spec)) for e in order}
    for _ in range(PLANT_ROUNDS):
        before = s.objective() if len(s.lines) == len(s.people) else None
        for e in order:
            if time.perf_counter() >= deadline:
                return
            seed = s.rng.randrange(1 << 30)
            found = s.propose_pinned(e, seed, windows[e], planted[e], exact=False)
            s.apply(e, found)
        if before is not None and s.objective() >= before - 1e-9:
            return


def _pool(threads: int, days: int) -> contextlib.AbstractContextManager:
    """Two threads for long horizons (``respond_all``), else none."""
    if threads >= 2 and days >= PARALLEL_MIN_DAYS:
        return ThreadPoolExecutor(2)
    return contextlib.nullcontext()


def _team_pool(threads: int, pool: ThreadPoolExecutor | None) -> contextlib.AbstractContextManager:
    """Two threads for the teams wherever there are two (``line_team.teams``; the responses'
    pool where they have one): a team's model is built holding the GIL but solved without
    it, and teams solved one at a time left a core idle for half of Instance22's minute."""
    if pool is not None or threads < 2:
        return contextlib.nullcontext(pool)
    return ThreadPoolExecutor(2)


def _chains(s: LineSearch, deadline: float) -> bool:
    """Ejection chains from short needs, in random order; whether one gained."""
    c = s.cover
    short = np.flatnonzero(c.people < c.headcount).tolist()
    s.rng.shuffle(short)
    gained = False
    for n in short[:CHAIN_NEEDS]:
        if time.perf_counter() >= deadline:
            break
        gained |= s.eject(n, CHAIN_TRIES, CHAIN_FOLLOWERS, CHAIN_DEPTH)
    return gained


def _ruin_and_recreate(s: LineSearch, order: list[str], deadline: float) -> None:
    """Clear a few lines and rebuild them one by one; undo unless the roster is no worse."""
    size = max(2, round(RUIN_SHARE * len(order)))
    ruined = s.rng.sample(order, min(size, len(order)))
    before_value = s.objective()
    saved = {e: s.lines[e] for e in ruined}
    for e in ruined:
        s.remove(e)
    for e in ruined:
        if time.perf_counter() >= deadline or not s.respond(e):
            break
    if len(s.lines) == len(s.people) and s.objective() <= before_value + 1e-9:
        return
    s._put(saved)
