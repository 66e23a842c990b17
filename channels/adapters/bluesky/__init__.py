"""Bluesky through the AT Protocol's XRPC API, signed in as the channel's account with an app password.

Config (validated by `validate_config`, `config.py`; unknown keys are errors)::

    {
        "handle": "gitlab.com",               # the account the channel signs in as (required)
        "keywords": ["gitlab"],               # a search of posts per keyword, newest first
        "read_notifications": true,           # the account's mentions and the replies to its posts
        "team_handles": ["gitlabstatus.bsky.social"],   # our other accounts: their posts are our replies
        "service_url": "https://bsky.social", # where the account signs in and writes
        "read_url": "",                       # where reads go; empty: the account's own PDS
        "overlap_seconds": 600,
        "backfill_hours": 24,
        "max_requests_per_poll": 20,
    }

Credentials: `app_password`. Sessions (`auth.py`): createSession once, then refreshSession, the session kept
encrypted in the cache between polls; tokens are never logged. HTTP, the expired-token retry and Bluesky's
`RateLimit-*` headers: `client.py` and `limits.py`.

Polling (`paging.py`): each stream (a keyword's search, the notifications) is walked newest first down to its
floor, within the poll's request budget; a walk cut short keeps `resume` in the cursor (`cursor.py`). A poll's
items are one chunk (`hand_over`, channels.adapters.poll), deduplicated by AT URI, handed over oldest first with
the cursor just after them; `more` says a backlog is left. A rate limit part-way through a poll is flow control:
the streams already walked are handed over, the others keep their cursor.

Parsing (`parse.py`), replies, likes, reposts and deletions (`reply.py`, `richtext.py`), the account the desk
writes as (`oauth.py`), watched threads (`thread.py`), the demo's Bluesky (`replay.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

import requests

from channels import clean

from ..base import ReplyTarget
from ..guard import Parsed
from ..poll.adapter import PolledAdapter
from ..poll.engine import Page, Poll
from ..poll.walks import MarkedCursor, MarkedHooks, marked_walks
from . import chat, chat_read, reply, thread
from . import config as config_module
from .auth import login_of
from .client import Client
from .config import settings_of
from .cursor import cursor_of
from .oauth import app_password_grant
from .paging import MAX_PAGES_PER_STREAM, NOTIFICATIONS, SEARCH, handed, streams_of, walk
from .parse import parse_entries, parse_page

if TYPE_CHECKING:
    from channels.models import Account, Channel

__all__ = ["BlueskyAdapter"]


class BlueskyAdapter(MarkedHooks, PolledAdapter, config=config_module, thread=thread):
    kind = "bluesky"
    channel_key_grant = staticmethod(app_password_grant)
    channel_key_words = "the channel's app password"
    channel_key_help = (
        "The desk signs in to Bluesky as {username} with the app password stored in the channel's credentials "
        "(com.atproto.server.createSession) and keeps the session, encrypted, to post replies, likes and reposts. "
        "{username} must be the channel's own handle: an app password signs in as its own account only."
    )

    post_reply = staticmethod(reply.post_reply)

    # The desk's Like, Repost and Delete (the platform's `actions`, mentions.services.platform_actions): a like and a
    # repost return the new record's `RecordRef` (uri and cid); `delete_post` takes back one of the account's own posts.
    like = staticmethod(reply.like)
    repost = staticmethod(reply.repost)

    def delete_post(
        self, *, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget
    ) -> None:
        reply.delete_post(channel=channel, account=account, session=session, uri=target.external_id)

    # The desk's "Send a DM" (mentions.services.direct_messages), through Bluesky's chat service (`chat.py`).
    direct_message = staticmethod(chat.direct_message)
    # The person's answers to it, read in the poll (channels.adapters.direct).
    direct_replies = staticmethod(chat_read.direct_replies)

    # --- polling -----------------------------------------------------------------------

    cursor_type = MarkedCursor
    hand_over = "poll"  # a poll's streams are de-duplicated together (a mention that also matches a keyword)

    def client(self, channel: Channel, session: requests.Session, config: dict[str, Any]) -> Client:
        return Client(session, login_of(channel), config)

    def cursor(self, channel: Channel, config: dict[str, Any], client: Client, now: float) -> MarkedCursor:
        return cursor_of(channel.cursor, streams_of(config), overlap=int(config["overlap_seconds"]))

    def streams(self, poll: Poll[Client, MarkedCursor]) -> list[Iterator[Page]]:
        """Each stream walked newest first down to its mark, then its backlog (see `paging`), deduplicated by AT
        URI."""
        read = partial(walk, poll.client, seen=poll.cursor.seen)
        page = partial(handed, uris=set())
        return marked_walks(poll, streams_of(poll.config), read, max_pages=MAX_PAGES_PER_STREAM, page=page)

    def parse_items(self, poll: Poll[Client, MarkedCursor], items: list[Any]) -> Parsed:
        return parse_entries(items, ours=thread.ours_of(poll.config))

    def handed_over(self, poll: Poll[Client, MarkedCursor], parsed: Parsed) -> None:
        """Each item handed over in `seen`."""
        for mention in parsed.mentions:
            poll.cursor.seen[mention.external_id] = int(mention.created_at.timestamp())

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        config = settings_of(self.validate_config(channel.config))
        client = Client(session, login_of(channel), config)
        signed = client.signed_in()
        summary = (
            f"Signed in to Bluesky as @{signed.handle or config['handle']} ({signed.did}), reading from {client.base}."
        )
        if config["keywords"]:
            keyword = config["keywords"][0]
            found = clean.objects(
                clean.mapping(client.get(SEARCH, {"q": keyword, "sort": "latest", "limit": 1})).get("posts")
            )
            newest = clean.line(clean.mapping(found[0].get("record")).get("text"), max_length=80) if found else ""
            summary += f" Searching for {keyword!r} works ({f'newest: {newest!r}' if found else 'no posts yet'})."
        else:
            listed = clean.mapping(client.get(NOTIFICATIONS, {"limit": 1})).get("notifications")
            summary += f" Notifications answer ({len(clean.items(listed))} read)."
        rate = client.status().get("rate_limit") or {}
        if rate.get("remaining") is not None:
            limit = f"{rate['limit']:,}" if isinstance(rate.get("limit"), int) else "?"
            summary += f" Rate limit: {rate['remaining']:,} of {limit} requests left in this window."
        else:
            summary += " Bluesky sent no rate-limit figures."
        return summary

    # --- parsing -----------------------------------------------------------------------

    # A saved or fetched payload (see `parse` for the shapes). Without a channel only `our_accounts` decide which posts
    # are ours.
    parse_page = staticmethod(parse_page)
