"""What a dev.to channel remembers between polls (`Channel.cursor`).

    {"version": 1,
     "articles": {"since": 1695957736, "seen": {"1615102": 1695957736}, "page": 3, "top": 1695957736},
     "followed": {"1615102": {"taken": 1695957800, "read": 1695958000}},
     "comments": {"1612784": {"m357": 1615137580, "m35m": 1615137580}}}

``articles`` is the walk of ``/api/articles/latest`` (newest first): ``since`` is the publication second below
which every article has been handed over; ``seen`` the ids handed over at or after it. A walk that a poll's budget
or a 429 cut short keeps the ``page`` it goes on from and the newest second it read (``top``): the next poll
resumes there (new articles only push older ones to later pages, so resuming loses none; ``seen`` drops repeats),
and ``since`` moves to ``top`` when the walk reaches it. ``comments`` holds, per followed article, the comment ids
handed over with their creation second: Forem answers an article's whole tree at once.

``followed`` holds the articles the walk took in, each with the second it was taken in and the second its comments
were last read: their comments are read for ``follow_days`` after ``taken``, then the article is forgotten with its
comment ids (as is one dev.to answers with a 404). A channel's hand-listed ``articles`` are followed as long as they
are listed; their ids are not kept here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from channels import clean

from ..poll.stored import Stored, kept, newest, stamps, whole

SEEN_LIMIT = 5000  # ids per stream; beyond it the oldest are forgotten (a re-read is then a duplicate the ingest drops)
OVERLAP_SECONDS = 300  # a finished walk's next lower bound sits this far under the newest article it read
FOLLOWED_LIMIT = 500  # articles taken in whose comments are read; beyond it those taken in first are forgotten
DAY = 86_400


class Followed(Stored):
    taken: int = kept(whole(minimum=0))  # when the walk took the article in
    read: int = kept(whole(minimum=0), default=0)  # when its comments were last read (0: not yet)


def _followed(raw: Any, *, until: int) -> dict[str, Followed]:
    """The followed articles taken in after `until`, the FOLLOWED_LIMIT taken in last."""
    loaded = ((clean.ident(k), Followed.loaded(v)) for k, v in clean.mapping(raw).items())
    return _taken_last({k: f for k, f in loaded if k and f is not None and f.taken > until})


def _taken_last(followed: dict[str, Followed]) -> dict[str, Followed]:
    """The FOLLOWED_LIMIT articles taken in last."""
    return dict(sorted(followed.items(), key=lambda kv: (kv[1].taken, kv[0]))[-FOLLOWED_LIMIT:])


@dataclass
class Cursor:
    """Hand-written: its walk's fields are kept nested under "articles" (page and top together), its maps read for the
    articles followed now."""

    since: int
    seen: dict[str, int] = field(default_factory=dict)
    page: int | None = None  # the page an unfinished walk goes on from
    top: int | None = None  # the newest second an unfinished walk has read
    comments: dict[str, dict[str, int]] = field(default_factory=dict)
    followed: dict[str, Followed] = field(default_factory=dict)
    now: int = 0  # this poll's second: when an article is taken in, or its comments read

    @classmethod
    def load(cls, raw: Any, *, now: int, backfill_hours: int, articles: list[int], follow_days: int = 0) -> Cursor:
        raw = clean.mapping(raw)
        walk = clean.mapping(raw.get("articles"))
        since = clean.whole(walk.get("since"), minimum=0)
        stored = clean.mapping(raw.get("comments"))
        followed = _followed(raw.get("followed"), until=now - follow_days * DAY)
        return cls(
            since=max(0, now - backfill_hours * 3600) if since is None else since,
            seen=stamps(walk.get("seen")),
            page=clean.whole(walk.get("page"), minimum=2, maximum=10_000),
            top=clean.whole(walk.get("top"), minimum=0),
            # An article no longer followed is forgotten; one newly followed starts empty (its comments all new).
            comments={a: stamps(stored.get(a)) for a in dict.fromkeys([*map(str, articles), *followed])},
            followed=followed,
            now=now,
        )

    def follow(self, article: str) -> None:
        """Read the comments of `article`, taken in now, from the next poll on."""
        if article not in self.followed:
            self.followed[article] = Followed(taken=self.now)

    def due(self, limit: int, *, besides: list[int]) -> list[int]:
        """The `limit` followed articles whose comments were read longest ago (never read first), leaving out the
        hand-listed ones (`besides`: read every poll already)."""
        listed = {str(a) for a in besides}
        waiting = sorted((f.read, f.taken, k) for k, f in self.followed.items() if k not in listed and k.isdigit())
        return [int(k) for _read, _taken, k in waiting[: max(0, limit)]]

    def comments_read(self, article: int) -> None:
        if (followed := self.followed.get(str(article))) is not None:
            followed.read = self.now

    def forget(self, article: int) -> bool:
        """An article gone from dev.to: its comments are no longer read (a hand-listed one's are until it is
        unlisted). Whether it was one the walk took in."""
        self.comments.pop(str(article), None)
        return self.followed.pop(str(article), None) is not None

    def walk_read(self, newest: int | None) -> None:
        if newest is not None and (self.top is None or newest > self.top):
            self.top = newest

    def walk_finished(self) -> None:
        """The walk reached `since`: the next one starts at page 1, from just under the newest article read."""
        if self.top is not None:
            self.since = max(self.since, self.top - OVERLAP_SECONDS)
        self.page, self.top = None, None
        self.seen = newest({k: v for k, v in self.seen.items() if v >= self.since}, SEEN_LIMIT)

    def dump(self) -> dict[str, Any]:
        walk: dict[str, Any] = {"since": self.since, "seen": newest(self.seen, SEEN_LIMIT)}
        if self.page is not None:
            walk.update(page=self.page, top=self.top)
        return {
            "version": 1,
            "articles": walk,
            "followed": {k: f.dump() for k, f in _taken_last(self.followed).items()},
            "comments": {a: newest(seen, SEEN_LIMIT) for a, seen in self.comments.items()},
        }
