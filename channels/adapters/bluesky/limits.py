"""Bluesky's rate limits, beyond what channels.http_status.rate_limit_of reads from its `RateLimit-*` headers
(draft-polli-ratelimit-headers, which docs.bsky.app "Rate Limits" points to): the window's length, said only in
`RateLimit-Policy` (`3000;w=300`), and a 429's wait kept to a day. A 429 answers
`{"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}` with the same headers
(fixtures/recorded_errors.json)."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import requests

from channels.http_status import rate_limit_of

_POLICY_WINDOW = re.compile(r"w=(\d{1,7})")
DAY = 86_400


def window_of(response: requests.Response) -> int | None:
    """The window's length in seconds, from `RateLimit-Policy`."""
    policy = response.headers.get("RateLimit-Policy")
    match = _POLICY_WINDOW.search(policy) if isinstance(policy, str) else None
    return int(match.group(1)) if match else None


def wait_of(response: requests.Response) -> float | None:
    """Seconds until the platform takes calls again after a 429: Retry-After, else until the window resets (a 429
    is the window used up, whatever RateLimit-Remaining says); None when neither is usable. A reset further than a
    day away (seen on refused sign-ins) is kept to a day."""
    limits = rate_limit_of(response)
    seconds = limits.retry_after if limits.retry_after is not None else limits.until_reset()
    return min(seconds, DAY) if seconds else None


def until_words(seconds: float | None) -> str:
    """'after 14:05 UTC' for a wait, 'later' when it is unknown."""
    if seconds is None:
        return "later"
    when = datetime.fromtimestamp(time.time() + seconds, tz=UTC)
    return f"after {when:%H:%M} UTC"
