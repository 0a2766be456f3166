"""The solver's input: one employer group's horizon (a week by default), as plain frozen data.

Time is integer minutes from Monday 00:00 (local time) of the first week being planned: a
one-week horizon is ``[0, 10080)``, a horizon of ``horizon_days`` days is
``[0, horizon_days * 1440)``. A minute before 0 belongs to the past. Every working day is the
day on which an assignment *starts* (an assignment from 22:00 to 02:00 belongs to the first
day).

Shift rostering (named shift types, runs of working days, weekends, weighted requests, cover
priced per person) uses the same types: a shift is a ``NeedBlock`` labelled with its
``shift_type``, and an employee's limits over the horizon are their ``HorizonLimits``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

MINUTES_PER_DAY = 1440
DAYS_PER_WEEK = 7
MINUTES_PER_WEEK = DAYS_PER_WEEK * MINUTES_PER_DAY


class ContractKind(StrEnum):
    """Kinds of employment contract a group signs."""

    PERMANENT_PART_TIME = "permanent_part_time"  # CDI à temps partagé
    FIXED_TERM = "fixed_term"  # CDD
    PROFESSIONALISATION = "professionalisation"  # contrat de professionnalisation (GEIQ)
    APPRENTICESHIP = "apprenticeship"  # contrat d'apprentissage (GEIQ)
    FULL_TIME = "full_time"


WORK_STUDY_KINDS = frozenset({ContractKind.PROFESSIONALISATION, ContractKind.APPRENTICESHIP})


@dataclass(frozen=True, slots=True)
class Interval:
    """Half-open range of minutes ``[start, end)``."""

    start: int
    end: int

    @property
    def minutes(self) -> int:
        return self.end - self.start

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end

    def contains(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """Every number of the hard rules (DESIGN §2), French defaults, with their article.

    A branch agreement can change any of them, so they are settings of the group.
    """

    # Durée maximale quotidienne: 10 h (Code du travail L3121-18).
    max_daily_minutes: int = 600
    # Durée maximale hebdomadaire absolue: 48 h (L3121-20).
    max_weekly_minutes: int = 2880
    # Durée maximale hebdomadaire moyenne: 44 h over any 12 consecutive weeks (L3121-22).
    max_average_weekly_minutes: int = 2640
    average_weeks: int = 12
    # Repos quotidien: 11 consecutive hours (L3131-1).
    min_daily_rest_minutes: int = 660
    # Repos hebdomadaire: 24 h plus the 11 h of daily rest, consecutive (L3132-2).
    min_weekly_rest_minutes: int = 2100
    # No more than six days of work a week (L3132-1).
    max_working_days: int = 6
    # Pause: 20 minutes as soon as daily work reaches 6 h (L3121-16).
    break_after_minutes: int = 360
    break_minutes: int = 20
    # Durée légale: 35 h (L3121-27); below it a contract is part-time (L3123-1).
    full_time_weekly_minutes: int = 2100
    # Heures complémentaires: 1/10 of contract hours (L3123-28), up to 1/3 by agreement
    # (L3123-20).
    complementary_hours_ratio: float = 0.10
    # Part-time hours may never reach the legal duration (L3123-9).
    part_time_ceiling_minutes: int = 2100
    # Part-time day: at most one interruption, of at most 2 h (L3123-30, default rule).
    max_interruptions_per_day: int = 1
    max_interruption_minutes: int = 120
    # Délai de prévenance: 7 days (L3123-31), down to 3 by agreement (L3123-24).
    notice_days: int = 7
    # Whether the frozen notice window protects part-time employees only (the law's case) or
    # everyone (the group's choice, stricter).
    notice_part_time_only: bool = False
    # Contracts under 24 h a week (L3123-27) group hours in regular whole or half days
    # (L3123-7): see ``short_contract_grouping`` for the precise reading.
    short_contract_threshold_minutes: int = 1440
    half_day_min_minutes: int = 180
    whole_day_min_minutes: int = 360
    # Jeunes travailleurs (under 18): 8 h a day and 35 h a week (L3162-1), 30 min break after
    # 4 h 30 (L3162-3), 12 h daily rest (L3164-1), two consecutive days off (L3164-2), no work
    # between 22:00 and 06:00 (L3163-2).
    minor_max_daily_minutes: int = 480
    minor_max_weekly_minutes: int = 2100
    minor_break_after_minutes: int = 270
    minor_break_minutes: int = 30
    minor_min_daily_rest_minutes: int = 720
    minor_consecutive_days_off: int = 2
    minor_night_start_minute: int = 22 * 60
    minor_night_end_minute: int = 6 * 60
    # Work-study training share: 15–25 % of contract hours, at least 150 h (L6325-13/14);
    # reported, not enforced within one week.
    training_share_min: float = 0.15
    training_share_max: float = 0.25
    # Minimum runs of working days or days off (``HorizonLimits``): whether a run touching the
    # first or last day of the horizon is bound. It may continue outside the horizon, so by
    # default it is not (the reading that reproduces the published shift-scheduling optima).
    min_runs_bind_at_edges: bool = False


@dataclass(frozen=True, slots=True)
class Weights:
    """Weights of the soft objective (DESIGN §3), in decreasing order of importance."""

    uncovered_minute: int = 100  # multiplied by the need's priority
    contract_shortfall_minute: int = 10
    member_fairness_permille: int = 20  # per 1/1000 of the worst member's relative shortfall
    changed_assignment: int = 300
    new_person_for_member: int = 40  # continuity: a pair (employee, member) not seen recently
    repeat_person_for_member: int = 10  # a pair already seen recently
    travel_minute: int = 1
    site_change: int = 5


@dataclass(frozen=True, slots=True)
class AgreedMinutes:
    """Hours agreed between the group and a member for one employee (e.g. three days at A)."""

    member_id: str
    min_minutes: int = 0
    max_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class HorizonLimits:
    """An employee's limits over the whole horizon (a rota's contract), all hard.

    ``None`` or 0 minima mean no limit. ``max_shifts_per_type`` caps the shifts of each listed
    type (0: never that type); a type that is not listed has no cap.
    """

    max_shifts_per_type: tuple[tuple[str, int], ...] = ()
    min_total_minutes: int = 0
    max_total_minutes: int | None = None
    min_consecutive_days: int = 0
    max_consecutive_days: int | None = None
    min_consecutive_days_off: int = 0
    # Weekends (Saturday or Sunday worked) of the horizon.
    max_weekends: int | None = None

    def max_shifts_of(self, shift_type: str) -> int | None:
        for t, n in self.max_shifts_per_type:
            if t == shift_type:
                return n
        return None


@dataclass(frozen=True, slots=True)
class Employee:
    id: str
    contract_kind: ContractKind
    weekly_contract_minutes: int
    skills: tuple[str, ...] = ()
    # None: available at any time; otherwise every assignment lies inside one window.
    availability: tuple[Interval, ...] | None = None
    is_minor: bool = False
    home_location_id: str | None = None
    travel_mode: str = "car"
    # None: any member; otherwise the user companies the employment contract lists.
    allowed_member_ids: tuple[str, ...] | None = None
    agreed_minutes: tuple[AgreedMinutes, ...] = ()
    # Work for another employer: minutes not placed in time, and placed intervals.
    external_weekly_minutes: int = 0
    external_intervals: tuple[Interval, ...] = ()
    # Total minutes worked in the previous weeks, most recent last (for the 12-week average).
    previous_weeks_minutes: tuple[int, ...] = ()
    # End of the last work before this week (a minute <= 0), for rest across the boundary.
    last_work_end: int | None = None
    # Members this employee worked for in recent weeks (continuity).
    recent_member_ids: tuple[str, ...] = ()
    horizon_limits: HorizonLimits | None = None


@dataclass(frozen=True, slots=True)
class Member:
    id: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Site:
    id: str
    member_id: str
    location_id: str


@dataclass(frozen=True, slots=True)
class TravelTime:
    """Minutes from one location to another for a travel mode; symmetric unless both given."""

    mode: str
    from_location: str
    to_location: str
    minutes: int


@dataclass(frozen=True, slots=True)
class ShiftType:
    """A named kind of shift; ``forbidden_next`` may not be worked on the following day."""

    id: str
    forbidden_next: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NeedBlock:
    """A fixed block: ``headcount`` people with ``skill`` at ``site_id`` from start to end.

    By default ``headcount`` is a cap and every uncovered minute costs. With ``weight_under``
    the need is priced per person instead: each missing person costs ``weight_under``
    whatever the block's length; with ``weight_over`` too, extra people are allowed and each
    costs ``weight_over``.
    """

    id: str
    site_id: str
    skill: str
    start: int
    end: int
    headcount: int = 1
    priority: int = 1
    shift_type: str | None = None
    weight_under: int | None = None
    weight_over: int | None = None


@dataclass(frozen=True, slots=True)
class NeedQuota:
    """Weekly minutes of a skill at a site, worked in blocks inside windows.

    At most ``headcount`` people work on the quota at the same time.
    """

    id: str
    site_id: str
    skill: str
    weekly_minutes: int
    windows: tuple[Interval, ...]
    min_block_minutes: int = 120
    max_block_minutes: int = 240
    priority: int = 1
    headcount: int = 1


@dataclass(frozen=True, slots=True)
class Placement:
    """GEIQ work-study employee attached to a host member while the tutor is present."""

    employee_id: str
    member_id: str
    tutor_presence: tuple[Interval, ...]
    tutor_name: str = ""


@dataclass(frozen=True, slots=True)
class TrainingSession:
    employee_id: str
    location_id: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Absence:
    employee_id: str
    start: int
    end: int
    kind: str = ""


@dataclass(frozen=True, slots=True)
class ShiftRequest:
    """A wish to work (``on``) or not to work a shift type on a day; ``weight`` when unmet.

    ``shift_type`` None means any shift (a wish for a day off when ``on`` is False).
    """

    employee_id: str
    day: int
    shift_type: str | None
    on: bool
    weight: int = 1


@dataclass(frozen=True, slots=True)
class Consent:
    """The employee accepts changes inside the notice window, within [start, end) if given."""

    employee_id: str
    start: int | None = None
    end: int | None = None

    def covers(self, start: int, end: int) -> bool:
        lo = self.start if self.start is not None else -(10**9)
        hi = self.end if self.end is not None else 10**9
        return lo < end and start < hi


@dataclass(frozen=True, slots=True)
class PreviousAssignment:
    """An assignment of the previous (or published) roster of this week."""

    employee_id: str
    member_id: str
    site_id: str
    need_id: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SolveParameters:
    time_limit_seconds: float = 10.0
    num_workers: int = 2
    random_seed: int = 0
    # Quota windows are cut into candidate blocks starting on this grain.
    quota_grain_minutes: int = 60
    # Upper bound on candidate blocks per quota window (the grain grows to respect it).
    max_segments_per_window: int = 24
    log_search: bool = False
    # Column generation (``solver.columns``): a proved bound and rosters built from weeks, at
    # the cost of about half the time limit. Without it the search has all the time.
    decomposition: bool = True
    # When the first short search finds no roster (a rota of many weeks, where one search
    # over everything stalls), one is built employee by employee and improved by re-planning
    # a few employees at a time (``solver.neighbourhood``) until this share of the time limit;
    # 0 leaves it out.
    neighbourhood_share: float = 0.0
    # On a rota whose every rule a person's line keeps (``solver.line_search``), lines are
    # searched for this share of the time limit, then CP-SAT's search goes on from the best
    # roster; a model too large for that search (a year-long rota) keeps the lines to the end.
    line_share: float = 0.3
    # Then, on a rota of up to 12 weeks, column generation over the lines
    # (``solver.line_columns``) and a dive to a roster take up to this share of the time limit,
    # the lines' own search being cut to a tenth; when its root does not converge in time the
    # lines go on instead. 0 leaves it out. Against 0.5, on the rota benchmark's minute
    # (docs/curtois.md): Instance14's root converges (medians of three seeds 1,296 against
    # 1,333), and 8, 16 and 17 gain; 10 and 11 lose a little, within their targets.
    column_share: float = 0.7
    # Reasons for every uncovered need (``SolveResult.uncovered``). Each reason checks every
    # candidate's week once more: on a year-long rota with thousands of open shifts that costs
    # minutes, so a benchmark leaves it out (the result's ``uncovered`` is then empty).
    explain_uncovered: bool = True
    # CP-SAT's subsolvers for the full search, by name (empty: its default portfolio).
    subsolvers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Problem:
    """One group's horizon to plan (a week unless ``horizon_days`` says more)."""

    week: str
    employees: tuple[Employee, ...]
    members: tuple[Member, ...]
    sites: tuple[Site, ...]
    needs: tuple[NeedBlock, ...] = ()
    quotas: tuple[NeedQuota, ...] = ()
    travel_times: tuple[TravelTime, ...] = ()
    placements: tuple[Placement, ...] = ()
    training_sessions: tuple[TrainingSession, ...] = ()
    absences: tuple[Absence, ...] = ()
    consents: tuple[Consent, ...] = ()
    previous_assignments: tuple[PreviousAssignment, ...] = ()
    # Assignments of the published roster starting before this minute are frozen (notice
    # window) unless consented; None when nothing is published.
    notice_cutoff: int | None = None
    settings: RuleSettings = field(default_factory=RuleSettings)
    weights: Weights = field(default_factory=Weights)
    parameters: SolveParameters = field(default_factory=SolveParameters)
    # Whole weeks; weekly rules apply to each calendar week of the horizon.
    horizon_days: int = DAYS_PER_WEEK
    shift_types: tuple[ShiftType, ...] = ()
    shift_requests: tuple[ShiftRequest, ...] = ()
    # Names of the hard and soft rules that apply; None: every registered rule. A rota that
    # is not under French law (a public benchmark, a branch outside the Code du travail)
    # names its own.
    enabled_rules: frozenset[str] | None = None

    @property
    def horizon_minutes(self) -> int:
        return self.horizon_days * MINUTES_PER_DAY

    def rule_enabled(self, name: str) -> bool:
        return self.enabled_rules is None or name in self.enabled_rules


def is_minor_during_week(birth_date: date, week_monday: date) -> bool:
    """True when the person is under 18 on any day of the week starting ``week_monday``."""
    try:
        adult_on = birth_date.replace(year=birth_date.year + 18)
    except ValueError:  # born on 29 February
        adult_on = date(birth_date.year + 18, 3, 1)
    return adult_on > week_monday


def notice_cutoff_minute(now_minute: int, notice_days: int) -> int:
    """Minute before which published hours are frozen, given 'now' in week minutes."""
    return now_minute + notice_days * MINUTES_PER_DAY
