"""The loader reads all 24 instances as SOURCE.md counts them, and names the line of any error."""

from __future__ import annotations

from pathlib import Path

import pytest

from solver.benchmarks.curtois import (
    BOUNDS_SOURCE,
    DIR_ENV_VAR,
    PUBLISHED_BOUNDS,
    CurtoisFormatError,
    curtois_dir,
    instance_path,
    load_benchmark,
    load_instance,
    parse_instance,
)
from tests.solver.benchmarks.helpers import instance_text

# From ../shared/benchmarks/curtois/SOURCE.md (its two tables, transcribed): instance ->
# (days, weeks, employees, shift types, day-off entries, on+off requests, cover lines).
SOURCE_FACTS = {
    1: (14, 2, 8, 1, 8, 26, 14),
    2: (14, 2, 14, 2, 14, 62, 28),
    3: (14, 2, 20, 3, 20, 64, 42),
    4: (28, 4, 10, 2, 20, 71, 56),
    5: (28, 4, 16, 2, 32, 106, 56),
    6: (28, 4, 18, 3, 36, 135, 84),
    7: (28, 4, 20, 3, 40, 168, 84),
    8: (28, 4, 30, 4, 60, 225, 112),
    9: (28, 4, 36, 4, 72, 232, 112),
    10: (28, 4, 40, 5, 80, 284, 140),
    11: (28, 4, 50, 6, 100, 336, 168),
    12: (28, 4, 60, 10, 120, 422, 280),
    13: (28, 4, 120, 18, 240, 841, 504),
    14: (42, 6, 32, 4, 128, 359, 168),
    15: (42, 6, 45, 6, 180, 490, 252),
    16: (56, 8, 20, 3, 120, 280, 168),
    17: (56, 8, 32, 4, 160, 480, 224),
    18: (84, 12, 22, 3, 176, 414, 252),
    19: (84, 12, 40, 5, 320, 834, 420),
    20: (182, 26, 50, 6, 900, 2318, 1092),
    21: (182, 26, 100, 8, 1800, 4702, 1456),
    22: (364, 52, 50, 10, 1800, 4638, 3640),
    23: (364, 52, 100, 16, 3600, 9410, 5824),
    24: (364, 52, 150, 32, 5400, 13809, 11648),
}
# SOURCE.md's bound columns: instance -> (lower bound, best known).
SOURCE_BOUNDS = {
    1: (607, 607),
    2: (828, 828),
    3: (1001, 1001),
    4: (1716, 1716),
    5: (1143, 1143),
    6: (1950, 1950),
    7: (1056, 1056),
    8: (1300, 1300),
    9: (439, 439),
    10: (4631, 4631),
    11: (3443, 3443),
    12: (4040, 4040),
    13: (1348, 1348),
    14: (1278, 1278),
    15: (3828, 3828),
    16: (3225, 3225),
    17: (5746, 5746),
    18: (4459, 4459),
    19: (3149, 3149),
    20: (4769, 4769),
    21: (21133, 21133),
    22: (30241, 30241),
    23: (17285, 17285),
    24: (40438, 40439),
}


@pytest.mark.parametrize("number", sorted(SOURCE_FACTS))
def test_every_instance_parses_with_the_counts_of_source_md(benchmark, number):
    inst = benchmark(number)
    counted = (
        inst.days,
        inst.weeks,
        len(inst.staff),
        len(inst.shifts),
        inst.day_off_entries,
        inst.request_count,
        len(inst.cover),
    )
    assert counted == SOURCE_FACTS[number]
    assert inst.name == f"Instance{number}"


def test_source_md_facts_hold_in_every_file(benchmark):
    """Cover weights are 100 / 1, request weights 1–3, each (day, shift) has one cover line."""
    for number in SOURCE_FACTS:
        inst = benchmark(number)
        assert {(c.weight_under, c.weight_over) for c in inst.cover} == {(100, 1)}
        weights = {r.weight for r in inst.shift_on_requests + inst.shift_off_requests}
        assert weights <= {1, 2, 3}
        assert len(inst.cover) == inst.days * len(inst.shifts)


def test_instance24_details(benchmark):
    inst = benchmark(24)
    a4 = inst.shift("a4")
    assert a4.minutes == 720
    assert "d8" in a4.forbidden_next and "a1" in a4.forbidden_next
    staff = inst.staff[0]
    assert all(staff.max_shifts_of(s.id) is not None for s in inst.shifts)


def test_instance1_staff_reads_every_field(benchmark):
    inst = benchmark(1)
    a = inst.staff[0]
    assert (a.id, a.max_shifts, a.max_total_minutes, a.min_total_minutes) == (
        "A",
        (("D", 14),),
        4320,
        3360,
    )
    assert (a.max_consecutive_shifts, a.min_consecutive_shifts) == (5, 2)
    assert (a.min_consecutive_days_off, a.max_weekends) == (2, 1)
    assert inst.fixed_days_off("A") == frozenset({0})
    assert inst.shift_on_requests[0].employee_id == "A"
    assert (inst.shift_on_requests[0].day, inst.shift_on_requests[0].weight) == (2, 2)
    assert inst.cover[1].requirement == 7


