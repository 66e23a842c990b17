"""What a Disqus channel remembers between polls (`Channel.cursor`)::

    {"version": 1, "since": 1304743410,
     "seen": {"199088808": [1304743410, "3f2a9c0d1e4b"]},
     "walk": {"since": 1304742810, "next": "1304739587938416:1:0"}}

``since`` is the newest ``createdAt`` read (epoch seconds). ``seen`` holds the posts handed over inside the
overlap window, with their time and a signature of their state (text, deleted), so a re-read post is dropped
unless it changed. ``walk`` is present while a listing is read in several polls: the query's ``since`` and
Disqus's ``cursor.next`` of the page to read next, so the next poll goes on where this one stopped."""

from __future__ import annotations

from typing import Any

from channels import clean

from ..poll.stored import Reading, Stored, kept, keyed, nested

SEEN_LIMIT = 2000
_EPOCH_MAX = 2**40


def _epoch(value: Any) -> int | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    return value if 0 <= value < _EPOCH_MAX else None


def _seen(value: Any) -> tuple[int, str] | None:
    """A post's (created, signature)."""
    if not isinstance(value, list) or len(value) != 2:
        return None
    stamp, signature = _epoch(value[0]), value[1]
    return (stamp, signature) if stamp is not None and isinstance(signature, str) and len(signature) <= 64 else None


def _next(value: Any) -> str | None:
    found = clean.line(value, max_length=201)
    return found if 0 < len(found) <= 200 else None


class Resume(Stored, frozen=True):
    since: int = kept(Reading(_epoch))  # the `since` the walk's query is sent with
    next: str = kept(Reading(_next))  # Disqus's `cursor.next`: the page to read next


class Cursor(Stored):
    """Tolerant: a missing or damaged cursor starts again from the backfill window (the ingest service drops what it
    already has); a damaged walk starts again from `since`."""

    VERSION = 1
    since: int | None = kept(Reading(_epoch), default=None)
    # post id -> (created, signature)
    seen: dict[str, tuple[int, str]] = kept(keyed(Reading(_seen, list)), default_factory=dict)
    walk: Resume | None = kept(nested(Resume), default=None, optional=True)

    def prune(self, overlap: int) -> None:
        """Keeps what the next poll can still read again (created at or after `since - overlap`), newest first."""
        floor = (self.since or 0) - overlap
        kept = sorted(((k, v) for k, v in self.seen.items() if v[0] >= floor), key=lambda kv: (-kv[1][0], kv[0]))
        self.seen = dict(kept[:SEEN_LIMIT])
