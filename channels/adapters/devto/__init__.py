"""dev.to (the Forem API, https://developers.forem.com/api/v1): new articles, and the comments of the articles taken
in and of hand-listed ones.

Config (validated by `validate_config`; unknown keys are errors)::

    {
        "tags": ["gitlab"],            # keep articles with one of these tags
        "latest": false,               # or keep every new article (a tag or keyword filter still applies)
        "keywords": ["gitlab"],        # keep articles whose title, description or tags hold one of these words
        "articles": [1612784],         # ids of articles whose comments are read as long as they are listed
        "follow_days": 3,              # an article taken in has its comments read this long (0: none)
        "follow_per_poll": 3,          # at most this many taken-in articles' comments a poll
        "per_page": 30,                # articles per request (Forem: 1-1000)
        "backfill_hours": 24,          # how far back the first poll reads
        "max_requests_per_poll": 10,
    }

Articles (`paging.py`): Forem orders a tag's list (``/api/articles?tag=``) by "hotness", not by date, so a walk
of it can neither stop where the last poll ended nor find what is new on its later pages. New articles are read
from ``/api/articles/latest`` (newest first) and kept when their ``tag_list`` holds one of the channel's tags (and,
where keywords are set, their text one of the keywords). The walk goes from page 1 down to the last poll's bound,
each page one chunk with the cursor just after it, so a backlog drains over polls and a poll cut short by its budget
or a 429 goes on where it stopped (`cursor.py`).

Comments: each followed article's tree (``/api/comments?a_id=``), one request per article; the comments not handed
over yet are, each threaded under its parent comment or its article. The hand-listed articles are read every poll;
each article the walk takes in is followed for ``follow_days``, ``follow_per_poll`` of them a poll, those read
longest ago first, always leaving the walk one request (`cursor.py` remembers them; one gone from dev.to, a 404,
is forgotten).

Our accounts: ``Channel.our_accounts`` holds our dev.to usernames (``user.username``). Replies are not posted from
the desk: Forem's v1 API documents no endpoint that writes a comment (docs/platforms/devto.md).

Failures: 429 -> ``RateLimited`` on a poll's first request (later ones end the walk; ``not_before`` asks the
scheduler to wait); 5xx, timeouts -> ``TransientError``; 401/403 -> ``AuthError``; an answer that is not a list ->
``PayloadError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import requests

from ..poll.adapter import PolledAdapter
from ..poll.engine import Page, Poll
from . import config as config_module
from .client import Client
from .config import DEFAULTS, followed_per_poll, reads_articles, settings_of
from .cursor import Cursor
from .paging import article_chunks, comment_chunk
from .parse import parse_page

if TYPE_CHECKING:
    from channels.models import Channel

__all__ = ["DEFAULTS", "DevtoAdapter"]


class DevtoAdapter(PolledAdapter, config=config_module):
    kind = "devto"

    cursor_type = Cursor

    def client(self, channel: Channel, session: requests.Session, config: dict[str, Any]) -> Client:
        return Client(session, budget=int(config["max_requests_per_poll"]), per_page=int(config["per_page"]))

    def cursor(self, channel: Channel, config: dict[str, Any], client: Client, now: float) -> Cursor:
        return Cursor.load(
            channel.cursor,
            now=int(now),
            backfill_hours=int(config["backfill_hours"]),
            articles=config["articles"],
            follow_days=int(config["follow_days"]),
        )

    def streams(self, poll: Poll[Client, Cursor]) -> list[Iterator[Page]]:
        """Each followed article's new comments, then new articles page by page (each page oldest first)."""
        config, client, cursor = poll.config, poll.client, poll.cursor
        # The followed articles' comments first: one request each, so a long article backlog never starves them;
        # the taken-in ones are a few a poll, and leave the walk of new articles at least one request.
        followed = cursor.due(followed_per_poll(config), besides=config["articles"])
        walks = [comment_chunk(client, cursor, article) for article in [*config["articles"], *followed]]
        if reads_articles(config):
            follow = int(config["follow_days"]) > 0
            walks.append(
                article_chunks(client, cursor, tags=config["tags"], keywords=config["keywords"], follow=follow)
            )
        return walks

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        config = settings_of(channel.config)
        client = Client(session, budget=1, per_page=1)
        if config["articles"]:
            article = config["articles"][0]
            return f"dev.to answered: {len(client.comments(article))} top-level comments on article {article}."
        latest = client.articles("", page=1)
        return f"dev.to answered: {len(latest)} latest article(s)."

    # --- parsing ---------------------------------------------------------------------

    # A list of articles or a comment tree (or one item of either, as the dead-letter table keeps it), as mentions and
    # rejected items.
    parse_page = staticmethod(parse_page)
