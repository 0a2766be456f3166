"""One person's best line over a rota horizon, by dynamic programming over the days.

A line gives each day one option (a shift the person may take that day) or a day off. The rota
rules that bind one person are exact in the recursion: forbidden successions (the state keeps
the class of yesterday's shift type), the longest and shortest runs of work and the shortest
run of days off (the state keeps the current run's length), fixed days off (no option that day)
and the total minutes over the horizon (the state keeps the minutes worked, in units of the
lengths' greatest common divisor). Two limits are counts: the most shifts of each type and
the most weekends worked. By default they are prices, raised until the line keeps them
(``best_line``), which rarely takes more than a few rounds but leaves the line unproved. With
``count_states`` they are kept in the state too, where it stays small: exact, at the cost of
a state (limit + 1) times larger per count.

The recursion is compiled (numba): a year with a dozen shift types and every minute count is
some ten million states, which an interpreted loop would take seconds to visit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit

INF = 1e18
# An unreachable state is INF plus the costs of the days after it, which can be below INF
# (costs are negative where a shift pays; 1e18 - 1000 < 1e18 in floats): only a value below
# this is a line.
REACHABLE = INF / 2
SATURDAY, SUNDAY = 5, 6
# Rounds of pricing the counts before giving up on them.
PRICE_ROUNDS = 24
# Once counts are priced, ties are broken by a random cost below this per option: shifts of
# equal value then change type one by one as a price rises, not all at once, so the prices can
# meet a count exactly. The line is then near the cheapest, not exactly it.
NOISE = 1.0
# Above this many (units x days) states per class and run, the total minutes are priced
# before they are made exact (``best_line``). Measured on the benchmark's 26- and 52-week
# instances: responses that fast reach a better roster in the same time (Instance21: 25,300
# against 35,899 in 45 s), and no worse where all shifts have one length (Instance22).
RELAX_MINUTES_ABOVE = 20_000
# Counts kept in the state (``count_states``) up to this many states per class and run,
# (weekends + 1) x (each type's cap + 1) x (units + 1) x days; above it they are priced.
# Instance18's 12 weeks (6 weekends of 12, 55 units) need 32,340. At 1,000,000, a quarter of
# Instance19's calls (6 weekends, 216 units, one type capped at 12: 1,658,748) were left to
# CP-SAT at some 0.26 s each, and its root stalled at 4,015 after 29 s; at 4,000,000 the
# recursion proves every call (some 19 ms each) and the root reaches 3,158-3,209 (optimum
# 3,149). The predecessor arrays grow with it: a run's peak memory went from 344-355 MB to
# 393-414 MB on Instance19, 303-313 MB to 310 MB on Instance18.
COUNT_STATES = 4_000_000
# Empty tables for ``_solve``: the recursion keeps no day's states.
_NOT_KEPT4 = np.zeros((0, 0, 0, 0))
_NOT_KEPT3 = np.zeros((0, 0, 0))
# Rounds spent lowering prices once a line keeps every count: each is a full recursion, and
# the cheaper line they look for differs from the one found by a few shifts at most.
REFINE_ROUNDS = 3


@dataclass(frozen=True, slots=True)
class LineSpec:
    """What binds one person, in arrays the recursion reads.

    Options are grouped by day: ``day_start[d]:day_start[d + 1]`` are day ``d``'s. Each option
    has a shift type (``option_type``, an index into ``type_cap``) and a length in units.
    ``follows[c, t]``: whether a shift of type ``t`` may come the day after one of succession
    class ``c`` (``type_class[t]``; types with the same forbidden successors share a class).
    """

    days: int
    day_start: np.ndarray  # int64, days + 1
    option_type: np.ndarray  # int64
    option_units: np.ndarray  # int64
    type_class: np.ndarray  # int64, per type
    type_cap: np.ndarray  # int64, per type; -1: no cap
    follows: np.ndarray  # bool, classes x types
    min_run: int
    max_run: int
    min_off: int
    min_units: int
    max_units: int
    max_weekends: int  # -1: no limit
    bind_edges: bool
    first_weekday: int = 0  # weekday of day 0, Monday = 0
    # The days whose weekends count towards ``max_weekends`` (None: every day); a line pinned
    # outside a few weeks counts only theirs, its limit lowered by the weekends kept.
    weekend_days: np.ndarray | None = None

    @property
    def classes(self) -> int:
        return int(self.follows.shape[0])


def units_of(minutes: list[int]) -> int:
    """The unit in which every length is whole (their greatest common divisor)."""
    unit = 0
    for m in minutes:
        unit = math.gcd(unit, m)
    return max(unit, 1)


@dataclass(frozen=True, slots=True)
class Line:
    """Chosen option per day (-1: off) and its cost under the costs given (prices left out)."""

    choice: np.ndarray
    cost: float
    prices: np.ndarray  # of the counts, per type then weekends, that found it


def best_line(
    spec: LineSpec, option_cost: np.ndarray, off_cost: np.ndarray, **options: Any
) -> Line | None:
    """The cheapest line that keeps every rule of ``spec``; None when none was found
    (``best_line_and_prices``, whose keywords it takes)."""
    return best_line_and_prices(spec, option_cost, off_cost, **options)[0]


def best_line_and_prices(
    spec: LineSpec,
    option_cost: np.ndarray,
    off_cost: np.ndarray,
    *,
    seed: int = 0,
    prices: np.ndarray | None = None,
    refine: int = REFINE_ROUNDS,
    rounds: int = PRICE_ROUNDS,
    exact: bool = True,
    count_states: bool = False,
    split_price: float = 0.0,
    near: list[np.ndarray] | None = None,
    price_total: bool = True,
) -> tuple[Line | None, np.ndarray]:
    """The cheapest line that keeps every rule of ``spec``, None when none was found; and the
    prices the search ended on (the line's own when found), where the next search of the same
    person can start: a search that ran out of rounds was on its way.

    Counts of shifts per type and of weekends are priced, each price searched on its own by
    bisection: raised while the line breaks its count, lowered while the count has room, until
    a line keeps them all with no price on a count that has room (then no cheaper line keeps
    them). None means no line exists, or the prices did not find one in ``rounds`` rounds.
    Ties are broken at random (``seed``): when no count is priced, by less than one unit of
    cost over the whole line, so the line is the cheapest; once one is, by up to ``NOISE`` an
    option, or equal shifts would all change type at one price. ``prices`` (per type, then
    weekends, then minutes over and under) start the search where a previous one ended; the
    line found carries its own. ``refine``: rounds spent lowering prices once a line keeps
    every count.

    Where the minutes make the recursion large (a year of mixed shift lengths), the total is
    first priced too, with no minutes in the state: a line inside the total's band is usually
    found that way in a fraction of the time; only when none is does the exact recursion run
    (unless not ``exact``: the caller has cheaper ways to try first). Not ``price_total``:
    the exact recursion at once, however large (the caller knows its state is small).

    ``count_states``: counts are kept in the recursion's state rather than priced, where it
    stays within ``COUNT_STATES``: the weekends from the first recursion, each type's shifts
    once a recursion's line breaks its cap, which makes those counts exact at the cost of a
    state (limit + 1) times larger; only counts that cannot join are priced. The column
    generation's pricing wants that, where a priced count leaves its line unproved.

    ``split_price``: added for each weekend worked on one of its days while the other could be
    worked too (it has options). A steer of the search, not a cost: the line returned is the
    cheapest with it, and its ``cost`` leaves it out.

    ``near``: where the search finds no line, its last recursion's line is appended to it. That
    line keeps every rule but the priced counts (shifts per type, weekends, and the total when
    priced), which it breaks by a little once the prices are close: a caller may repair it.
    """
    types = len(spec.type_cap)
    if prices is None or len(prices) != types + 3:
        prices = np.zeros(types + 3)
    counted = np.zeros(types, dtype=np.bool_)

    def priced(relax: bool, rounds: int, start: np.ndarray) -> tuple[Line | None, np.ndarray]:
        return _priced(
            spec,
            option_cost,
            off_cost,
            seed,
            start,
            refine,
            rounds,
            relax=relax,
            weekends=count_states,
            counted=counted,
            split_price=split_price,
            near=near,
        )

    found = None
    ended = prices
    if price_total and relaxes(spec):
        # Rounds without minutes in the state are cheap: they get the full count.
        found, ended = priced(True, PRICE_ROUNDS, prices)
    elif not exact:
        return None, prices
    if found is not None or not exact:
        return found, ended
    if not count_states:
        return priced(False, rounds, prices)
    # One recursion at a time: the types whose counts its line breaks (their prices raised)
    # join the state while it stays small enough, and it runs again; only once no count it
    # breaks can join does a full search price the others.
    found, prices = priced(False, 1, prices)
    searched = False
    while found is None or found.prices.any():
        wanted = [t for t in np.argsort(-prices[:types]) if prices[t] > 0 and not counted[t]]
        added = False
        for t in wanted:
            counted[t] = True
            radix = _radix(spec, _weekends_counted(spec, True), counted)
            if radix * (spec.max_units + 1) * spec.days > COUNT_STATES:
                counted[t] = False
            else:
                added = True
        if added:
            found, prices = priced(False, 1, prices)
        elif searched or not prices.any():
            break
        else:
            found, prices = priced(False, rounds, prices)
            searched = True
    return found, prices


def relaxes(spec: LineSpec) -> bool:
    """Whether ``best_line`` prices the total minutes before making them exact."""
    return spec.max_units * spec.days > RELAX_MINUTES_ABOVE


def _weekends_counted(spec: LineSpec, weekends: bool) -> bool:
    return (
        weekends
        and spec.max_weekends >= 0
        and (spec.max_weekends + 1) * (spec.max_units + 1) * spec.days <= COUNT_STATES
    )


def _radix(spec: LineSpec, counts_weekends: bool, counted: np.ndarray) -> int:
    """How many values the counts kept in the state take together (1: none kept)."""
    radix = spec.max_weekends + 1 if counts_weekends else 1
    for t in np.flatnonzero(counted & (spec.type_cap >= 0)):
        radix *= int(spec.type_cap[t]) + 1
    return radix


def _priced(
    spec: LineSpec,
    option_cost: np.ndarray,
    off_cost: np.ndarray,
    seed: int,
    prices: np.ndarray,
    refine: int,
    rounds: int,
    *,
    relax: bool,
    weekends: bool,
    counted: np.ndarray,
    split_price: float = 0.0,
    near: list[np.ndarray] | None = None,
) -> tuple[Line | None, np.ndarray]:
    """``best_line``'s search at one setting: its line, and the prices it ended on (and, in
    ``near``, the last recursion's line when it found none)."""
    days = spec.days
    saturday, sunday = weekend_flags(spec)
    types = len(spec.type_cap)
    units = spec.option_units
    # Resources: the types, the weekends, the minutes above the maximum and (as negative
    # minutes) below the minimum; only the limited ones are priced.
    limits = _limits(spec)
    # Counts kept in the state are kept by the recursion itself, never priced: one digit
    # each of the state's low part, the types' first and the weekends' last.
    counted = counted & (spec.type_cap >= 0)
    counts_weekends = _weekends_counted(spec, weekends)
    radix, step, room = state_layout(spec, counted, counts_weekends)
    priced = np.append(
        (spec.type_cap >= 0) & ~counted,
        [spec.max_weekends >= 0 and not counts_weekends, relax, relax],
    )
    price = prices.copy()
    price[:types][counted] = 0.0
    if counts_weekends:
        price[types] = 0.0
    low = np.zeros(types + 3)
    high = np.full(types + 3, np.inf)
    base = max(1.0, float(np.abs(option_cost).mean()) if len(option_cost) else 1.0)
    # A minute's price starts at a typical option's cost spread over its length.
    mean_units = float(units.mean()) if len(units) else 1.0
    start = np.append(np.full(types + 1, base), [base / mean_units] * 2)
    draws = np.random.default_rng(seed).random(len(option_cost))
    # The first round is exact (its noise sums to less than one unit of cost); once a count
    # breaks, ties are broken coarsely enough for the prices to meet it.
    noise = draws * (0.5 / max(days, 1))
    type_set, set_member = successor_sets(spec)
    state_units = np.zeros_like(units) if relax else units
    best: Line | None = None
    last = None
    for _ in range(rounds):
        if best is not None:
            if refine == 0:
                return best, best.prices
            refine -= 1
        cost = option_cost + noise + price[spec.option_type]
        if relax:
            cost = cost + (price[types + 1] - price[types + 2]) * units
        choice = _solve(
            days,
            spec.day_start,
            spec.option_type,
            state_units,
            cost,
            off_cost,
            spec.type_class,
            type_set,
            set_member,
            saturday,
            sunday,
            price[types],
            max(spec.min_run, 1),
            max(min(spec.max_run, days), 1),
            max(spec.min_off, 1),
            0 if relax else spec.min_units,
            0 if relax else spec.max_units,
            spec.bind_edges,
            radix,
            step[types],
            step[:types].copy(),
            room,
            split_price,
            _NOT_KEPT4,
            _NOT_KEPT4,
            _NOT_KEPT3,
        )
        if choice[0] == -2:
            return best, price if best is None else best.prices
        last = choice
        worked = choice[choice >= 0]
        over = np.where(priced, _used(spec, choice, saturday, sunday) - limits, 0)
        if (over <= 0).all():
            value = float(option_cost[worked].sum() + off_cost[choice < 0].sum())
            if best is None or value < best.cost:
                best = Line(choice, value, price.copy())
            if not ((price > 0) & (over < 0)).any():
                return best, best.prices
        noise = draws * NOISE
        raise_ = over > 0
        lower = (over < 0) & (price > 0)
        low[raise_] = price[raise_]
        high[lower] = price[lower]
        # Other prices moved since a bracket was set: once it has shrunk to nothing and the
        # count still breaks (or still has room), it reopens.
        shut = high - low < 1e-3 * NOISE
        high[raise_ & shut] = np.inf
        low[lower & shut] = 0.0
        price = np.where(
            raise_ | lower,
            np.where(np.isinf(high), np.maximum(2 * price, start), (low + high) / 2),
            price,
        )
    if best is None and near is not None and last is not None:
        near.append(last)
    return best, price if best is None else best.prices


def state_layout(
    spec: LineSpec, counted: np.ndarray, counts_weekends: bool
) -> tuple[int, np.ndarray, np.ndarray]:
    """How the counts kept in the state share a state's low part: how many values they take
    together (the radix), each count's step in it (per type, then the weekends; 0: not kept),
    and ``room[j, r]``: whether count ``j``'s digit is above 0 in low part ``r``."""
    types = len(spec.type_cap)
    limit = np.append(spec.type_cap, spec.max_weekends)
    kept = np.append(counted & (spec.type_cap >= 0), counts_weekends)
    radix = _radix(spec, counts_weekends, counted)
    step = np.zeros(types + 1, dtype=np.int64)
    room = np.ones((types + 1, radix), dtype=np.bool_)
    place = 1
    for j in np.flatnonzero(kept):
        step[j] = place
        room[j] = (np.arange(radix) // place) % (limit[j] + 1) > 0
        place *= int(limit[j]) + 1
    return radix, step, room


def successor_sets(spec: LineSpec) -> tuple[np.ndarray, np.ndarray]:
    """Types that may follow the same classes share one set of cheapest predecessors: each
    type's set, and each set's classes."""
    columns = [tuple(spec.follows[:, t]) for t in range(len(spec.type_cap))]
    distinct = sorted(set(columns))
    type_set = np.array([distinct.index(c) for c in columns], dtype=np.int64)
    set_member = np.array(distinct, dtype=np.bool_).reshape(len(distinct), spec.classes)
    return type_set, set_member


def counts_kept(spec: LineSpec, choice: np.ndarray) -> bool:
    """Whether ``choice`` (option per day, -1 off) keeps ``spec``'s counts: shifts per type,
    weekends worked and the total."""
    limited = np.append(spec.type_cap >= 0, [spec.max_weekends >= 0, True, True])
    used = _used(spec, choice, *weekend_flags(spec))
    return bool((used <= _limits(spec))[limited].all())


def weekend_flags(spec: LineSpec) -> tuple[np.ndarray, np.ndarray]:
    """Which of ``spec``'s days are Saturdays, and which Sundays (among its ``weekend_days``
    when set: only their weekends count)."""
    weekday = (np.arange(spec.days) + spec.first_weekday) % 7
    if spec.weekend_days is None:
        return weekday == SATURDAY, weekday == SUNDAY
    return (weekday == SATURDAY) & spec.weekend_days, (weekday == SUNDAY) & spec.weekend_days


def _limits(spec: LineSpec) -> np.ndarray:
    """The counts' limits, in ``_used``'s order (-1: none for a type or the weekends)."""
    return np.append(spec.type_cap, [spec.max_weekends, spec.max_units, -spec.min_units])


def _used(
    spec: LineSpec, choice: np.ndarray, saturday: np.ndarray, sunday: np.ndarray
) -> np.ndarray:
    """``choice``'s counts: shifts per type, weekends worked, the total and minus the total
    (held below minus the least)."""
    worked = choice[choice >= 0]
    total = int(spec.option_units[worked].sum())
    return np.append(
        np.bincount(spec.option_type[worked], minlength=len(spec.type_cap)),
        [weekends_worked(choice, saturday, sunday), total, -total],
    )


def weekends_worked(choice: np.ndarray, saturday: np.ndarray, sunday: np.ndarray) -> int:
    """The weekends ``choice`` works (``weekend_flags``' days)."""
    worked = choice >= 0
    sat = np.flatnonzero(saturday & worked)
    sun = np.flatnonzero(sunday & worked)
    # A weekend is a Saturday and the Sunday after it; either day worked counts it once.
    weeks = set((sat + 1).tolist()) | set(sun.tolist())
    return len(weeks)


@njit(cache=True, nogil=True)
def _capacity(longest, runs, offs):  # pragma: no cover - compiled
    """Per day d, the most units days d.. can hold with runs of at most ``runs`` days and
    rests of at least ``offs`` (each day at its longest option; other rules left out, so it
    bounds every line from above)."""
    days = len(longest)
    # State before a day: 0..runs-1 a run of that many + 1 days, runs.. a rest (the last one
    # long enough). A long enough rest allows the most, so it is the bound.
    states = runs + offs
    nxt = np.zeros(states, dtype=np.int64)
    cur = np.zeros(states, dtype=np.int64)
    out = np.zeros(days, dtype=np.int64)
    for d in range(days - 1, -1, -1):
        for st in range(states):
            # Rest today.
            best = nxt[runs] if st < runs else nxt[min(st + 1, states - 1)]
            # Work today, when there is something to work.
            if longest[d] > 0:
                if st < runs - 1:
                    best = max(best, longest[d] + nxt[st + 1])
                elif st == states - 1:
                    best = max(best, longest[d] + nxt[0])
            cur[st] = best
        nxt, cur = cur, nxt
        out[d] = nxt[states - 1]
    return out


@njit(cache=True, nogil=True, inline="always")
def _new_weekend(saturday, sunday, d, after_rest):  # pragma: no cover - compiled
    """1 when work on day ``d`` begins a weekend worked, else 0: any Saturday, and a Sunday
    unless it goes on from a Saturday worked (a run going on, ``after_rest`` false)."""
    if saturday[d]:
        return 1
    if sunday[d] and (after_rest or d == 0 or not saturday[d - 1]):
        return 1
    return 0


@njit(cache=True, nogil=True, inline="always")
def _fits(room, r, up, t, ts):  # pragma: no cover - compiled
    """Whether counts ``r`` (a state's low part) can be reached by a step that begins a
    weekend (``up`` above 0) or adds a shift of type ``t`` (counted: ``ts`` above 0): each
    count stepped must be above 0 there."""
    if up > 0 and not room[room.shape[0] - 1, r]:
        return False
    return ts == 0 or room[t, r]


@njit(cache=True, nogil=True, inline="always")
def _cheapest_by_set(states, set_member, low, high, best, best_class):  # pragma: no cover
    """Per set of classes, run length and units within ``low``..``high``: the cheapest of
    ``states`` (classes x runs x units) among the set's classes, and which class it is (-1:
    none). Over the units innermost, along the arrays; ties go to the first class."""
    for g in range(set_member.shape[0]):
        for r in range(states.shape[1] - 1):
            for m in range(low, high + 1):
                best[g, r, m] = INF
                best_class[g, r, m] = -1
            for c in range(set_member.shape[1]):
                if not set_member[g, c]:
                    continue
                for m in range(low, high + 1):
                    if states[c, r, m] < best[g, r, m]:
                        best[g, r, m] = states[c, r, m]
                        best_class[g, r, m] = c


@njit(cache=True, nogil=True, inline="always")
def _extend_runs(
    source, source_class, new, pred, g, r, c_to, lo_m, hi_m, step, fits, cost, packed
):  # pragma: no cover - compiled
    """Runs of ``r + 1`` days that go on with one option (of cost ``cost``, class ``c_to``,
    ``packed`` in the predecessors) from yesterday's cheapest of set ``g``, onto states
    ``lo_m``..``hi_m`` whose counts ``fits`` allows (``step`` back to the source)."""
    wk = len(fits)
    j = lo_m % wk
    for m in range(lo_m, hi_m + 1):
        if fits[j]:
            v = source[g, r, m - step] + cost
            if v < new[c_to, r + 1, m]:
                new[c_to, r + 1, m] = v
                pred[c_to, r + 1, m] = packed + source_class[g, r, m - step] + 1
        j += 1
        if j == wk:
            j = 0


@njit(cache=True, nogil=True)
def _solve(
    days,
    day_start,
    option_type,
    option_units,
    option_cost,
    off_cost,
    type_class,
    type_set,
    set_member,
    saturday,
    sunday,
    weekend_price,
    min_run,
    max_run,
    min_off,
    min_units,
    max_units,
    bind_edges,
    radix,
    weekend_step,
    type_step,
    room,
    split_price,
    kept_work,
    kept_edge,
    kept_rest,
):  # pragma: no cover - compiled; exercised through best_line
    """Forward recursion, then the path back. Returns the option per day (-1 off), or an
    array starting with -2 when no line keeps the exact rules.

    Counts kept in the state (weekends worked, shifts of some types) share it with the units:
    a state's index ``m`` packs the units (``m // radix``) and the counts (``m % radix``, one
    digit each in mixed radix), so every rule below reads the units as before, scaled by
    ``radix``. A weekend begun adds ``weekend_step``, a shift of type ``t`` ``type_step[t]``
    (0: not counted); ``room[j, r]``: whether count ``j``'s digit (the types', then the
    weekends') is above 0 in ``r``, so that a step onto ``r`` stays within its limit."""
    classes = set_member.shape[1]
    runs = max_run
    offs = min_off
    wk = radix
    width = (max_units + 1) * wk
    # Work states: (class, run length - 1, units); "edge" ones are runs that began on day 0
    # under open edges, held to the longest run but not the shortest.
    work = np.full((classes, runs, width), INF)
    edge = np.full((classes, runs, width), INF)
    rest = np.full((offs, width), INF)
    new_work = np.empty_like(work)
    new_edge = np.empty_like(edge)
    new_rest = np.empty_like(rest)
    # Predecessors: work cell -> option * (classes + 1) + (source class + 1), 0 meaning "from
    # the last rest state" (or the horizon's start); rest cell -> packed source (see below).
    pred_work = np.empty((days, classes, runs, width), dtype=np.int32)
    edge_days = min(days, runs)
    pred_edge = np.empty((edge_days, classes, runs, width), dtype=np.int32)
    pred_rest = np.empty((days, offs, width), dtype=np.int32)
    sets = set_member.shape[0]
    source = np.full((sets, runs, width), INF)
    edge_source = np.full((sets, runs, width), INF)
    source_class = np.zeros((sets, runs, width), dtype=np.int64)
    edge_class = np.zeros((sets, runs, width), dtype=np.int64)
    ended = np.empty(width)
    fits_rest = np.empty(wk, dtype=np.bool_)
    fits_work = np.empty(wk, dtype=np.bool_)
    ended_from = np.zeros(width, dtype=np.int32)
    longest = np.zeros(days, dtype=np.int64)
    for d in range(days):
        for o in range(day_start[d], day_start[d + 1]):
            longest[d] = max(longest[d], option_units[o])
    # Most units that days d.. (after) and ..d (before) can hold: outside that band of
    # units no state can still end inside [min_units, max_units].
    if max_units > 0:
        after = _capacity(longest, runs, offs)
        before = _capacity(longest[::-1].copy(), runs, offs)[::-1]
    else:
        # No units in the state (the total priced): every band is the one state 0.
        after = np.zeros(days, dtype=np.int64)
        before = np.zeros(days, dtype=np.int64)
    prev_low = 0
    prev_high = 0
    for d in range(days):
        new_work[:] = INF
        # No run begun on day 0 lasts past day ``runs``: once both buffers are clear, they
        # stay so.
        if d <= runs + 1:
            new_edge[:] = INF
        new_rest[:] = INF
        low = max(0, min_units - (after[d + 1] if d + 1 < days else 0)) * wk
        high = min(max_units, before[d]) * wk + wk - 1
        # Day off.
        if d == 0:
            if low == 0:
                q = 0 if bind_edges else offs - 1
                new_rest[q, 0] = off_cost[0]
                pred_rest[0, q, 0] = -3
        else:
            # From work: a run ends; it must be long enough unless it began on day 0. The
            # loops run over the units innermost, along the arrays (a run's candidates are
            # met in the same order as over the classes innermost, so ties go the same way).
            ended.fill(INF)
            for c in range(classes):
                for r in range(runs):
                    if r + 1 >= min_run:
                        at = (c * runs + r) * 2
                        for m in range(low, high + 1):
                            if work[c, r, m] < ended[m]:
                                ended[m] = work[c, r, m]
                                ended_from[m] = at
                    # Runs begun on day 0 are at most ``runs`` days old.
                    if d <= runs:
                        at = (c * runs + r) * 2 + 1
                        for m in range(low, high + 1):
                            if edge[c, r, m] < ended[m]:
                                ended[m] = edge[c, r, m]
                                ended_from[m] = at
            # A Sunday off after a Saturday worked splits the weekend, if Sunday had options.
            split_off = split_price if sunday[d] and day_start[d + 1] > day_start[d] else 0.0
            for m in range(low, high + 1):
                if ended[m] < INF:
                    new_rest[0, m] = ended[m] + off_cost[d] + split_off
                    pred_rest[d, 0, m] = ended_from[m]
                for q in range(1, offs):
                    v = rest[q - 1, m]
                    from_q = q - 1
                    if q == offs - 1 and rest[q, m] < v:
                        v = rest[q, m]
                        from_q = q
                    if v < INF:
                        new_rest[q, m] = v + off_cost[d]
                        pred_rest[d, q, m] = -(10 + from_q)
                if offs == 1:
                    v = rest[0, m]
                    if v < INF and v + off_cost[d] < new_rest[0, m]:
                        new_rest[0, m] = v + off_cost[d]
                        pred_rest[d, 0, m] = -10
        # Yesterday's cheapest run of each length among the classes each type may follow:
        # computed once per set, not once per option.
        if d > 0:
            _cheapest_by_set(work, set_member, prev_low, prev_high, source, source_class)
            if d < runs:
                _cheapest_by_set(edge, set_member, prev_low, prev_high, edge_source, edge_class)
        # Whether work today begins a weekend, after a rest and within a run: priced, or
        # counted in the state.
        weekend_rest = _new_weekend(saturday, sunday, d, True)
        weekend_run = _new_weekend(saturday, sunday, d, False)
        up_rest = weekend_rest * weekend_step
        up_work = weekend_run * weekend_step
        # Work: each option of the day.
        for o in range(day_start[d], day_start[d + 1]):
            t = option_type[o]
            c_to = type_class[t]
            g = type_set[t]
            u = option_units[o] * wk
            ts = type_step[t]
            from_rest = option_cost[o] + weekend_price * weekend_rest
            # So does a Sunday's run begun after a Saturday off that had options.
            if sunday[d] and d > 0 and day_start[d] > day_start[d - 1]:
                from_rest += split_price
            from_work = option_cost[o] + weekend_price * weekend_run
            packed = o * (classes + 1)
            if d == 0:
                at = u + up_rest + ts
                if at < width and _fits(room, at % wk, up_rest, t, ts):
                    if bind_edges:
                        if from_rest < new_work[c_to, 0, at]:
                            new_work[c_to, 0, at] = from_rest
                            pred_work[0, c_to, 0, at] = packed
                    elif from_rest < new_edge[c_to, 0, at]:
                        new_edge[c_to, 0, at] = from_rest
                        pred_edge[0, c_to, 0, at] = packed
                continue
            # Which counts (a state's low part) the option may step onto, looked up below as
            # the units run on (a modulo per state cost more).
            for j in range(wk):
                fits_rest[j] = _fits(room, j, up_rest, t, ts)
                fits_work[j] = _fits(room, j, up_work, t, ts)
            step = u + up_rest + ts
            lo_m = max(step, low)
            # A new run after a long enough rest.
            j = lo_m % wk
            for m in range(lo_m, high + 1):
                if fits_rest[j]:
                    v = rest[offs - 1, m - step] + from_rest
                    if v < new_work[c_to, 0, m]:
                        new_work[c_to, 0, m] = v
                        pred_work[d, c_to, 0, m] = packed
                j += 1
                if j == wk:
                    j = 0
            # A run going on (the cheapest predecessors hold yesterday's band only).
            step = u + up_work + ts
            lo_m = max(max(u, low), prev_low + step)
            hi_m = min(high, prev_high + step)
            for r in range(runs - 1):
                _extend_runs(
                    source,
                    source_class,
                    new_work,
                    pred_work[d],
                    g,
                    r,
                    c_to,
                    lo_m,
                    hi_m,
                    step,
                    fits_work,
                    from_work,
                    packed,
                )
                if d < runs:
                    _extend_runs(
                        edge_source,
                        edge_class,
                        new_edge,
                        pred_edge[d],
                        g,
                        r,
                        c_to,
                        lo_m,
                        hi_m,
                        step,
                        fits_work,
                        from_work,
                        packed,
                    )
        prev_low = low
        prev_high = high
        work, new_work = new_work, work
        edge, new_edge = new_edge, edge
        rest, new_rest = new_rest, rest
        if kept_work.shape[0] > 0:
            kept_work[d] = work
            kept_edge[d] = edge
            kept_rest[d] = rest
    # The end: any state within the minutes; bound edges also close the last run.
    best = REACHABLE
    kind = -1
    bc = 0
    br = 0
    bm = 0
    for m in range(min_units * wk, max_units * wk + wk):
        for c in range(classes):
            for r in range(runs):
                if (not bind_edges or r + 1 >= min_run) and work[c, r, m] < best:
                    best = work[c, r, m]
                    kind, bc, br, bm = 0, c, r, m
                if days <= runs and edge[c, r, m] < best:
                    best = edge[c, r, m]
                    kind, bc, br, bm = 1, c, r, m
        for q in range(offs):
            if (not bind_edges or q == offs - 1) and rest[q, m] < best:
                best = rest[q, m]
                kind, bc, br, bm = 2, q, 0, m
    choice = np.full(days, -1, dtype=np.int64)
    if kind < 0:
        choice[0] = -2
        return choice
    m = bm
    for d in range(days - 1, -1, -1):
        if kind == 2:
            choice[d] = -1
            p = pred_rest[d, bc, m]
            if p == -3:
                break
            if p <= -10:
                bc = -(p + 10)
            else:
                kind = p % 2
                cr = p // 2
                bc = cr // runs
                br = cr % runs
        else:
            p = pred_work[d, bc, br, m] if kind == 0 else pred_edge[d, bc, br, m]
            o = p // (classes + 1)
            src = p % (classes + 1)
            choice[d] = o
            m -= option_units[o] * wk + type_step[option_type[o]]
            m -= _new_weekend(saturday, sunday, d, src == 0 or d == 0) * weekend_step
            if src == 0:
                kind = 2
                bc = offs - 1
            else:
                bc = src - 1
                br -= 1
    return choice
