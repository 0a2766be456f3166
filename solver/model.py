"""The variable grid: who may take which slot, and each employee's week as a timeline.

Each employee-day is a path through the items that may fill it (candidate slots, training
sessions, work declared for another employer): an arc ``a -> b`` exists only when ``b`` can
start after ``a`` ends plus the travel between their locations. The chosen arcs are exactly the
consecutive pairs of the day, so travel (counted as work), breaks, interruptions and the first
start / last end of the day are linear in arc literals. Rules (``solver.rules``) read
this structure; they never build variables of their own beyond what they need.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from solver.candidates import Slot, SlotTable
from solver.facts import EmployeeFacts, ProblemIndex
from solver.problem import DAYS_PER_WEEK, MINUTES_PER_DAY, Problem
from solver.rules import HARD_RULES, SOFT_RULES, Penalty

# Rules written for one calendar week (they read the week's minutes, days and rest as one
# block): a longer horizon must leave them out until they are applied week by week.
ONE_WEEK_RULES = frozenset(
    {
        "weekly_max",
        "average_weekly_max",
        "part_time_hours",
        "agreed_minutes",
        "weekly_rest",
        "working_days_max",
        "minor_days_off",
        "short_contract_grouping",
        "contract_shortfall",
        "member_fairness",
    }
)


class UnsupportedProblem(ValueError):
    """The problem asks for something the model cannot express (say so, never guess)."""


@dataclass(slots=True)
class Item:
    """Something in an employee's timeline: a candidate slot or fixed work."""

    pos: int
    start: int
    end: int
    location: str | None
    lit: Any
    kind: str  # "slot", "training" or "external"
    slot: Slot | None = None
    # The rule that forces a fixed item into the week (training, external work, notice).
    fixed_by: str | None = None

    @property
    def minutes(self) -> int:
        return self.end - self.start

    @property
    def for_group(self) -> bool:
        """Whether its minutes are worked for the group (not for another employer)."""
        return self.kind != "external"


@dataclass(slots=True)
class Arc:
    """``head`` directly follows ``tail`` on the same day."""

    tail: Item
    head: Item
    lit: Any
    travel: int
    rest: int  # gap minus travel


@dataclass(slots=True)
class DayModel:
    day: int
    items: list[Item]
    works: Any = 0
    # At most one item can be worked (a shift a day): no arcs, first = last = the item.
    one_item: bool = False
    arcs: list[Arc] = field(default_factory=list)
    first: dict[int, Any] = field(default_factory=dict)  # item pos -> "is the day's first"
    last: dict[int, Any] = field(default_factory=dict)
    _model: Any = None
    _minutes: dict[bool, Any] = field(default_factory=dict)

    def first_start(self) -> Any:
        return sum(it.start * self.first[it.pos] for it in self.items)

    def last_end(self) -> Any:
        return sum(it.end * self.last[it.pos] for it in self.items)

    def travel(self) -> Any:
        return sum(a.travel * a.lit for a in self.arcs if a.travel)

    def minutes_expr(self, *, group_only: bool = False) -> Any:
        items = [it for it in self.items if it.for_group or not group_only]
        work = cp_model.LinearExpr.weighted_sum(
            [it.lit for it in items], [it.minutes for it in items]
        )
        return work + self.travel() if self.arcs else work

    def max_minutes(self, *, group_only: bool = False) -> int:
        """Upper bound of the day's minutes, for variable domains."""
        work = sum(it.minutes for it in self.items if it.for_group or not group_only)
        return work + sum(a.travel for a in self.arcs)

    def minutes(self, *, group_only: bool = False) -> Any:
        """Work minutes of the day, travel included (external work unless ``group_only``).

        One integer variable per day, so that every rule shares it instead of repeating the
        sum (which also keeps presolve fast).
        """
        key = group_only or not any(not it.for_group for it in self.items)
        if key not in self._minutes:
            if not self.items:
                self._minutes[key] = 0
            else:
                var = self._model.new_int_var(
                    0,
                    self.max_minutes(group_only=group_only),
                    f"minutes[{self.day}|{int(group_only)}]",
                )
                self._model.add(var == self.minutes_expr(group_only=group_only))
                self._minutes[key] = var
        return self._minutes[key]


