"""Public benchmarks the solver is measured on (issue 8), read and judged without the model.

- ``solver.benchmarks.curtois``: loader of the Curtois & Qu shift-scheduling instances 1–24
  and the published lower bounds / best-known objectives.
- ``solver.benchmarks.evaluator``: the benchmark's objective and hard rules for any roster.

See ``docs/curtois.md``.
"""

from solver.benchmarks.curtois import (
    BOUNDS_SOURCE,
    PUBLISHED_BOUNDS,
    Cover,
    CurtoisFormatError,
    Instance,
    PublishedBound,
    Request,
    ShiftType,
    Staff,
    curtois_dir,
    instance_path,
    load_benchmark,
    load_instance,
    parse_instance,
)
from solver.benchmarks.evaluator import (
    EdgeReading,
    Evaluation,
    RosterShapeError,
    Violation,
    evaluate,
)

__all__ = [
    "BOUNDS_SOURCE",
    "PUBLISHED_BOUNDS",
    "Cover",
    "CurtoisFormatError",
    "EdgeReading",
    "Evaluation",
    "Instance",
    "PublishedBound",
    "Request",
    "RosterShapeError",
    "ShiftType",
    "Staff",
    "Violation",
    "curtois_dir",
    "evaluate",
    "instance_path",
    "load_benchmark",
    "load_instance",
    "parse_instance",
]
