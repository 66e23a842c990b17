"""Answering on X: which of our handles answers (the handbook's respond-from rule) and posting the reply, its images
uploaded first (`media.py`)."""

from __future__ import annotations

import re
from typing import Any

from django.utils import timezone

from channels.accounts.sending import Reply, reply_poster
from channels.http_status import Ladder, rate_limit_of, refusal, succeeded

from ..base import ReplyError, ReplyUncertain, SentReply
from .client import TWEETS_URL, platform_error, retry_after
from .config import DEFAULT_AVAILABILITY_KEYWORDS, handle_with_role, validate_config
from .ids import as_id
from .parse import STATUS_URL


def mentions_any(text: str, keywords: Any) -> bool:
    """Whether `text` contains one of `keywords` as a whole word or phrase, ignoring case."""
    for keyword in keywords:
        words = str(keyword).split()
        if words:
            pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
            if re.search(pattern, text or "", re.IGNORECASE):
                return True
    return False


def choose_reply_handle(*, config: dict[str, Any], mentioned: list[str], text: str) -> str:
    """Several of our handles mentioned: the main handle, or the status handle (if there is one) when the
    post is about availability. Exactly one mentioned: that handle. None (a search result): the main handle."""
    config = validate_config(config)
    ours = {h["username"].casefold(): h for h in config["handles"]}
    hits: list[dict[str, Any]] = []
    for name in mentioned:
        handle = ours.get(str(name).strip().lstrip("@").casefold())
        if handle is not None and handle not in hits:
            hits.append(handle)
    if len(hits) == 1:
        return hits[0]["username"]
    if len(hits) > 1:
        status = next((h for h in config["handles"] if h["role"] == "status"), None)
        keywords = config.get("availability_keywords", DEFAULT_AVAILABILITY_KEYWORDS)
        if status is not None and mentions_any(text, keywords):
            return status["username"]
    return handle_with_role(config, "main")["username"]


REFUSED: Ladder = {
    429: (ReplyError, "X's rate limit for @{handle} is used up: try again after {until} (nothing was posted)"),
    403: (
        ReplyError,
        "X refused the reply (403): {said} (the post may be deleted or protected, or replies to it are limited)",
    ),
}


@reply_poster(media=True)
def post_reply(reply: Reply) -> SentReply:
    """POST /2/tweets as `reply.account` (a connected handle of this channel), replying to `reply.target` (with its
    `media` uploaded first, named by their ids)."""
    from channels.accounts.tokens import account_request

    reply_to = as_id(reply.target.external_id)
    if reply_to is None:
        raise ReplyError(f"Cannot reply to {str(reply.target.external_id)[:40]!r}: not an X post id.")
    handle = reply.account.username
    post: dict[str, Any] = {"text": reply.text, "reply": {"in_reply_to_tweet_id": reply_to}}
    if reply.media:
        from .upload import uploaded

        post["media"] = {"media_ids": uploaded(account=reply.account, session=reply.session, images=reply.media)}
    response, used = account_request(
        reply.session, "POST", TWEETS_URL, account=reply.account, label="X", where=f"@{handle}'s replies", json=post
    )
    if succeeded(response):
        try:
            body = response.json()
        except (ValueError, RecursionError):
            body = {}
        data = body.get("data") if isinstance(body, dict) else None
        tweet_id = as_id(data.get("id")) if isinstance(data, dict) else None
        # The 201 also names the new post in its Location header (…/2/tweets/{id}).
        tweet_id = tweet_id or as_id(response.headers.get("Location", "").rstrip("/").rpartition("/")[2])
        if tweet_id is None:
            raise ReplyUncertain(f"X accepted the reply but named no post id: check @{handle}'s replies.")
        return SentReply(
            external_id=tweet_id,
            permalink=STATUS_URL.format(username=handle, id=tweet_id),
            created_at=timezone.now(),  # X's answer to a post carries no time
            raw=body if isinstance(body, dict) else {},
        )
    _, until = retry_after(response, rate_limit_of(response))
    raise refusal(
        response, "X", REFUSED, what="reply", said=platform_error(response), secret=used, until=until, handle=handle
    )
