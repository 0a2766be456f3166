"""The one place where the objective is built: soft penalties of DESIGN §3, weighted.

The soft rules (``solver.rules.soft``) name their terms; this module sums them in weight order
(coverage, contract hours, fairness between members, stability, continuity, travel) and keeps
each name's expression so results can report the objective broken down.
"""

from __future__ import annotations

from typing import Any

from solver.model import ModelContext


def build_objective(ctx: ModelContext) -> dict[str, Any]:
    """Minimise the weighted sum of every penalty; return each name's weighted expression."""
    by_name: dict[str, list[Any]] = {}
    for p in ctx.penalties:
        if p.weight:
            by_name.setdefault(p.name, []).append(p.weight * p.expr)
    exprs = {name: sum(terms) for name, terms in by_name.items()}
    ctx.model.minimize(sum(exprs.values()))
    return exprs
