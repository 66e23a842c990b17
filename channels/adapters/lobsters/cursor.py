"""What a Lobsters channel remembers between polls (`Channel.cursor`)::

    {"version": 1,
     "streams": {"newest": {"created_at": 1739475054, "polled_at": 1739475100.0},
                 "t/vcs": {"created_at": 1739475054, "polled_at": 1739475100.0,
                           "resume": {"floor": 1739400000, "page": 3}}},
     "seen": {"f9zeee": 1739475054},
     "stories": {"f9zeee": {"until": 1739734300, "read": 1739475100, "count": 9, "comments": {"ncdsfc": 1658516676}}}}

``streams`` holds each listing's `MarkedWalk` state (channels.adapters.poll.walks): its mark (the newest story's
creation second handed over), and where a walk cut short goes on. ``seen`` is the stories handed over that a later
walk can still meet. ``stories`` is the matched stories whose comments are read: until when, when last read, the
comment count then (a listing showing the same count spares a read), and the comments handed over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from channels import clean

from ..poll.stored import newest, stamps
from ..poll.walks import marked_states

SEEN_LIMIT = 5000  # stories remembered; beyond it the oldest are forgotten (a re-read is a duplicate the ingest drops)
WATCHED_LIMIT = 200  # stories whose comments are read; the ones watched longest are dropped first
COMMENTS_LIMIT = 2000  # comments remembered per story


@dataclass
class Watched:
    until: int
    read: int = 0
    count: int = -1  # the comment count at the last read; -1 before the first
    comments: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, raw: Any) -> Watched | None:
        raw = clean.mapping(raw)
        until = clean.whole(raw.get("until"), minimum=0)
        if until is None:
            return None
        count = clean.whole(raw.get("count"), minimum=-1)
        return cls(
            until=until,
            read=clean.whole(raw.get("read"), minimum=0) or 0,
            count=-1 if count is None else count,
            comments=stamps(raw.get("comments")),
        )

    def dump(self) -> dict[str, Any]:
        comments = newest(self.comments, COMMENTS_LIMIT)
        return {"until": self.until, "read": self.read, "count": self.count, "comments": comments}


def _page(resume: dict[str, Any]) -> dict[str, Any]:
    """Where a cut-short walk goes on: the listing's page."""
    page = clean.whole(resume.get("page"), minimum=1, maximum=10_000)
    return {"page": page} if page is not None else {}


@dataclass
class Cursor:
    streams: dict[str, dict[str, Any]] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)
    stories: dict[str, Watched] = field(default_factory=dict)

    @classmethod
    def load(cls, raw: Any) -> Cursor:
        raw = clean.mapping(raw)
        stories = {clean.ident(k): Watched.load(v) for k, v in clean.mapping(raw.get("stories")).items()}
        return cls(
            streams=marked_states(raw, "created_at", _page),
            seen=stamps(raw.get("seen")),
            stories={k: v for k, v in stories.items() if k and v is not None},
        )

    def dump(self, *, now: int) -> dict[str, Any]:
        live = sorted(((k, w) for k, w in self.stories.items() if w.until > now), key=lambda kv: (kv[1].until, kv[0]))
        return {
            "version": 1,
            "streams": self.streams,
            "seen": self.seen,
            "stories": {k: w.dump() for k, w in live[-WATCHED_LIMIT:]},
        }
