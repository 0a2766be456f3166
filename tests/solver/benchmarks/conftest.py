"""The benchmark folder lives outside the repository: tests that need it skip without it."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pytest

from solver.benchmarks.curtois import Instance, load_benchmark
from tests.solver.helpers import skip_without_benchmark


@pytest.fixture
def benchmark() -> Callable[[int], Instance]:
    """Load instance n; skip when the shared benchmark folder is not there (it lives in
    ``../shared/benchmarks/curtois`` or ``$PARTAGE_CURTOIS_DIR``, not in the repository)."""
    skip_without_benchmark()
    return _cached_load


@cache
def _cached_load(number: int) -> Instance:
    # Instances are frozen, so one parse per test session serves every test (the year-long
    # ones take a few tenths of a second each).
    return load_benchmark(number)
