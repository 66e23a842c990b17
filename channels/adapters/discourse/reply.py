"""Replying on a Discourse forum as a connected account: `POST /posts.json` with the topic and the
post number answered (docs.discourse.org, "Creates a new topic, a new post, or a private message").

Credentials: the account's User API key (`User-Api-Key`), or the channel's admin API key with
`Api-Username` set to the account. Discourse's refusals are `{"errors": [...], "error_type": ...}`:
422 (a closed topic, a body too short or too similar), 403 (`invalid_access`: a revoked key, or no
right to post there), 429 (`rate_limit`, with `extras.wait_seconds`). Our post comes back with the
id and post number the poll stores, so the next poll sees a duplicate. Images (`media.py`) are uploaded first and
shown in the post's raw as the composer's markdown.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from channels.accounts.sending import Reply, iso_or_now, json_of, reply_poster
from channels.http_status import Ladder, answered, refusal, succeeded

from ..base import Media, ReplyError, ReplyUncertain, SentReply
from .oauth import base_url_of

KEY_REFUSED = "The API username or key is invalid"


def errors_of(body: Any) -> str:
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list):
        return "; ".join(str(e)[:200] for e in errors[:3])
    return str(body.get("error") or "")[:200] if isinstance(body, dict) else ""


def token_refused(response: requests.Response) -> bool:
    # A revoked or unknown key is a 403 whose message says so (any other 403 is a right the account lacks).
    return answered(response, 403) and KEY_REFUSED.casefold() in errors_of(json_of(response)).casefold()


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def credential_headers(tokens: dict[str, Any]) -> dict[str, Any]:
    """How an account's key goes with a request (`account_request`'s `signed`): an admin key with its user, or a
    user's own key."""
    if tokens.get("api_username"):
        return {"headers": {"Api-Key": tokens["access_token"], "Api-Username": tokens["api_username"]}}
    return {"headers": {"User-Api-Key": tokens["access_token"]}}


REPLY_REFUSED: Ladder = {
    429: (ReplyError, "Discourse's rate limit for {user} is used up: try again {when} (nothing was posted)."),
    403: (
        ReplyError,
        "Discourse refused the reply (403): {said} (the account may not post in this topic or category).",
    ),
    **dict.fromkeys(("3xx", "4xx", "5xx"), (ReplyError, "Discourse refused the reply ({status}): {said}.")),
}


@reply_poster(media=True)
def post_reply(reply: Reply) -> SentReply:
    from channels.accounts.tokens import account_request

    topic_id = _int(reply.target.raw.get("topic_id"))
    if topic_id is None and reply.target.thread_id.startswith("topic:") and reply.target.thread_id[6:].isdigit():
        topic_id = int(reply.target.thread_id[6:])
    if topic_id is None:
        raise ReplyError(f"Cannot reply to post {reply.target.external_id[:40]!r}: its topic is not known.")
    text, base = reply.text, base_url_of(reply.channel)
    shown: tuple[Media, ...] = ()
    if reply.media:
        from .media import uploaded

        markdown, shown = uploaded(
            account=reply.account, session=reply.session, base=base, images=reply.media, signed=credential_headers,
            refused=token_refused, errors_of=errors_of,
        )  # fmt: skip
        text = text.rstrip() + "\n\n" + "\n".join(markdown)
    body: dict[str, Any] = {"topic_id": topic_id, "raw": text}
    if (number := _int(reply.target.raw.get("post_number"))) is not None:
        body["reply_to_post_number"] = number
    where = f"{reply.account.username}'s posts in the topic"
    response, used = account_request(
        reply.session, "POST", f"{base}/posts.json", account=reply.account, label="Discourse", where=where, json=body,
        headers={"Accept": "application/json"}, signed=credential_headers, refused=token_refused,
    )  # fmt: skip
    answer = json_of(response)
    if succeeded(response):
        post_id = _int(answer.get("id")) if isinstance(answer, dict) else None
        if post_id is None:
            raise ReplyUncertain(f"Discourse accepted the reply but named no post: check {where}.")
        slug = str(answer.get("topic_slug") or "")
        number = _int(answer.get("post_number"))
        path = f"/t/{quote(slug, safe='')}/{topic_id}/{number}" if slug and number else f"/p/{post_id}"
        return SentReply(
            external_id=str(post_id),
            permalink=base + path,
            created_at=iso_or_now(answer.get("created_at")),
            raw=answer,
            media=shown,
        )
    extras = answer.get("extras") if isinstance(answer, dict) else None
    wait = _int(extras.get("wait_seconds")) if isinstance(extras, dict) else None
    raise refusal(
        response, "Discourse", REPLY_REFUSED, what="reply", said=errors_of(answer) or "no reason given", secret=used,
        user=reply.account.username, when=f"in {wait} s" if wait is not None else "later",
    )  # fmt: skip
