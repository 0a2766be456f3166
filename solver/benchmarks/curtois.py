"""Loader of the Curtois & Qu shift-scheduling benchmark (Instance1 … Instance24).

The files are plain text in sections (``SECTION_HORIZON``, ``SECTION_SHIFTS``, ``SECTION_STAFF``,
``SECTION_DAYS_OFF``, ``SECTION_SHIFT_ON_REQUESTS``, ``SECTION_SHIFT_OFF_REQUESTS``,
``SECTION_COVER``) of comma-separated lines; ``#`` starts a comment line. Day 0 is a Monday and
the horizon is a whole number of weeks. ``docs/curtois.md`` describes the format and how it is
read; ``../shared/benchmarks/curtois/SOURCE.md`` says where the files come from.

Standard library only: the benchmark is data, and the evaluator that judges rosters against it
must not share code with the solver's model.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DAYS_PER_WEEK = 7
SATURDAY = 5  # day index within a week; day 0 of the horizon is a Monday
SUNDAY = 6
INSTANCE_NUMBERS = tuple(range(1, 25))
DIR_ENV_VAR = "PARTAGE_CURTOIS_DIR"

SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)
# Without these three an instance has no days, shifts or people; the other sections may be
# empty (a hand-made instance need not have requests).
REQUIRED_SECTIONS = ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF")


class CurtoisFormatError(ValueError):
    """A malformed instance file: names the file, the line (1-based) and the reason."""

    def __init__(self, source: str, line: int | None, reason: str) -> None:
        self.source = source
        self.line = line
        self.reason = reason
        where = source if line is None else f"{source}:{line}"
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True, slots=True)
class ShiftType:
    id: str
    minutes: int
    # Shift types that may not be worked on the day after this one.
    forbidden_next: frozenset[str]


@dataclass(frozen=True, slots=True)
class Staff:
    """One employee's contract limits, all over the whole horizon."""

    id: str
    # (shift type, most shifts of that type); a type that is not listed has no limit.
    max_shifts: tuple[tuple[str, int], ...]
    max_total_minutes: int
    min_total_minutes: int
    max_consecutive_shifts: int
    min_consecutive_shifts: int
    min_consecutive_days_off: int
    max_weekends: int

    def max_shifts_of(self, shift_id: str) -> int | None:
        """Most shifts of ``shift_id`` over the horizon, None when the file sets no limit."""
        for sid, limit in self.max_shifts:
            if sid == shift_id:
                return limit
        return None


@dataclass(frozen=True, slots=True)
class Request:
    """A wish to work (on) or not to work (off) ``shift_id`` on ``day``; ``weight`` if unmet."""

    employee_id: str
    day: int
    shift_id: str
    weight: int


@dataclass(frozen=True, slots=True)
class Cover:
    """Staffing target of one (day, shift): each missing person costs ``weight_under``, each
    extra person ``weight_over``."""

    day: int
    shift_id: str
    requirement: int
    weight_under: int
    weight_over: int


@dataclass(frozen=True, slots=True)
class Instance:
    name: str
    days: int
    shifts: tuple[ShiftType, ...]
    staff: tuple[Staff, ...]
    # (employee id, days that employee must not work), in file order, one entry per employee.
    days_off: tuple[tuple[str, tuple[int, ...]], ...]
    shift_on_requests: tuple[Request, ...]
    shift_off_requests: tuple[Request, ...]
    cover: tuple[Cover, ...]

    @property
    def weeks(self) -> int:
        return self.days // DAYS_PER_WEEK

    @property
    def day_off_entries(self) -> int:
        """Number of (employee, day) pairs in ``SECTION_DAYS_OFF``, as SOURCE.md counts them."""
        return sum(len(days) for _, days in self.days_off)

    @property
    def request_count(self) -> int:
        """Shift-on plus shift-off request lines."""
        return len(self.shift_on_requests) + len(self.shift_off_requests)

    def shift(self, shift_id: str) -> ShiftType:
        for s in self.shifts:
            if s.id == shift_id:
                return s
        raise KeyError(shift_id)

    def fixed_days_off(self, employee_id: str) -> frozenset[int]:
        return frozenset(d for e, days in self.days_off if e == employee_id for d in days)


