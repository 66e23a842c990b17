"""The demo's Discord direct messages (issue 69): a message the bot sends in a DM channel is remembered
(channels.demo.kept) and answered by its recipient at the desk's next read, so a newcomer sees a DM come back on the
ticket.

The desk opens the DM channel (``POST /users/@me/channels`` with ``recipient_id``, user.mdx "Create DM") and posts
there in one send (the same process): the recipient is kept from the first (`dm_opened`) for the second
(`dm_posted`). ``GET /channels/{dm}/messages?after=`` (message.mdx "Get Channel Messages") then holds our messages and
the recipient's answers as message objects (replay.message, after the recorded shapes), paged as any channel's.

An answer's id is a Snowflake of its time, which is a second at least after our message: newer than our message, as
``after`` reads them.
"""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Any

from channels.adapters.base import IncomingMention
from channels.demo import kept
from channels.demo.replay import DemoPosts

KIND = "discord"
# The recipient of each DM channel opened, by its id, until the bot posts there; the oldest are forgotten past a few.
_RECIPIENTS: dict[str, str] = {}


def dm_opened(channel_id: str, recipient: str) -> None:
    _RECIPIENTS[channel_id] = recipient
    while len(_RECIPIENTS) > 32:
        _RECIPIENTS.pop(next(iter(_RECIPIENTS)))


def dm_posted(channel_id: str, posted: dict[str, Any], now: datetime) -> None:
    """Remember the bot's message `posted` in the DM channel, to be answered by its recipient."""
    recipient = _RECIPIENTS.get(channel_id, "")
    if recipient:
        kept.dm_sent(KIND, conversation=channel_id, sent_id=posted["id"], at=now, to=recipient, text=posted["content"])


def dm_messages(channel_id: str, posts: DemoPosts) -> list[dict[str, Any]]:
    """The DM channel's messages by now, oldest first, drawn as the replay draws every message."""
    from .replay import bot, message, snowflake, user  # the replay's shapes (replay.py imports this module)

    found = []
    for dm in kept.dms_read(KIND, now=posts.now, conversation=channel_id):
        ours = IncomingMention(external_id="", author_handle="", text=dm.data["text"], created_at=dm.sent_at)
        found.append(message(ours, dm.sent_id, channel_id, "", author=bot()))
        if dm.answered_at is not None:
            recipient = dm.data["to"]
            # The recipient as the week's posts show them (their name), or by their id alone (another server's).
            handle = next((m.author_handle for m in posts.mentions if user(m.author_handle, "")["id"] == recipient), "")
            author = user(handle, "") if handle else {**user(f"user{recipient}", ""), "id": recipient}
            theirs = IncomingMention(external_id="", author_handle=handle, text=dm.answer, created_at=dm.answered_at)
            answer_id = snowflake(dm.answered_at, zlib.crc32(dm.sent_id.encode()))
            found.append(message(theirs, answer_id, channel_id, "", author=author))
    return found
