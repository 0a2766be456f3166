"""The one place that knows both the domain and the solver: a group's week as a Problem.

Everything the solver needs is read from a scenario `Group` (the database path exports the
group first), so a scenario file and the live database are planned by the same code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from scheduler.planning.weektime import MINUTES_PER_WEEK, WeekClock
from scheduler.rules import GroupRules
from scheduler.scenario import schema as s
from scheduler.scenario.common import add_weeks, clock_minutes, week_monday, week_of
from scheduler.travel import travel_minutes
from solver import problem as p

BLOCK_SEPARATOR = "@"  # ids never contain it, so "need@2" is block 2 of need "need"
# Where the domain says 1 is the most urgent, the solver multiplies by the weight.
PRIORITY_LEVELS = 5


def rule_settings(rules: GroupRules) -> p.RuleSettings:
    """The group's legal parameters in the solver's units (minutes)."""

    def minutes(hours: float) -> int:
        return round(hours * 60)

    return p.RuleSettings(
        max_daily_minutes=minutes(rules.max_daily_hours),
        max_weekly_minutes=minutes(rules.max_weekly_hours),
        max_average_weekly_minutes=minutes(rules.max_average_weekly_hours),
        average_weeks=rules.average_window_weeks,
        min_daily_rest_minutes=minutes(rules.min_daily_rest_hours),
        min_weekly_rest_minutes=minutes(rules.min_weekly_rest_hours),
        max_working_days=rules.max_working_days,
        break_after_minutes=minutes(rules.break_after_hours),
        break_minutes=rules.break_minutes,
        full_time_weekly_minutes=minutes(rules.full_time_hours),
        complementary_hours_ratio=rules.complementary_hours_ratio,
        part_time_ceiling_minutes=minutes(rules.full_time_hours),
        max_interruptions_per_day=rules.max_interruptions_per_day,
        max_interruption_minutes=minutes(rules.max_interruption_hours),
        notice_days=rules.notice_days,
        short_contract_threshold_minutes=minutes(rules.short_part_time_threshold_hours),
        minor_max_daily_minutes=minutes(rules.minor_max_daily_hours),
        minor_max_weekly_minutes=minutes(rules.minor_max_weekly_hours),
        minor_break_after_minutes=minutes(rules.minor_break_after_hours),
        minor_break_minutes=rules.minor_break_minutes,
        minor_min_daily_rest_minutes=minutes(rules.minor_min_daily_rest_hours),
        minor_consecutive_days_off=rules.minor_consecutive_days_off,
        minor_night_start_minute=clock_minutes(rules.minor_night_start),
        minor_night_end_minute=clock_minutes(rules.minor_night_end),
        training_share_min=rules.training_share_min,
        training_share_max=rules.training_share_max,
    )


def need_applies(need: s.Need, week: str, clock_zone: ZoneInfo) -> bool:
    if need.cancelled:
        return False
    first = first_week_of(need, clock_zone)
    if need.recurrence == "weekly":
        return first <= week and (need.last_week is None or week <= need.last_week)
    return week == first


def first_week_of(need: s.Need, zone: ZoneInfo) -> str:
    return week_of(min(span.start for span in need.blocks or need.windows).astimezone(zone).date())


def _weekly(
    windows: Iterable[s.WeeklyWindow], days: set[int] | None = None
) -> tuple[p.Interval, ...]:
    found = []
    for window in windows:
        if days is not None and window.day.index not in days:
            continue
        base = window.day.index * 1440
        found.append(
            p.Interval(base + clock_minutes(window.start), base + clock_minutes(window.end))
        )
    return tuple(sorted(found, key=lambda i: (i.start, i.end)))


def _days_between(monday: date, start: date, end: date | None) -> set[int]:
    """Indexes of the week's days on which a contract or placement runs."""
    return {
        day
        for day in range(7)
        if start <= monday + timedelta(days=day)
        and (end is None or monday + timedelta(days=day) <= end)
    }


