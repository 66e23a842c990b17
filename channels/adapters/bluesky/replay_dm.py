"""The demo's Bluesky chat (issue 69): a message our account sends is remembered (channels.demo.kept) and answered by
the other member of the conversation at the desk's next read, so a newcomer sees a DM come back on the ticket.

The desk asks ``chat.bsky.convo.getConvoForMembers`` and then ``sendMessage`` in one send (the same process): the
conversation's other member is kept from the first (`convo_opened`) for the second (`message_sent`).
``chat.bsky.convo.getMessages`` (lexicons chat/bsky/convo/getMessages.json and defs.json of bluesky-social/atproto:
``{"cursor", "messages": [messageView]}``, newest first; a ``chat.bsky.convo.defs#messageView`` is ``{"id", "rev",
"text", "sender": {"did"}, "sentAt"}``) answers our messages and the member's answers (`messages`). They are few: one
page, no cursor.

An answer's ``rev`` and ``id`` are record keys (replay.tid) of its time, which is a second at least after our message:
past our message's ``rev``, as the chat service orders a conversation.
"""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Any

from channels.demo import kept
from channels.demo.replay_kit import zulu

KIND = "bluesky"
MESSAGE_VIEW = "chat.bsky.convo.defs#messageView"
# The other member of each conversation opened, by its id, until a message is sent there; the oldest are forgotten
# past a few.
_MEMBERS: dict[str, str] = {}


def convo_opened(convo_id: str, me: str, members: list[str]) -> None:
    _MEMBERS[convo_id] = next((m for m in members if m != me), "")
    while len(_MEMBERS) > 32:
        _MEMBERS.pop(next(iter(_MEMBERS)))


def message_sent(convo_id: str, view: dict[str, Any], now: datetime) -> None:
    """Remember our message `view` in the conversation, to be answered by its other member."""
    member = _MEMBERS.get(convo_id, "")
    if member:
        kept.dm_sent(KIND, conversation=convo_id, sent_id=view["id"], at=now, to=member, ours=view["sender"]["did"],
                     rev=view["rev"], text=view["text"])  # fmt: skip


def messages(convo_id: str, now: datetime) -> dict[str, Any]:
    """The conversation's messages by `now`, newest first."""
    from .replay import tid  # the replay's record keys (replay.py imports this module)

    views = []
    for dm in kept.dms_read(KIND, now=now, conversation=convo_id):
        views.append(_view(dm.sent_id, dm.data["rev"], dm.data["text"], dm.data["ours"], dm.sent_at))
        if dm.answered_at is not None:
            clock = zlib.crc32(dm.sent_id.encode())
            key = tid(dm.answered_at.timestamp(), clock)
            views.append(_view(key, key, dm.answer, dm.data["to"], dm.answered_at))
    views.sort(key=lambda v: v["rev"], reverse=True)
    return {"messages": views}


def _view(message_id: str, rev: str, text: str, sender: str, at: datetime) -> dict[str, Any]:
    return {"$type": MESSAGE_VIEW, "id": message_id, "rev": rev, "text": text, "sender": {"did": sender},
            "sentAt": zulu(at)}  # fmt: skip
