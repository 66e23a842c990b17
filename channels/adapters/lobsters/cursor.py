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

from typing import Any

from channels import clean

from ..poll.stored import Reading, Stored, kept, keyed, nested, seconds, whole
from ..poll.walks import marked_states

SEEN_LIMIT = 5000  # stories remembered; beyond it the oldest are forgotten (a re-read is a duplicate the ingest drops)
WATCHED_LIMIT = 200  # stories whose comments are read; the ones watched longest are dropped first
COMMENTS_LIMIT = 2000  # comments remembered per story


class Watched(Stored):
    until: int = kept(whole(minimum=0))
    read: int = kept(whole(minimum=0), default=0)
    count: int = kept(whole(minimum=-1), default=-1)  # the comment count at the last read; -1 before the first
    comments: dict[str, int] = kept(seconds(limit=COMMENTS_LIMIT), default_factory=dict)


def _page(resume: dict[str, Any]) -> dict[str, Any]:
    """Where a cut-short walk goes on: the listing's page."""
    page = clean.whole(resume.get("page"), minimum=1, maximum=10_000)
    return {"page": page} if page is not None else {}


class Cursor(Stored):
    VERSION = 1
    streams: dict[str, dict[str, Any]] = kept(
        Reading(lambda streams: marked_states({"streams": streams}, "created_at", _page)), default_factory=dict
    )
    seen: dict[str, int] = kept(seconds(), default_factory=dict)
    stories: dict[str, Watched] = kept(keyed(nested(Watched)), default_factory=dict)

    def dump(self, *, now: int | None = None) -> dict[str, Any]:
        """The stories still watched at `now` (the poll's second), the WATCHED_LIMIT watched longest."""
        live = sorted(
            ((k, w) for k, w in self.stories.items() if now is None or w.until > now),
            key=lambda kv: (kv[1].until, kv[0]),
        )
        return {**super().dump(), "stories": {k: w.dump() for k, w in live[-WATCHED_LIMIT:]}}
