"""The roster file: what ``partage solve`` writes and ``partage check`` reads.

Its JSON Schema is ``docs/roster.schema.json`` (``partage schema roster``), explained in
``docs/roster.md``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from scheduler.scenario.common import Id, Interval, Strict, Week


class RosterAssignment(Strict):
    employee_id: Id
    member_id: Id
    site_id: Id
    need_id: Id | None = None
    period: Interval


class UncoveredNeed(Strict):
    """Need hours the roster leaves uncovered, and why."""

    need_id: Id
    member_id: Id
    site_id: Id
    skill: Id
    period: Interval | None = Field(
        None, description="The block, or for a quota the span of its windows."
    )
    hours: float = Field(ge=0)
    reason: str = Field(
        description="no_skill, unavailable, absent, busy_elsewhere, legal_limit:<rule>, travel, "
        "tutor_absent or not_chosen (someone could have come: the search or a dearer need won)."
    )
    detail: dict[str, str] = Field(
        default_factory=dict, description="Each skilled employee's own reason."
    )


class TrainingShareReport(Strict):
    employee_id: Id
    training_hours: float
    contract_hours: float
    share: float
    within_range: bool


class ConflictReport(Strict):
    rule: str
    employee_id: Id | None = None
    message: str


class Change(Strict):
    kind: Literal["added", "removed"]
    assignment: RosterAssignment


class GroupRoster(Strict):
    """One group's week as the solver left it."""

    group_id: Id
    week: Week
    status: str = Field(description="OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN or MODEL_INVALID.")
    objective: float | None = None
    best_bound: float | None = None
    gap: float | None = Field(None, description="Relative gap between objective and bound.")
    solve_seconds: float = Field(ge=0)
    first_feasible_seconds: float | None = None
    assignments: list[RosterAssignment] = Field(default_factory=list)
    hours_by_employee: dict[str, float] = Field(default_factory=dict)
    hours_by_member: dict[str, float] = Field(default_factory=dict)
    asked_hours_by_member: dict[str, float] = Field(default_factory=dict)
    uncovered: list[UncoveredNeed] = Field(default_factory=list)
    changes: list[Change] = Field(default_factory=list)
    training_shares: list[TrainingShareReport] = Field(default_factory=list)
    conflicts: list[ConflictReport] = Field(default_factory=list)
    penalties: dict[str, int] = Field(default_factory=dict)


class RosterFile(Strict):
    """Rosters of one or more groups of a scenario."""

    schema_version: Literal[1] = 1
    scenario: str = Field(description="The scenario's name.")
    created_at: AwareDatetime
    rosters: list[GroupRoster] = Field(default_factory=list)