@dataclass(frozen=True, slots=True)
class PublishedBound:
    """Published lower bound and best-known objective of one instance (None: not found)."""

    instance: int
    lower_bound: int | None
    best_known: int | None

    @property
    def proven_optimal(self) -> bool:
        return self.lower_bound is not None and self.lower_bound == self.best_known


# Where the values come from: the benchmark page (schedulingbenchmarks.org, NRP instances 1–24)
# was not readable here, nor the 2014 technical report. The values are the page's as transcribed
# by hand into ``data/best_known.csv`` of the public repository
# seyon1988/IT5082_Optimization_Methods_Programming__Assignment (commit 0b35b7e1), which is also
# the source of SOURCE.md's table; they agree with it exactly. Independent consistency check:
# ORProjects/NRP ``ComputationalResults/README.md`` reports no result below these values, and
# its best results equal them on instances 1–7, 9–12 and 16. Re-read the page before reporting
# a final gap.
BOUNDS_SOURCE = (
    "schedulingbenchmarks.org NRP page, via the hand transcription in "
    "seyon1988/IT5082_Optimization_Methods_Programming__Assignment data/best_known.csv "
    "(commit 0b35b7e11617431eb75de5d23d4c52bc7f5f6ce5); not checked against the page itself"
)
PUBLISHED_BOUNDS: dict[int, PublishedBound] = {
    n: PublishedBound(n, lb, best)
    for n, lb, best in (
        (1, 607, 607),
        (2, 828, 828),
        (3, 1001, 1001),
        (4, 1716, 1716),
        (5, 1143, 1143),
        (6, 1950, 1950),
        (7, 1056, 1056),
        (8, 1300, 1300),
        (9, 439, 439),
        (10, 4631, 4631),
        (11, 3443, 3443),
        (12, 4040, 4040),
        (13, 1348, 1348),
        (14, 1278, 1278),
        (15, 3828, 3828),
        (16, 3225, 3225),
        (17, 5746, 5746),
        (18, 4459, 4459),
        (19, 3149, 3149),
        (20, 4769, 4769),
        (21, 21133, 21133),
        (22, 30241, 30241),
        (23, 17285, 17285),
        (24, 40438, 40439),
    )
}


# -- locating the files -------------------------------------------------------------------------
def curtois_dir() -> Path:
    """Folder of the instance files: ``$PARTAGE_CURTOIS_DIR`` if set, else
    ``../shared/benchmarks/curtois`` next to the repository (the data is shared between
    checkouts, so it is not in the repository)."""
    override = os.environ.get(DIR_ENV_VAR)
    if override:
        return Path(override)
    repo = Path(__file__).resolve().parents[2]
    return repo.parent / "shared" / "benchmarks" / "curtois"


def instance_path(number: int, directory: Path | None = None) -> Path:
    if number not in INSTANCE_NUMBERS:
        raise ValueError(f"no Curtois instance {number}: the benchmark has instances 1 to 24")
    return (directory or curtois_dir()) / f"Instance{number}.txt"


def load_benchmark(number: int, directory: Path | None = None) -> Instance:
    """Instance ``number`` (1–24) from the benchmark folder."""
    return load_instance(instance_path(number, directory))


def load_instance(path: str | Path) -> Instance:
    path = Path(path)
    # Latin-1 never fails to decode, so a stray byte becomes a format error with a line number
    # rather than a UnicodeDecodeError without one.
    text = path.read_bytes().decode("latin-1")
    return parse_instance(text, source=path.name, name=path.stem)


# -- parsing ------------------------------------------------------------------------------------
def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, content) of every meaningful line: ``\\r`` (the original zip uses CRLF),
    blank lines and ``#`` comments are dropped."""
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.replace("\r", "").strip()
        if line and not line.startswith("#"):
            yield number, line