def problem_for_week(
    scenario: s.Scenario,
    group: s.Group,
    week: str,
    *,
    now: datetime | None = None,
    parameters: p.SolveParameters | None = None,
    weights: p.Weights | None = None,
) -> p.Problem:
    """The solver's problem for ``group`` in ``week``.

    ``now`` places the notice window: published hours before ``now + notice_days`` are frozen
    unless consented. Without a published roster of the week nothing is frozen.
    """
    zone = ZoneInfo(scenario.time_zone)
    clock = WeekClock(week, zone)
    monday = week_monday(week)
    settings = rule_settings(group.rules)
    members = {m.id: m for m in group.members}
    sites = {site.id: site for m in group.members for site in m.sites}
    site_member = {site.id: m.id for m in group.members for site in m.sites}
    centres = {c.id: c for c in group.training_centres}
    placements = [pl for pl in group.placements if _days_between(monday, pl.start, pl.end)]
    placement_of = {pl.employee_id: pl for pl in placements}

    published = [r for r in group.rosters if r.status == s.RosterStatus.published]
    history = _history(published, week, settings.average_weeks, zone)

    employees = []
    places_of_mode: dict[str, set[str]] = defaultdict(set)
    for employee in group.employees:
        days = _days_between(monday, employee.contract.start, employee.contract.end)
        if not days:
            continue
        allowed = tuple(a.member_id for a in employee.contract.members)
        placement = placement_of.get(employee.id)
        if placement is not None:
            days &= _days_between(monday, placement.start, placement.end)
        external_placed = _weekly(w for x in employee.external_work for w in x.windows)
        external_total = round(sum(x.weekly_hours for x in employee.external_work) * 60)
        placed_minutes = sum(i.minutes for i in external_placed)
        employees.append(
            p.Employee(
                id=employee.id,
                contract_kind=p.ContractKind(employee.contract.kind.value),
                weekly_contract_minutes=round(employee.contract.weekly_hours * 60),
                skills=tuple(employee.skills),
                availability=_weekly(employee.availability, days),
                is_minor=p.is_minor_during_week(employee.birth_date, monday),
                home_location_id=f"home:{employee.id}",
                travel_mode=employee.travel_mode.value,
                allowed_member_ids=allowed,
                agreed_minutes=tuple(
                    # The agreement caps the hours at that member; reaching the contract's
                    # hours overall is the objective's job (contract shortfall).
                    p.AgreedMinutes(member_id=a.member_id, max_minutes=round(a.weekly_hours * 60))
                    for a in employee.contract.members
                    if a.weekly_hours is not None
                ),
                external_weekly_minutes=max(0, external_total - placed_minutes),
                external_intervals=external_placed,
                previous_weeks_minutes=history.minutes.get(employee.id, ()),
                last_work_end=history.last_end.get(employee.id),
                recent_member_ids=tuple(sorted(history.members.get(employee.id, ()))),
            )
        )
        reachable = {site.id for m_id in allowed if m_id in members for site in members[m_id].sites}
        if placement is not None:
            reachable |= {t.centre_id for t in placement.training}
        places_of_mode[employee.travel_mode.value] |= reachable

    blocks = tuple(_blocks(group, week, zone))
    return p.Problem(
        week=week,
        employees=tuple(employees),
        members=tuple(p.Member(id=m.id, name=m.name) for m in group.members),
        sites=tuple(
            p.Site(id=site.id, member_id=site_member[site.id], location_id=site.id)
            for site in sites.values()
        ),
        needs=blocks,
        quotas=tuple(_quotas(group, week, zone)),
        travel_times=tuple(_travel(places_of_mode, sites, centres)),
        placements=tuple(
            p.Placement(
                employee_id=pl.employee_id,
                member_id=pl.host_member_id,
                tutor_presence=_weekly(pl.tutor_presence, _days_between(monday, pl.start, pl.end)),
                tutor_name=pl.tutor_name,
            )
            for pl in placements
        ),
        training_sessions=tuple(
            p.TrainingSession(employee_id=pl.employee_id, location_id=t.centre_id, start=a, end=b)
            for pl in placements
            for t in pl.training
            if (span := clock.clip(t.period.start, t.period.end))
            for a, b in [span]
        ),
        absences=tuple(
            p.Absence(employee_id=a.employee_id, start=span[0], end=span[1], kind=a.kind.value)
            for a in group.absences
            if (span := clock.clip(a.period.start, a.period.end))
        ),
        consents=tuple(
            p.Consent(employee_id=c.employee_id, start=span[0], end=span[1])
            for c in group.consents
            if (span := clock.clip(c.period.start, c.period.end))
        ),
        previous_assignments=tuple(_previous(group, week, clock, blocks)),
        notice_cutoff=_notice_cutoff(group, week, clock, now, settings),
        settings=settings,
        weights=weights or p.Weights(),
        parameters=parameters or p.SolveParameters(),
    )


class _History:
    def __init__(self) -> None:
        self.minutes: dict[str, tuple[int, ...]] = {}
        self.last_end: dict[str, int] = {}
        self.members: dict[str, set[str]] = defaultdict(set)


def _history(published: list[s.Roster], week: str, weeks: int, zone: ZoneInfo) -> _History:
    """Minutes worked in the weeks before ``week`` (latest published version of each)."""
    history = _History()
    latest: dict[str, s.Roster] = {}
    for roster in published:
        if roster.week < week and (
            roster.week not in latest or roster.version > latest[roster.week].version
        ):
            latest[roster.week] = roster
    clock = WeekClock(week, zone)
    per_week: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for label in [add_weeks(week, -k) for k in range(weeks - 1, 0, -1)]:
        roster = latest.get(label)
        if roster is None:
            continue
        for a in roster.assignments:
            per_week[a.employee_id][label] += a.period.minutes
            history.members[a.employee_id].add(a.member_id)
            if label == add_weeks(week, -1):
                end = clock.minute(a.period.end)
                history.last_end[a.employee_id] = max(history.last_end.get(a.employee_id, end), end)
    labels = [add_weeks(week, -k) for k in range(weeks - 1, 0, -1)]
    for employee_id, by_week in per_week.items():
        history.minutes[employee_id] = tuple(by_week.get(label, 0) for label in labels)
    return history


