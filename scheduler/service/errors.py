"""Errors command handlers raise; entrypoints translate them (HTTP 404/409/422, exit 2)."""

from __future__ import annotations

from scheduler.scenario.validation import FieldError, InvalidInput

__all__ = ["FieldError", "InvalidInput", "NotFound", "VersionConflict"]


class NotFound(LookupError):
    """The object does not exist, or is not visible to whoever asked (same answer)."""

    def __init__(self, kind: str, ident: str) -> None:
        self.kind = kind
        self.ident = ident
        super().__init__(f"no {kind} {ident!r}")


class VersionConflict(Exception):
    """The change was based on a version that is no longer the current one."""

    def __init__(self, kind: str, ident: str, expected: int, current: int) -> None:
        self.kind = kind
        self.ident = ident
        self.expected = expected
        self.current = current
        super().__init__(
            f"{kind} {ident!r} is at version {current}, the change was based on {expected}"
        )