class _Reader:
    """Field readers that raise errors naming the source and the line."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, line: int | None, reason: str) -> CurtoisFormatError:
        return CurtoisFormatError(self.source, line, reason)

    def fields(self, line: int, text: str, count: int, what: str) -> list[str]:
        parts = [p.strip() for p in text.split(",")]
        if len(parts) != count:
            raise self.error(line, f"{what} needs {count} comma-separated fields, got {len(parts)}")
        return parts

    def integer(self, line: int, text: str, what: str, *, minimum: int = 0) -> int:
        try:
            value = int(text)
        except ValueError:
            raise self.error(line, f"{what} must be an integer, got {text!r}") from None
        if value < minimum:
            raise self.error(line, f"{what} must be at least {minimum}, got {value}")
        return value

    def identifier(self, line: int, text: str, what: str) -> str:
        if not text:
            raise self.error(line, f"{what} is empty")
        return text


def parse_instance(text: str, *, source: str = "<string>", name: str = "") -> Instance:
    """Parse the text of an instance file; raise ``CurtoisFormatError`` naming the line."""
    r = _Reader(source)
    sections: dict[str, list[tuple[int, str]]] = {}
    current: str | None = None
    for number, line in _lines(text):
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                raise r.error(number, f"unknown section {line!r}")
            if line in sections:
                raise r.error(number, f"section {line} appears twice")
            sections[line] = []
            current = line
            continue
        if current is None:
            raise r.error(number, "data before the first SECTION_ header")
        sections[current].append((number, line))
    for required in REQUIRED_SECTIONS:
        if required not in sections:
            raise r.error(None, f"missing section {required}")

    days = _horizon(r, sections["SECTION_HORIZON"])
    shifts = _shifts(r, sections["SECTION_SHIFTS"])
    shift_ids = {s.id for s in shifts}
    staff = _staff(r, sections["SECTION_STAFF"], shift_ids)
    staff_ids = {s.id for s in staff}
    days_off = _days_off(r, sections.get("SECTION_DAYS_OFF", []), staff_ids, days)
    on = _requests(r, sections.get("SECTION_SHIFT_ON_REQUESTS", []), staff_ids, shift_ids, days)
    off = _requests(r, sections.get("SECTION_SHIFT_OFF_REQUESTS", []), staff_ids, shift_ids, days)
    cover = _cover(r, sections.get("SECTION_COVER", []), shift_ids, days)
    return Instance(name or source, days, shifts, staff, days_off, on, off, cover)


def _horizon(r: _Reader, lines: list[tuple[int, str]]) -> int:
    if len(lines) != 1:
        where = lines[1][0] if len(lines) > 1 else None
        raise r.error(where, f"SECTION_HORIZON needs exactly one line, got {len(lines)}")
    number, text = lines[0]
    days = r.integer(number, text, "the horizon (days)", minimum=1)
    # Weekends are days 5 and 6 of each week counted from a Monday: a partial last week would
    # leave "weekend" undefined, and the benchmark never has one.
    if days % DAYS_PER_WEEK:
        raise r.error(number, f"the horizon must be a whole number of weeks, got {days} days")
    return days


def _shifts(r: _Reader, lines: list[tuple[int, str]]) -> tuple[ShiftType, ...]:
    if not lines:
        raise r.error(None, "SECTION_SHIFTS has no shift type")
    parsed: list[tuple[int, str, int, list[str]]] = []
    seen: set[str] = set()
    for number, text in lines:
        sid, minutes, successors = r.fields(number, text, 3, "a shift line")
        sid = r.identifier(number, sid, "the shift id")
        if sid in seen:
            raise r.error(number, f"shift {sid!r} is defined twice")
        seen.add(sid)
        length = r.integer(number, minutes, f"the length of shift {sid!r}", minimum=1)
        parsed.append((number, sid, length, [s.strip() for s in successors.split("|") if s]))
    shifts = []
    # Successors may name shifts defined on later lines: check them once every id is known.
    for number, sid, length, successors in parsed:
        for s in successors:
            if s not in seen:
                raise r.error(number, f"shift {sid!r} forbids unknown successor {s!r}")
        shifts.append(ShiftType(sid, length, frozenset(successors)))
    return tuple(shifts)


def _staff(r: _Reader, lines: list[tuple[int, str]], shift_ids: set[str]) -> tuple[Staff, ...]:
    if not lines:
        raise r.error(None, "SECTION_STAFF has no employee")
    staff = []
    seen: set[str] = set()
    for number, text in lines:
        parts = r.fields(number, text, 8, "a staff line")
        eid = r.identifier(number, parts[0], "the employee id")
        if eid in seen:
            raise r.error(number, f"employee {eid!r} is defined twice")
        seen.add(eid)
        limits: list[tuple[str, int]] = []
        for item in (p for p in parts[1].split("|") if p):
            sid, eq, value = item.partition("=")
            sid = sid.strip()
            if not eq:
                raise r.error(number, f"MaxShifts entry {item!r} is not ShiftID=n")
            if sid not in shift_ids:
                raise r.error(number, f"MaxShifts names unknown shift {sid!r}")
            if any(s == sid for s, _ in limits):
                raise r.error(number, f"MaxShifts lists shift {sid!r} twice")
            limits.append((sid, r.integer(number, value.strip(), f"MaxShifts of {sid!r}")))
        nums = [
            r.integer(number, parts[i], label)
            for i, label in enumerate(
                (
                    "MaxTotalMinutes",
                    "MinTotalMinutes",
                    "MaxConsecutiveShifts",
                    "MinConsecutiveShifts",
                    "MinConsecutiveDaysOff",
                    "MaxWeekends",
                ),
                start=2,
            )
        ]
        staff.append(Staff(eid, tuple(limits), *nums))
    return tuple(staff)


def _day(r: _Reader, number: int, text: str, days: int) -> int:
    day = r.integer(number, text, "the day")
    if day >= days:
        raise r.error(number, f"day {day} is outside the horizon of {days} days")
    return day


def _known_employee(r: _Reader, number: int, eid: str, staff_ids: set[str]) -> str:
    if eid not in staff_ids:
        raise r.error(number, f"unknown employee {eid!r}")
    return eid


def _days_off(
    r: _Reader, lines: list[tuple[int, str]], staff_ids: set[str], days: int
) -> tuple[tuple[str, tuple[int, ...]], ...]:
    # An employee may in principle appear on several lines: their days are merged, first
    # appearance first, so counting entries stays "one per (employee, day) written".
    by_employee: dict[str, list[int]] = {}
    for number, text in lines:
        parts = [p.strip() for p in text.split(",")]
        eid = _known_employee(r, number, parts[0], staff_ids)
        listed = by_employee.setdefault(eid, [])
        for p in parts[1:]:
            if p:
                listed.append(_day(r, number, p, days))
    return tuple((eid, tuple(d)) for eid, d in by_employee.items())


def _requests(
    r: _Reader,
    lines: list[tuple[int, str]],
    staff_ids: set[str],
    shift_ids: set[str],
    days: int,
) -> tuple[Request, ...]:
    requests = []
    for number, text in lines:
        eid, day, sid, weight = r.fields(number, text, 4, "a request line")
        eid = _known_employee(r, number, eid, staff_ids)
        if sid not in shift_ids:
            raise r.error(number, f"unknown shift {sid!r}")
        requests.append(
            Request(eid, _day(r, number, day, days), sid, r.integer(number, weight, "the weight"))
        )
    return tuple(requests)


def _cover(
    r: _Reader, lines: list[tuple[int, str]], shift_ids: set[str], days: int
) -> tuple[Cover, ...]:
    cover = []
    seen: set[tuple[int, str]] = set()
    for number, text in lines:
        day, sid, requirement, under, over = r.fields(number, text, 5, "a cover line")
        d = _day(r, number, day, days)
        if sid not in shift_ids:
            raise r.error(number, f"unknown shift {sid!r}")
        if (d, sid) in seen:
            raise r.error(number, f"cover of day {d}, shift {sid!r} is given twice")
        seen.add((d, sid))
        cover.append(
            Cover(
                d,
                sid,
                r.integer(number, requirement, "the requirement"),
                r.integer(number, under, "the under-cover weight"),
                r.integer(number, over, "the over-cover weight"),
            )
        )
    return tuple(cover)
