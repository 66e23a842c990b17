"""Liking and reposting a post, deleting our own and messaging its author on X, as a connected handle (X API v2,
docs.x.com: "Causes the user (in the path) to like the specified Post", `POST /2/users/{id}/likes` with
`{"tweet_id"}` answering `{"data": {"liked": true}}`; "Causes the user (in the path) to repost the specified Post",
`POST /2/users/{id}/retweets` with `{"tweet_id"}` answering `{"data": {"retweeted": true}}`; "Delete Post",
`DELETE /2/tweets/{id}` answering `{"data": {"deleted": true}}`; "Send a new message to a user",
`POST /2/dm_conversations/with/{participant_id}/messages` with `{"text"}` answering 201 `{"data":
{"dm_conversation_id", "dm_event_id"}}`, which needs the dm.write scope). The handle's X user id is the account's
`platform_user_id` (stored when it was connected) or the channel's configured `user_id`; the DM's recipient is the
stored post's `author_id`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests

from channels import clean
from channels.accounts.sending import iso_or_now, json_of
from channels.http_status import Ladder, answered, rate_limit_of, refusal, succeeded

from ..base import ReplyError, ReplyTarget, ReplyUncertain, SentReply
from .client import API_ROOT, platform_error, retry_after
from .ids import as_id
from .platform import PLATFORM

if TYPE_CHECKING:
    from channels.models import Account, Channel

LIKES_URL = API_ROOT + "/users/{user_id}/likes"
RETWEETS_URL = API_ROOT + "/users/{user_id}/retweets"
DM_URL = API_ROOT + "/dm_conversations/with/{participant_id}/messages"
DM_MAX_LENGTH = PLATFORM.message_rule.most
TWEET_URL = API_ROOT + "/tweets/{id}"


def _user_id(channel: Channel, account: Account) -> str:
    if account.platform_user_id:
        return account.platform_user_id
    for handle in channel.config.get("handles") or []:
        ours = isinstance(handle, dict) and str(handle.get("username", "")).casefold() == account.username.casefold()
        if ours and (found := as_id(handle.get("user_id"))):
            return found
    raise ReplyError(f"@{account.username}'s X user id is not known: an admin connects the account again.")


ACT_REFUSED: Ladder = {
    429: (ReplyError, "X's rate limit for @{handle} is used up: try again after {until} (nothing was done)."),
    **dict.fromkeys(("2xx", "3xx", "4xx", "5xx"), (ReplyError, "X refused to {what} ({status}): {said}")),
}
DM_REFUSED: Ladder = {
    429: (ReplyError, "X's limit on direct messages for @{handle} is used up: try after {until}."),
    403: (
        ReplyError,
        "X refused the direct message (403): {said} (they may not take messages from us, or @{handle} was connected "
        "before the desk asked for direct messages: an admin connects it again)",
    ),
    **dict.fromkeys(("3xx", "4xx", "5xx"), (ReplyError, "X refused the direct message ({status}): {said}")),
}


def _refused(response: requests.Response, ladder: Ladder, *, handle: str, used: list[str], what: str = "") -> Exception:
    _, until = retry_after(response, rate_limit_of(response))
    said = platform_error(response)
    return refusal(response, "X", ladder, said=said, secret=used, until=until, handle=handle, what=what)


def _done(response: requests.Response, key: str, *, handle: str, what: str, used: list[str]) -> None:
    body = json_of(response)
    data = body.get("data") if isinstance(body, dict) else None
    if succeeded(response) and isinstance(data, dict) and data.get(key) in (True, False):
        return
    raise _refused(response, ACT_REFUSED, handle=handle, used=used, what=what)


def _on_post(
    url_of: str,
    key: str,
    what: str,
    noun: str,
    *,
    channel: Channel,
    account: Account,
    session: requests.Session,
    target: ReplyTarget,
) -> None:
    """POST `{"tweet_id"}` to the handle's likes or retweets."""
    from channels.accounts.tokens import account_request

    tweet_id = as_id(target.external_id)
    if tweet_id is None:
        raise ReplyError(f"Cannot {what} {str(target.external_id)[:40]!r}: not an X post id.")
    url = url_of.format(user_id=_user_id(channel, account))
    response, used = account_request(
        session, "POST", url, account=account, label="X", where=f"@{account.username}'s {noun}",
        json={"tweet_id": tweet_id},
    )  # fmt: skip
    _done(response, key, handle=account.username, what=f"{what} the post", used=used)


def like(*, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget) -> None:
    _on_post(LIKES_URL, "liked", "like", "likes", channel=channel, account=account, session=session, target=target)


def repost(*, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget) -> None:
    _on_post(
        RETWEETS_URL, "retweeted", "repost", "reposts", channel=channel, account=account, session=session, target=target
    )


def delete_post(*, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget) -> None:
    from channels.accounts.tokens import account_request

    tweet_id = as_id(target.external_id)
    if tweet_id is None:
        raise ReplyError(f"Cannot delete {str(target.external_id)[:40]!r}: not an X post id.")
    response, used = account_request(
        session, "DELETE", TWEET_URL.format(id=tweet_id), account=account, label="X",
        where=f"@{account.username}'s posts",
    )  # fmt: skip
    if answered(response, 404):
        return  # already gone: what was asked is done
    _done(response, "deleted", handle=account.username, what="delete the post", used=used)


def direct_message(
    *, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget, text: str
) -> SentReply:
    from channels.accounts.tokens import account_request

    text = (text or "").strip()
    if not text or len(text) > DM_MAX_LENGTH:
        raise ReplyError(f"A direct message on X is 1 to {DM_MAX_LENGTH} characters; this one is {len(text)}.")
    recipient = as_id(clean.mapping(target.raw).get("author_id"))
    if recipient is None:
        raise ReplyError("The stored post does not name its author's X id: send the message on X.")
    response, used = account_request(
        session, "POST", DM_URL.format(participant_id=recipient), account=account, label="X",
        where=f"@{account.username}'s direct messages", json={"text": text},
    )  # fmt: skip
    data = clean.mapping(clean.mapping(json_of(response)).get("data"))
    if succeeded(response):
        event, conversation = clean.ident(data.get("dm_event_id")), clean.ident(data.get("dm_conversation_id"))
        if not event:
            raise ReplyUncertain(f"X took the message but named none: check @{account.username}'s messages.")
        link = f"https://x.com/messages/{conversation}" if conversation else ""
        return SentReply(external_id=event, permalink=link, created_at=iso_or_now(None), raw=data)
    raise _refused(response, DM_REFUSED, handle=account.username, used=used)
