"""The person's answers to a DM the desk sent on Mastodon (channels.adapters.direct): our DM is a status with
``visibility: "direct"``, and an answer to it is a status replying to it, direct too. `GET
/api/v1/statuses/:id/context` of our status, as the account that sent it (docs.joinmastodon.org, methods/statuses,
"Get parent and child statuses in context": ``{"ancestors": [...], "descendants": [...]}``; a direct status is seen
only by those it mentions, so not with the channel's own token), read as the poll reads statuses.

Only the person's statuses newer than the conversation's cursor are taken. The same answer may also come through the
channel's mention notifications first: it is `private` there too (`parse.status_mention`), and stored once by its id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests

from ..direct import DirectConversation, DirectFound, DirectRead, conversations_read, newer, read_json
from .config import validate_config
from .cursor import usable_id
from .parse import parse_page

if TYPE_CHECKING:
    from channels.http import PollBudget
    from channels.models import Channel


def direct_replies(
    *, channel: Channel, session: requests.Session, conversations: list[DirectConversation], budget: PollBudget
) -> DirectRead:
    base = validate_config(channel.config)["base_url"]
    return conversations_read(conversations, budget, lambda c: _read(session, budget, base, c))


def _read(session: requests.Session, budget: PollBudget, base: str, conversation: DirectConversation) -> DirectFound:
    status_id = usable_id(conversation.sent_id)
    if not status_id:
        return DirectFound([], conversation.cursor)
    url = f"{base}/api/v1/statuses/{status_id}/context"
    parsed = parse_page(read_json(budget, conversation.account, session, url, label="Mastodon"))
    floor = str(conversation.cursor.get("newest") or status_id)
    person = conversation.person_handle.casefold()
    theirs = [m for m in parsed.mentions if newer(m.external_id, floor) and m.author_handle.casefold() == person]
    newest = max((m.external_id for m in parsed.mentions if newer(m.external_id, floor)), key=lambda i: (len(i), i),
                 default=floor)  # fmt: skip
    return DirectFound(theirs, {**conversation.cursor, "newest": newest}, parsed.rejected)
