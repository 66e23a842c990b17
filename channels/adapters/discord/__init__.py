"""Discord (one server, read by the team's bot), through its REST API; the gateway process (`gateway.py`,
``manage.py discord_gateway``) hands the same messages over as they are posted, where it runs.

Config (validated by `validate_config`, `config.py`; unknown keys are errors)::

    {
        "guild_id": "613425648685547541",          # required: the server (guild)
        "text_channels": ["613425648685547543"],   # every message read; a thread started there is one ticket
        "forum_channels": ["1019000000000000001"],  # each post (a thread) is one ticket
        "team_user_ids": ["..."],                   # the team's users: their messages are our replies
        "team_role_ids": ["..."],                   # members with one of these roles are ours (gateway events)
        "keywords": ["runner"],                     # optional: only a busy text channel's messages naming one
        "application_id": "...",                    # the bot's application, for "Add to server" (oauth.py)
        "backfill_messages": 50,                    # a new text channel's latest messages read first
        "max_requests_per_poll": 20,
    }

Credential: ``bot_token`` (Developer Portal, Bot), sent as ``Authorization: Bot``; never logged. The bot needs the
MESSAGE_CONTENT privileged intent switched on (docs/platforms/discord.md), or every message reads empty.

Reading: `paging.py`; what a channel remembers: `cursor.py`; parsing: `parse.py`; replies, 👍 and deletion as the
bot: `reply.py`; the bot's account: `oauth.py`; the request budget and the rest of the declaration: `platform.py`; the
demo's server: `replay.py`.
Failures (`client.py`): 401/403 -> AuthError; 404 -> ConfigError; 429 -> RateLimited (first call) or the end of
the walk; 5xx and timeouts -> TransientError.
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
from . import dm_read, reply
from .client import Client, token_of
from .config import DEFAULTS
from .cursor import Cursor
from .oauth import bot_token_grant
from .paging import poll_streams
from .parse import context_of, parse_page, wanted

if TYPE_CHECKING:
    from channels.models import Channel

__all__ = ["DEFAULTS", "DiscordAdapter"]


class DiscordAdapter(PolledAdapter, config=config_module):
    kind = "discord"
    channel_key_grant = staticmethod(bot_token_grant)
    channel_key_words = "the channel's bot token"

    post_reply = staticmethod(reply.post_reply)
    like = staticmethod(reply.like)
    delete_post = staticmethod(reply.delete_post)
    # The desk's "Send a DM" (mentions.services.direct_messages): from the bot to the mention's author.
    direct_message = staticmethod(reply.direct_message)
    # The person's answers to it, read in the poll (channels.adapters.direct).
    direct_replies = staticmethod(dm_read.direct_replies)

    cursor_type = Cursor
    hand_over = "poll"  # a thread's follow-up finds the message that opened it: the poll is one chunk

    def client(self, channel: Channel, session: requests.Session, config: dict[str, Any]) -> Client:
        return Client(session, token_of(channel), budget=int(config["max_requests_per_poll"]))

    def streams(self, poll: Poll[Client, Cursor]) -> Iterator[Iterator[Page]]:
        """One poll as one chunk, oldest first: a thread's follow-up then finds the message that opened it."""
        if not poll.cursor.bot_id:
            poll.cursor.bot_id = _bot_id(poll.client)
        yield from poll_streams(poll.client, poll.config, poll.cursor)

    def parse_items(self, poll: Poll[Client, Cursor], items: list[Any]) -> Parsed:
        """The poll's messages, with the threads it listed (forum posts' names, which channel is a thread)."""
        context = context_of(poll.config, poll.cursor.bot_id)
        parsed = parse_page({"messages": items, "threads": poll.cursor.threads}, context)
        parsed.mentions = [m for m in parsed.mentions if wanted(m, poll.config)]
        return parsed

    def cursor_dump(self, poll: Poll[Client, Cursor]) -> dict[str, Any]:
        return poll.cursor.dump(poll.config)

    def status(self, poll: Poll[Client, Cursor]) -> dict[str, Any]:
        return poll.client.limits.status()

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        config = self.validate_config(channel.config)
        client = Client(session, token_of(channel), budget=2)
        me = clean.mapping(client.get("/users/@me"))
        guild = clean.mapping(client.get(f"/guilds/{config['guild_id']}"))
        return f"Discord answered: the bot is {clean.line(me.get('username'))}, in {clean.line(guild.get('name'))}."

    parse_page = staticmethod(parse_page)


def _bot_id(client: Client) -> str:
    """The bot's own user id (its messages are ours), asked once and kept in the cursor."""
    return clean.ident(clean.mapping(client.get("/users/@me")).get("id"))
