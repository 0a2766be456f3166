"""Rules as data: a name, a plain-words description, and the hooks that put it in the model.

A hard rule may have two hooks:

- ``excludes(facts, slot, index)``: True when the rule alone forbids the employee the slot; the
  slot then never becomes a variable (pruning), and ``reason`` is the reason code reported
  when that keeps a need uncovered.
- ``constrain(ctx, employee_model, guard)``: adds constraints over the employee's timeline;
  ``guard`` is an empty list or one enforcement literal used to diagnose infeasibility.

A soft rule returns named penalty terms; ``solver.objective`` weighs them.
Registering a new rule (for instance the shift-scheduling rules of a benchmark) is adding one
function and one ``register`` call: nothing else in the model changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from solver.candidates import Slot
    from solver.facts import EmployeeFacts, ProblemIndex
    from solver.model import EmployeeModel, ModelContext

Excludes = Callable[["EmployeeFacts", "Slot", "ProblemIndex"], bool]
Constrain = Callable[["ModelContext", "EmployeeModel", list[Any]], None]


@dataclass(frozen=True, slots=True)
class HardRule:
    name: str
    description: str
    reason: str | None = None
    excludes: Excludes | None = None
    constrain: Constrain | None = None


@dataclass(frozen=True, slots=True)
class Penalty:
    """A named soft term: ``weight * expr`` joins the objective."""

    name: str
    expr: Any
    weight: int
    # The employee the term is about; None for terms that link employees (coverage,
    # fairness). Column generation prices per-employee terms inside each employee's week.
    employee_id: str | None = None


SoftTerms = Callable[["ModelContext"], list[Penalty]]


@dataclass(frozen=True, slots=True)
class SoftRule:
    name: str
    description: str
    terms: SoftTerms


HARD_RULES: dict[str, HardRule] = {}
SOFT_RULES: dict[str, SoftRule] = {}


def register(rule: HardRule) -> HardRule:
    """Add a hard rule to the registry (its name must be new)."""
    if rule.name in HARD_RULES:
        raise ValueError(f"hard rule {rule.name!r} registered twice")
    HARD_RULES[rule.name] = rule
    return rule


def register_soft(rule: SoftRule) -> SoftRule:
    """Add a soft rule to the registry (its name must be new)."""
    if rule.name in SOFT_RULES:
        raise ValueError(f"soft rule {rule.name!r} registered twice")
    SOFT_RULES[rule.name] = rule
    return rule


def legal_limit(rule_name: str) -> str:
    return f"legal_limit:{rule_name}"
