"""Which posts one poll reads and hands over, page by page (the poll engine's `Page`s), each page a chunk with the
cursor just after it.

``GET forums/listPosts.json?forum=…&limit=100&order=asc&since=<cursor.since - overlap>&related=thread``, then
``cursor=<cursor.next>`` while ``cursor.hasNext``. Ascending order makes every page older than the next one, so
each page is handed over as it is read, with the cursor moved over it: ``since`` to the newest post read, and
``walk`` to the page to read next. A backlog larger than one poll's request budget is therefore drained oldest
first over successive polls, each resuming the walk where the last one stopped (no overlap re-read, no page
read twice), and a poll cut short by its budget, a rate limit or a failure loses nothing it has handed over.

Being rate-limited after the first page is flow control, not failure: the pages read are kept, the 429 is kept on the
client (`Client.stopped`) and the poll's closing chunk asks to wait what Disqus said, `RATE_LIMITED_WAIT` when it said
nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from channels import clean

from ..base import ConfigError, IncomingMention, PayloadError, RateLimited
from ..guard import Parsed, item_id, parse_each
from ..poll.engine import Page
from .client import LIST_POSTS, RATE_LIMITED_WAIT, BudgetUsed, Client, next_page
from .config import PAGE_LIMIT
from .cursor import Cursor, Resume
from .parse import build_mention, identity, refuse_activity, signature, skip_reason

logger = logging.getLogger(__name__)


@dataclass
class Reader:
    """One poll's walk over the listing; `cursor` moves with every page handed over."""

    client: Client
    cursor: Cursor
    forum: str
    overlap: int
    now: float  # the poll's start
    returned: set[str] = field(default_factory=set)  # read in this poll already (a page boundary that shifted)

    @property
    def noticed(self) -> datetime:
        return datetime.fromtimestamp(self.now, tz=UTC)

    def pages(self, *, backfill_hours: int) -> Iterator[Page]:
        """The walk's pages, each handed over with the cursor moved over it (the module's docstring); the budget
        used up or a 429 after the first page ends it (the 429 kept on the client)."""
        cursor = self.cursor
        if cursor.walk is not None:
            since, page, resumed = cursor.walk.since, cursor.walk.next, True
        else:
            if cursor.since is None:  # a first poll reads `backfill_hours` back
                cursor.since = int(self.now) - backfill_hours * 3600 + self.overlap
            since, page, resumed = cursor.since - self.overlap, None, False
        handed = False
        while True:
            params = {"forum": self.forum, "limit": PAGE_LIMIT, "order": "asc", "since": since, "related": "thread"}
            try:
                data = self.client.get(LIST_POSTS, {**params, "cursor": page} if page else params)
            except BudgetUsed:
                logger.info("disqus: forum=%s max_requests_per_poll (%s) used up", self.forum, self.client.budget)
                break
            except RateLimited as exc:
                if not handed and self.client.made <= 1:
                    raise
                exc.retry_after = exc.retry_after or RATE_LIMITED_WAIT  # the quota is hourly
                self.client.stopped = exc
                break
            except ConfigError as exc:
                if not (resumed and "cursor" in str(exc).lower()):
                    raise
                # Disqus no longer accepts the saved page cursor: read again from `since` (the overlap and
                # `seen` drop what was handed over already).
                logger.warning("disqus: forum=%s saved page cursor refused, reading again from since", self.forum)
                cursor.walk, resumed = None, False
                since, page = (cursor.since or int(self.now)) - self.overlap, None
                continue
            items = data["response"]
            if not isinstance(items, list):
                raise PayloadError(f'Disqus {LIST_POSTS}: "response" is not a list of posts: {clean.preview(items)}')
            # Activity entries are no posts: refused before the cursor moves, never rejected one by one as
            # posts without an id (dead letters of garbage).
            refuse_activity(items)
            following = next_page(data.get("cursor"))
            parsed = self.hand_over(items)
            ends = not items or following is None or following == page
            cursor.walk = None if ends or following is None else Resume(since, following)
            cursor.prune(self.overlap)
            yield Page(parsed, reads=len(items), more=not ends)
            handed = True
            if ends:
                return
            page = following

    def hand_over(self, items: list[Any]) -> Parsed:
        """The page's posts to hand over: new ones, and ones handed over before that changed since (edited,
        deleted). What was handed over unchanged, spam and unapproved posts are dropped; a post that cannot be
        read is rejected once (remembered in `seen` by its id and a hash of its payload)."""
        cursor = self.cursor
        newest = cursor.since or 0

        def parse_one(item: Any) -> IncomingMention | None:
            nonlocal newest
            remembered = cursor.seen.get(item_id(item, "id"))
            if remembered is not None and remembered[1].startswith("!") and remembered[1] == _unreadable(item):
                return None  # rejected at an earlier read of the overlap
            external_id, created = identity(item)
            stamp = int(created.timestamp())
            # A post stamped in the future (a clock off somewhere) must not carry the cursor past posts to come.
            newest = max(newest, min(stamp, int(self.now)))
            reason = skip_reason(item)
            if reason:
                logger.info("disqus: forum=%s post %s not stored: %s", self.forum, external_id, reason)
                return None
            if external_id in self.returned:
                return None
            self.returned.add(external_id)
            state = signature(item)
            handed_over = cursor.seen.get(external_id)
            cursor.seen[external_id] = (stamp, state)
            if handed_over is not None and handed_over[1] == state:
                return None  # read again in the overlap, unchanged
            return build_mention(item, noticed=self.noticed, changed=handed_over is not None)

        parsed = parse_each(items, parse_one, id_keys=("id",), platform="disqus")
        for rejected in parsed.rejected:
            if rejected.external_id:
                cursor.seen[rejected.external_id] = (newest, _unreadable(rejected.raw))
        cursor.since = newest
        parsed.mentions.sort(key=lambda m: (m.created_at, m.external_id))
        return parsed


def _unreadable(item: Any) -> str:
    """The signature `seen` keeps for a post that could not be read: a hash of its (cleaned) payload."""
    text = json.dumps(clean.raw(item), sort_keys=True, default=str)
    return "!" + hashlib.sha256(text.encode()).hexdigest()[:12]
