"""The person's answers to a DM the desk sent on X (channels.adapters.direct): `GET
/2/dm_conversations/{dm_conversation_id}/dm_events` as the handle that sent it (docs.x.com, "Get DM events for a DM
conversation", scope dm.read), newest first, 100 a page, `pagination_token` for the next page. An event is
`{"id", "text", "event_type": "MessageCreate", "dm_conversation_id", "created_at", "sender_id"}`.

The conversation is the `dm_conversation_id` X answered the send with; the person is the stored post's `author_id`.
Only their `MessageCreate` events newer than the conversation's cursor (and than our DM) are taken: ours are the
desk's already, and X's other events (a participant joining or leaving) are not messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests

from channels import clean

from ..direct import DirectConversation, DirectFound, DirectRead, answer_add, conversations_read, newer, read_json
from .client import API_ROOT
from .ids import as_id

if TYPE_CHECKING:
    from channels.http import PollBudget
    from channels.models import Channel

EVENTS_URL = API_ROOT + "/dm_conversations/{conversation}/dm_events"
FIELDS = "id,text,event_type,dm_conversation_id,created_at,sender_id"
PAGES = 2  # a conversation's pages at most in one poll: a DM's answers are a few messages, not a backlog


def direct_replies(
    *, channel: Channel, session: requests.Session, conversations: list[DirectConversation], budget: PollBudget
) -> DirectRead:
    return conversations_read(conversations, budget, lambda c: _read(session, budget, c))


def _read(session: requests.Session, budget: PollBudget, conversation: DirectConversation) -> DirectFound:
    conversation_id = clean.ident(conversation.sent_raw.get("dm_conversation_id"))
    person = as_id(conversation.person_raw.get("author_id"))
    floor = clean.ident(conversation.cursor.get("newest")) or conversation.sent_id
    if not conversation_id or not person:
        return DirectFound([], conversation.cursor)
    found = DirectFound([], dict(conversation.cursor))
    newest, params = floor, {"dm_event.fields": FIELDS, "max_results": 100}
    for _ in range(PAGES):
        answer = clean.mapping(
            read_json(budget, conversation.account, session, EVENTS_URL.format(conversation=conversation_id),
                      label="X", params=params)
        )  # fmt: skip
        events = [clean.mapping(e) for e in answer.get("data") or [] if isinstance(e, dict)]
        fresh = [e for e in events if newer(e.get("id"), floor)]
        for event in fresh:
            newest = event["id"] if newer(event.get("id"), newest) else newest
            if event.get("event_type") == "MessageCreate" and as_id(event.get("sender_id")) == person:
                _add(found, event, conversation)
        token = clean.ident(clean.mapping(answer.get("meta")).get("next_token"))
        if len(fresh) < len(events) or not token or not budget.can_call():
            break
        params = {**params, "pagination_token": token}
    found.cursor["newest"] = newest
    return found


def _add(found: DirectFound, event: dict, conversation: DirectConversation) -> None:
    link, handle = f"https://x.com/messages/{event.get('dm_conversation_id')}", conversation.person_handle
    answer_add(found, conversation, event, time="created_at", text="text", permalink=link,
               author_url=f"https://x.com/{handle}" if handle else "")  # fmt: skip
