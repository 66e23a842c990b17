"""What a Disqus channel remembers between polls (`Channel.cursor`)::

    {"version": 1, "since": 1304743410,
     "seen": {"199088808": [1304743410, "3f2a9c0d1e4b"]},
     "walk": {"since": 1304742810, "next": "1304739587938416:1:0"}}

``since`` is the newest ``createdAt`` read (epoch seconds). ``seen`` holds the posts handed over inside the
overlap window, with their time and a signature of their state (text, deleted), so a re-read post is dropped
unless it changed. ``walk`` is present while a listing is read in several polls: the query's ``since`` and
Disqus's ``cursor.next`` of the page to read next, so the next poll goes on where this one stopped."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from channels import clean

SEEN_LIMIT = 2000
_EPOCH_MAX = 2**40


def _epoch(value: Any) -> int | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    return value if 0 <= value < _EPOCH_MAX else None


@dataclass(frozen=True)
class Resume:
    since: int  # the `since` the walk's query is sent with
    next: str  # Disqus's `cursor.next`: the page to read next


@dataclass
class Cursor:
    since: int | None = None
    seen: dict[str, tuple[int, str]] = field(default_factory=dict)  # post id -> (created, signature)
    walk: Resume | None = None

    @classmethod
    def load(cls, raw: Any) -> Cursor:
        """Tolerant: a missing or damaged cursor starts again from the backfill window (the ingest service
        drops what it already has); a damaged walk starts again from `since`."""
        if not isinstance(raw, dict):
            return cls()
        seen: dict[str, tuple[int, str]] = {}
        for post_id, value in clean.mapping(raw.get("seen")).items():
            ident = clean.ident(post_id)
            if not ident or not isinstance(value, list) or len(value) != 2:
                continue
            stamp, signature = _epoch(value[0]), value[1]
            if stamp is not None and isinstance(signature, str) and len(signature) <= 64:
                seen[ident] = (stamp, signature)
        walk_raw = clean.mapping(raw.get("walk"))
        walk_since, walk_next = _epoch(walk_raw.get("since")), clean.line(walk_raw.get("next"), max_length=201)
        walk = Resume(walk_since, walk_next) if walk_since is not None and 0 < len(walk_next) <= 200 else None
        return cls(since=_epoch(raw.get("since")), seen=seen, walk=walk)

    def prune(self, overlap: int) -> None:
        """Keeps what the next poll can still read again (created at or after `since - overlap`), newest first."""
        floor = (self.since or 0) - overlap
        kept = sorted(((k, v) for k, v in self.seen.items() if v[0] >= floor), key=lambda kv: (-kv[1][0], kv[0]))
        self.seen = dict(kept[:SEEN_LIMIT])

    def dump(self) -> dict[str, Any]:
        dumped: dict[str, Any] = {
            "version": 1,
            "since": self.since,
            "seen": {k: [t, sig] for k, (t, sig) in self.seen.items()},
        }
        if self.walk is not None:
            dumped["walk"] = {"since": self.walk.since, "next": self.walk.next}
        return dumped
