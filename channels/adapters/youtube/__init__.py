"""YouTube comments (the YouTube Data API v3, developers.google.com/youtube/v3/docs): every comment thread on the
team's channels' videos, and on new videos that keyword searches find; replies as a comment, through a connected
Google account.

Config (validated by `validate_config`, `config.py`; unknown keys are errors)::

    {
        "channel_ids": ["UCnMGQ8QHMAnVIsI3xJrihhg"],  # the team's channels: every comment on their videos
        "keywords": ["gitlab ci"],                   # searched among new videos (search.list, 100 units each)
        "videos_per_keyword": 5,                     # the newest videos a keyword's search follows
        "follow_days": 3,                            # how long a found video is followed; how far back a poll reads
        "search_every_hours": 6,
        "daily_quota": 9000,                         # units the polls may spend a Pacific day
        "max_pages_per_stream": 3,
        "max_requests_per_poll": 30,
    }

Credentials: ``api_key`` (reads), and the project's OAuth client (``oauth_client_id``, ``oauth_client_secret``) with
which an admin connects the Google account that replies (`oauth.py`).

Reading (`paging.py`): ``commentThreads.list`` with ``allThreadsRelatedToChannelId`` for each of the team's channels
and with ``videoId`` for each followed video, newest first, down to ``follow_days`` back; a thread's top-level
comment is the mention, its replies (those it carries, and ``comments.list?parentId=`` when it has more) are
threaded under it (`parse.py`). A comment by one of the team's channels (``authorChannelId``: the config's
``channel_ids``, or an id in the channel's "our accounts") is our reply. What was handed over is in the cursor
(`cursor.py`): nothing twice, and a poll cut short goes on at the next.

Quota (`quota.py`): each call's units are counted in the cursor against ``daily_quota`` before it is made; a poll
stops before passing it, or when Google answers ``quotaExceeded``, and waits for the reset at midnight Pacific. The
units spent today and the budget are the channel's platform status (admin's "Platform says").

Replies (`reply.py`): ``comments.insert`` answering the thread's top-level comment, as the connected account; the
desk's Delete takes one of our comments back with ``comments.delete``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests

from channels import clean

from ..base import PollStopped
from ..guard import Parsed
from ..poll.adapter import PolledAdapter
from ..poll.engine import Page, Poll
from . import config as config_module
from . import reply
from .client import Client, api_key_of
from .config import DEFAULTS
from .cursor import Cursor
from .paging import Streams
from .parse import Context, parse_page
from .quota import Quota

if TYPE_CHECKING:
    from channels.models import Channel

__all__ = ["DEFAULTS", "YoutubeAdapter"]


def context_of(channel: Channel, config: dict[str, Any]) -> Context:
    """The team's channel ids: the config's, and any channel id among the channel's "our accounts"."""
    listed = [a.strip() for a in channel.our_accounts or [] if isinstance(a, str)]
    return Context(
        ours=frozenset([*clean.strings(config.get("channel_ids")), *(a for a in listed if a.startswith("UC"))])
    )


class YoutubeAdapter(PolledAdapter, config=config_module):
    kind = "youtube"
    post_reply = staticmethod(reply.post_reply)
    delete_post = staticmethod(reply.delete_post)  # the desk's Delete (Platform.actions): our own comment

    cursor_type = Cursor

    def client(self, channel: Channel, session: requests.Session, config: dict[str, Any]) -> Client:
        """The poll's client, counting each call's units against the day's quota kept in the cursor."""
        raw = clean.mapping(channel.cursor).get("quota")
        quota = Quota.read_back(raw, budget=int(config["daily_quota"]), now=datetime.now(tz=UTC))
        return Client(session, api_key_of(channel), budget=int(config["max_requests_per_poll"]), quota=quota)

    def streams(self, poll: Poll[Client, Cursor]) -> Iterator[Iterator[Page]]:
        """The due keyword searches, then each of the team's channels' and each followed video's new comments,
        page by page, each page with the cursor just after it."""
        walk = Streams(poll.client, poll.cursor, context_of(poll.channel, poll.config), poll.config, int(poll.now))
        poll.cursor.forget_before(walk.floor - 86_400, walk.now)
        return walk.streams()

    def cursor_dump(self, poll: Poll[Client, Cursor]) -> dict[str, Any]:
        """The cursor with the day's units spent so far."""
        poll.cursor.quota = poll.client.quota.dump()
        return poll.cursor.dump()

    def status(self, poll: Poll[Client, Cursor]) -> dict[str, Any]:
        return poll.client.quota.status(datetime.now(tz=UTC))

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        config = self.settings_of(channel.config)
        now = datetime.now(tz=UTC)
        quota = Quota.read_back(clean.mapping(channel.cursor).get("quota"), budget=int(config["daily_quota"]), now=now)
        client = Client(session, api_key_of(channel), budget=1, quota=quota)
        try:
            if config["channel_ids"]:
                found = client.threads(channel_id=config["channel_ids"][0])
                where = f"channel {config['channel_ids'][0]}"
            else:
                found = client.search(config["keywords"][0], published_after=now, limit=1)
                where = f"a search for {config['keywords'][0]!r}"
        except PollStopped as exc:  # the day's units are spent: asking would pass the budget
            return f"YouTube was not asked: {exc}. Google resets the quota at midnight Pacific time."
        return f"YouTube answered: {len(clean.items(found.get('items')))} item(s) for {where}."

    parse_page = staticmethod(parse_page)

    def parse_item(self, item: Any, *, channel: Channel | None = None) -> Parsed:
        context = Context()
        if channel is not None:
            context = context_of(channel, clean.mapping(channel.config))
        return parse_page(item, context)
