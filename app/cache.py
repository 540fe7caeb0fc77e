"""Small in-memory caches with a size limit, safe across a worker's threads.

Each gunicorn worker keeps its own; they only spare the database repeated work (a council
evening's 300 phones asking the same thing). A key that comes from a URL can never make one
grow past its limit: the least recently used entry goes first.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any

from cachetools import LRUCache, TTLCache

_MISSING = object()
_ALL: weakref.WeakSet[BoundedCache] = weakref.WeakSet()


class BoundedCache:
    """At most ``maxsize`` entries; with ``ttl`` (seconds) an entry is also forgotten that long
    after it was stored."""

    def __init__(self, maxsize: int, ttl: float | None = None, timer: Callable[[], float] = time.monotonic):
        self._entries: LRUCache = TTLCache(maxsize, ttl, timer) if ttl is not None else LRUCache(maxsize)
        self._lock = Lock()
        _ALL.add(self)

    @property
    def maxsize(self) -> int:
        return int(self._entries.maxsize)

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            value = self._entries.get(key, _MISSING)
        return default if value is _MISSING else value

    def set(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = value

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            if isinstance(self._entries, TTLCache):
                self._entries.expire()
            return len(self._entries)


def clear_all() -> None:
    """Empty every cache of this process (tests start each one with a database of their own)."""
    for cache in list(_ALL):
        cache.clear()
