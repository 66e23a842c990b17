"""Liking a post and deleting our own on a Discourse forum, as a connected account (docs.discourse.org: "Like a
post", `POST /post_actions.json` with `{"id": <post id>, "post_action_type_id": 2}` answering the post;
"Delete a single post", `DELETE /posts/{id}.json`). A like Discourse already has is refused with "You already
performed this action"; a post already gone is a 404: either way what was asked is done. A direct message is a
personal message to the post's author ("Create a topic, post, or private message", `POST /posts.json` with
`{"title", "raw", "archetype": "private_message", "target_recipients": <username>}` answering its first post); its
title names what it is about (the topic's title)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests

from channels.accounts.sending import iso_or_now, json_of
from channels.http_status import Ladder, answered, refusal, succeeded

from ..base import ReplyError, ReplyTarget, ReplyUncertain, SentReply
from .oauth import base_url_of
from .platform import PLATFORM
from .reply import credential_headers, errors_of, token_refused

if TYPE_CHECKING:
    from channels.models import Account, Channel

LIKE = 2  # Discourse's post action type for a like
ALREADY = "already performed this action"
DM_MAX_LENGTH = PLATFORM.message_rule.most  # a forum's own max_post_length may be lower (its 422 says so)
TITLE_MAX = 200  # within max_topic_title_length (255 by default)


def _post_id(target: ReplyTarget, what: str) -> int:
    post_id = str(target.raw.get("id") or target.external_id)
    if not post_id.isdigit():
        raise ReplyError(f"Cannot {what} {post_id[:40]!r}: not a Discourse post id.")
    return int(post_id)


def _act(channel: Channel, account: Account, session: requests.Session, method: str, path: str, **kwargs: Any):
    from channels.accounts.tokens import account_request

    return account_request(
        session, method, base_url_of(channel) + path, account=account, label="Discourse",
        where=f"{account.username}'s activity on the forum", headers={"Accept": "application/json"},
        signed=credential_headers, refused=token_refused, **kwargs,
    )  # fmt: skip


ACT_REFUSED: Ladder = {
    429: (ReplyError, "Discourse's rate limit is used up: try again later (nothing was done, {what})."),
    **dict.fromkeys(("2xx", "3xx", "4xx", "5xx"), (ReplyError, "Discourse refused to {what} ({status}): {said}.")),
}


def _refused(response: requests.Response, what: str, used: list[str]) -> Exception:
    said = errors_of(json_of(response)) or "no reason given"
    return refusal(response, "Discourse", ACT_REFUSED, said=said, secret=used, what=what)


def like(*, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget) -> None:
    body = {"id": _post_id(target, "like"), "post_action_type_id": LIKE}
    response, used = _act(channel, account, session, "POST", "/post_actions.json", json=body)
    if succeeded(response) or ALREADY in errors_of(json_of(response)).lower():
        return
    raise _refused(response, "like the post", used)


def delete_post(*, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget) -> None:
    path = f"/posts/{_post_id(target, 'delete')}.json"
    response, used = _act(channel, account, session, "DELETE", path)
    if succeeded(response) or answered(response, 404):
        return  # a 404: already deleted, what was asked is done
    raise _refused(response, "delete the post", used)


def direct_message(
    *, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget, text: str
) -> SentReply:
    username = (target.author_handle or "").strip().removeprefix("@")
    if not username:
        raise ReplyError("The post's author is not known: nobody to send a personal message to.")
    about = " ".join((target.title or "").split()) or "your post"
    title = f"About {about}"[:TITLE_MAX]
    body = {"title": title, "raw": text, "archetype": "private_message", "target_recipients": username}
    response, used = _act(channel, account, session, "POST", "/posts.json", json=body)
    answer = json_of(response)
    if succeeded(response):
        post_id = answer.get("id") if isinstance(answer, dict) else None
        topic_id = answer.get("topic_id") if isinstance(answer, dict) else None
        if not isinstance(post_id, int) or not isinstance(topic_id, int):
            raise ReplyUncertain(f"Discourse took the message but named no post: check {account.username}'s messages.")
        slug = str(answer.get("topic_slug") or "topic")
        return SentReply(
            external_id=str(post_id),
            permalink=f"{base_url_of(channel)}/t/{quote(slug, safe='')}/{topic_id}",
            created_at=iso_or_now(answer.get("created_at")),
            raw=answer,
        )
    raise _refused(response, f"send the personal message to {username}", used)
