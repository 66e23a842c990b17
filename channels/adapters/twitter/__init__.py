"""X (Twitter) API v2: mentions of our handles and recent-search queries.

Config (validated by `validate_config`; unknown keys are errors)::

    {
        "handles": [                                   # required: our accounts, exactly one "main"
            {"username": "GitLab", "user_id": "2244994945", "role": "main"},
            {"username": "GitLabStatus", "user_id": "1143870337", "role": "status"},  # at most one
            {"username": "MovingToGitLab", "user_id": "1011121314", "role": "other"},
        ],
        "search_queries": ["\\"gitlab ci\\" -is:retweet"],  # optional: recent-search queries
        "max_results": 100,                           # posts per page (5..100; search takes at least 10)
        "monthly_read_budget": 10000,                 # optional: X bills every post read; polls slow down
        "availability_keywords": ["down", "outage"],  # which posts the status handle answers
    }

Credentials: ``{"bearer_token": "...", "handles": {"GitLab": {"access_token": "..."}}}``: the app-only
bearer token reads; each handle's user-context token posts its replies. Tokens never reach a message or log.

Sources. One mentions timeline per handle (``GET /2/users/{id}/mentions``) and one recent search per query
(``GET /2/tweets/search/recent``), each with its own mark (since_id) in the cursor (`cursor.py`).

Backlog (`paging.py`). X returns newest first. A poll sends ``since_id=<mark>`` and follows ``pagination_token``
(timelines) or ``next_token`` (search) with ``since_id`` held fixed; what a poll reads of one source is one chunk
(`poll.engine`), its posts oldest first (replies after what they answer), stored with a cursor that holds the
walk's place (``pending``), so a backlog larger than one poll (10 pages per source, or an endpoint's rate-limit
window) drains over successive polls, nothing read twice or skipped. The mark moves to the first page's newest id
when the walk reaches its end. The first poll reads only the first page. A search mark older than recent search's 7
days is not sent (X refuses it): the walk reads the whole window instead.

Rate limits. Every response carries ``x-rate-limit-remaining`` and ``x-rate-limit-reset`` (epoch seconds) per
endpoint; once remaining is 0 the poll stops calling that endpoint and asks not to be polled before the reset
(``FetchResult.not_before``). A 429 on the poll's first call raises ``RateLimited`` with ``retry_after`` = reset -
now; a 429 after X has answered in the same poll ends that endpoint's walks instead
(its place is kept, ``not_before`` = the reset). ``FetchResult.reads`` counts every post returned (what X bills).

Ids are 64-bit: kept as strings, compared as ints. An edited post gets a new id and lists the original first in
``edit_history_tweet_ids``; the original id is the external id, so an edit is the same message. A reply to an
edited post names the version it answered: its parent is mapped to the original through the edit histories in
the response (``includes.tweets``, requested with ``expansions=referenced_tweets.id``) and in the cursor
(``edits``: the versions of recent edited posts), so it joins the edited post's ticket (`parse.py`); when
neither knows the version, the ingest finds the stored post whose raw edit history lists it (`edit_chain_window`).
An edit seen later replaces the stored text, link and raw post (the old text and link go to the history); an
older version seen after a newer one (another source's search, a backlog walked over several polls, a saved
file) changes nothing: the raw post's id says which version is newer (``version_key``). Posts
without a usable ``created_at`` get their time from the Snowflake id: ms since the Unix epoch =
(id >> 22) + 1288834974657.

Parsing: a response that is not the documented shape is a ``PayloadError``; inside one, a post that cannot be
read is rejected on its own, with its raw payload and author, and the rest are handed over. Partial
``errors`` next to ``data`` (deleted, protected posts) are logged and the data kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import requests

from channels import clean

from ..base import ConfigError, FetchResult
from ..guard import Parsed
from ..poll.adapter import PolledAdapter
from ..poll.engine import Page, Poll
from . import actions, dm_read, reply
from . import config as config_module
from .client import (
    MENTIONS_URL,
    READ_PARAMS,
    SEARCH_URL,
    TWEETS_URL,
    USER_URL,
    Calls,
    bearer_of,
    errors_text,
    stored_rate_limits,
    x_get,
)
from .config import handle_with_role, sources
from .cursor import Cursor
from .ids import SNOWFLAKE_EPOCH_MS, original_window, snowflake_time
from .paging import MAX_PAGES_PER_SOURCE, source_pages
from .parse import dedupe, parse_item, parse_page

if TYPE_CHECKING:
    from channels.models import Channel

__all__ = [
    "MAX_PAGES_PER_SOURCE",
    "MENTIONS_URL",
    "READ_PARAMS",
    "SEARCH_URL",
    "SNOWFLAKE_EPOCH_MS",
    "TWEETS_URL",
    "USER_URL",
    "TwitterAdapter",
    "snowflake_time",
]


class TwitterAdapter(PolledAdapter, config=config_module):
    kind = "twitter"

    def own_accounts(self, config: dict[str, Any]) -> list[str]:
        """Our handles' usernames: posts by them are our replies, never tickets."""
        return [h["username"] for h in self.validate_config(config)["handles"]]

    # --- polling ------------------------------------------------------------------------

    cursor_type = Cursor

    def client(self, channel: Channel, session: requests.Session, config: dict[str, Any]) -> Calls:
        return Calls(session=session, token=bearer_of(channel), stored=stored_rate_limits(channel))

    def cursor(self, channel: Channel, config: dict[str, Any], client: Calls, now: float) -> Cursor:
        cursor = Cursor.load(channel.cursor)
        cursor.keep_only({source.key for source in sources(config)})
        return cursor

    def streams(self, poll: Poll[Calls, Cursor]) -> list[Iterator[Page]]:
        """The poll's pages as chunks, each with the cursor just after it (see `paging`)."""
        return [source_pages(poll.client, source, poll.cursor) for source in sources(poll.config)]

    def not_before(self, poll: Poll[Calls, Cursor]) -> datetime | None:
        return poll.client.not_before()

    def backlog(self, poll: Poll[Calls, Cursor]) -> bool:
        return bool(poll.cursor.pending)

    def status(self, poll: Poll[Calls, Cursor]) -> dict[str, Any]:
        return poll.client.rate_limits()

    def fetch(self, *, channel: Channel, session: requests.Session) -> FetchResult:
        """Every chunk of one poll as one result; a post seen by several sources counts once."""
        merged = super().fetch(channel=channel, session=session)
        merged.mentions = dedupe(merged.mentions)
        return merged

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        config = self.validate_config(channel.config)
        main = handle_with_role(config, "main")
        calls = Calls(session=session, token=bearer_of(channel))
        body = x_get(calls, "users", USER_URL.format(user_id=main["user_id"]), {})
        user = body.get("data") if isinstance(body, dict) else None
        if not isinstance(user, dict):
            raise ConfigError(
                f"X knows no user with id {main['user_id']} (configured for @{main['username']}): "
                f"{errors_text(body) or 'no data in the answer'}"
            )
        username, name = clean.line(user.get("username")) or "?", clean.line(user.get("name"))
        summary = f"X answered: @{username} ({name})" if name else f"X answered: @{username}"
        if username.casefold() != main["username"].casefold():
            summary += f"; note: user id {main['user_id']} is configured as @{main['username']}"
        limits = calls.rate.get("users")
        if limits and limits.get("remaining") is not None:
            summary += f", rate limit {limits['remaining']}/{limits.get('limit', '?')}"
            if limits.get("reset"):
                summary += f" until {datetime.fromisoformat(limits['reset']):%H:%M} UTC"
        return summary

    # --- parsing --------------------------------------------------------------------------

    # A saved X API v2 response holding posts (mentions timeline, recent search, post lookup: ``{"data": [...] or {...},
    # "includes": {...}, "meta": {...}}``) or a list of them (one per page).
    parse_page = staticmethod(parse_page)

    def parse_item(self, item: Any, *, channel: Channel | None = None) -> Parsed:
        """One post as kept in the dead-letter table (the post, its author under "author")."""
        return parse_item(item)

    def parse_page_for_channel(self, payload: Any, *, channel: Channel) -> Parsed:
        """`parse_page` with the edit histories the channel's cursor remembers (replies to edited posts)."""
        return parse_page(payload, edits=Cursor.load(channel.cursor).edits)

    # Where a reply to an edited version finds the stored post (intake.pipeline.lookup): a message whose raw
    # post lists the version in its edit history, posted within X's edit window before the version.
    edit_history_key = "edit_history_tweet_ids"
    # Which of an item's versions is newer (intake.pipeline.versions): an edit is a post with a later id, kept
    # in the raw post, so a version read after a newer one was stored changes nothing.
    version_key = "id"

    def edit_chain_window(self, version_id: str) -> tuple[datetime, datetime] | None:
        return original_window(version_id)

    # --- replying -------------------------------------------------------------------------

    # A post's length as X counts it (twitter-text's weighted length: a link is 23 whatever its length, most
    # CJK characters and emoji 2): the desk refuses a reply X would refuse, before sending it.

    def choose_reply_handle(self, *, config: dict[str, Any], mentioned: list[str], text: str) -> str:
        """Which of our handles answers a post (the handbook's respond-from rule); see `reply`."""
        return reply.choose_reply_handle(config=config, mentioned=mentioned, text=text)

    post_reply = staticmethod(reply.post_reply)

    # The desk's Like, Repost, Delete and DM (the platform's `actions`, mentions.services.platform_actions and
    # direct_messages).
    like = staticmethod(actions.like)
    repost = staticmethod(actions.repost)
    delete_post = staticmethod(actions.delete_post)
    direct_message = staticmethod(actions.direct_message)
    # The person's answers to it, read in the poll (channels.adapters.direct).
    direct_replies = staticmethod(dm_read.direct_replies)
