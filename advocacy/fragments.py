"""Rendered HTML kept in the cache under a key that names everything it depends on.

Shared by the pages that render the same figures or rows for many people (the KPI figures, the
ticket list's rows): the key carries a version that moves when the data does, so a stale copy is
never served, and the TTL only bounds memory.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe


def fragment(key: str | None, build: Callable[[], str], *, ttl: int) -> SafeString:
    """`build()`'s HTML (one of our templates' output: every value escaped by it), from the cache
    under `key` when it is there; `key=None` builds every time."""
    html = cache.get(key) if key is not None else None
    if html is None:
        html = build()
        if key is not None:
            cache.set(key, html, ttl)
    return mark_safe(html)  # noqa: S308 -- our templates' output, every value escaped by them
