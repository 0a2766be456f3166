"""Hand-made instances in the benchmark's text format, and rosters written compactly."""

from __future__ import annotations

from solver.benchmarks.curtois import Instance, parse_instance

# A lenient contract: every limit far away, so a test can tighten exactly one.
LENIENT = "E=99|L=99,100000,0,99,1,1,99"


def instance_text(
    *,
    days: int = 14,
    shifts: str = "E,480,\nL,600,E",
    staff: str = f"A,{LENIENT}",
    days_off: str = "",
    on: str = "",
    off: str = "",
    cover: str = "",
) -> str:
    """The text of a small instance in the benchmark's format (L may not be followed by E)."""
    return f"""# hand-made
SECTION_HORIZON
# days
{days}

SECTION_SHIFTS
{shifts}

SECTION_STAFF
{staff}

SECTION_DAYS_OFF
{days_off}

SECTION_SHIFT_ON_REQUESTS
{on}

SECTION_SHIFT_OFF_REQUESTS
{off}

SECTION_COVER
{cover}
"""


def small(
    *,
    days: int = 14,
    staff: str = f"A,{LENIENT}",
    days_off: str = "",
    on: str = "",
    off: str = "",
    cover: str = "",
) -> Instance:
    text = instance_text(days=days, staff=staff, days_off=days_off, on=on, off=off, cover=cover)
    return parse_instance(text, source="small.txt", name="small")


def line(text: str) -> list[str | None]:
    """One employee's days from a compact string: ``.`` is a day off, a letter a shift."""
    return [None if c == "." else c for c in text.replace(" ", "")]
