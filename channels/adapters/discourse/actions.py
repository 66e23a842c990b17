"""Liking a post and deleting our own on a Discourse forum, as a connected account (docs.discourse.org: "Like a
post", `POST /post_actions.json` with `{"id": <post id>, "post_action_type_id": 2}` answering the post;
"Delete a single post", `DELETE /posts/{id}.json`). A like Discourse already has is refused with "You already
performed this action"; a post already gone is a 404: either way what was asked is done."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from channels.accounts.sending import json_of, reply_request, scrubbed

from ..base import ReplyError, ReplyTarget
from .oauth import base_url_of
from .reply import credential_headers, errors_of, token_refused

if TYPE_CHECKING:
    from channels.models import Account, Channel

LIKE = 2  # Discourse's post action type for a like
ALREADY = "already performed this action"


def _post_id(target: ReplyTarget, what: str) -> int:
    post_id = str(target.raw.get("id") or target.external_id)
    if not post_id.isdigit():
        raise ReplyError(f"Cannot {what} {post_id[:40]!r}: not a Discourse post id.")
    return int(post_id)


def _act(*, channel: Channel, account: Account, session: requests.Session, method: str, path: str, **kwargs: Any):
    from channels.accounts.tokens import with_account_token

    base = base_url_of(channel)
    used: list[str] = []

    def call(tokens: dict[str, Any]) -> requests.Response:
        used.append(tokens["access_token"])
        headers = {**credential_headers(tokens), "Accept": "application/json"}
        where = f"{account.username}'s activity on the forum"
        return reply_request(session, method, base + path, label="Discourse", where=where, headers=headers, **kwargs)

    return with_account_token(account=account, session=session, call=call, refused=token_refused), used


def _refused(response: requests.Response, what: str, used: list[str]) -> ReplyError:
    said = errors_of(json_of(response)) or "no reason given"
    if response.status_code == 429:
        return ReplyError(f"Discourse's rate limit is used up: try again later (nothing was done, {what}).")
    return ReplyError(scrubbed(f"Discourse refused to {what} ({response.status_code}): {said}.", *used))


def like(*, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget) -> None:
    body = {"id": _post_id(target, "like"), "post_action_type_id": LIKE}
    response, used = _act(
        channel=channel, account=account, session=session, method="POST", path="/post_actions.json", json=body
    )
    if 200 <= response.status_code < 300 or ALREADY in errors_of(json_of(response)).lower():
        return
    raise _refused(response, "like the post", used)


def delete_post(*, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget) -> None:
    path = f"/posts/{_post_id(target, 'delete')}.json"
    response, used = _act(channel=channel, account=account, session=session, method="DELETE", path=path)
    if 200 <= response.status_code < 300 or response.status_code == 404:
        return
    raise _refused(response, "delete the post", used)
