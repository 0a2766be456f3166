"""Small in-process caches for the hot read path (an employee checking their week).

Published rosters never change once published: their assignments are cached by version and
viewer, for a bounded time so that a renamed member or site shows within ``ttl_seconds``; which
version is the latest is always read from the database, so a new publication shows at once.
Verified API keys are cached for a few seconds (see ``api.deps``).
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

    def get(self, key: object) -> Value | None:
        with self._lock:
            hit = self._entries.get(key)
            if hit is None or time.monotonic() - hit[0] >= self.ttl_seconds:
                return None
            self._entries.move_to_end(key)
            return hit[1]

    def put(self, key: object, value: Value) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

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
