"""Registry of hard and soft rules.

Hard rules are listed in a fixed order: the first rule that excludes a slot names the reason
it stays uncovered, so who-may-work rules come before calendar rules, then legal limits.
"""

from solver.rules import day_shape, eligibility, horizon, rest, soft, time_limits
from solver.rules.registry import (
    HARD_RULES,
    SOFT_RULES,
    HardRule,
    Penalty,
    SoftRule,
    legal_limit,
    register,
    register_soft,
)

for _module in (eligibility, time_limits, day_shape, rest, horizon):
    for _rule in _module.RULES:
        register(_rule)
for _soft in soft.RULES:
    register_soft(_soft)

__all__ = [
    "HARD_RULES",
    "SOFT_RULES",
    "HardRule",
    "Penalty",
    "SoftRule",
    "legal_limit",
    "register",
    "register_soft",
]
