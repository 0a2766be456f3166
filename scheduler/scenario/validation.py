"""Reading a scenario with every error named by its field path and reason.

Field-level checks live on the models; what needs the whole document (unknown skill, a site of
another member, duplicated ids, dangling references) is checked here, after parsing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from scheduler.scenario.schema import WORK_STUDY, Group, Scenario

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class FieldError:
    """One reason a document was refused, at one field."""

    path: Path
    reason: str

    @property
    def field(self) -> str:
        return ".".join(str(part) for part in self.path) or "(document)"

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class InvalidInput(ValueError):
    """Raised with every field error found, so a user can fix them all in one go."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


def field_errors(error: ValidationError) -> list[FieldError]:
    """Pydantic's errors as ``FieldError``s, with reasons a person can read."""
    found = []
    for item in error.errors(include_url=False):
        reason = item["msg"].removeprefix("Value error, ")
        if item["type"] == "timezone_aware":
            reason = "datetime has no time zone offset (write e.g. 2026-12-08T08:00:00+01:00)"
        found.append(FieldError(tuple(item["loc"]), reason))
    return found


def parse_scenario(text: str | bytes) -> Scenario:
    """Parse and fully check a scenario document, or raise ``InvalidInput``."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput([FieldError((), f"not valid JSON: {error}")]) from None
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as error:
        raise InvalidInput(field_errors(error)) from None
    errors = list(reference_errors(scenario))
    if errors:
        raise InvalidInput(errors)
    return scenario


def _duplicates(items: Iterable[tuple[Path, str]], kind: str) -> Iterator[FieldError]:
    seen: dict[str, Path] = {}
    for path, ident in items:
        if ident in seen:
            first = ".".join(str(p) for p in seen[ident])
            yield FieldError((*path, "id"), f"duplicated {kind} id {ident!r} (first at {first})")
        else:
            seen[ident] = path


def reference_errors(scenario: Scenario) -> Iterator[FieldError]:
    """Every cross-reference problem of a scenario that parsed."""
    try:
        ZoneInfo(scenario.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        yield FieldError(("time_zone",), f"unknown time zone {scenario.time_zone!r}")
    if len(set(scenario.weeks)) != len(scenario.weeks):
        yield FieldError(("weeks",), "a week is listed twice")
    skills = {s.id for s in scenario.skills}
    yield from _duplicates(((("skills", i), s.id) for i, s in enumerate(scenario.skills)), "skill")
    yield from _duplicates(((("groups", i), g.id) for i, g in enumerate(scenario.groups)), "group")
    # Ids are unique across the territory, not only per group: an API key or an event names
    # a member or an employee without its group.
    for kind, collect in ID_KINDS.items():
        yield from _duplicates(collect(scenario), kind)
    for g_index, group in enumerate(scenario.groups):
        yield from _group_errors(("groups", g_index), group, skills)


def _collect(attribute: str, nested: str | None = None):
    def collect(scenario: Scenario) -> Iterator[tuple[Path, str]]:
        for g_index, group in enumerate(scenario.groups):
            for index, item in enumerate(getattr(group, attribute)):
                if nested is None:
                    yield ("groups", g_index, attribute, index), item.id
                else:
                    for n_index, sub in enumerate(getattr(item, nested)):
                        yield ("groups", g_index, attribute, index, nested, n_index), sub.id

    return collect


ID_KINDS = {
    "member": _collect("members"),
    "site": _collect("members", "sites"),
    "training centre": _collect("training_centres"),
    "employee": _collect("employees"),
    "need": _collect("needs"),
    "placement": _collect("placements"),
    "training session": _collect("placements", "training"),
    "absence": _collect("absences"),
    "consent": _collect("consents"),
}


def _group_errors(at: Path, group: Group, skills: set[str]) -> Iterator[FieldError]:
    members = {m.id: m for m in group.members}
    site_owner = {s.id: m.id for m in group.members for s in m.sites}
    centres = {c.id for c in group.training_centres}
    employees = {e.id: e for e in group.employees}
    needs = {n.id for n in group.needs}

    for index, employee in enumerate(group.employees):
        here = (*at, "employees", index)
        for s_index, skill in enumerate(employee.skills):
            if skill not in skills:
                yield FieldError((*here, "skills", s_index), f"unknown skill {skill!r}")
        for m_index, agreement in enumerate(employee.contract.members):
            if agreement.member_id not in members:
                yield FieldError(
                    (*here, "contract", "members", m_index, "member_id"),
                    f"unknown member {agreement.member_id!r} in group {group.id!r}",
                )
        if employee.contract.kind in WORK_STUDY and group.kind != "geiq":
            yield FieldError(
                (*here, "contract", "kind"), "work-study contracts belong to a GEIQ group"
            )

    for index, need in enumerate(group.needs):
        here = (*at, "needs", index)
        if need.member_id not in members:
            yield FieldError((*here, "member_id"), f"unknown member {need.member_id!r}")
        owner = site_owner.get(need.site_id)
        if owner is None:
            yield FieldError((*here, "site_id"), f"unknown site {need.site_id!r}")
        elif owner != need.member_id:
            yield FieldError(
                (*here, "site_id"),
                f"site {need.site_id!r} belongs to member {owner!r}, not {need.member_id!r}",
            )
        if need.skill not in skills:
            yield FieldError((*here, "skill"), f"unknown skill {need.skill!r}")

    for index, placement in enumerate(group.placements):
        here = (*at, "placements", index)
        employee = employees.get(placement.employee_id)
        if employee is None:
            yield FieldError((*here, "employee_id"), f"unknown employee {placement.employee_id!r}")
        elif employee.contract.kind not in WORK_STUDY:
            yield FieldError((*here, "employee_id"), "only work-study employees are placed")
        if placement.host_member_id not in members:
            yield FieldError(
                (*here, "host_member_id"), f"unknown member {placement.host_member_id!r}"
            )
        for t_index, session in enumerate(placement.training):
            if session.centre_id not in centres:
                yield FieldError(
                    (*here, "training", t_index, "centre_id"),
                    f"unknown training centre {session.centre_id!r}",
                )

    for kind in ("absences", "consents"):
        for index, item in enumerate(getattr(group, kind)):
            if item.employee_id not in employees:
                yield FieldError(
                    (*at, kind, index, "employee_id"), f"unknown employee {item.employee_id!r}"
                )

    rosters_seen: set[tuple[str, int]] = set()
    for index, roster in enumerate(group.rosters):
        here = (*at, "rosters", index)
        if (roster.week, roster.version) in rosters_seen:
            yield FieldError((*here, "version"), f"version {roster.version} of {roster.week} twice")
        rosters_seen.add((roster.week, roster.version))
        for a_index, assignment in enumerate(roster.assignments):
            spot = (*here, "assignments", a_index)
            if assignment.employee_id not in employees:
                yield FieldError(
                    (*spot, "employee_id"), f"unknown employee {assignment.employee_id!r}"
                )
            if site_owner.get(assignment.site_id) != assignment.member_id:
                yield FieldError(
                    (*spot, "site_id"),
                    f"site {assignment.site_id!r} is not a site of {assignment.member_id!r}",
                )
            if assignment.need_id is not None and assignment.need_id not in needs:
                yield FieldError((*spot, "need_id"), f"unknown need {assignment.need_id!r}")