def test_published_bounds_match_source_md():
    assert {n: (b.lower_bound, b.best_known) for n, b in PUBLISHED_BOUNDS.items()} == SOURCE_BOUNDS
    assert all(PUBLISHED_BOUNDS[n].proven_optimal for n in range(1, 24))
    assert not PUBLISHED_BOUNDS[24].proven_optimal
    assert "best_known.csv" in BOUNDS_SOURCE


def test_crlf_and_comments_read_like_lf():
    text = instance_text(cover="0,E,1,100,1\n# a comment between lines\n1,L,2,100,1")
    assert parse_instance(text.replace("\n", "\r\n")) == parse_instance(text)


def test_successors_may_name_later_shifts():
    inst = parse_instance(instance_text(shifts="L,600,E\nE,480,"))
    assert inst.shift("L").forbidden_next == frozenset({"E"})


def test_folder_defaults_next_to_the_repository_and_env_var_overrides(monkeypatch, tmp_path):
    monkeypatch.delenv(DIR_ENV_VAR, raising=False)
    repo = Path(__file__).resolve().parents[3]
    assert curtois_dir() == repo.parent / "shared" / "benchmarks" / "curtois"
    (tmp_path / "Instance3.txt").write_text(instance_text(days=7))
    monkeypatch.setenv(DIR_ENV_VAR, str(tmp_path))
    assert curtois_dir() == tmp_path
    assert instance_path(3) == tmp_path / "Instance3.txt"
    inst = load_benchmark(3)
    assert (inst.name, inst.days) == ("Instance3", 7)
    with pytest.raises(ValueError, match="instances 1 to 24"):
        instance_path(25)


def _replace(old: str, new: str) -> str:
    text = instance_text(
        staff="A,E=14|L=14,4320,0,5,1,1,2",
        days_off="A,3",
        on="A,2,E,2",
        off="A,4,L,1",
        cover="0,E,1,100,1\n0,L,1,100,1",
    )
    assert old in text
    return text.replace(old, new, 1)


def _line_of(text: str, fragment: str) -> int:
    return next(n for n, ln in enumerate(text.split("\n"), start=1) if fragment in ln)


MALFORMED = [
    # (old text, new text, fragment on the bad line, reason)
    ("\n14\n", "\nfourteen\n", "fourteen", "must be an integer"),
    ("\n14\n", "\n10\n", "10", "whole number of weeks"),
    ("L,600,E", "L,600,X", "L,600,X", "unknown successor 'X'"),
    ("L,600,E", "L,-5,E", "L,-5,E", "at least 1"),
    ("L,600,E", "E,600,", "E,600,", "defined twice"),
    ("A,E=14|L=14,4320,0,5,1,1,2", "A,E=14|L=14,4320,0,5,1,1", "A,E=14", "needs 8"),
    ("A,E=14|L=14", "A,E=14|N=14", "A,E=14|N", "unknown shift 'N'"),
    ("A,E=14|L=14", "A,E14|L=14", "A,E14", "not ShiftID=n"),
    ("A,3\n", "B,3\n", "B,3", "unknown employee 'B'"),
    ("A,3\n", "A,14\n", "A,14", "outside the horizon"),
    ("A,2,E,2", "A,2,E,two", "A,2,E,two", "weight must be an integer"),
    ("A,4,L,1", "A,4,N,1", "A,4,N,1", "unknown shift 'N'"),
    ("0,L,1,100,1", "0,E,2,100,1", "0,E,2,100,1", "given twice"),
    ("0,L,1,100,1", "0,L,1,100", "0,L,1,100", "needs 5"),
    ("SECTION_COVER", "SECTION_COVERS", "SECTION_COVERS", "unknown section"),
    ("# hand-made", "oops", "oops", "before the first SECTION_"),
]


@pytest.mark.parametrize(("old", "new", "fragment", "reason"), MALFORMED)
def test_malformed_input_names_the_line_and_the_reason(old, new, fragment, reason):
    text = _replace(old, new)
    with pytest.raises(CurtoisFormatError) as caught:
        parse_instance(text, source="bad.txt")
    error = caught.value
    assert reason in error.reason
    assert error.line == _line_of(text, fragment)
    assert str(error).startswith(f"bad.txt:{error.line}: ")


def test_missing_section_is_named():
    text = instance_text()
    staff = "SECTION_STAFF\nA,E=99|L=99,100000,0,99,1,1,99\n"
    assert staff in text
    with pytest.raises(CurtoisFormatError, match="missing section SECTION_STAFF") as caught:
        parse_instance(text.replace(staff, ""))
    assert caught.value.line is None


def test_a_file_error_names_the_file(tmp_path):
    path = tmp_path / "Broken.txt"
    path.write_bytes(_replace("L,600,E", "L,6x0,E").replace("\n", "\r\n").encode())
    with pytest.raises(CurtoisFormatError, match=r"^Broken\.txt:\d+: the length of shift 'L'"):
        load_instance(path)
