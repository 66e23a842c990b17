"""Liking a post and deleting our own on X, as a connected handle (X API v2, docs.x.com: "Causes the user (in the
path) to like the specified Post", `POST /2/users/{id}/likes` with `{"tweet_id"}` answering `{"data": {"liked":
true}}`; "Delete Post", `DELETE /2/tweets/{id}` answering `{"data": {"deleted": true}}`). The handle's X user id is
the account's `platform_user_id` (stored when it was connected) or the channel's configured `user_id`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from channels.accounts.sending import json_of, reply_request

from ..base import ReplyError, ReplyTarget
from .client import API_ROOT, platform_error, rate_limit, retry_after, scrub
from .ids import as_id

if TYPE_CHECKING:
    from channels.models import Account, Channel

LIKES_URL = API_ROOT + "/users/{user_id}/likes"
TWEET_URL = API_ROOT + "/tweets/{id}"


def _user_id(channel: Channel, account: Account) -> str:
    if account.platform_user_id:
        return account.platform_user_id
    for handle in channel.config.get("handles") or []:
        ours = isinstance(handle, dict) and str(handle.get("username", "")).casefold() == account.username.casefold()
        if ours and (found := as_id(handle.get("user_id"))):
            return found
    raise ReplyError(f"@{account.username}'s X user id is not known: an admin connects the account again.")


def _done(response: requests.Response, key: str, *, handle: str, what: str, used: list[str]) -> None:
    status = response.status_code
    body = json_of(response)
    data = body.get("data") if isinstance(body, dict) else None
    if 200 <= status < 300 and isinstance(data, dict) and data.get(key) in (True, False):
        return
    if status == 429:
        _, until = retry_after(response, rate_limit(response))
        raise ReplyError(f"X's rate limit for @{handle} is used up: try again after {until} (nothing was done).")
    raise ReplyError(scrub(f"X refused to {what} ({status}): {platform_error(response)}", *used))


def like(*, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget) -> None:
    from channels.accounts.tokens import with_account_token

    tweet_id = as_id(target.external_id)
    if tweet_id is None:
        raise ReplyError(f"Cannot like {str(target.external_id)[:40]!r}: not an X post id.")
    url = LIKES_URL.format(user_id=_user_id(channel, account))
    used: list[str] = []

    def call(tokens: dict[str, Any]) -> requests.Response:
        used.append(tokens["access_token"])
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        where = f"@{account.username}'s likes"
        return reply_request(session, "POST", url, label="X", where=where, json={"tweet_id": tweet_id}, headers=headers)

    response = with_account_token(account=account, session=session, call=call)
    _done(response, "liked", handle=account.username, what="like the post", used=used)


def delete_post(*, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget) -> None:
    from channels.accounts.tokens import with_account_token

    tweet_id = as_id(target.external_id)
    if tweet_id is None:
        raise ReplyError(f"Cannot delete {str(target.external_id)[:40]!r}: not an X post id.")
    used: list[str] = []

    def call(tokens: dict[str, Any]) -> requests.Response:
        used.append(tokens["access_token"])
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        where = f"@{account.username}'s posts"
        return reply_request(session, "DELETE", TWEET_URL.format(id=tweet_id), label="X", where=where, headers=headers)

    response = with_account_token(account=account, session=session, call=call)
    if response.status_code == 404:
        return  # already gone: what was asked is done
    _done(response, "deleted", handle=account.username, what="delete the post", used=used)
