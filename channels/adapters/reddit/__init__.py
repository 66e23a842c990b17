"""Reddit through its OAuth API (https://oauth.reddit.com).

Config (validated by `validate_config`, `config.py`; unknown keys are errors)::

    {
        "subreddits": ["gitlab"],        # each one's newest posts and (include_comments) comments, in full
        "keywords": ["gitlab"],          # a site-wide search of posts per keyword
        "include_comments": true,
        "overlap_seconds": 600,          # each walk reads this much again (search is not immediate)
        "backfill_hours": 24,            # how far back the first poll (and a new stream) reads
        "requests_per_minute": 90,       # shared by every channel using the same client_id
        "max_requests_per_poll": 30,     # pages one poll may read, in all streams
    }

Credentials (`auth.py`): client_id and client_secret (app-only access), plus username and password for a
"script" app. HTTP, token, the shared per-minute budget and Reddit's rate-limit headers: `client.py`.

Polling (`paging.py`): each stream is walked newest first with `after` down to its floor, within the poll's
request budget; a walk cut short keeps `resume` in the cursor (`cursor.py`) and the next poll goes on from it,
so a backlog larger than one poll drains over successive polls. A poll's items are one chunk (`hand_over`,
channels.adapters.poll), handed over oldest first and stored with the cursor just after them; `more` says a
backlog is left, so the next poll comes soon. Being rate-limited part-way through a poll is flow control,
not failure: the streams already walked are handed over and the others keep their cursor.

Parsing (`parse.py`): every entry of a page is read on its own through `guard.parse_each` and
`channels.clean`; one that cannot be read is rejected with its raw payload (the poll quarantines it) and the
rest of the page is stored, the cursor moving on.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

import requests

from channels import clean

from ..base import PayloadError
from ..guard import Parsed
from ..poll.adapter import PolledAdapter
from ..poll.engine import Page, Poll
from ..poll.walks import MarkedHooks, marked_walks
from . import config as config_module
from . import message, message_read, reply, thread
from .auth import AUTH_URL, credentials_of, user_agent
from .client import API_URL, Client
from .config import DEFAULTS, settings_of
from .cursor import SEEN_LIMIT, Cursor
from .paging import MAX_PAGES_PER_STREAM, PAGE_SIZE, handed, streams_of, walk
from .parse import USER_URL, WEB_URL, page_entries, parse_entries, parse_page, thing_of

if TYPE_CHECKING:
    from channels.models import Channel

__all__ = [
    "API_URL",
    "AUTH_URL",
    "DEFAULTS",
    "MAX_PAGES_PER_STREAM",
    "PAGE_SIZE",
    "SEEN_LIMIT",
    "USER_URL",
    "WEB_URL",
    "RedditAdapter",
]


class RedditAdapter(MarkedHooks, PolledAdapter, config=config_module, thread=thread):
    kind = "reddit"

    post_reply = staticmethod(reply.post_reply)
    # The desk's "Send a message" (mentions.services.direct_messages): a private message to the author.
    direct_message = staticmethod(message.direct_message)
    # The person's answers to it, read in the poll (channels.adapters.direct).
    direct_replies = staticmethod(message_read.direct_replies)

    # --- polling -----------------------------------------------------------------------

    cursor_type = Cursor
    hand_over = "poll"  # a poll's streams are de-duplicated together (a post in a subreddit and a keyword's search)

    def client(self, channel: Channel, session: requests.Session, config: dict[str, Any]) -> Client:
        credentials = credentials_of(channel)
        return Client(session, credentials, config, user_agent(channel, credentials))

    def cursor(self, channel: Channel, config: dict[str, Any], client: Client, now: float) -> Cursor:
        return Cursor.load(channel.cursor, streams_of(config), overlap=int(config["overlap_seconds"]))

    def streams(self, poll: Poll[Client, Cursor]) -> list[Iterator[Page]]:
        """Each stream walked newest first down to its mark, then its backlog (see `paging`)."""
        client, cursor = poll.client, poll.cursor
        read = partial(walk, client, seen=cursor.seen)
        page = partial(handed, signatures=cursor.signatures)
        return marked_walks(poll, streams_of(poll.config), read, max_pages=MAX_PAGES_PER_STREAM, page=page)

    def parse_items(self, poll: Poll[Client, Cursor], items: list[tuple[Any, bool]]) -> Parsed:
        return parse_entries([entry for entry, _ in items], escaped={id(entry) for entry, escaped in items if escaped})

    def handed_over(self, poll: Poll[Client, Cursor], parsed: Parsed) -> None:
        """Each item handed over in `seen`, with its edit signature."""
        for mention in parsed.mentions:
            poll.cursor.seen[mention.external_id] = [
                int(mention.created_at.timestamp()),
                poll.cursor.signatures.get(mention.external_id, 0),
            ]

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        config = settings_of(channel.config)
        credentials = credentials_of(channel)
        client = Client(session, credentials, config, user_agent(channel, credentials))
        if credentials.username:
            me = clean.mapping(client.get("/api/v1/me"))
            name = clean.handle(me.get("name"))
            if not name:
                raise PayloadError("Reddit /api/v1/me did not return an account.")
            summary = (
                f"Signed in to Reddit as u/{name} (script app, password grant): "
                f"{clean.whole(me.get('link_karma')) or 0} post karma, "
                f"{clean.whole(me.get('comment_karma')) or 0} comment karma."
            )
        elif config["subreddits"]:
            sub = config["subreddits"][0]
            about = client.get(f"/r/{sub}/about")
            data = about.get("data") if isinstance(about, dict) else None
            if not isinstance(data, dict):
                raise PayloadError(f"Reddit /r/{sub}/about did not return a subreddit.")
            subscribers = clean.whole(data.get("subscribers"))
            summary = (
                f"Reddit answered (app-only access): r/{clean.line(data.get('display_name')) or sub} is "
                f"{clean.line(data.get('subreddit_type')) or 'of unknown type'} with "
                f"{subscribers if subscribers is not None else '?'} subscribers."
            )
        else:
            keyword = config["keywords"][0]
            listing = client.get("/search", {"q": keyword, "sort": "new", "type": "link", "limit": 1})
            posts = [t[1] for t in map(thing_of, page_entries(listing)[0]) if t and t[0] == "t3"]
            newest = f"newest: {clean.line(posts[0].get('title'))[:80]!r}" if posts else "no posts yet"
            summary = f"Reddit answered (app-only access): searching posts for {keyword!r} works ({newest})."

        status = client.status()
        if status.get("ratelimit_remaining") is not None:
            summary += (
                f" Rate limit: {status['ratelimit_remaining']:.0f} requests left in this window,"
                f" reset in {status.get('ratelimit_reset_seconds') or 0:.0f} s."
            )
        else:
            summary += " Reddit sent no rate-limit figures."
        return summary

    # --- parsing -----------------------------------------------------------------------

    # A saved or fetched payload (see `parse` for the shapes) as mentions and rejected entries.
    parse_page = staticmethod(parse_page)
