"""A direct message on Bluesky as a connected account: Bluesky's chat service, reached through the account's PDS
with the header `atproto-proxy: did:web:api.bsky.chat#bsky_chat` (docs.bsky.app, "Direct messages" and the
lexicons `chat.bsky.convo.getConvoForMembers` and `chat.bsky.convo.sendMessage`):

1. `GET chat.bsky.convo.getConvoForMembers?members=<the author's DID>` answers `{"convo": {"id", "rev", "members",
   ...}}`, the conversation of the account and the author (made when there was none);
2. `POST chat.bsky.convo.sendMessage` with `{"convoId", "message": {"text"}}` answers the message view `{"id",
   "rev", "text", "sender": {"did"}, "sentAt"}`. A message is at most 1,000 graphemes.

An app password reaches the chat service only if it was made with "Allow access to your direct messages": without
it Bluesky answers 400 `{"error": "InvalidToken", "message": "Bad token scope"}` ("Bad token method" lately), which
is not an expired session (nothing to refresh) and is said so in words. So is a person who takes no messages from
us (400 `InvalidRequest`, "recipient has disabled incoming messages").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.accounts.sending import iso_or_now
from channels.http_status import Ladder

from ..base import ReplyError, ReplyTarget, ReplyUncertain, SentReply
from .auth import RATE_LIMITED, pds_signed, token_refused, write_answer, xrpc_error, xrpc_said
from .config import settings_of
from .platform import PLATFORM
from .richtext import grapheme_length

if TYPE_CHECKING:
    from channels.models import Account, Channel

PROXY = {"atproto-proxy": "did:web:api.bsky.chat#bsky_chat"}
CONVO_FOR_MEMBERS = "chat.bsky.convo.getConvoForMembers"
SEND_MESSAGE = "chat.bsky.convo.sendMessage"
MAX_GRAPHEMES = PLATFORM.message_rule.most
NO_DM_ACCESS = ("bad token scope", "bad token method")


def _no_dm_access(response: requests.Response) -> bool:
    error, message = xrpc_error(response)
    return error == "InvalidToken" and message.strip().casefold() in NO_DM_ACCESS


def _token_refused(response: requests.Response) -> bool:
    # Not when the session is fine but the app password does not reach the chat service.
    return not _no_dm_access(response) and token_refused(response)


# The chat service's refusals; only a message sent may have gone when the server failed.
REFUSED: Ladder = {
    429: RATE_LIMITED,
    **dict.fromkeys(
        ("1xx", "3xx", "4xx", "5xx"), (ReplyError, "{label} refused the direct message ({said}): nothing was sent.")
    ),
}
SEND_REFUSED: Ladder = {
    **REFUSED,
    "5xx": (ReplyUncertain, "{label} answered HTTP {status} ({said}): the message may be sent; check {where}."),
}


def _chat(
    *, channel: Channel, account: Account, session: requests.Session, method: str, nsid: str, **options: Any
) -> dict[str, Any]:
    """One call to the chat service as `account`, through its PDS; its JSON answer, or ReplyError in words."""
    from channels.accounts.tokens import account_request

    service = settings_of(channel.config)["service_url"]
    where = f"@{account.username}'s direct messages on Bluesky"
    response, used = account_request(
        session, method, "", account=account, label="Bluesky", where=where, refused=_token_refused,
        signed=pds_signed(service, nsid, **PROXY), **options,
    )  # fmt: skip
    if _no_dm_access(response):
        raise ReplyError(
            f"Bluesky refused the direct message ({xrpc_said(response, *used)}): the channel's app password does not "
            'allow direct messages. An admin makes a new one with "Allow access to your direct messages" ticked and '
            "stores it in the channel's credentials. Nothing was sent."
        )
    ladder = SEND_REFUSED if nsid == SEND_MESSAGE else REFUSED
    return write_answer(response, used, ladder, what="sent", where=where, user=account.username)


def direct_message(
    *, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget, text: str
) -> SentReply:
    text = (text or "").strip()
    if not text:
        raise ReplyError("The message is empty.")
    if (length := grapheme_length(text)) > MAX_GRAPHEMES:
        raise ReplyError(f"The message is {length} graphemes; a Bluesky direct message takes {MAX_GRAPHEMES} at most.")
    author = clean.mapping(clean.mapping(target.raw).get("author"))
    did = clean.ident(author.get("did"))
    if not did.startswith("did:"):
        raise ReplyError("The stored post does not name its author's DID: send the message on Bluesky.")
    options: dict[str, Any] = {"channel": channel, "account": account, "session": session}
    convo = clean.mapping(_chat(**options, method="GET", nsid=CONVO_FOR_MEMBERS, params={"members": did}).get("convo"))
    convo_id = clean.ident(convo.get("id"))
    if not convo_id:
        raise ReplyError("Bluesky named no conversation with the author: nothing was sent.")
    body = {"convoId": convo_id, "message": {"text": text}}
    sent = _chat(**options, method="POST", nsid=SEND_MESSAGE, json=body)
    message_id = clean.ident(sent.get("id"))
    if not message_id:
        raise ReplyUncertain(f"Bluesky took the message but named none: check @{account.username}'s chats.")
    return SentReply(
        external_id=f"chat:{convo_id}:{message_id}",
        permalink=f"https://bsky.app/messages/{convo_id}",
        created_at=iso_or_now(sent.get("sentAt")),
        raw={**sent, "convoId": convo_id},
    )
