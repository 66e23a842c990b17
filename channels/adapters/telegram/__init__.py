"""Telegram (groups the team's bot is in), through the Bot API (core.telegram.org/bots/api).

Config (validated by `validate_config`, `config.py`; unknown keys are errors)::

    {
        "chats": ["-1001971186208", "@our_chat"],   # required: the groups read (chat id or public @username)
        "keywords": ["runner"],                      # optional: in a busy group, what makes a message a mention
        "limit": 100,                                # updates per getUpdates request (1-100)
        "max_requests_per_poll": 5,
    }

Credential: ``bot_token`` (from @BotFather). It is part of every request's address, so no address is ever logged,
shown or stored (`client.py`). The bot sees every message of a group only as an admin or with privacy mode off
(@BotFather, /setprivacy); otherwise only commands, mentions of it and replies to it (docs/platforms/telegram.md).

Reading: ``getUpdates`` with the cursor's offset (`paging.py`, `cursor.py`); which messages are mentions: `paging.py`;
parsing and threading: `parse.py`; replies as the bot, and deleting one (``deleteMessage``): `reply.py`; the bot's
account: `oauth.py`; the request budget and the rest of the declaration: `platform.py`.
Failures (`client.py`): 401/404 -> AuthError (the token); 409 -> ConfigError (a webhook or another reader takes the
updates); 429 -> RateLimited (``retry_after``) on a poll's first call, later the end of the walk; 5xx, timeouts ->
TransientError; an answer that is not ``{"ok": true, "result": …}`` -> PayloadError.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import requests

from channels import clean

from ..guard import Parsed
from ..poll.adapter import PolledAdapter
from ..poll.engine import Page, Poll
from . import config as config_module
from . import reply
from .client import Client, token_of
from .config import DEFAULTS
from .cursor import Cursor
from .oauth import bot_token_grant
from .paging import update_chunks
from .parse import Context, parse_page

if TYPE_CHECKING:
    from channels.models import Channel

__all__ = ["DEFAULTS", "TelegramAdapter"]


class TelegramAdapter(PolledAdapter, config=config_module):
    kind = "telegram"
    channel_key_grant = staticmethod(bot_token_grant)
    channel_key_words = "the channel's bot token"

    post_reply = staticmethod(reply.post_reply)
    delete_post = staticmethod(reply.delete_post)  # the desk's Delete (Platform.actions): the bot's own message

    cursor_type = Cursor

    def client(self, channel: Channel, session: requests.Session, config: dict[str, Any]) -> Client:
        return Client(session, token_of(channel), budget=int(config["max_requests_per_poll"]))

    def cursor(self, channel: Channel, config: dict[str, Any], client: Client, now: float) -> Cursor:
        cursor = Cursor.load(channel.cursor)
        if not cursor.bot_id:  # asked once: the bot's own messages are our replies, mentions of it are mentions
            me = clean.mapping(client.call("getMe"))
            cursor.bot_id, cursor.bot_username = clean.ident(me.get("id")), clean.handle(me.get("username"))
        return cursor

    def streams(self, poll: Poll[Client, Cursor]) -> list[Iterator[Page]]:
        """Page after page of updates, each page's messages oldest first, each with the offset just after it."""
        cursor = poll.cursor
        context = Context(bot_id=cursor.bot_id, bot_username=cursor.bot_username)
        return [update_chunks(poll.client, poll.config, context, cursor)]

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        config = self.validate_config(channel.config)
        me = clean.mapping(Client(session, token_of(channel), budget=1).call("getMe"))
        reads_all = me.get("can_read_all_group_messages") is True
        sees = "every message" if reads_all else "every message where it is an admin (privacy mode is on)"
        return (
            f"Telegram answered: the bot is @{clean.handle(me.get('username'))}; it sees {sees}. "
            f"Chats read: {', '.join(config['chats'])}."
        )

    parse_page = staticmethod(parse_page)

    def parse_item(self, item: Any, *, channel: Channel | None = None) -> Parsed:
        bot_id = clean.ident(clean.mapping(channel.cursor if channel is not None else None).get("bot_id"))
        return parse_page(item, Context(bot_id=bot_id))
