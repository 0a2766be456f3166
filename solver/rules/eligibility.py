"""Who may take a slot at all: skill, contract, calendar. These rules only prune candidates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from solver.problem import MINUTES_PER_DAY
from solver.rules.registry import HardRule, legal_limit

if TYPE_CHECKING:
    from solver.candidates import Slot
    from solver.facts import EmployeeFacts, ProblemIndex
    from solver.model import EmployeeModel, ModelContext

NOT_ALLOWED_MEMBER = "not_allowed_member"


RULES: list[HardRule] = []  # in the order the registry lists them


def lacks_skill(facts: EmployeeFacts, slot: Slot, index: ProblemIndex) -> bool:
    return slot.skill not in facts.employee.skills


def member_not_in_contract(facts: EmployeeFacts, slot: Slot, index: ProblemIndex) -> bool:
    allowed = facts.employee.allowed_member_ids
    return allowed is not None and slot.member_id not in allowed


def outside_host_member(facts: EmployeeFacts, slot: Slot, index: ProblemIndex) -> bool:
    """A placed work-study employee works only at the host member."""
    return facts.host_member_id is not None and slot.member_id != facts.host_member_id


def tutor_not_present(facts: EmployeeFacts, slot: Slot, index: ProblemIndex) -> bool:
    presence = facts.tutor_presence
    return presence is not None and not any(p.contains(slot.start, slot.end) for p in presence)


def absent(facts: EmployeeFacts, slot: Slot, index: ProblemIndex) -> bool:
    return facts.absent_during(slot.start, slot.end)


def outside_availability(facts: EmployeeFacts, slot: Slot, index: ProblemIndex) -> bool:
    windows = facts.employee.availability
    return windows is not None and not any(w.contains(slot.start, slot.end) for w in windows)


def in_training(facts: EmployeeFacts, slot: Slot, index: ProblemIndex) -> bool:
    return any(t.overlaps(slot.start, slot.end) for t, _ in facts.training)


def at_other_employer(facts: EmployeeFacts, slot: Slot, index: ProblemIndex) -> bool:
    return any(x.overlaps(slot.start, slot.end) for x in facts.employee.external_intervals)


def minor_at_night(facts: EmployeeFacts, slot: Slot, index: ProblemIndex) -> bool:
    """Under-18s never work between 22:00 and 06:00 (of any day)."""
    if not facts.limits.minor:
        return False
    settings = index.problem.settings
    night_start, night_end = settings.minor_night_start_minute, settings.minor_night_end_minute
    first_day = slot.start // MINUTES_PER_DAY - 1
    last_day = (slot.end - 1) // MINUTES_PER_DAY
    for d in range(first_day, last_day + 1):
        start = d * MINUTES_PER_DAY + night_start
        end = (d + 1) * MINUTES_PER_DAY + night_end
        if start < slot.end and slot.start < end:
            return True
    return False


def changes_notice_window(facts: EmployeeFacts, slot: Slot, index: ProblemIndex) -> bool:
    """A new assignment inside the notice window needs the employee's consent."""
    cutoff = index.problem.notice_cutoff
    if cutoff is None or not facts.notice_applies or slot.start >= cutoff:
        return False
    published = any(
        p.need_id == slot.need_id
        and p.site_id == slot.site_id
        and p.start == slot.start
        and p.end == slot.end
        for p in facts.previous
    )
    return not published and not facts.consented(slot.start, slot.end)


RULES.append(HardRule("skill", "Only employees with the need's skill.", "no_skill", lacks_skill))
RULES.append(
    HardRule(
        "allowed_member",
        "Only at members that the employment contract lists.",
        NOT_ALLOWED_MEMBER,
        member_not_in_contract,
    )
)
RULES.append(
    HardRule(
        "work_study_host",
        "A placed work-study employee works only at the host member.",
        NOT_ALLOWED_MEMBER,
        outside_host_member,
    )
)
RULES.append(
    HardRule(
        "tutor_presence",
        "Host-company time of a work-study employee only while the tutor is present.",
        "tutor_absent",
        tutor_not_present,
    )
)
RULES.append(HardRule("absence", "Nobody works during their absence.", "absent", absent))
RULES.append(
    HardRule(
        "availability",
        "Every assignment lies inside one of the employee's availability windows.",
        "unavailable",
        outside_availability,
    )
)
RULES.append(
    HardRule(
        "training_sessions",
        "Training sessions are fixed and block the time (and count as work).",
        "busy_elsewhere",
        in_training,
    )
)
RULES.append(
    HardRule(
        "external_work",
        "Work declared for another employer blocks the time and counts towards legal maxima.",
        "busy_elsewhere",
        at_other_employer,
    )
)
RULES.append(
    HardRule(
        "minor_night",
        "Employees under 18 never work between 22:00 and 06:00.",
        legal_limit("minor_night"),
        minor_at_night,
    )
)


def keep_notice_window(ctx: ModelContext, em: EmployeeModel, guard: list[Any]) -> None:
    """Published assignments starting inside the notice window stay, unless consented.

    A published assignment the employee can no longer take (new absence, cancelled need) is
    the one change the window allows: nobody can be held to it.
    """
    cutoff = ctx.problem.notice_cutoff
    facts = em.facts
    if cutoff is None or not facts.notice_applies:
        return
    items = {
        (it.slot.need_id, it.slot.site_id, it.start, it.end): it
        for it in em.items
        if it.slot is not None
    }
    for p in facts.previous:
        if p.start >= cutoff or facts.consented(p.start, p.end):
            continue
        it = items.get((p.need_id, p.site_id, p.start, p.end))
        if it is not None:
            ctx.model.add(it.lit == 1).only_enforce_if(guard)


RULES.append(
    HardRule(
        "notice_period",
        "Published hours inside the notice window change only with the employee's consent.",
        legal_limit("notice_period"),
        changes_notice_window,
        keep_notice_window,
    )
)
