"""The person's answers to a private message the desk sent on Reddit (channels.adapters.direct): `GET
/message/messages` as the account that sent it (reddit.com/dev/api#GET_message_{where}, scope `privatemessages`), a
Listing of `t4` things grouped by conversation: the first message, with the conversation's later ones in its
`replies` Listing. A message is `{"name": "t4_...", "author", "dest", "subject", "body", "created_utc",
"first_message_name", "was_comment": false}`; an answer's subject is "re: " and ours.

Reddit named no message when ours was sent (`message.direct_message` keeps its recipient and subject): the
conversation is found as the message from our account to the person with our subject, sent when ours was, and its
name kept in the cursor; the person's messages in it (`first_message_name`) newer than the cursor are taken.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests

from channels import clean

from ..direct import DirectConversation, DirectFound, DirectRead, answer_add, conversations_read, read_json
from .client import API_URL
from .oauth import reddit_signed

if TYPE_CHECKING:
    from channels.http import PollBudget
    from channels.models import Channel

MESSAGES_URL = API_URL + "/message/messages"
SLACK_SECONDS = 300  # Reddit's time for our message and ours may differ by this much


def direct_replies(
    *, channel: Channel, session: requests.Session, conversations: list[DirectConversation], budget: PollBudget
) -> DirectRead:
    return conversations_read(conversations, budget, lambda c: _read(channel, session, budget, c))


def _things(listing: Any) -> Iterator[dict[str, Any]]:
    """Each t4 of a Listing, its `replies` Listing's too."""
    for child in clean.objects(clean.mapping(clean.mapping(listing).get("data")).get("children")):
        data = clean.mapping(child.get("data"))
        if child.get("kind") == "t4" and data:
            yield data
            yield from _things(data.get("replies"))


def _read(
    channel: Channel, session: requests.Session, budget: PollBudget, conversation: DirectConversation
) -> DirectFound:
    person = clean.line(conversation.sent_raw.get("to")).casefold()
    subject = clean.line(conversation.sent_raw.get("subject"))
    if not person or not subject:
        return DirectFound([], conversation.cursor)
    signed = reddit_signed(channel, conversation.account)
    params = {"limit": 100, "raw_json": 1}
    listing = read_json(
        budget, conversation.account, session, MESSAGES_URL, label="Reddit", params=params, signed=signed
    )
    things = list(_things(listing))
    since = conversation.sent_at.timestamp() - SLACK_SECONDS
    ours = conversation.account.username.casefold()
    started = clean.ident(conversation.cursor.get("conversation")) or next(
        (clean.ident(t.get("name")) for t in things if _author(t) == ours and clean.line(t.get("dest")).casefold()
         == person and clean.line(t.get("subject")) == subject and _time(t) >= since),
        "",
    )  # fmt: skip
    after = float(conversation.cursor.get("after") or since)
    theirs = [t for t in things if _author(t) == person and started and t.get("first_message_name") == started]
    fresh = [t for t in theirs if _time(t) > after]
    found = DirectFound([], {"conversation": started, "after": max([after, *(_time(t) for t in fresh)])})
    for thing in fresh:
        _add(found, thing, conversation)
    return found


def _author(thing: dict[str, Any]) -> str:
    return clean.line(thing.get("author")).casefold()


def _time(thing: dict[str, Any]) -> float:
    value = thing.get("created_utc")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _add(found: DirectFound, thing: dict[str, Any], conversation: DirectConversation) -> None:
    name, seconds, handle = clean.ident(thing.get("name")), _time(thing), clean.line(thing.get("author"))
    answer_add(
        found,
        conversation,
        thing,
        time="created_utc",
        text="body",
        created_at=datetime.fromtimestamp(seconds, tz=UTC) if seconds else None,
        external_id=name if name.startswith("t4_") else "",
        title=clean.line(thing.get("subject")),
        permalink=f"https://www.reddit.com/message/messages/{name.removeprefix('t4_')}",
        author_handle=handle,
        author_name=handle,
        author_url=f"https://www.reddit.com/user/{handle}",
    )
