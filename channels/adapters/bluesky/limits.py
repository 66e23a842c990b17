"""Bluesky's rate-limit headers, as its services send them on every answer (draft-polli-ratelimit-headers, which
docs.bsky.app "Rate Limits" points to): `RateLimit-Limit` (requests in the window), `RateLimit-Remaining`,
`RateLimit-Reset` (when the window resets, as a Unix time) and `RateLimit-Policy` (`3000;w=300`: the limit and the
window in seconds). A 429 answers `{"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}` with the same
headers (fixtures/recorded_errors.json)."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

import requests

from channels import clean

_POLICY_WINDOW = re.compile(r"w=(\d{1,7})")
_DAY = 86_400


def ratelimit_of(response: requests.Response) -> dict[str, Any]:
    """The figures a response carries: limit, remaining, reset (Unix time) and window (seconds), those it has."""
    headers = response.headers
    found: dict[str, Any] = {}
    for key in ("limit", "remaining", "reset"):
        value = clean.whole(headers.get(f"RateLimit-{key}"), minimum=0)
        if value is not None:
            found[key] = value
    policy = headers.get("RateLimit-Policy")
    match = _POLICY_WINDOW.search(policy) if isinstance(policy, str) else None
    if match:
        found["window"] = int(match.group(1))
    return found


def retry_after_of(response: requests.Response, *, now: float | None = None) -> float | None:
    """Seconds until the platform takes calls again: its reset time, else Retry-After; None when neither is
    usable. A reset further than a day away (seen on refused sign-ins) is kept to a day."""
    now = now or time.time()
    reset = clean.whole(response.headers.get("RateLimit-Reset"), minimum=0)
    if reset is not None and reset > now:
        return min(reset - now, _DAY)
    seconds = clean.number(response.headers.get("Retry-After"))
    if seconds is not None and 0 < seconds <= _DAY:
        return seconds
    return None


def until_words(seconds: float | None) -> str:
    """'after 14:05 UTC' for a wait, 'later' when it is unknown."""
    if seconds is None:
        return "later"
    when = datetime.fromtimestamp(time.time() + seconds, tz=UTC)
    return f"after {when:%H:%M} UTC"
