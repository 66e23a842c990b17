"""Answering on X: which of our handles answers (the handbook's respond-from rule) and posting the reply."""

from __future__ import annotations

import re
from typing import Any

import requests
from django.conf import settings
from django.utils import timezone

from channels.secrets import CredentialsUnreadable

from ..base import ConfigError, ReplyError, SentReply
from .client import TWEETS_URL, platform_error, rate_limit, retry_after, scrub
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


def post_reply(
    *, channel: Any, session: requests.Session, handle: str, in_reply_to_tweet_id: str, text: str
) -> SentReply:
    try:
        config = validate_config(channel.config)
    except ConfigError as exc:
        raise ReplyError(f"The channel's X settings are invalid: {exc}") from exc
    ours = {h["username"].casefold(): h["username"] for h in config["handles"]}
    wanted = str(handle or "").strip().lstrip("@")
    if wanted.casefold() not in ours:
        names = ", ".join(f"@{h}" for h in ours.values())
        raise ReplyError(f"@{wanted} is not one of this channel's X handles ({names}).")
    handle = ours[wanted.casefold()]
    reply_to = as_id(in_reply_to_tweet_id)
    if reply_to is None:
        raise ReplyError(f"Cannot reply to {str(in_reply_to_tweet_id)[:40]!r}: not an X post id.")
    if not text or not text.strip():
        raise ReplyError("The reply is empty.")
    token = access_token(channel, handle)
    try:
        response = session.post(
            TWEETS_URL,
            json={"text": text, "reply": {"in_reply_to_tweet_id": reply_to}},
            headers={"Authorization": f"Bearer {token}"},
            timeout=settings.DESK_HTTP_TIMEOUT_SECONDS,
        )
    except requests.ConnectTimeout as exc:
        raise ReplyError("Could not reach X (connection timed out): the reply was not posted.") from exc
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise ReplyError(
            f"X did not answer ({exc.__class__.__name__}): the reply may have been posted; "
            f"check @{handle}'s replies before sending it again."
        ) from exc
    status = response.status_code
    if 200 <= status < 300:
        try:
            body = response.json()
        except (ValueError, RecursionError):
            body = {}
        data = body.get("data") if isinstance(body, dict) else None
        tweet_id = as_id(data.get("id")) if isinstance(data, dict) else None
        # The 201 also names the new post in its Location header (…/2/tweets/{id}).
        tweet_id = tweet_id or as_id(response.headers.get("Location", "").rstrip("/").rpartition("/")[2])
        if tweet_id is None:
            raise ReplyError(f"X accepted the reply but named no post id: check @{handle}'s replies.")
        return SentReply(
            external_id=tweet_id,
            permalink=STATUS_URL.format(username=handle, id=tweet_id),
            created_at=timezone.now(),
            raw=body if isinstance(body, dict) else {},
        )
    message = f"X refused the reply ({status}): {platform_error(response)}"
    if status == 429:
        _, until = retry_after(response, rate_limit(response))
        message += f". Try again after {until}."
    elif status == 401:
        message += f" (the access token for @{handle} may have expired or been revoked)"
    raise ReplyError(scrub(message, token))


def access_token(channel: Any, handle: str) -> str:
    try:
        credentials = channel.credentials
    except CredentialsUnreadable as exc:
        raise ReplyError(str(exc)) from exc
    per_handle = credentials.get("handles") if isinstance(credentials, dict) else None
    per_handle = per_handle if isinstance(per_handle, dict) else {}
    entry = per_handle.get(handle)
    if entry is None:
        entry = next((v for k, v in per_handle.items() if str(k).lstrip("@").casefold() == handle.casefold()), None)
    token = entry.get("access_token") if isinstance(entry, dict) else None
    if not isinstance(token, str) or not token.strip():
        raise ReplyError(f"No access token configured for @{handle}")
    return token.strip()
