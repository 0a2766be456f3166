"""Planning and checking scenario files (``partage solve`` and ``partage check``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from scheduler.planning.mapping import problem_for_week
from scheduler.planning.results import group_roster, solver_roster
from scheduler.planning.roster_file import GroupRoster, RosterFile
from scheduler.planning.weektime import WeekClock
from scheduler.scenario import schema as s
from scheduler.scenario.validation import FieldError, InvalidInput
from solver import Violation, check, solve
from solver.problem import SolveParameters, Weights
from solver.roster import Progress


def select_groups(scenario: s.Scenario, group_id: str | None) -> list[s.Group]:
    if group_id is None:
        return list(scenario.groups)
    chosen = [g for g in scenario.groups if g.id == group_id]
    if not chosen:
        known = ", ".join(g.id for g in scenario.groups)
        raise InvalidInput([FieldError(("group",), f"no group {group_id!r} (known: {known})")])
    return chosen


def plan_scenario(
    scenario: s.Scenario,
    week: str,
    *,
    group_id: str | None = None,
    parameters: SolveParameters | None = None,
    weights: Weights | None = None,
    now: datetime,
    on_group: Callable[[s.Group], None] | None = None,
    on_progress: Callable[[s.Group, Progress], None] | None = None,
) -> RosterFile:
    """Solve ``week`` for every group (or one) of a scenario."""
    zone = ZoneInfo(scenario.time_zone)
    rosters: list[GroupRoster] = []
    for group in select_groups(scenario, group_id):
        if on_group is not None:
            on_group(group)
        problem = problem_for_week(
            scenario, group, week, now=now, parameters=parameters, weights=weights
        )
        callback = None
        if on_progress is not None:

            def callback(progress: Progress, group: s.Group = group) -> None:
                on_progress(group, progress)

        result = solve(problem, on_progress=callback)
        rosters.append(group_roster(group.id, result, WeekClock(week, zone)))
    return RosterFile(scenario=scenario.name, created_at=now, rosters=rosters)


def check_roster_file(scenario: s.Scenario, roster_file: RosterFile) -> list[tuple[str, Violation]]:
    """Every hard-rule violation of a roster file against its scenario, by group."""
    zone = ZoneInfo(scenario.time_zone)
    groups = {g.id: g for g in scenario.groups}
    found: list[tuple[str, Violation]] = []
    errors = [
        FieldError(("rosters", i, "group_id"), f"no group {entry.group_id!r} in the scenario")
        for i, entry in enumerate(roster_file.rosters)
        if entry.group_id not in groups
    ]
    if errors:
        raise InvalidInput(errors)
    for entry in roster_file.rosters:
        group = groups[entry.group_id]
        problem = problem_for_week(scenario, group, entry.week, now=roster_file.created_at)
        roster = solver_roster(problem, entry.assignments, WeekClock(entry.week, zone))
        found.extend((group.id, violation) for violation in check(problem, roster))
    return found
