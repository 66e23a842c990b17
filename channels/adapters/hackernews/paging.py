"""Which hits one poll reads for one keyword, oldest first, in chunks that each carry the cursor just after them.

Algolia's ``search_by_date`` sorts newest first and pages only through the first 1,000 hits of a query. So a
poll first asks for page 0 of everything created since the keyword's ``from`` (``created_at_i>=from``) up to
the poll's start (``created_at_i<high``). When that page holds every hit, it is the only chunk: the normal
"what is new since the last poll" costs one request.

Otherwise there is a backlog, read in windows ``[low, hi)`` of creation time holding at most 1,000 hits: the
first window starts at ``from``; its width comes from the density seen so far (hits per second), and a window
that comes back with more than 1,000 hits is narrowed in proportion and asked again. A window is read from its
LAST page (its oldest hits) to page 0, each page one chunk, handed over oldest first; after a page, every hit
created before that page's newest second has been handed over, so ``from`` moves up to that second and the ids
handed over at it are kept in ``seen``. A window whose hit count (``nbHits``) changes while it is being read
(an item deleted, or indexed late) is planned again from the new ``from``: nothing is skipped, and what is
read twice is dropped through ``seen``. So a backlog of any size drains over successive polls, oldest first,
and a poll cut short by its request budget or a 429 loses nothing.

Indexing lag: Algolia indexes an item a few minutes after it is posted, so ``from`` never passes the newest
hit's second minus ``overlap_seconds``; the overlap is read again by the next poll (its ids are in ``seen``).

One second holding more than 1,000 hits cannot be read whole through Algolia: its first 1,000 are handed over,
the rest is skipped with a warning (Hacker News as a whole posts about one item a second).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Generator, Iterator
from typing import Any

from channels import clean

from ..base import PollStopped
from ..poll.engine import Page
from .client import PAGINATION_LIMIT, Client, SearchPage
from .cursor import Cursor, KeywordState

logger = logging.getLogger(__name__)

# Hits a backlog window is sized for: below the 1,000 Algolia pages through, so a density estimate that is a
# little low still gives a window that can be read whole.
TARGET = 700


def created_of(hit: Any, high: int) -> int | None:
    """The hit's creation second when it can place the hit in time (inside the searched range), else None."""
    if not isinstance(hit, dict):
        return None
    return clean.whole(hit.get("created_at_i"), minimum=0, maximum=high - 1)


def id_of(hit: Any) -> str:
    return clean.ident(hit.get("objectID")) if isinstance(hit, dict) else ""


class Replan(Exception):
    """The window changed while it was being read: plan it again from the cursor's new position."""


