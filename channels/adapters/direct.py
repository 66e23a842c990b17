"""Reading the answers to the desk's direct messages (issue 60, "DMs both ways"): the adapter's optional
`direct_replies(*, channel, session, conversations, budget) -> DirectRead`.

After a DM is sent from a ticket (mentions.services.direct_messages), its conversation is watched for a while
(intake.services.direct_replies chooses which, and keeps each one's cursor): in the channel's normal poll, the adapter
reads each conversation as the account that sent the DM and hands back the person's messages newer than the
conversation's cursor, never ours. Each comes back `private` with the ticket's number as its `ticket_hint`, so the
ingest pipeline stores it on the same ticket as a private message, once (its platform id is unique).

`conversations_read` is the loop every platform shares: one conversation after another within the poll's request
budget (`channels.http.PollBudget`: a 429 after a call was answered ends the walk, what was read is kept), each read
by the platform's own `read_one`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.http_status import status_check

from .base import IncomingMention, PollStopped, Rejected

if TYPE_CHECKING:
    from channels.http import PollBudget
    from channels.models import Account


@dataclass(frozen=True)
class DirectConversation:
    """One DM the desk sent, as its conversation is read again: who sent it, what the platform answered then, and the
    person's stored mention (their platform id is in its raw payload)."""

    key: str  # the desk's name for it (our message's row id): what the cursor is kept under
    ticket_id: int
    account: Account  # the account that sent it: the conversation is read as this account
    sent_id: str  # our message's platform id ("" where the platform named none: Reddit)
    sent_raw: dict[str, Any]  # what the platform answered the send with
    sent_at: datetime
    person_handle: str
    person_raw: dict[str, Any]  # the mention's raw payload: the person's platform id
    cursor: dict[str, Any] = field(default_factory=dict)


@dataclass
class DirectFound:
    """What one conversation holds past its cursor: the person's messages, the cursor after them, and those that
    could not be read (quarantined with their payload)."""

    mentions: list[IncomingMention]
    cursor: dict[str, Any]
    rejected: list[Rejected] = field(default_factory=list)


@dataclass
class DirectRead:
    mentions: list[IncomingMention] = field(default_factory=list)
    cursors: dict[str, dict[str, Any]] = field(default_factory=dict)  # conversation key -> its cursor now
    rejected: list[Rejected] = field(default_factory=list)


def conversations_read(
    conversations: list[DirectConversation],
    budget: PollBudget,
    read_one: Callable[[DirectConversation], DirectFound],
) -> DirectRead:
    """Each conversation read by `read_one` while the budget lasts; its messages made private and hinted to its
    ticket. A conversation left unread keeps its cursor (read first at the next poll)."""
    read = DirectRead()
    for conversation in conversations:
        if not budget.can_call():
            break
        try:
            found = read_one(conversation)
        except PollStopped:
            break
        read.mentions.extend(replace(m, private=True, ticket_hint=conversation.ticket_id) for m in found.mentions)
        read.rejected.extend(found.rejected)
        read.cursors[conversation.key] = found.cursor
    return read


def answer_add(
    found: DirectFound, conversation: DirectConversation, item: dict[str, Any], *, time: str, text: str, **fields: Any
) -> None:
    """One of the person's messages, the platform's `item` with its time and text under those keys, added to `found` as
    the pipeline takes it: theirs (by default under the handle the desk knows them by), below our DM, its id the item's
    `id` after `prefix`; quarantined with its payload when it has no usable id or time. `fields` say the rest."""
    item_id = clean.ident(item.get("id"))
    external_id = fields.pop("external_id", None) or (fields.pop("prefix", "") + item_id if item_id else "")
    created_at = fields.pop("created_at", None) or clean.iso_time(item.get(time))
    if created_at is None or not external_id:
        found.rejected.append(Rejected(external_id or "?", "a direct message without a usable id or time", item))
        return
    handle = conversation.person_handle
    mention = {"author_handle": handle, "author_name": handle, "parent_id": conversation.sent_id, **fields}
    mention.update(external_id=external_id, created_at=created_at, text=clean.text(item.get(text)), raw=item)
    found.mentions.append(IncomingMention(**mention))


def read_json(
    budget: PollBudget, account: Account, session: requests.Session, url: str, *, label: str, **options: Any
) -> Any:
    """One read as `account` within `budget`: its JSON, or the poller's error for the status (a 429 first stops the
    walk, as `PollBudget` says)."""
    from channels.accounts.sending import json_of
    from channels.accounts.tokens import account_request

    def call() -> Any:
        response, used = account_request(
            session, "GET", url, account=account, label=label, where=f"{account.username}'s direct messages", **options
        )
        status_check(response, f"{label} direct messages", secret=used)
        return json_of(response)

    return budget.counted(call)


def newer(value: Any, than: Any) -> bool:
    """Whether the platform id `value` comes after `than` (snowflake ids: longer is later, then by digits)."""
    a, b = clean.ident(value), clean.ident(than)
    return bool(a) and (not b or (len(a), a) > (len(b), b))
