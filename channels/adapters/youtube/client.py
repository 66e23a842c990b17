"""HTTP to the YouTube Data API v3 (developers.google.com/youtube/v3/docs), the only module that reads it: the
per-poll request budget, the day's quota counted before each call (`quota.py`), and Google's errors in words.

The API key goes in the ``X-Goog-Api-Key`` header (Google's APIs take it there as well as in ``key=``), so no
address the desk builds carries it, and no message quotes it (`secret`). Google answers an error with
``{"error": {"code": 403, "message": "…", "errors": [{"reason": "quotaExceeded", "domain": "youtube.quota"}]}}``
(developers.google.com/youtube/v3/docs/errors): the reason says what happened.

- 403 ``quotaExceeded``: the project's quota is gone for the day. Not a failure: the walk ends (`PollStopped`), the
  day is marked exhausted and the poll waits for the reset (midnight Pacific).
- 403 ``rateLimitExceeded``/``userRateLimitExceeded``, 429: ``RateLimited``.
- 403 ``commentsDisabled``, 404 (``videoNotFound``, ``channelNotFound``, ``commentNotFound``): that stream is `Gone`
  (the poll goes on with the others).
- 400 (``keyInvalid`` among them), 401, other 403s (``forbidden``, ``accessNotConfigured``): the channel's key or
  project; 5xx, timeouts: ``TransientError``; an answer that is not a JSON object: ``PayloadError``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import requests

from channels import clean
from channels.http import PollBudget, credential_of, json_or_none, request
from channels.http_status import Ladder, status_check

from ..base import AuthError, Gone, PayloadError, PollStopped, RateLimited
from .quota import COSTS, Quota, seconds_to_reset

API = "https://www.googleapis.com/youtube/v3"
THREADS_URL = f"{API}/commentThreads"
COMMENTS_URL = f"{API}/comments"
SEARCH_URL = f"{API}/search"
CHANNELS_URL = f"{API}/channels"
PAGE_SIZE = 100  # commentThreads.list and comments.list: maxResults 1-100

RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
GONE_REASONS = frozenset({"commentsDisabled", "videoNotFound", "channelNotFound", "commentNotFound"})

LADDER: Ladder = {
    400: (AuthError, "{label}: HTTP 400{detail} (check the channel's API key and settings)"),
    403: (
        AuthError,
        "{label}: HTTP 403{detail}: check the channel's API key, and that the YouTube Data API v3 is enabled in "
        "its Google Cloud project",
    ),
    404: (Gone, "{label}: HTTP 404{detail}"),
}


def api_key_of(channel: Any) -> str:
    key = credential_of(channel, "api_key")
    if not isinstance(key, str) or not key.strip():
        raise AuthError('This YouTube channel has no "api_key": add a YouTube Data API v3 key to its credentials.')
    return key.strip()


def error_of(data: Any) -> tuple[str, str]:
    """Google's error body: (the first reason, the message), each "" when absent."""
    error = clean.mapping(clean.mapping(data).get("error"))
    first = clean.mapping(next(iter(clean.objects(error.get("errors"))), {}))
    return clean.ident(first.get("reason"), max_length=60), clean.line(error.get("message"), max_length=200)


class Client(PollBudget):
    """One poll's view of the API: `budget` requests at most, and the units the day's `quota` allows."""

    def __init__(self, session: requests.Session, key: str, *, budget: int, quota: Quota) -> None:
        super().__init__(budget)
        self.session = session
        self.key = key
        self.quota = quota

    def _stop(self, message: str) -> PollStopped:
        now = datetime.now(tz=UTC)
        self.stopped = RateLimited(message, retry_after=seconds_to_reset(now))
        return PollStopped(message)

    def get(self, url: str, params: dict[str, Any], *, what: str, cost: str = "list") -> dict[str, Any]:
        """One call's JSON object; PollStopped when the poll's budget or the day's quota is spent."""
        if not self.can_call():
            raise PollStopped("request budget used")
        units = COSTS[cost]
        if not self.quota.allows(units):
            raise self._stop(
                f"YouTube: the day's quota budget is spent ({self.quota.spent:,} of {self.quota.budget:,})"
            )
        self.quota.spend(units)  # Google charges a call whatever it answers
        return self.counted(lambda: self._get(url, params, f"YouTube {what}"))

    def _get(self, url: str, params: dict[str, Any], label: str) -> dict[str, Any]:
        response = request(
            self.session, "GET", url, label=label, params=params, headers={"X-Goog-Api-Key": self.key},
            allow_redirects=False,
        )  # fmt: skip
        data, too_deep = json_or_none(response)
        reason, said = error_of(data)
        said = said.replace(self.key, "REDACTED")
        if reason == "quotaExceeded":
            self.quota.exhausted = True
            raise self._stop(f"{label}: Google says the project's daily quota is used up ({said})")
        if reason in RATE_REASONS:
            raise RateLimited(f"{label}: {reason} ({said})", retry_after=60.0)
        if reason in GONE_REASONS:
            raise Gone(f"{label}: {reason} ({said})")
        status_check(response, label, LADDER, said=said, secret=self.key)
        if too_deep or not isinstance(data, dict):
            raise PayloadError(f"{label}: the answer is not a JSON object ({clean.preview(response.text)})")
        return data

    # --- the calls ---------------------------------------------------------------------------------------

    def threads(self, *, channel_id: str = "", video_id: str = "", page_token: str = "") -> dict[str, Any]:
        """A page of comment threads (each with its first replies), newest first: every thread on the team's
        channel's videos (``allThreadsRelatedToChannelId``), or one video's (``videoId``)."""
        params: dict[str, Any] = {
            "part": "snippet,replies", "maxResults": PAGE_SIZE, "order": "time", "textFormat": "plainText",
        }  # fmt: skip
        key, whose = ("allThreadsRelatedToChannelId", "channel") if channel_id else ("videoId", "video")
        params[key] = channel_id or video_id
        if page_token:
            params["pageToken"] = page_token
        return self.get(THREADS_URL, params, what=f"commentThreads.list ({whose} {params[key]})")

    def replies(self, parent_id: str, *, page_token: str = "") -> dict[str, Any]:
        """A page of the replies to a top-level comment (``comments.list?parentId=``)."""
        params: dict[str, Any] = {
            "part": "snippet", "parentId": parent_id, "maxResults": PAGE_SIZE, "textFormat": "plainText",
        }  # fmt: skip
        if page_token:
            params["pageToken"] = page_token
        return self.get(COMMENTS_URL, params, what=f"comments.list (replies to {parent_id})")

    def search(self, keyword: str, *, published_after: datetime, limit: int) -> dict[str, Any]:
        """The newest videos that match `keyword`, published after `published_after` (100 units)."""
        params = {
            "part": "snippet",
            "type": "video",
            "q": keyword,
            "order": "date",
            "maxResults": limit,
            "publishedAfter": published_after.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        }
        return self.get(SEARCH_URL, params, what=f"search.list ({keyword!r})", cost="search")
