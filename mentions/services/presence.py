"""Who else has a ticket open, and who is typing a reply: kept in the cache with a short expiry
and refreshed by the open page every few seconds, so a closed tab disappears by itself.

One cache entry per ticket maps user ids to their state. Two pages refreshing at the same
instant can overwrite each other's entry; the next refresh (seconds later) restores it, which
is good enough for a hint and needs nothing beyond Django's cache API.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

PRESENCE_SECONDS = 30  # a page refreshes every 10 s; three missed refreshes and it is gone


def refresh_seconds() -> int:
    """How often an open ticket page says it is still open (DESK_PRESENCE_REFRESH_SECONDS)."""
    return settings.DESK_PRESENCE_REFRESH_SECONDS


def _key(ticket_id: int) -> str:
    return f"desk:presence:{ticket_id}"


def _alive(entries: dict[str, Any], now: float) -> dict[str, Any]:
    return {uid: e for uid, e in entries.items() if isinstance(e, dict) and e.get("until", 0) > now}


def presence_touch(*, ticket_id: int, user: Any, typing: bool = False, leaving: bool = False) -> list[dict[str, Any]]:
    """Record that `user` has the ticket open (typing or not), or has left it; return the others."""
    now = time.time()
    entries = _alive(cache.get(_key(ticket_id)) or {}, now)
    uid = str(user.pk)
    if leaving:
        entries.pop(uid, None)
    else:
        entries[uid] = {"name": user.get_username(), "typing": bool(typing), "until": now + PRESENCE_SECONDS}
    cache.set(_key(ticket_id), entries, PRESENCE_SECONDS)
    return _others(entries, uid)


def presence_others(*, ticket_id: int, user: Any) -> list[dict[str, Any]]:
    """The others who have the ticket open, for the page's first render."""
    return _others(_alive(cache.get(_key(ticket_id)) or {}, time.time()), str(user.pk))


def _others(entries: dict[str, Any], uid: str) -> list[dict[str, Any]]:
    return sorted(
        ({"name": e["name"], "typing": e["typing"]} for k, e in entries.items() if k != uid),
        key=lambda e: (not e["typing"], e["name"]),
    )
