"""From the solver's result back to the domain: roster file entries with real instants."""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.planning.mapping import domain_need_id
from scheduler.planning.roster_file import (
    Change,
    ConflictReport,
    GroupRoster,
    RosterAssignment,
    TrainingShareReport,
    UncoveredNeed,
)
from scheduler.planning.weektime import WeekClock
from scheduler.scenario.common import Interval
from solver import problem as p
from solver import roster as r


def _hours(minutes: int) -> float:
    return round(minutes / 60, 4)


def _assignment(a: r.Assignment, clock: WeekClock) -> RosterAssignment:
    return RosterAssignment(
        employee_id=a.employee_id,
        member_id=a.member_id,
        site_id=a.site_id,
        need_id=domain_need_id(a.need_id) if a.need_id else None,
        period=Interval(start=clock.instant(a.start), end=clock.instant(a.end)),
    )


def group_roster(group_id: str, result: r.SolveResult, clock: WeekClock) -> GroupRoster:
    """The roster file's view of one solve."""
    return GroupRoster(
        group_id=group_id,
        week=clock.week,
        status=result.status.value,
        objective=result.objective,
        best_bound=result.best_bound,
        gap=result.gap,
        solve_seconds=round(result.solve_seconds, 3),
        first_feasible_seconds=result.first_feasible_seconds,
        assignments=[_assignment(a, clock) for a in sorted(result.assignments, key=_order)],
        hours_by_employee={k: _hours(v) for k, v in sorted(result.minutes_by_employee.items())},
        hours_by_member={k: _hours(v) for k, v in sorted(result.minutes_by_member.items())},
        asked_hours_by_member={
            k: _hours(v) for k, v in sorted(result.asked_minutes_by_member.items())
        },
        uncovered=[
            UncoveredNeed(
                need_id=domain_need_id(u.need_id),
                member_id=u.member_id,
                site_id=u.site_id,
                skill=u.skill,
                period=Interval(start=clock.instant(u.start), end=clock.instant(u.end))
                if u.end > u.start
                else None,
                hours=_hours(u.minutes),
                reason=u.reason,
                detail=dict(sorted(u.detail.items())),
            )
            for u in result.uncovered
        ],
        changes=[
            Change(kind=c.kind.value, assignment=_assignment(c.assignment, clock))
            for c in result.changes
        ],
        training_shares=[
            TrainingShareReport(
                employee_id=t.employee_id,
                training_hours=_hours(t.training_minutes),
                contract_hours=_hours(t.contract_minutes),
                share=round(t.share, 4),
                within_range=t.within_range,
            )
            for t in result.training_shares
        ],
        conflicts=[
            ConflictReport(rule=c.rule, employee_id=c.employee_id, message=c.message)
            for c in result.conflicts
        ],
        penalties=dict(sorted(result.penalties.items())),
    )


def _order(a: r.Assignment) -> tuple[int, str, str]:
    return (a.start, a.employee_id, a.need_id)


def solver_roster(
    problem: p.Problem, assignments: Iterable[RosterAssignment], clock: WeekClock
) -> r.Roster:
    """A roster file's assignments in the solver's terms, to be checked against ``problem``.

    Need ids go back to the solver's block ids by the block the assignment lies in.
    """
    blocks: dict[str, list[p.NeedBlock]] = {}
    for block in problem.needs:
        blocks.setdefault(domain_need_id(block.id), []).append(block)
    found = []
    for a in assignments:
        start, end = clock.minute(a.period.start), clock.minute(a.period.end)
        need_id = a.need_id or ""
        for block in blocks.get(need_id, ()):
            if block.start <= start and end <= block.end:
                need_id = block.id
                break
        found.append(
            r.Assignment(
                employee_id=a.employee_id,
                member_id=a.member_id,
                site_id=a.site_id,
                need_id=need_id,
                start=start,
                end=end,
            )
        )
    return r.Roster(week=problem.week, assignments=tuple(found))
