"""Counters in the cache shared by every process (Redis; the file cache on the embedded default)."""

from __future__ import annotations

from django.core.cache import cache


def window_count(key: str, *, timeout: int) -> int:
    """Count one in the cache counter `key` and return the count so far; the counter lives `timeout`
    seconds from its first count (a fixed window)."""
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1