def _blocks(group: s.Group, week: str, zone: ZoneInfo) -> Iterable[p.NeedBlock]:
    for need in group.needs:
        if need.kind != s.NeedKind.blocks or not need_applies(need, week, zone):
            continue
        own_clock = WeekClock(first_week_of(need, zone), zone)
        for index, block in enumerate(need.blocks):
            yield p.NeedBlock(
                id=f"{need.id}{BLOCK_SEPARATOR}{index}",
                site_id=need.site_id,
                skill=need.skill,
                start=own_clock.minute(block.start),
                end=own_clock.minute(block.end),
                headcount=need.headcount,
                priority=PRIORITY_LEVELS + 1 - need.priority,
            )


def _quotas(group: s.Group, week: str, zone: ZoneInfo) -> Iterable[p.NeedQuota]:
    defaults = p.NeedQuota(id="", site_id="", skill="", weekly_minutes=0, windows=())
    for need in group.needs:
        if need.kind != s.NeedKind.quota or not need_applies(need, week, zone):
            continue
        own_clock = WeekClock(first_week_of(need, zone), zone)
        assert need.weekly_hours is not None  # a parsed quota need always has them
        yield p.NeedQuota(
            id=need.id,
            site_id=need.site_id,
            skill=need.skill,
            weekly_minutes=round(need.weekly_hours * 60),
            windows=tuple(
                p.Interval(own_clock.minute(w.start), own_clock.minute(w.end)) for w in need.windows
            ),
            min_block_minutes=round(need.min_block_hours * 60)
            if need.min_block_hours
            else defaults.min_block_minutes,
            max_block_minutes=round(need.max_block_hours * 60)
            if need.max_block_hours
            else defaults.max_block_minutes,
            priority=PRIORITY_LEVELS + 1 - need.priority,
            headcount=need.headcount,
        )


def _travel(
    places_of_mode: dict[str, set[str]],
    sites: dict[str, s.Site],
    centres: dict[str, s.TrainingCentre],
) -> Iterable[p.TravelTime]:
    def place(location: str) -> s.Place:
        return sites[location].place if location in sites else centres[location].place

    for mode, locations in sorted(places_of_mode.items()):
        ordered = sorted(locations)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                yield p.TravelTime(
                    mode=mode,
                    from_location=a,
                    to_location=b,
                    minutes=travel_minutes(place(a), place(b), mode),
                )


def latest_roster(group: s.Group, week: str, *, published_only: bool) -> s.Roster | None:
    """The newest version of ``week`` (the newest published one with ``published_only``)."""
    versions = [
        r
        for r in group.rosters
        if r.week == week and (not published_only or r.status == s.RosterStatus.published)
    ]
    return max(versions, key=lambda r: r.version, default=None)


def _previous(
    group: s.Group, week: str, clock: WeekClock, blocks: tuple[p.NeedBlock, ...]
) -> Iterable[p.PreviousAssignment]:
    """The roster to stay close to: the published version, else the latest draft."""
    roster = latest_roster(group, week, published_only=True) or latest_roster(
        group, week, published_only=False
    )
    if roster is None:
        return
    blocks_of: dict[str, list[p.NeedBlock]] = defaultdict(list)
    for block in blocks:
        blocks_of[domain_need_id(block.id)].append(block)
    for a in roster.assignments:
        span = clock.clip(a.period.start, a.period.end)
        if span is None:
            continue
        need_id = a.need_id or ""
        # The solver knows blocks by their own ids: find the block this assignment covered.
        for block in blocks_of.get(need_id, ()):
            if block.start < span[1] and span[0] < block.end:
                need_id = block.id
                break
        yield p.PreviousAssignment(
            employee_id=a.employee_id,
            member_id=a.member_id,
            site_id=a.site_id,
            need_id=need_id,
            start=span[0],
            end=span[1],
        )


def domain_need_id(solver_need_id: str) -> str:
    """The need a solver block or quota id belongs to."""
    return solver_need_id.split(BLOCK_SEPARATOR, 1)[0]


def _notice_cutoff(
    group: s.Group, week: str, clock: WeekClock, now: datetime | None, settings: p.RuleSettings
) -> int | None:
    if latest_roster(group, week, published_only=True) is None or now is None:
        return None
    cutoff = clock.minute(now) + settings.notice_days * 1440
    return max(0, min(cutoff, MINUTES_PER_WEEK))
