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
so a backlog larger than one poll drains over successive polls. A poll's items are one chunk
(`fetch_chunks`), handed over oldest first and stored with the cursor just after them; `more` says a
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

from ..base import FetchResult, PayloadError
from ..marked_poll import MarkedPoll
from ..poll.adapter import PolledAdapter
from . import config as config_module
from . import message, message_read, reply, thread
from .auth import AUTH_URL, credentials_of, user_agent
from .client import API_URL, Client
from .config import DEFAULTS, settings_of
from .cursor import SEEN_LIMIT, load_seen, load_states
from .paging import MAX_PAGES_PER_STREAM, PAGE_SIZE, streams_of, walk
from .parse import USER_URL, WEB_URL, fullname, page_entries, parse_entries, parse_page, thing_of

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


class RedditAdapter(PolledAdapter, config=config_module, thread=thread):
    kind = "reddit"

    post_reply = staticmethod(reply.post_reply)
    # The desk's "Send a message" (mentions.services.direct_messages): a private message to the author.
    direct_message = staticmethod(message.direct_message)
    # The person's answers to it, read in the poll (channels.adapters.direct).
    direct_replies = staticmethod(message_read.direct_replies)

    # --- polling -----------------------------------------------------------------------

    def fetch_chunks(self, *, channel: Channel, session: requests.Session) -> Iterator[FetchResult]:
        """One poll's items as one chunk, oldest first, with the cursor just after them (see `paging`)."""
        config = settings_of(channel.config)
        credentials = credentials_of(channel)
        client = Client(session, credentials, config, user_agent(channel, credentials))
        seen = load_seen(channel.cursor)
        poll = MarkedPoll("reddit", channel, client, config, mark_key="created_utc", max_pages=MAX_PAGES_PER_STREAM)
        walked, states = poll.walked(streams_of(config), load_states(channel.cursor), partial(walk, client, seen=seen))
        entries: list[Any] = []
        escaped: set[int] = set()
        signatures: dict[str, int] = {}
        for _stream, found in walked.found:
            for entry, is_escaped in found.entries:
                thing = thing_of(entry)
                name = fullname(*thing) if thing else ""
                if name and name in signatures:
                    continue  # found by an earlier stream of this poll
                if name and name in found.signatures:
                    signatures[name] = found.signatures[name]
                entries.append(entry)
                if is_escaped:
                    escaped.add(id(entry))

        parsed = parse_entries(entries, escaped=escaped)
        for mention in parsed.mentions:
            seen[mention.external_id] = [int(mention.created_at.timestamp()), signatures.get(mention.external_id, 0)]
        yield poll.result(parsed, walked, states, seen, limit=SEEN_LIMIT)

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
