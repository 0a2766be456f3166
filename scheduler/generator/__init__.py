"""Realistic scenario files at the sizes of DESIGN §5: ``generate(size, seed)``."""

from scheduler.generator.build import (
    DEFAULT_FIRST_WEEK,
    generate,
    generate_scenario_json,
    scenario_json,
    write_scenario,
)
from scheduler.generator.sizes import SIZES, Size
from scheduler.generator.stats import ScenarioStats, scenario_stats

__all__ = [
    "DEFAULT_FIRST_WEEK",
    "SIZES",
    "ScenarioStats",
    "Size",
    "generate",
    "generate_scenario_json",
    "scenario_json",
    "scenario_stats",
    "write_scenario",
]