@dataclass(slots=True)
class EmployeeModel:
    facts: EmployeeFacts
    items: list[Item] = field(default_factory=list)
    days: list[DayModel] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.facts.id

    def slot_items(self) -> list[Item]:
        return [it for it in self.items if it.slot is not None]

    def week_minutes(self, *, group_only: bool = False) -> Any:
        return sum(d.minutes(group_only=group_only) for d in self.days)

    def max_week_minutes(self, *, group_only: bool = False) -> int:
        return sum(d.max_minutes(group_only=group_only) for d in self.days)


class ModelContext:
    """A CP-SAT model of one problem, with the names needed to read and explain it."""

    def __init__(
        self,
        problem: Problem,
        *,
        diagnose: bool = False,
        released: frozenset[tuple[str, str]] = frozenset(),
        employee_ids: Collection[str] | None = None,
        shared: ModelContext | None = None,
        links: bool | None = None,
        lines_only: bool = False,
    ) -> None:
        """``employee_ids`` models only those employees (a column generation's pricing
        model); ``shared`` lends its index and slot table instead of building them again.
        ``links``: whether the needs' people missing and extra are modelled (by default only
        when every employee is; a neighbourhood of a few employees wants them too).
        ``lines_only``: only who may take which slot, day by day, as the line search reads
        it: items without literals, and no rule, cover or objective in the model (a year-long
        rota's full model took 20 s of a minute, for a search that never ran on it)."""
        self.problem = problem
        self.employee_ids = None if employee_ids is None else frozenset(employee_ids)
        self.links = employee_ids is None if links is None else links
        # (rule, employee) pairs whose constraints are left out: a frozen notice window that
        # conflicts with the law is released rather than leaving the week without a roster.
        self.released = released
        self.settings = problem.settings
        self.model = cp_model.CpModel()
        self.index = shared.index if shared is not None else ProblemIndex(problem)
        self.table = shared.table if shared is not None else SlotTable(problem, self.index)
        self.blocks = {n.id: n for n in problem.needs}
        self.diagnose = diagnose
        self.guards: dict[tuple[str, str | None], Any] = {}
        self.employees: dict[str, EmployeeModel] = {}
        self.takers: dict[int, list[tuple[str, Any]]] = {}
        self.penalties: list[Penalty] = []
        self.covered_expr: dict[str, Any] = {}  # need id -> covered minutes
        self.asked: dict[str, int] = {}  # need id -> asked minutes
        # Needs priced per person (NeedBlock.weight_under): people missing and extra people.
        self.under_people: dict[str, Any] = {}
        self.over_people: dict[str, Any] = {}
        # Takers of the needs whose people missing and extra are variables (``_per_person``).
        self.people_on: dict[str, list[Any]] = {}
        self.hard_rules = [r for r in HARD_RULES.values() if problem.rule_enabled(r.name)]
        self.soft_rules = [r for r in SOFT_RULES.values() if problem.rule_enabled(r.name)]
        self.days = problem.horizon_days
        self.lines_only = lines_only
        self._refuse_unsupported()
        self._build()

    # -- helpers used by rules -------------------------------------------------------------
    def guard(self, rule: str, employee_id: str | None) -> list[Any]:
        """Enforcement literal of (rule, employee) when diagnosing, else no literal."""
        if not self.diagnose:
            return []
        key = (rule, employee_id)
        if key not in self.guards:
            self.guards[key] = self.model.new_bool_var(f"guard[{rule}|{employee_id}]")
        return [self.guards[key]]

    def forbid(self, guard: list[Any]) -> None:
        """Make the model infeasible unless the guard is released."""
        if guard:
            self.model.add_bool_or([g.Not() for g in guard])
        else:
            self.model.add_bool_or([])

    def excluded_by(self, facts: EmployeeFacts, slot: Slot) -> str | None:
        """Name of the first hard rule that alone forbids ``slot`` to the employee."""
        for rule in self.hard_rules:
            if rule.excludes is not None and rule.excludes(facts, slot, self.index):
                return rule.name
        return None

    # -- building
    def _refuse_unsupported(self) -> None:
        days = self.problem.horizon_days
        for n in self.problem.needs:
            if n.weight_over is not None and n.weight_under is None:
                raise UnsupportedProblem(
                    f"need {n.id}: weight_over prices people beyond a headcount priced per "
                    "person, so it needs weight_under too"
                )
        if days <= 0 or days % DAYS_PER_WEEK:
            raise UnsupportedProblem(f"horizon_days must be a positive multiple of 7, not {days}")
        if days > DAYS_PER_WEEK:
            weekly = sorted(
                name
                for name in ONE_WEEK_RULES
                if self.problem.rule_enabled(name) and (name in HARD_RULES or name in SOFT_RULES)
            )
            if weekly:
                raise UnsupportedProblem(
                    f"a horizon of {days} days cannot apply the one-week rules "
                    f"{', '.join(weekly)}: plan week by week, or leave them out of enabled_rules"
                )

    def _build(self) -> None:
        for e in self.problem.employees:
            if self.employee_ids is not None and e.id not in self.employee_ids:
                continue
            em = EmployeeModel(self.index.facts[e.id])
            self.employees[e.id] = em
            self._items(em)
            self._timeline(em)
        if self.lines_only:
            return
        for rule in self.hard_rules:
            if rule.constrain is None:
                continue
            for em in self.employees.values():
                if (rule.name, em.id) not in self.released:
                    rule.constrain(self, em, self.guard(rule.name, em.id))
        self._coverage()
        for soft in self.soft_rules:
            self.penalties.extend(soft.terms(self))

    def _items(self, em: EmployeeModel) -> None:
        facts = em.facts
        model = self.model
        seen: set[int] = set()
        previous = [self.table.find(p.need_id, p.site_id, p.start, p.end) for p in facts.previous]
        options = list(self.table.open_to(facts, self.index.member_ids))
        options += [s for s in previous if s is not None and not s.orphan]
        for slot in options:
            if slot.index in seen:
                continue
            seen.add(slot.index)
            if self.excluded_by(facts, slot) is not None:
                continue
            lit = None if self.lines_only else model.new_bool_var(f"x[{em.id}|{slot.index}]")
            em.items.append(
                Item(len(em.items), slot.start, slot.end, slot.location_id, lit, "slot", slot)
            )
            self.takers.setdefault(slot.index, []).append((em.id, lit))
        for interval, location in facts.training:
            lit = model.new_bool_var(f"training[{em.id}|{interval.start}]")
            em.items.append(
                Item(
                    len(em.items),
                    interval.start,
                    interval.end,
                    location,
                    lit,
                    "training",
                    fixed_by="training_sessions",
                )
            )
        for interval in facts.employee.external_intervals:
            lit = model.new_bool_var(f"external[{em.id}|{interval.start}]")
            em.items.append(
                Item(
                    len(em.items),
                    interval.start,
                    interval.end,
                    None,
                    lit,
                    "external",
                    fixed_by="external_work",
                )
            )
        for it in em.items:
            if it.fixed_by is not None:
                model.add(it.lit == 1).only_enforce_if(self.guard(it.fixed_by, em.id))
        em.items.sort(key=lambda it: (it.start, it.end, it.pos))
        for pos, it in enumerate(em.items):
            it.pos = pos

    def _timeline(self, em: EmployeeModel) -> None:
        model = self.model
        mode = em.facts.employee.travel_mode
        last_day = self.days - 1
        by_day: list[list[Item]] = [[] for _ in range(self.days)]
        for it in em.items:
            by_day[min(last_day, max(0, it.start // MINUTES_PER_DAY))].append(it)
        for d, items in enumerate(by_day):
            day = DayModel(d, items, _model=model)
            em.days.append(day)
            if not items:
                continue
            if self.lines_only:
                day.one_item = len(items) == 1 or _all_overlap(items)
                continue
            day.works = model.new_bool_var(f"works[{em.id}|{d}]")
            if len(items) == 1 or _all_overlap(items):
                # One item at most (a shift a day): the path is that item, no arcs needed.
                model.add(day.works == cp_model.LinearExpr.sum([it.lit for it in items]))
                day.one_item = True
                for it in items:
                    day.first[it.pos] = it.lit
                    day.last[it.pos] = it.lit
                continue
            for it in items:
                day.first[it.pos] = model.new_bool_var(f"first[{em.id}|{it.pos}]")
                day.last[it.pos] = model.new_bool_var(f"last[{em.id}|{it.pos}]")
            for a in items:
                for b in items:
                    if b.start < a.end:
                        continue
                    travel = self.index.travel_minutes(mode, a.location, b.location)
                    rest = b.start - a.end - travel
                    if rest < 0 or _same_quota_joined(a, b, em.facts.limits.break_minutes, rest):
                        continue
                    lit = model.new_bool_var(f"arc[{em.id}|{a.pos}>{b.pos}]")
                    day.arcs.append(Arc(a, b, lit, travel, rest))
            self._day_path(day)
        if not self.lines_only and any(
            it.end > (it.start // MINUTES_PER_DAY + 1) * MINUTES_PER_DAY for it in em.items
        ):
            model.add_no_overlap(
                [
                    model.new_optional_fixed_size_interval_var(
                        it.start, it.minutes, it.lit, f"iv[{em.id}|{it.pos}]"
                    )
                    for it in em.items
                ]
            )

    def _day_path(self, day: DayModel) -> None:
        """The chosen items of a day form one path through forward arcs (a flow in a DAG).

        Each chosen item has exactly one way in (an arc, or being first) and one way out (an
        arc, or being last), and the day has one first and one last item when worked. Arcs
        only go forward in time, so there is no cycle and the path visits every chosen item:
        the same as a circuit constraint, with a linear relaxation that is exact per day.
        """
        model = self.model
        into: dict[int, list[Any]] = {it.pos: [] for it in day.items}
        out: dict[int, list[Any]] = {it.pos: [] for it in day.items}
        for a in day.arcs:
            out[a.tail.pos].append(a.lit)
            into[a.head.pos].append(a.lit)
        for it in day.items:
            model.add(sum(into[it.pos]) + day.first[it.pos] == it.lit)
            model.add(sum(out[it.pos]) + day.last[it.pos] == it.lit)
        model.add(sum(day.first.values()) == day.works)
        model.add(sum(day.last.values()) == day.works)

    def _coverage(self) -> None:
        """Block headcounts, quota minutes and quota concurrency."""
        model = self.model
        for n in self.problem.needs:
            lits = [
                lit
                for i in self.table.by_need.get(n.id, ())
                if not self.table.slots[i].orphan
                and self.table.slots[i].start == n.start
                and self.table.slots[i].end == n.end
                for _, lit in self.takers.get(i, ())
            ]
            self.asked[n.id] = n.headcount * (n.end - n.start)
            if n.weight_under is not None:
                self._per_person(n.id, n.headcount, lits, over_allowed=n.weight_over is not None)
            elif lits:
                model.add(sum(lits) <= n.headcount)
            self.covered_expr[n.id] = (n.end - n.start) * cp_model.LinearExpr.sum(lits)
        for q in self.problem.quotas:
            slots = [
                self.table.slots[i]
                for i in self.table.by_need.get(q.id, ())
                if self.table.slots[i].quota
            ]
            self.asked[q.id] = q.weekly_minutes
            terms = [(s, lit) for s in slots for _, lit in self.takers.get(s.index, ())]
            covered = sum(s.minutes * lit for s, lit in terms)
            if terms:
                model.add(covered <= q.weekly_minutes)
                points = sorted({s.start for s, _ in terms})
                for t in points:
                    active = [lit for s, lit in terms if s.start <= t < s.end]
                    if len(active) > q.headcount:
                        model.add(sum(active) <= q.headcount)
            self.covered_expr[q.id] = covered

    def _per_person(
        self, need_id: str, headcount: int, lits: list[Any], *, over_allowed: bool
    ) -> None:
        """People missing (and extra, when allowed) on a need priced per person."""
        model = self.model
        people = cp_model.LinearExpr.sum(lits)
        if not over_allowed and lits:
            model.add(people <= headcount)
        if not self.links:
            return  # a pricing model: people missing or extra are the master's business
        # When the takers can never exceed the headcount, or the headcount is 0, the people
        # missing (or extra) are linear in the takers: no variable, and a smaller model (a
        # neighbourhood of a few people over a year has tens of thousands of such needs).
        if headcount >= len(lits):
            if headcount > 0:
                self.under_people[need_id] = headcount - people
        elif headcount == 0:
            if over_allowed:
                self.over_people[need_id] = people
        else:
            # Only bounded below: a solution may carry more missing or extra people than its
            # takers make (the search would lower them in time); the report counts the exact.
            self.people_on[need_id] = lits
            under = model.new_int_var(0, headcount, f"under[{need_id}]")
            model.add(under + people >= headcount)
            self.under_people[need_id] = under
            if over_allowed:
                over = model.new_int_var(0, len(lits) - headcount, f"over[{need_id}]")
                model.add(people - over <= headcount)
                self.over_people[need_id] = over


def _all_overlap(items: list[Item]) -> bool:
    """Whether every two items overlap (then at most one of them can be worked)."""
    return max(it.start for it in items) < min(it.end for it in items)


def _same_quota_joined(a: Item, b: Item, break_minutes: int, rest: int) -> bool:
    """Two touching segments of one quota are one longer segment: no arc between them."""
    return (
        a.slot is not None
        and b.slot is not None
        and a.slot.quota
        and a.slot.need_id == b.slot.need_id
        and rest < break_minutes
    )
