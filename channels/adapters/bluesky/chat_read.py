"""The person's answers to a DM the desk sent on Bluesky (channels.adapters.direct): `GET
chat.bsky.convo.getMessages?convoId=...` as the account that sent it, through its PDS with the header `atproto-proxy:
did:web:api.bsky.chat#bsky_chat` (docs.bsky.app, "Direct messages"; lexicon `chat.bsky.convo.getMessages`: `{"cursor",
"messages": [messageView | deletedMessageView]}`, newest first; a messageView is `{"id", "rev", "text", "sender":
{"did"}, "sentAt"}`).

The conversation is the `convoId` kept with our message when it was sent (`chat.direct_message`); the person is the
stored post's `author.did`. Only their messages with a `rev` past the conversation's cursor (and past our message's)
are taken, under the id our own message has (`chat:<convo>:<message>`); a deleted one has no text to keep.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests

from channels import clean

from ..direct import DirectConversation, DirectFound, DirectRead, answer_add, conversations_read, read_json
from .auth import pds_signed
from .chat import PROXY
from .config import settings_of

if TYPE_CHECKING:
    from channels.http import PollBudget
    from channels.models import Channel

GET_MESSAGES = "chat.bsky.convo.getMessages"
MESSAGE_VIEW = "chat.bsky.convo.defs#messageView"
LIMIT = 50


def direct_replies(
    *, channel: Channel, session: requests.Session, conversations: list[DirectConversation], budget: PollBudget
) -> DirectRead:
    service = settings_of(channel.config)["service_url"]
    return conversations_read(conversations, budget, lambda c: _read(session, budget, service, c))


def _read(session: requests.Session, budget: PollBudget, service: str, conversation: DirectConversation) -> DirectFound:
    convo = clean.ident(conversation.sent_raw.get("convoId"))
    person = clean.ident(clean.mapping(conversation.person_raw.get("author")).get("did"))
    floor = clean.ident(conversation.cursor.get("rev")) or clean.ident(conversation.sent_raw.get("rev"))
    if not convo or not person:
        return DirectFound([], conversation.cursor)
    answer = clean.mapping(
        read_json(budget, conversation.account, session, "", label="Bluesky", params={"convoId": convo, "limit": LIMIT},
                  signed=pds_signed(service, GET_MESSAGES, **PROXY))
    )  # fmt: skip
    views = clean.objects(answer.get("messages"))
    fresh = [v for v in views if clean.ident(v.get("rev")) > floor]
    found = DirectFound([], {**conversation.cursor, "rev": max((str(v["rev"]) for v in fresh), default=floor)})
    for view in fresh:
        sender = clean.ident(clean.mapping(view.get("sender")).get("did"))
        if sender == person and view.get("$type", MESSAGE_VIEW) == MESSAGE_VIEW and "text" in view:
            _add(found, view, convo, conversation)
    return found


def _add(found: DirectFound, view: dict, convo: str, conversation: DirectConversation) -> None:
    handle = conversation.person_handle
    answer_add(found, conversation, view, time="sentAt", text="text", prefix=f"chat:{convo}:",
               permalink=f"https://bsky.app/messages/{convo}",
               author_url=f"https://bsky.app/profile/{handle}" if handle else "")  # fmt: skip
