"""A benchmark instance as an ordinary solver problem, and a roster back as day lines.

The instance's rules become the solver's general rota rules (``solver.rules.horizon``): shift
types with forbidden successions, ``HorizonLimits`` per employee, fixed days off as absences,
shift on/off requests, and cover as blocks priced per person. Only the French legal rules are
left out (``enabled_rules``): the benchmark's shifts have lengths but no clock times, and its
staff are not under the Code du travail.
"""

from __future__ import annotations

from collections.abc import Mapping

from solver.benchmarks.curtois import Instance
from solver.benchmarks.evaluator import EdgeReading
from solver.problem import (
    MINUTES_PER_DAY,
    Absence,
    ContractKind,
    Employee,
    HorizonLimits,
    Member,
    NeedBlock,
    Problem,
    RuleSettings,
    ShiftRequest,
    ShiftType,
    Site,
    SolveParameters,
    Weights,
)
from solver.roster import Roster
from solver.rules.profiles import ROTA_RULES

MEMBER = "ward"
SKILL = "rota"
__all__ = ["ROTA_RULES", "need_id", "to_lines", "to_problem"]


def need_id(day: int, shift_id: str) -> str:
    return f"{day}:{shift_id}"


def to_problem(
    instance: Instance,
    *,
    parameters: SolveParameters | None = None,
    edges: EdgeReading = EdgeReading.OPEN,
) -> Problem:
    """The instance as a ``Problem`` whose objective is the benchmark's objective."""
    cover = {(c.day, c.shift_id): c for c in instance.cover}
    needs = []
    for day in range(instance.days):
        for shift in instance.shifts:
            c = cover.get((day, shift.id))
            start = day * MINUTES_PER_DAY
            needs.append(
                NeedBlock(
                    id=need_id(day, shift.id),
                    site_id=MEMBER,
                    skill=SKILL,
                    start=start,
                    end=start + shift.minutes,
                    headcount=c.requirement if c else 0,
                    shift_type=shift.id,
                    weight_under=c.weight_under if c else 0,
                    weight_over=c.weight_over if c else 0,
                )
            )
    employees = tuple(
        Employee(
            id=s.id,
            contract_kind=ContractKind.FULL_TIME,
            weekly_contract_minutes=0,
            skills=(SKILL,),
            horizon_limits=HorizonLimits(
                max_shifts_per_type=s.max_shifts,
                min_total_minutes=s.min_total_minutes,
                max_total_minutes=s.max_total_minutes,
                min_consecutive_days=s.min_consecutive_shifts,
                max_consecutive_days=s.max_consecutive_shifts,
                min_consecutive_days_off=s.min_consecutive_days_off,
                max_weekends=s.max_weekends,
            ),
        )
        for s in instance.staff
    )
    absences = tuple(
        Absence(employee_id, d * MINUTES_PER_DAY, (d + 1) * MINUTES_PER_DAY, "day_off")
        for employee_id, days in instance.days_off
        for d in days
    )
    requests = tuple(
        ShiftRequest(r.employee_id, r.day, r.shift_id, on=True, weight=r.weight)
        for r in instance.shift_on_requests
    ) + tuple(
        ShiftRequest(r.employee_id, r.day, r.shift_id, on=False, weight=r.weight)
        for r in instance.shift_off_requests
    )
    return Problem(
        week=instance.name,
        employees=employees,
        members=(Member(MEMBER, MEMBER),),
        sites=(Site(MEMBER, MEMBER, MEMBER),),
        needs=tuple(needs),
        absences=absences,
        settings=RuleSettings(min_runs_bind_at_edges=edges == EdgeReading.BOUND),
        weights=Weights(),
        parameters=parameters or SolveParameters(),
        horizon_days=instance.days,
        shift_types=tuple(
            ShiftType(s.id, tuple(sorted(s.forbidden_next))) for s in instance.shifts
        ),
        shift_requests=requests,
        enabled_rules=ROTA_RULES,
    )


def to_lines(instance: Instance, roster: Roster) -> Mapping[str, list[str | None]]:
    """The roster as the benchmark's form: per employee, a shift id or None for each day."""
    lines: dict[str, list[str | None]] = {s.id: [None] * instance.days for s in instance.staff}
    for a in roster.assignments:
        day, _, shift_id = a.need_id.partition(":")
        line = lines[a.employee_id]
        if line[int(day)] is not None:
            raise ValueError(f"{a.employee_id} has two shifts on day {day}")
        line[int(day)] = shift_id
    return lines
