"""Hacker News, through the Algolia search API (``search_by_date``).

Config (validated by `validate_config`; unknown keys are errors)::

    {
        "keywords": ["gitlab"],          # required: each one searched on its own (Algolia query)
        "overlap_seconds": 300,          # indexing lag: how far back each poll reads again
        "backfill_hours": 24,            # how far back the first poll (and a new keyword) starts
        "hits_per_page": 100,            # Algolia hitsPerPage (1-1000)
        "max_requests_per_poll": 30,     # shared by the keywords, the one furthest behind first
        "hourly_request_budget": 9000,   # Algolia allows 10,000 an hour per IP: shared by every HN channel
        "replay": false,                 # the quick start's demo channel: answers from bundled samples (`replay`)
    }

Polling (`paging.py`). Each keyword has a lower bound ``from`` (every hit created before it has been handed
over) and the ids handed over since (``seen``). A poll asks for page 0 of ``created_at_i>=from`` up to its start:
when that page holds every hit, that is the chunk (one request per keyword when nothing is new). Otherwise the
backlog is walked OLDEST FIRST in windows of creation time holding at most 1,000 hits (Algolia pages through no
more), each read from its last page to its first, each page one chunk handed over (the poll engine) with the
cursor just after it. So a backlog of any size drains over successive polls, and a poll cut short by its
request budget, the hourly budget or a 429 loses nothing: the next poll goes on from ``from``.

Cursor (`cursor.py`)::

    {"version": 2, "created_at_i": 1769038182,
     "keywords": {"gitlab": {"from": 1769037882, "seen": {"46712345": 1769038182}}}}

Items that share a second with ``from`` are neither missed (the bound is inclusive) nor handed over twice (their
ids are in ``seen``). An item matching two keywords is handed over by each; the ingest stores it once.

Parsing (`parse.py`): Algolia search responses, Algolia ``/items/{id}`` trees and Firebase items, item by item
(`parse_page`, `parse_item` for a dead letter). Stories, jobs and polls keep their title; a story's text and its
URL are both kept. ``points``, ``num_comments`` and ``_tags`` stay in the raw item (the ingest and the urgency
rules read them), as clean values.

Failures: 429 -> ``RateLimited`` on a poll's first request (later ones end the walk; ``not_before`` asks the
scheduler to wait); 5xx, timeouts -> ``TransientError``; 403 -> ``AuthError``; a response without ``hits`` and
``nbHits`` -> ``PayloadError``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

import requests

from ..base import PayloadError, PollStopped, RateLimited, TransientError
from ..guard import Parsed, parse_each
from ..poll.adapter import PolledAdapter
from ..poll.engine import Page, Poll
from . import config as config_module
from . import thread
from .client import SEARCH_URL, TAGS, Client
from .config import DEFAULTS, settings_of
from .cursor import Cursor
from .paging import keyword_pages
from .parse import ITEM_URL, USER_URL, hit_mention, parse_item, parse_page

if TYPE_CHECKING:
    from channels.models import Channel

logger = logging.getLogger(__name__)

__all__ = ["DEFAULTS", "ITEM_URL", "SEARCH_URL", "TAGS", "USER_URL", "HackerNewsAdapter"]


def _replay_mount(config: dict[str, Any], session: requests.Session) -> None:
    if config.get("replay"):
        from .replay import ReplayTransport

        session.mount("https://hn.algolia.com/", ReplayTransport())


class HackerNewsAdapter(PolledAdapter, config=config_module, thread=thread):
    kind = "hackernews"

    # --- polling ---------------------------------------------------------------------

    cursor_type = Cursor

    def client(self, channel: Channel, session: requests.Session, config: dict[str, Any]) -> Client:
        _replay_mount(config, session)
        return Client(
            session,
            budget=int(config["max_requests_per_poll"]),
            hourly_budget=int(config["hourly_request_budget"]),
            hits_per_page=int(config["hits_per_page"]),
        )

    def cursor(self, channel: Channel, config: dict[str, Any], client: Client, now: float) -> Cursor:
        return Cursor.read_back(
            channel.cursor,
            keywords=config["keywords"],
            overlap=int(config["overlap_seconds"]),
            now=int(now),
            backfill_hours=int(config["backfill_hours"]),
        )

    def streams(self, poll: Poll[Client, Cursor]) -> list[Iterator[Page]]:
        """The poll's hits in chunks, oldest first per keyword, each with the cursor just after it; the keywords
        share the poll's budget, the one furthest behind first."""
        config, cursor = poll.config, poll.cursor
        keywords = sorted(config["keywords"], key=lambda k: cursor.keywords[k].start)
        walk = partial(
            keyword_pages, poll.client, cursor, total=int(config["max_requests_per_poll"]),
            high=int(poll.now) + 1, overlap=int(config["overlap_seconds"]),
        )  # fmt: skip
        return [walk(keyword, keywords_left=len(keywords) - index) for index, keyword in enumerate(keywords)]

    def parse_items(self, poll: Poll[Client, Cursor], items: list[Any]) -> Parsed:
        """A page's hits, as `paging` hands them over."""
        return parse_each(items, hit_mention, id_keys=("objectID",), platform="hackernews")

    def closes(self, poll: Poll[Client, Cursor]) -> bool:
        """Always a closing chunk: it carries the front page (`front_page_ids`)."""
        return True

    def front_page_ids(self, poll: Poll[Client, Cursor]) -> frozenset[str] | None:
        """Which stories are on the front page now (the desk marks a stored one urgent once): asked after the
        walk, handed over in a last chunk that also records the requests, the cursor and the backlog."""
        try:
            return poll.client.front_page()
        except (PollStopped, RateLimited, TransientError, PayloadError) as exc:
            # The mentions of this poll are stored all the same; the front page is asked again next poll.
            logger.warning("hackernews: channel=%s front page not read: %s", poll.channel.slug, exc)
            return None

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        config = settings_of(channel.config)
        _replay_mount(config, session)
        keyword = config["keywords"][0]
        client = Client(session, budget=1, hourly_budget=int(config["hourly_request_budget"]), hits_per_page=1)
        page = client.search(keyword, low=0, high=None, page=0)
        return f"Algolia answered: {page.nb_hits} hits for {keyword!r}."

    # --- parsing ---------------------------------------------------------------------

    # An Algolia search response (or a list of them, one per page), an Algolia ``/items/{id}`` tree or a Firebase item,
    # as mentions and rejected items.
    parse_page = staticmethod(parse_page)

    def parse_item(self, item: Any, *, channel: Channel | None = None) -> Parsed:
        """One raw item kept in the dead-letter table, read again."""
        return parse_item(item)
