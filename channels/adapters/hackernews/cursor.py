"""What a Hacker News channel remembers between polls (`Channel.cursor`).

    {"version": 2, "created_at_i": 1769038182,
     "keywords": {"gitlab": {"from": 1769037882, "seen": {"46712345": 1769038182, ...}}}}

Per keyword, ``from`` is the lower bound (inclusive) of the next search: every hit created before it has been
handed over. ``seen`` holds the ids handed over that were created at or after ``from``, with their creation
second, so hits that share a second with the bound, or that the overlap reads again, are handed over once.
``created_at_i`` is the newest creation second handed over, on any keyword (for people and the poll page).

A version 1 cursor (``{"created_at_i": T, "recent_ids": [...]}``) reads as ``from = T - overlap`` with its ids
seen at ``T`` for every keyword.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from channels import clean

from ..poll.stored import newest

SEEN_LIMIT = 5000  # ids per keyword; beyond it the oldest are forgotten (a re-read is then a duplicate)


@dataclass
class KeywordState:
    start: int  # "from": the next search's lower bound
    seen: dict[str, int] = field(default_factory=dict)

    def prune(self) -> None:
        self.seen = newest({k: v for k, v in self.seen.items() if v >= self.start}, SEEN_LIMIT)

    def advance(self, start: int) -> None:
        """Move the lower bound up (never down) and forget ids below it."""
        if start > self.start:
            self.start = start
            self.prune()


@dataclass
class Cursor:
    """Hand-written: its keywords are read for those configured now, a version-1 cursor migrated on the way."""

    newest: int | None
    keywords: dict[str, KeywordState]

    @classmethod
    def load(cls, raw: Any, *, keywords: list[str], overlap: int, now: int, backfill_hours: int) -> Cursor:
        raw = clean.mapping(raw)
        newest = clean.whole(raw.get("created_at_i"), minimum=0)
        stored = clean.mapping(raw.get("keywords"))
        legacy_ids = clean.strings(raw.get("recent_ids"))
        states: dict[str, KeywordState] = {}
        for keyword in keywords:
            state = clean.mapping(stored.get(keyword))
            start = clean.whole(state.get("from"), minimum=0)
            if start is not None:
                seen = {
                    clean.ident(k): clean.whole(v, minimum=0) or start
                    for k, v in clean.mapping(state.get("seen")).items()
                    if clean.ident(k)
                }
                states[keyword] = KeywordState(start=start, seen=seen)
            elif newest is not None and "keywords" not in raw:  # version 1
                states[keyword] = KeywordState(start=max(0, newest - overlap), seen=dict.fromkeys(legacy_ids, newest))
            else:  # a new keyword: its own backfill
                states[keyword] = KeywordState(start=max(0, now - backfill_hours * 3600))
            states[keyword].prune()
        return cls(newest=newest, keywords=states)

    def handed(self, created: int | None) -> None:
        if created is not None and (self.newest is None or created > self.newest):
            self.newest = created

    def dump(self) -> dict[str, Any]:
        return {
            "version": 2,
            "created_at_i": self.newest,
            "keywords": {
                keyword: {"from": state.start, "seen": newest(state.seen, SEEN_LIMIT)}
                for keyword, state in self.keywords.items()
            },
        }

    def seen_anywhere(self, object_id: str) -> bool:
        return any(object_id in state.seen for state in self.keywords.values())
