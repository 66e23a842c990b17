"""What a Bluesky channel remembers between polls (`Channel.cursor`)::

    {"streams": {"search:gitlab": {"mark": 1748026106.6, "polled_at": 1748026200.0,
                                   "resume": {"floor": 1748020000.0, "until": "2026-05-23T18:00:00.001Z"}},
                 "notifications": {"mark": ..., "polled_at": ..., "resume": {"floor": ..., "cursor": "2026-..."}}},
     "seen": {"at://did:plc:.../app.bsky.feed.post/3mmk5jg4f4i2j": 1748026106, ...}}

Each stream keeps its own high-water mark (the newest item's time), and `resume` while a walk cut short by the
request budget has a backlog left: the notifications' own paging cursor, or for a search the time to read
`until`. `seen` maps the AT URIs recently handed over to their time, so an item read again in the overlap is
dropped; it keeps only what the next floors can still reach, at most SEEN_LIMIT.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from channels import clean

from ..poll.stored import token
from ..poll.walks import MarkedCursor, configured, marked_states
from .paging import Stream
from .parse import post_uri

SEEN_LIMIT = 2000
_EPOCH_MAX = 2**40


def _point(resume: dict[str, Any]) -> dict[str, Any]:
    """Where a cut-short walk goes on: the notifications' own cursor, or the time a search reads `until`."""
    return {k: v for k in ("cursor", "until") if (v := token(resume.get(k), max_length=200))}


def load_states(raw: Any) -> dict[str, dict[str, Any]]:
    """The streams' states, each with a usable mark, poll time and resume (or without them)."""
    return marked_states(raw, "mark", _point)


def load_seen(raw: Any) -> dict[str, int]:
    seen: dict[str, int] = {}
    for uri, moment in clean.mapping(clean.mapping(raw).get("seen")).items():
        when = clean.whole(moment, minimum=0, maximum=_EPOCH_MAX)
        if when is not None and post_uri(uri):
            seen[uri] = when
    return seen


def cursor_of(raw: Any, streams: Sequence[Stream], *, overlap: int) -> MarkedCursor:
    """What the channel remembered, for the streams configured now."""
    states = configured(load_states(raw), streams)
    return MarkedCursor(states, load_seen(raw), mark_key="mark", overlap=overlap, limit=SEEN_LIMIT)
