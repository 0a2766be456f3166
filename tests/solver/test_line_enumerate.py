"""Every line within a cost limit (solver.line_enumerate), against brute force.

The lines of a short horizon are enumerated one by one and judged by the rules written out in
``test_line_dp``; the listing must hold exactly those that keep every rule and cost no more
than the limit, each once.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from solver.line_enumerate import cheapest_cost, lines_within
from tests.solver.helpers import examples
from tests.solver.test_line_dp import (
    cheapest,
    cost_of,
    keeps_rules,
    one_type,
    specs,
    weekend_specs,
)

SETTINGS = examples(150)


def all_lines_within(spec, option_cost, off_cost, limit: float) -> set[tuple[int, ...]]:
    choices = [[-1, *range(spec.day_start[d], spec.day_start[d + 1])] for d in range(spec.days)]
    return {
        line
        for line in itertools.product(*choices)
        if keeps_rules(spec, list(line)) and cost_of(list(line), option_cost, off_cost) <= limit
    }


def listed(spec, option_cost, off_cost, limit: float) -> list[tuple[int, ...]]:
    found = lines_within(spec, option_cost, off_cost, limit, max_lines=100_000)
    assert found is not None
    return [tuple(int(o) for o in line) for line in found]


def assert_listing_exact(case, slack: int) -> None:
    spec, option_cost, off_cost = case
    every = all_lines_within(spec, option_cost, off_cost, np.inf)
    if not every:
        assert listed(spec, option_cost, off_cost, 1e9) == []
        return
    best = min(cost_of(list(line), option_cost, off_cost) for line in every)
    limit = best + slack
    want = {line for line in every if cost_of(list(line), option_cost, off_cost) <= limit}
    got = listed(spec, option_cost, off_cost, limit)
    assert len(got) == len(set(got))
    assert set(got) == want


@SETTINGS
@given(specs(counted=True), st.sampled_from([0, 1, 3, 1000]))
def test_every_line_within_the_limit_is_listed_once_and_no_other(case, slack) -> None:
    assert_listing_exact(case, slack)


@SETTINGS
@given(weekend_specs(), st.sampled_from([0, 2, 1000]))
def test_weekends_limited_lines_are_listed_exactly(case, slack) -> None:
    assert_listing_exact(case, slack)


def test_a_listing_larger_than_allowed_gives_none() -> None:
    spec = one_type([0, 1, 2, 3, 4, 5, 6])
    zero = np.zeros(6)
    assert lines_within(spec, zero, zero, 0.0, max_lines=64) is not None
    assert lines_within(spec, zero, zero, 0.0, max_lines=63) is None


@SETTINGS
@given(st.one_of(specs(counted=True), weekend_specs()))
def test_the_cheapest_cost_is_the_cheapest_line_s_with_every_count_kept(case) -> None:
    spec, option_cost, off_cost = case
    best = cheapest(spec, option_cost, off_cost)
    found = cheapest_cost(spec, option_cost, off_cost)
    assert found == (math.inf if best is None else pytest.approx(best))
