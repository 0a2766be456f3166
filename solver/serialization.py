"""JSON-ready plain dicts to and from the solver's types (Problem, Roster, SolveResult).

One generic converter driven by the dataclasses' type hints: tuples become lists, enums their
values, and missing keys take the dataclass defaults, so files stay short and forward-friendly.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin

from solver.problem import Problem
from solver.roster import Roster, SolveResult

T = TypeVar("T")


def to_dict(obj: Any) -> Any:
    """A dataclass (or nested value) as plain JSON-ready data."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, tuple | list):
        return [to_dict(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): to_dict(v) for k, v in obj.items()}
    return obj


def from_dict(cls: type[T], data: Any) -> T:
    """Build ``cls`` (a dataclass) from plain data written by ``to_dict`` (or by hand)."""
    return _convert(cls, data)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(tp: Any, data: Any) -> Any:
    if tp is Any:
        return data
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if data is None:
            return None
        return _convert(args[0], data)
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v) for v in data)
        return tuple(_convert(a, v) for a, v in zip(args, data, strict=True))
    if origin is list:
        return [_convert(get_args(tp)[0], v) for v in data]
    if origin is dict:
        key_t, val_t = get_args(tp)
        return {_convert(key_t, k): _convert(val_t, v) for k, v in data.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            raise TypeError(f"{tp.__name__} expects an object, got {type(data).__name__}")
        hints = _hints(tp)
        names = {f.name for f in dataclasses.fields(tp) if f.init}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"{tp.__name__}: unknown fields {sorted(unknown)}")
        return tp(**{k: _convert(hints[k], v) for k, v in data.items()})
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(data)
    if tp is float and isinstance(data, int):
        return float(data)
    return data


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    return to_dict(problem)


def problem_from_dict(data: dict[str, Any]) -> Problem:
    return from_dict(Problem, data)


def roster_to_dict(roster: Roster) -> dict[str, Any]:
    return to_dict(roster)


def roster_from_dict(data: dict[str, Any]) -> Roster:
    return from_dict(Roster, data)


def result_to_dict(result: SolveResult) -> dict[str, Any]:
    return to_dict(result)


def result_from_dict(data: dict[str, Any]) -> SolveResult:
    return from_dict(SolveResult, data)
