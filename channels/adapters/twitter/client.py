"""HTTP to the X API v2: the bearer token, x-rate-limit-* headers read into the poll's plan, and every
failure mapped to what the poller should do. Messages never carry a token."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests
from django.utils import timezone

from channels import clean
from channels.http import credential_of, json_of, json_or_none, request
from channels.http_status import Ladder, RateLimit, rate_limit_of, status_check, succeeded

from ..base import AuthError, PermanentError, RateLimited, TransientError

if TYPE_CHECKING:
    from channels.models import Channel

logger = logging.getLogger(__name__)

API_ROOT = "https://api.x.com/2"
MENTIONS_URL = API_ROOT + "/users/{user_id}/mentions"
SEARCH_URL = API_ROOT + "/tweets/search/recent"
USER_URL = API_ROOT + "/users/{user_id}"
TWEETS_URL = API_ROOT + "/tweets"

# Without these X returns only id, text and edit_history_tweet_ids. referenced_tweets.id puts the posts a
# post replies to in includes.tweets, with their edit history (how a reply to an edited post threads).
# public_metrics puts each author's followers_count in includes.users: the author's weight on the requester
# card, in rules and in Play's order, at no extra request. attachments.media_keys puts each post's photos,
# videos and GIFs in includes.media (with media.fields: the photo's address, a video's preview, the alt text), so
# the ticket lists them as links (issue 43) without the desk asking X again.
READ_PARAMS: dict[str, str] = {
    "tweet.fields": (
        "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,entities,edit_history_tweet_ids"
    ),
    "expansions": "author_id,referenced_tweets.id,attachments.media_keys",
    "user.fields": "username,name,public_metrics",
    "media.fields": "url,preview_image_url,alt_text,type,width,height",
}
# X windows are 15 minutes: the wait after a 429 that did not say when to come back.
DEFAULT_RATE_LIMIT_WAIT = 900
AUTH_HINT = "check the channel's bearer_token credential and the app's access level."


@dataclass
class Calls:
    """What one poll (or one test_connection) learnt from X's responses, and the rate-limit figures earlier polls
    stored (`stored`, so endpoints not called this time keep theirs)."""

    session: requests.Session
    token: str = field(repr=False)
    made: int = 0  # requests made
    answered: int = 0  # calls X answered with data (a 429 after one of them ends the walk, not the poll)
    rate: dict[str, dict[str, Any]] = field(default_factory=dict)
    exhausted: dict[str, datetime] = field(default_factory=dict)
    stored: dict[str, Any] = field(default_factory=dict)
    # Never set: a 429 after X answered ends only its endpoint's walks (`exhausted`), the poll goes on.
    stopped: RateLimited | None = None

    def can_call(self) -> bool:
        """Whether a source may call X: each one asks its endpoint (`exhausted`), so the poll always may."""
        return True

    def not_before(self) -> datetime | None:
        return max(self.exhausted.values(), default=None)

    def rate_limits(self) -> dict[str, Any]:
        """platform_status's figures: every endpoint's, this poll's over the stored ones; none before X answered."""
        return {"rate_limit": {**self.stored, **self.rate}} if self.rate else {}


def bearer_of(channel: Channel) -> str:
    token = credential_of(channel, "bearer_token")
    if not isinstance(token, str) or not token.strip():
        raise AuthError("X channel has no bearer_token credential: add the app's bearer token in admin.")
    return token.strip()


# X's rungs over the common ladder: its own words in every message, the bearer token named on a refusal, and
# the time of the next call on a 429.
X_LADDER: Ladder = {
    429: (RateLimited, "{label}: HTTP 429 {said}; next call after {until}"),
    401: (AuthError, "{label}: HTTP {status} {said}: " + AUTH_HINT),
    403: (AuthError, "{label}: HTTP {status} {said}: " + AUTH_HINT),
    "5xx": (TransientError, "{label}: HTTP {status} {reason}"),
    "4xx": (PermanentError, "{label}: HTTP {status} {said}"),
}


def x_get(calls: Calls, endpoint: str, url: str, params: dict[str, Any]) -> Any:
    """GET one API call and return its JSON; rate-limit figures are recorded on `calls`."""
    label = f"X {endpoint}"
    headers = {"Authorization": f"Bearer {calls.token}"}
    response = request(calls.session, "GET", url, label=label, params=params, headers=headers)
    calls.made += 1
    limits = rate_limit_of(response)
    if rate_of(limits):
        calls.rate[endpoint] = rate_of(limits)
        if limits.remaining == 0 and limits.reset_at:
            calls.exhausted[endpoint] = limits.reset_at
    if not succeeded(response):
        wait, until = retry_after(response, limits)
        status_check(
            response, label, X_LADDER, said=platform_error(response), secret=calls.token, retry_after=wait, until=until
        )
    body = json_of(response, label)
    if isinstance(body, dict) and body.get("errors"):
        # Partial errors next to (or instead of) data: deleted or protected posts and suspended authors.
        # The data is kept; the errors are only worth a log line.
        logger.warning("twitter: %s answered with errors: %s", endpoint, errors_text(body)[:300])
    return body


def rate_of(limits: RateLimit) -> dict[str, Any]:
    """The figures as platform_status keeps them per endpoint."""
    figures = {"limit": limits.limit, "remaining": limits.remaining, "reset": limits.reset_at}
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in figures.items() if v is not None}


def stored_rate_limits(channel: Channel) -> dict[str, Any]:
    """The figures earlier polls stored, so endpoints not called this time keep theirs."""
    return dict(clean.mapping(clean.mapping(channel.platform_status).get("rate_limit")))


def retry_after(response: requests.Response, limits: RateLimit) -> tuple[float, str]:
    """Seconds to wait after a 429 and the time as 'HH:MM UTC'."""
    reset = limits.reset_at
    if reset is not None:
        wait = max((reset - timezone.now()).total_seconds(), 1.0)
    else:
        seconds = limits.retry_after
        wait = max(seconds, 1.0) if seconds is not None and seconds < 86400 else float(DEFAULT_RATE_LIMIT_WAIT)
        reset = timezone.now() + timedelta(seconds=wait)
    return wait, f"{reset.astimezone(UTC):%H:%M} UTC"


def errors_text(body: Any) -> str:
    """X's `errors[]` messages (message, detail or title of each), as one line."""
    messages = []
    for error in clean.objects(clean.mapping(body).get("errors"))[:20]:
        for key in ("message", "detail", "title"):
            text = clean.line(error.get(key), max_length=300)
            if text:
                messages.append(text)
                break
    return "; ".join(dict.fromkeys(messages))


def platform_error(response: requests.Response) -> str:
    """X's own words about a failed call: `errors[].message`, or problem+json `detail`/`title`."""
    body, _ = json_or_none(response)
    text = errors_text(body)
    if not text:
        body = clean.mapping(body)
        text = clean.line(body.get("detail"), max_length=500) or clean.line(body.get("title"), max_length=500)
    return (text or response.reason or f"HTTP {response.status_code}")[:500]
