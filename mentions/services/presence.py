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


def presence_touch(
    *, ticket_id: int, user_id: str, name: str, typing: bool = False, leaving: bool = False
) -> list[dict[str, Any]]:
    """Record that the user (by id and name: a live refresh loads no user) has the ticket open (typing or not), or
    has left it; return the others."""
    now = time.time()
    entries = _alive(cache.get(_key(ticket_id)) or {}, now)
    if leaving:
        entries.pop(user_id, None)
    else:
        entries[user_id] = {"name": name, "typing": bool(typing), "until": now + PRESENCE_SECONDS}
    cache.set(_key(ticket_id), entries, PRESENCE_SECONDS)
    return _others(entries, user_id)


def _others(entries: dict[str, Any], uid: str) -> list[dict[str, Any]]:
    return sorted(
        ({"name": e["name"], "typing": e["typing"]} for k, e in entries.items() if k != uid),
        key=lambda e: (not e["typing"], e["name"]),
    )


SESSION_NAME = "desk_presence_name"


def presence_on_refresh(request: Any, view_kwargs: dict, user_id: str) -> dict[str, str]:
    """An open ticket page's live refresh says the page is open (and whether a reply is being
    typed, header X-Desk-Typing) and gets the others back in X-Desk-Others, from the cache
    alone: the name shown is the one the ticket page put in the session when it rendered."""
    import json

    name = request.session.get(SESSION_NAME)
    ticket_id = view_kwargs.get("pk")
    if not name or not isinstance(ticket_id, int):
        return {}
    others = presence_touch(
        ticket_id=ticket_id, user_id=user_id, name=str(name), typing=request.headers.get("X-Desk-Typing") == "1"
    )
    return {"X-Desk-Others": json.dumps(others, ensure_ascii=True)}
