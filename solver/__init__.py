"""Pure CP-SAT rostering for employer groups: problem in, roster out (DESIGN §2–§4).

- ``solver.problem``: the input types (``Problem`` and its parts, ``RuleSettings``, ``Weights``).
- ``solver.roster``: the output types (``Assignment``, ``Roster``, ``SolveResult``).
- ``solve(problem, on_progress=None)``: the best roster found in the time limit, no I/O.
- ``check(problem, roster)``: the independent checker, every hard-rule violation in words.
- ``solver.rules``: the registry of hard and soft rules; ``solver.objective``: the objective.
- ``solver.explain``: reasons for uncovered minutes and diagnosis of infeasible weeks.
- ``solver.serialization``: plain dicts (JSON) to and from the types above.
- ``solver.greedy.greedy_baseline``: the greedy roster used as hints and as the baseline.
"""

from solver.checker import Violation, check
from solver.greedy import greedy_baseline
from solver.problem import Problem
from solver.roster import Assignment, Progress, Roster, SolveResult, SolveStatus
from solver.solve import solve

__all__ = [
    "Assignment",
    "Problem",
    "Progress",
    "Roster",
    "SolveResult",
    "SolveStatus",
    "Violation",
    "check",
    "greedy_baseline",
    "solve",
]
