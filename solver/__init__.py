"""Pure CP-SAT rostering for employer groups: problem in, roster out (DESIGN §2–§4)."""

from solver.checker import Violation, check
from solver.problem import Problem
from solver.roster import Assignment, Roster, SolveResult, SolveStatus
from solver.solve import solve

__all__ = [
    "Assignment",
    "Problem",
    "Roster",
    "SolveResult",
    "SolveStatus",
    "Violation",
    "check",
    "solve",
]
