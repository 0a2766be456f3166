"""Named selections of rules (``Problem.enabled_rules``) for groups that are not planned under
the default, every registered rule."""

from __future__ import annotations

# A rota outside French law (a public shift-scheduling benchmark, a branch with its own rota
# contract): who may work what, the rota contract over the horizon, and an objective of cover
# priced per person and shift requests. Shifts there have lengths but no clock times, so the
# Code du travail's daily and weekly limits would misjudge them.
ROTA_RULES = frozenset(
    {
        "skill",
        "allowed_member",
        "absence",
        "availability",
        "shift_type_max",
        "forbidden_succession",
        "horizon_minutes",
        "consecutive_days",
        "consecutive_days_off",
        "weekends_max",
        "uncovered",
        "over_cover",
        "shift_requests",
    }
)
