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

from typing import Any, Self

from channels import clean

from ..poll.stored import Reading, Stored, kept, keyed, nested, newest, whole

SEEN_LIMIT = 5000  # ids per keyword; beyond it the oldest are forgotten (a re-read is then a duplicate)


class KeywordState(Stored):
    start: int = kept(whole(minimum=0), key="from")  # "from": the next search's lower bound
    seen: dict[str, int] = kept(
        Reading(keyed(Reading(lambda at: clean.whole(at, minimum=0) or 0)).read, lambda seen: newest(seen, SEEN_LIMIT)),
        default_factory=dict,
    )

    @classmethod
    def loaded(cls, raw: Any) -> Self | None:
        """An id kept without its second (or with 0) counts as at the bound."""
        state = super().loaded(raw)
        if state is not None:
            state.seen = {k: at or state.start for k, at in state.seen.items()}
        return state

    def prune(self) -> None:
        self.seen = newest({k: v for k, v in self.seen.items() if v >= self.start}, SEEN_LIMIT)

    def advance(self, start: int) -> None:
        """Move the lower bound up (never down) and forget ids below it."""
        if start > self.start:
            self.start = start
            self.prune()


class Cursor(Stored):
    VERSION = 2
    newest: int | None = kept(whole(minimum=0), key="created_at_i", default=None)
    keywords: dict[str, KeywordState] = kept(keyed(nested(KeywordState), key=str), default_factory=dict)

    @classmethod
    def read_back(cls, raw: Any, *, keywords: list[str], overlap: int, now: int, backfill_hours: int) -> Cursor:
        """The states of the keywords configured now."""
        raw = clean.mapping(raw)
        found = cls.cleaned(raw)
        newest, stored = found.get("newest"), found.get("keywords", {})
        legacy_ids = clean.strings(raw.get("recent_ids"))
        states: dict[str, KeywordState] = {}
        for keyword in keywords:
            if keyword in stored:
                states[keyword] = stored[keyword]
            elif newest is not None and "keywords" not in raw:  # version 1
                states[keyword] = KeywordState(start=max(0, newest - overlap), seen=dict.fromkeys(legacy_ids, newest))
            else:  # a new keyword: its own backfill
                states[keyword] = KeywordState(start=max(0, now - backfill_hours * 3600))
            states[keyword].prune()
        return cls(newest=newest, keywords=states)

    def handed(self, created: int | None) -> None:
        if created is not None and (self.newest is None or created > self.newest):
            self.newest = created

    def seen_anywhere(self, object_id: str) -> bool:
        return any(object_id in state.seen for state in self.keywords.values())
