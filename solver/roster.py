"""The solver's output: assignments and everything a manager needs to judge them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True, order=True)
class Assignment:
    """One employee working for one need at one site, ``[start, end)`` in week minutes."""

    employee_id: str
    member_id: str
    site_id: str
    need_id: str
    start: int
    end: int

    @property
    def minutes(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Roster:
    week: str
    assignments: tuple[Assignment, ...] = ()


class ReasonCode(StrEnum):
    """Why need minutes stay uncovered; ``legal_limit`` is followed by ``:<rule name>``."""

    NO_SKILL = "no_skill"
    UNAVAILABLE = "unavailable"
    ABSENT = "absent"
    BUSY_ELSEWHERE = "busy_elsewhere"
    LEGAL_LIMIT = "legal_limit"
    TRAVEL = "travel"
    TUTOR_ABSENT = "tutor_absent"
    # Someone could have covered it without breaking a rule: the search stopped first, or
    # covering it would have cost more elsewhere (e.g. a higher-priority need).
    NOT_CHOSEN = "not_chosen"


@dataclass(frozen=True, slots=True)
class Uncovered:
    """Uncovered minutes of one need (for quotas: of the whole weekly quota)."""

    need_id: str
    member_id: str
    site_id: str
    skill: str
    start: int
    end: int
    minutes: int
    reason: str
    # Per candidate employee: employee id -> that employee's reason.
    detail: dict[str, str] = field(default_factory=dict)


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    assignment: Assignment


@dataclass(frozen=True, slots=True)
class TrainingShare:
    """Training minutes of a work-study employee this week against contract minutes."""

    employee_id: str
    training_minutes: int
    contract_minutes: int
    share: float
    within_range: bool


@dataclass(frozen=True, slots=True)
class Conflict:
    """A hard rule that, with others of the same diagnosis, makes the week impossible."""

    rule: str
    employee_id: str | None
    message: str


class SolveStatus(StrEnum):
    OPTIMAL = "OPTIMAL"
    FEASIBLE = "FEASIBLE"
    INFEASIBLE = "INFEASIBLE"
    UNKNOWN = "UNKNOWN"
    MODEL_INVALID = "MODEL_INVALID"


@dataclass(frozen=True, slots=True)
class SolveResult:
    status: SolveStatus
    roster: Roster
    objective: float | None = None
    best_bound: float | None = None
    gap: float | None = None
    solve_seconds: float = 0.0
    first_feasible_seconds: float | None = None
    minutes_by_employee: dict[str, int] = field(default_factory=dict)
    travel_minutes_by_employee: dict[str, int] = field(default_factory=dict)
    minutes_by_member: dict[str, int] = field(default_factory=dict)
    asked_minutes_by_member: dict[str, int] = field(default_factory=dict)
    uncovered: tuple[Uncovered, ...] = ()
    changes: tuple[Change, ...] = ()
    training_shares: tuple[TrainingShare, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    # Objective broken down by named penalty (already weighted).
    penalties: dict[str, int] = field(default_factory=dict)

    @property
    def assignments(self) -> tuple[Assignment, ...]:
        return self.roster.assignments

    @property
    def uncovered_minutes(self) -> int:
        return sum(u.minutes for u in self.uncovered)


@dataclass(frozen=True, slots=True)
class Progress:
    """Reported to ``on_progress`` at each improving solution."""

    objective: float
    best_bound: float
    seconds: float
    solutions: int
