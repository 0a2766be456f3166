"""Scenario files: one JSON document holding a territory's groups over one or more weeks."""

from scheduler.scenario.schema import Scenario

__all__ = ["Scenario"]
