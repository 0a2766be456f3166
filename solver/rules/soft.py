"""Soft rules (DESIGN §3): each returns named penalty terms, weighed by ``Weights``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from solver.rules.registry import Penalty, SoftRule

if TYPE_CHECKING:
    from solver.model import ModelContext

FAIRNESS_SCALE = 1000  # the worst relative shortfall is counted in thousandths


RULES: list[SoftRule] = []  # in weight order (DESIGN §3)


def uncovered_minutes(ctx: ModelContext) -> list[Penalty]:
    """Every uncovered need minute, weighted by the need's priority."""
    w = ctx.problem.weights.uncovered_minute
    out = []
    for n in ctx.problem.needs:
        if n.weight_under is not None:
            # Priced per missing person, whatever the block's length.
            if n.id in ctx.under_people:
                out.append(Penalty("uncovered", ctx.under_people[n.id], n.weight_under))
            continue
        out.append(Penalty("uncovered", ctx.asked[n.id] - ctx.covered_expr[n.id], w * n.priority))
    for q in ctx.problem.quotas:
        out.append(Penalty("uncovered", ctx.asked[q.id] - ctx.covered_expr[q.id], w * q.priority))
    return out


def over_cover(ctx: ModelContext) -> list[Penalty]:
    """Each person beyond the headcount of a need that allows extra people."""
    blocks = ctx.blocks
    return [
        Penalty("over_cover", over, blocks[need_id].weight_over or 0)
        for need_id, over in ctx.over_people.items()
    ]


def shift_requests(ctx: ModelContext) -> list[Penalty]:
    """Unmet wishes to work a shift type on a day, and worked wishes not to."""
    out = []
    wanted: dict[tuple[str, int], list] = {}
    for r in ctx.problem.shift_requests:
        wanted.setdefault((r.employee_id, r.day), []).append(r)
    for (employee_id, day), requests in wanted.items():
        em = ctx.employees.get(employee_id)
        if em is None or not 0 <= day < len(em.days):
            continue
        items = em.days[day].items
        for r in requests:
            lits = [it.lit for it in items if it.for_group and _of_type(it, r.shift_type)]
            if r.on:
                # An on-request nobody can grant still costs its weight (a constant).
                out.append(Penalty("shift_requests", 1 - sum(lits), r.weight, employee_id))
            elif lits:
                out.append(Penalty("shift_requests", sum(lits), r.weight, employee_id))
    return out


def _of_type(item: Any, shift_type: str | None) -> bool:
    if shift_type is None:
        return True
    return item.slot is not None and item.slot.shift_type == shift_type


def contract_shortfall(ctx: ModelContext) -> list[Penalty]:
    """Minutes each employee works below their contract (the group pays them anyway)."""
    w = ctx.problem.weights.contract_shortfall_minute
    out = []
    for em in ctx.employees.values():
        contract = em.facts.employee.weekly_contract_minutes
        if contract <= 0:
            continue
        shortfall = ctx.model.new_int_var(0, contract, f"shortfall[{em.id}]")
        ctx.model.add(shortfall >= contract - em.week_minutes(group_only=True))
        out.append(Penalty("contract_shortfall", shortfall, w, em.id))
    return out


def member_fairness(ctx: ModelContext) -> list[Penalty]:
    """The largest relative shortfall among members (uncovered / asked), to be minimised.

    Only minutes someone could cover count as shortfall: demand nobody can serve is not the
    solver's choice and would otherwise flatten the measure.
    """
    w = ctx.problem.weights.member_fairness_permille
    asked: dict[str, int] = {}
    shortfall: dict[str, list] = {}
    for need_id, expr in ctx.covered_expr.items():
        member = ctx.table.need_member.get(need_id)
        if member is None:
            continue
        asked[member] = asked.get(member, 0) + ctx.asked[need_id]
        coverable = coverable_minutes(ctx, need_id)
        if coverable > 0:
            shortfall.setdefault(member, []).append(coverable - expr)
    if not shortfall or w == 0:
        return []
    worst = ctx.model.new_int_var(0, FAIRNESS_SCALE, "worst_member_shortfall")
    for member, terms in shortfall.items():
        ctx.model.add(asked[member] * worst >= FAIRNESS_SCALE * sum(terms))
    return [Penalty("member_fairness", worst, w)]


def coverable_minutes(ctx: ModelContext, need_id: str) -> int:
    """Minutes of a need that someone may cover at all (its asked minutes, capped)."""
    slots = ctx.table.by_need.get(need_id, ())
    takers = sum(len(ctx.takers.get(i, ())) for i in slots)
    if takers == 0:
        return 0
    need = ctx.blocks.get(need_id)
    if need is not None:
        return min(need.headcount, takers) * (need.end - need.start)
    return ctx.asked[need_id]


def changes(ctx: ModelContext) -> list[Penalty]:
    """Each assignment added or removed against the previous roster of the week."""
    if not ctx.problem.previous_assignments:
        return []
    w = ctx.problem.weights.changed_assignment
    out = []
    for em in ctx.employees.values():
        previous = {(p.need_id, p.site_id, p.start, p.end) for p in em.facts.previous}
        for it in em.slot_items():
            key = (it.slot.need_id, it.slot.site_id, it.start, it.end)
            if key in previous:
                out.append(Penalty("changes", 1 - it.lit, w, em.id))
            else:
                out.append(Penalty("changes", it.lit, w, em.id))
    return out


def continuity(ctx: ModelContext) -> list[Penalty]:
    """Each (employee, member) pair of the week; cheaper when the pair worked together lately."""
    weights = ctx.problem.weights
    out = []
    for em in ctx.employees.values():
        recent = set(em.facts.employee.recent_member_ids)
        recent |= {p.member_id for p in em.facts.previous}
        by_member: dict[str, list] = {}
        for it in em.slot_items():
            by_member.setdefault(it.slot.member_id, []).append(it.lit)
        for member, lits in by_member.items():
            pair = ctx.model.new_bool_var(f"pair[{em.id}|{member}]")
            for lit in lits:
                ctx.model.add_implication(lit, pair)
            weight = (
                weights.repeat_person_for_member
                if member in recent
                else weights.new_person_for_member
            )
            out.append(Penalty("continuity", pair, weight, em.id))
    return out


def travel(ctx: ModelContext) -> list[Penalty]:
    """Travel minutes between sites, and each change of site within a day."""
    weights = ctx.problem.weights
    out = []
    for em in ctx.employees.values():
        for day in em.days:
            for a in day.arcs:
                if a.travel:
                    out.append(Penalty("travel", a.lit, weights.travel_minute * a.travel, em.id))
                if a.tail.location != a.head.location:
                    out.append(Penalty("site_changes", a.lit, weights.site_change, em.id))
    return out


RULES.append(SoftRule("uncovered", "Cover needs, by priority.", uncovered_minutes))
RULES.append(SoftRule("over_cover", "Few people beyond a need's headcount.", over_cover))
RULES.append(SoftRule("shift_requests", "Grant employees' shift on/off requests.", shift_requests))
RULES.append(
    SoftRule("contract_shortfall", "Give every employee their contract hours.", contract_shortfall)
)
RULES.append(
    SoftRule("member_fairness", "Spread shortfalls between members fairly.", member_fairness)
)
RULES.append(SoftRule("changes", "Few changes against the previous roster.", changes))
RULES.append(SoftRule("continuity", "The same person for the same member.", continuity))
RULES.append(SoftRule("travel", "Little travel and few site changes.", travel))
