"""What a dev.to channel remembers between polls (`Channel.cursor`).

    {"version": 1,
     "articles": {"since": 1695957736, "seen": {"1615102": 1695957736}, "page": 3, "top": 1695957736},
     "comments": {"1612784": {"m357": 1615137580, "m35m": 1615137580}}}

``articles`` is the walk of ``/api/articles/latest`` (newest first): ``since`` is the publication second below
which every article has been handed over; ``seen`` the ids handed over at or after it. A walk that a poll's budget
or a 429 cut short keeps the ``page`` it goes on from and the newest second it read (``top``): the next poll
resumes there (new articles only push older ones to later pages, so resuming loses none; ``seen`` drops repeats),
and ``since`` moves to ``top`` when the walk reaches it. ``comments`` holds, per followed article, the comment ids
handed over with their creation second: Forem answers an article's whole tree at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from channels import clean

SEEN_LIMIT = 5000  # ids per stream; beyond it the oldest are forgotten (a re-read is then a duplicate the ingest drops)
OVERLAP_SECONDS = 300  # a finished walk's next lower bound sits this far under the newest article it read


def _seen(raw: Any) -> dict[str, int]:
    found = {clean.ident(k): clean.whole(v, minimum=0) for k, v in clean.mapping(raw).items()}
    return {k: v for k, v in found.items() if k and v is not None}


def _newest(seen: dict[str, int]) -> dict[str, int]:
    return dict(sorted(seen.items(), key=lambda kv: (kv[1], kv[0]))[-SEEN_LIMIT:])


@dataclass
class Cursor:
    since: int
    seen: dict[str, int] = field(default_factory=dict)
    page: int | None = None  # the page an unfinished walk goes on from
    top: int | None = None  # the newest second an unfinished walk has read
    comments: dict[str, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def load(cls, raw: Any, *, now: int, backfill_hours: int, articles: list[int]) -> Cursor:
        raw = clean.mapping(raw)
        walk = clean.mapping(raw.get("articles"))
        since = clean.whole(walk.get("since"), minimum=0)
        stored = clean.mapping(raw.get("comments"))
        return cls(
            since=max(0, now - backfill_hours * 3600) if since is None else since,
            seen=_seen(walk.get("seen")),
            page=clean.whole(walk.get("page"), minimum=2, maximum=10_000),
            top=clean.whole(walk.get("top"), minimum=0),
            # An article no longer followed is forgotten; one newly followed starts empty (its comments all new).
            comments={str(a): _seen(stored.get(str(a))) for a in articles},
        )

    def walk_read(self, newest: int | None) -> None:
        if newest is not None and (self.top is None or newest > self.top):
            self.top = newest

    def walk_finished(self) -> None:
        """The walk reached `since`: the next one starts at page 1, from just under the newest article read."""
        if self.top is not None:
            self.since = max(self.since, self.top - OVERLAP_SECONDS)
        self.page, self.top = None, None
        self.seen = _newest({k: v for k, v in self.seen.items() if v >= self.since})

    def dump(self) -> dict[str, Any]:
        walk: dict[str, Any] = {"since": self.since, "seen": _newest(self.seen)}
        if self.page is not None:
            walk.update(page=self.page, top=self.top)
        return {
            "version": 1,
            "articles": walk,
            "comments": {a: _newest(seen) for a, seen in self.comments.items()},
        }
