"""The person's answers to a DM the desk's bot sent on Discord (channels.adapters.direct): `GET
/channels/{dm_channel.id}/messages?after=<id>` with the bot's token (discord.com/developers/docs/resources/message,
"Get Channel Messages": an array of message objects `{"id", "channel_id", "author": {"id", "username", ...},
"content", "timestamp", "attachments"}`; a message's id is a snowflake, so `after` the newest one read is exactly what
is new).

The DM channel is the `channel_id` of the message Discord answered the send with; the person is the stored message's
`author.id`. Only their messages are taken: the bot's own are the desk's already.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests

from channels import clean

from ..direct import DirectConversation, DirectFound, DirectRead, answer_add, conversations_read, newer
from .client import Client, token_of
from .parse import WEB, media_of

if TYPE_CHECKING:
    from channels.http import PollBudget
    from channels.models import Channel

LIMIT = 50


def direct_replies(
    *, channel: Channel, session: requests.Session, conversations: list[DirectConversation], budget: PollBudget
) -> DirectRead:
    client = Client(session, token_of(channel), budget=budget.budget - budget.made)  # the bot reads, not an account
    return conversations_read(conversations, client, lambda c: _read(client, c))


def _read(client: Client, conversation: DirectConversation) -> DirectFound:
    dm_channel = clean.ident(conversation.sent_raw.get("channel_id"))
    person = clean.ident(clean.mapping(conversation.person_raw.get("author")).get("id"))
    floor = clean.ident(conversation.cursor.get("after")) or conversation.sent_id
    if not dm_channel or not person or not floor:
        return DirectFound([], conversation.cursor)
    messages = clean.objects(client.get(f"/channels/{dm_channel}/messages", {"after": floor, "limit": LIMIT}))
    fresh = [m for m in messages if newer(m.get("id"), floor)]
    newest = max((str(m["id"]) for m in fresh), key=lambda i: (len(i), i), default=floor)
    found = DirectFound([], {**conversation.cursor, "after": newest})
    for message in fresh:
        if clean.ident(clean.mapping(message.get("author")).get("id")) == person:
            _add(found, message, dm_channel, conversation)
    return found


def _add(found: DirectFound, message: dict, dm_channel: str, conversation: DirectConversation) -> None:
    author = clean.mapping(message.get("author"))
    name = clean.line(author.get("global_name")) or clean.line(author.get("username"))
    link, media = f"{WEB}/@me/{dm_channel}/{message.get('id')}", media_of(message.get("attachments"))
    answer_add(
        found, conversation, message, time="timestamp", text="content", author_name=name, permalink=link, media=media
    )