def keyword_pages(
    client: Client, cursor: Cursor, keyword: str, *, total: int, keywords_left: int, high: int, overlap: int
) -> Iterator[Page]:
    """One keyword's stream of a poll: its walk on its share of the poll's `total` requests. A keyword the budget or
    a 429 leaves unread, or whose walk ends before it is through, raises PollStopped: the poll says it has more, and
    the next poll goes on from the keyword's ``from``."""
    if client.stopped is not None or client.made >= total:
        raise PollStopped("request budget used")
    # Each keyword may use its share of what is left (the one furthest behind goes first).
    client.budget = client.made + max(1, (total - client.made) // keywords_left)
    walk = KeywordWalk(client, cursor, keyword, high=high, overlap=overlap)
    yield from walk.chunks()  # raises PollStopped when the budget or a 429 ends this keyword's walk
    if not walk.finished:
        raise PollStopped(f"{keyword!r}: backlog left")


class KeywordWalk:
    """One keyword's part of a poll (see the module docstring)."""

    def __init__(self, client: Client, cursor: Cursor, keyword: str, *, high: int, overlap: int) -> None:
        self.client = client
        self.cursor = cursor
        self.keyword = keyword
        self.state: KeywordState = cursor.keywords[keyword]
        self.high = high
        self.overlap = overlap
        self.known: dict[tuple[int, int, int], SearchPage] = {}
        # `from` never passes the newest hit's second minus the overlap (indexing lag).
        self.floor = high - 1 - overlap
        self.finished = False
        self.trust_order = True

    def search(self, low: int, hi: int, page: int) -> SearchPage:
        key = (low, hi, page)
        if key not in self.known:
            self.known[key] = self.client.search(self.keyword, low=low, high=hi, page=page)
        return self.known[key]

    def chunks(self) -> Iterator[Page]:
        """The keyword's chunks, oldest first. Raises PollStopped when the budget or a 429 ends the walk."""
        start = self.state.start
        first = self.search(start, self.high, 0)
        placed = [c for c in (created_of(h, self.high) for h in first.hits) if c is not None]
        if placed:
            self.floor = max(placed) - self.overlap
        if first.nb_hits <= len(first.hits):  # everything new is on this page: the usual poll, one request
            self.finished = True
            yield self._hand_over(first, bound=self.high, more=False)
            return
        if not placed:  # nothing on the page can be placed in time (not Algolia's shape): hand it over, stay
            self.finished = True
            yield self._hand_over(first, bound=start, more=False)
            return
        rate = first.nb_hits / max(1, max(placed) + 1 - start)
        whole = True
        for _ in range(4 * self.client.budget + 4):  # each turn asks Algolia at least once, or ends
            if self.finished or self.state.start >= self.high:
                return
            low = self.state.start
            if whole and low == start and first.nb_hits <= PAGINATION_LIMIT:
                hi = self.high  # the whole range can be read from its oldest page
                whole = False
            else:
                hi = min(self.high, low + max(1, int(TARGET / rate)))
            try:
                rate = yield from self._window(low, hi, rate)
            except Replan:
                self.known.clear()

    def _window(self, low: int, hi: int, rate: float) -> Generator[Page, None, float]:
        """Read [low, hi) from its oldest page, or find it too wide or empty. Returns the density (hits per
        second) to plan the next window with."""
        per_page = self.client.hits_per_page
        expected = min(PAGINATION_LIMIT, max(1, round(rate * (hi - low))))
        probe = self.known.get((low, hi, 0)) or self.search(low, hi, math.ceil(expected / per_page) - 1)
        count = probe.nb_hits
        if count == 0:
            self._advance(hi)
            self.finished = hi >= self.high
            return rate / 2  # an empty window: try a wider one
        if count > PAGINATION_LIMIT and hi - low > 1:
            return count / (hi - low)  # too wide: the next window is narrower in proportion
        skip = min(count, self._bottom_seen(low, count))
        unread = min(count, PAGINATION_LIMIT) - skip
        # With hits to skip, the first page read is the one holding the first skipped position, so the check
        # below sees at least one of them.
        last = unread // per_page if skip else math.ceil(unread / per_page) - 1
        for page in range(last, -1, -1):
            found = self.search(low, hi, page)
            if found.nb_hits != count:
                raise Replan
            if page == last and skip and not self._tail_seen(found, unread - page * per_page):
                self.trust_order = False  # the ids at the bottom are not the ones handed over: read it all
                raise Replan
            final = page == 0 and hi >= self.high
            if page > 0:
                placed = (created_of(h, self.high) for h in found.hits)
                yield self._hand_over(found, bound=max((c for c in placed if c is not None), default=low), more=True)
                continue
            over_full = count > PAGINATION_LIMIT
            if over_full:
                logger.warning(
                    "hackernews: %r has %d hits created at second %d; Algolia pages through 1,000 of them, the "
                    "rest are skipped",
                    self.keyword,
                    count,
                    low,
                )
            self.finished = final
            yield self._hand_over(found, bound=hi, more=not final, lag=not over_full)
        return max(count, 1) / (hi - low)

    def _bottom_seen(self, low: int, count: int) -> int:
        """How many of the window's oldest hits were handed over already: the ids seen at its first second, when
        a poll stopped part-way through a second (they are that second's last hits in Algolia's order). Only
        below the indexing-lag floor, where no hit can still arrive, and checked on the first page read."""
        if not self.trust_order or low >= self.floor or count > PAGINATION_LIMIT:
            return 0
        return sum(1 for created in self.state.seen.values() if created == low)

    def _tail_seen(self, page: SearchPage, unread_here: int) -> bool:
        return all(self.cursor.seen_anywhere(id_of(h)) for h in page.hits[max(0, unread_here) :])

    def _advance(self, bound: int, *, lag: bool = True) -> None:
        self.state.advance(min(bound, self.floor) if lag else bound)

    def _hand_over(self, page: SearchPage, *, bound: int, more: bool, lag: bool = True) -> Page:
        """The page's hits not handed over before, oldest first (`Page.items`, parsed by the adapter); `from` moves
        up to `bound` (every hit created before it has now been handed over), held back by the indexing lag unless
        `lag` is False. The page's `more`: hits remain to be read (a backlog, or a walk cut short)."""
        fresh: dict[str, Any] = {}
        nameless: list[Any] = []
        for hit in page.hits:
            object_id = id_of(hit)
            if not object_id:
                nameless.append(hit)  # rejected by the parser, with its payload
            elif object_id not in fresh and not self.cursor.seen_anywhere(object_id):
                fresh[object_id] = hit
        for object_id, hit in fresh.items():
            created = created_of(hit, self.high)
            self.state.seen[object_id] = created if created is not None else self.state.start
            self.cursor.handed(created)
        self._advance(bound, lag=lag)
        ordered = sorted(fresh.values(), key=lambda h: (created_of(h, self.high) or 0, id_of(h)))
        return Page(items=[*nameless, *ordered], reads=len(page.hits), more=more)
