"""A small in-process cache for published rosters: they never change once published.

Only the assignments of a published version are cached (keyed by version id and viewer), for a
bounded time so that a renamed member or site shows within ``ttl_seconds``; which version is
the latest is always read from the database, so a new publication shows at once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class TimedLRU(Generic[Value]):
    def __init__(self, max_entries: int = 20_000, ttl_seconds: float = 60.0) -> None:
        self.max_entries = max_entries
        self.ttl_seconds = ttl_seconds
        self._entries: OrderedDict[object, tuple[float, Value]] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_load(self, key: object, load: Callable[[], Value]) -> Value:
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and now - hit[0] < self.ttl_seconds:
                self._entries.move_to_end(key)
                return hit[1]
        value = load()
        with self._lock:
            self._entries[key] = (now, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value
