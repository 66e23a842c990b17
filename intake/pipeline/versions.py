"""Versions of one item. Where a platform gives each version of an item its own number that grows with each
edit (X: an edit is a new post with a later id, stored under the original's id), the ingest keeps the newest:
a page's mentions keep the newest version of each item (`validate`), and a version read after a newer one was
stored (a search index behind the timeline, a backlog walked newest first over several polls, a saved file fed
again) is an older version: it changes nothing (`seen_again`). The adapter names the raw key that holds the
number (`version_key`); a platform without one has its edits compared by text and time as before."""

from __future__ import annotations

from typing import Any

from channels.adapters import get_adapter

# X ids are 64-bit: at most 20 digits. Anything else is no version number and decides nothing.
_MAX_DIGITS = 20


def version_key(kind: str) -> str:
    """The raw key holding the platform's version number of an item, or "" when its versions are not numbered."""
    return get_adapter(kind).version_key


def version_number(value: Any) -> int | None:
    """A version as a whole number: an int, or ASCII digits (X sends its ids as strings); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and 0 < len(value) <= _MAX_DIGITS and value.isascii() and value.isdigit():
        return int(value)
    return None


def older(version: Any, than: Any) -> bool:
    """Whether `version` is an earlier version than `than` (both as the raw key holds them); False when either
    is not a version number, so an item without one is never held back."""
    first, second = version_number(version), version_number(than)
    return first is not None and second is not None and first < second
