"""What a platform's answer means, in one place: its status mapped to the error the poller or the sender should
see (one ladder; a platform passes only the rungs where it differs, as data), and its rate-limit headers read
into one small structure, whichever family of names the platform uses.

Every client under channels/adapters/ goes through `status_error` (channels/tests/test_http_guard.py fails on a
module there that compares a status code itself)."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from channels import clean
from channels.adapters.base import AuthError, ConfigError, PermanentError, RateLimited, ReplyError, TransientError

# An error class and its message, a str.format template of: label (the call, never its URL), status, reason,
# said (what the platform said), detail (": " and `said`, or nothing), location (a redirect's target), body (the
# body's start), and any more fields the caller passes.
Rung = tuple[type[Exception], str]
# Keyed by a status (404) or a class of them ("4xx"); a status's own rung wins over its class's; a rung of None
# is no error there (the caller reads that answer itself).
Ladder = Mapping[int | str, Rung | None]

LADDER: Ladder = {
    429: (RateLimited, "{label}: HTTP 429 Too Many Requests{detail}"),
    401: (AuthError, "{label}: HTTP {status}{detail}: check the channel's credentials"),
    403: (AuthError, "{label}: HTTP {status}{detail}: check the channel's credentials"),
    # Redirects are not followed where a key travels in a header: one means the address is not the API's.
    "3xx": (ConfigError, "{label}: HTTP {status} redirect to {location}: set base_url to the platform's address"),
    "5xx": (TransientError, "{label}: HTTP {status} {reason}{detail}"),
    # Any other 4xx: our request is wrong, usually the channel's config; asking again unchanged fails the same way.
    "4xx": (PermanentError, "{label}: HTTP {status} {reason}{detail}"),
}


def status_error(
    response: requests.Response,
    label: str,
    ladder: Ladder | None = None,
    *,
    said: str = "",
    secret: str | Sequence[str] = "",
    retry_after: float | None = None,
    base: Ladder = LADDER,
    **fields: Any,
) -> Exception | None:
    """The error `response` means, from `base` (LADDER; SEND_LADDER for a send) with `ladder`'s rungs over it:
    None for a 2xx (unless `ladder` names it: a success without what was asked for) and for a status no rung
    names. `said`: the platform's own error text; `secret` is redacted from the message; a RateLimited carries
    `retry_after`, else what the rate-limit headers say; `fields`: more names the platform's templates use."""
    status = response.status_code
    rungs = {**base, **(ladder or {})}
    rung = rungs[status] if status in rungs else rungs.get(f"{status // 100}xx")
    if rung is None:
        return None
    error, template = rung
    message = template.format(
        label=label,
        status=status,
        reason=clean.line(response.reason, max_length=80),
        said=said,
        detail=f": {said}" if said else "",
        location=response.headers.get("Location", "")[:200],
        body=response.text[:300],
        **fields,
    )
    for each in [secret] if isinstance(secret, str) else secret:
        message = message.replace(each, "REDACTED") if each else message
    if issubclass(error, RateLimited):
        return error(message, retry_after=retry_after if retry_after is not None else rate_limit_of(response).wait())
    return error(message)


def status_check(response: requests.Response, label: str, ladder: Ladder | None = None, **options: Any) -> None:
    """Raise what `response` means (nothing for a 2xx): `status_error`'s error."""
    error = status_error(response, label, ladder, **options)
    if error is not None:
        raise error


# A send's refusals (a reply, a like, an image, a message), in the advocate's words: every one a ReplyError, since
# the platform took nothing. A sender passes `what` it sent and the rungs that say more (its 429's wait, what its 403
# means); `label` is the platform's name.
REFUSED: Rung = (ReplyError, "{label} refused the {what} ({status}): {said}")
SEND_LADDER: Ladder = {
    429: (ReplyError, "{label}'s rate limit is used up: try again later (nothing was posted)."),
    **dict.fromkeys(("1xx", "3xx", "4xx", "5xx"), REFUSED),
}


# An image uploaded before the reply, refused (or answered without the upload's address, a "2xx" refusal too).
IMAGE_LADDER: Ladder = dict.fromkeys(
    ("2xx", "3xx", "4xx", "5xx", 429), (ReplyError, "{label} refused the image ({status}): {said}; nothing was posted.")
)


def refusal(response: requests.Response, label: str, ladder: Ladder | None = None, **options: Any) -> Exception:
    """What a send's answer that is not a success means (`status_error` over SEND_LADDER)."""
    error = status_error(response, label, ladder, base=SEND_LADDER, **options)
    assert error is not None, "a success is not a refusal"  # the caller checked `succeeded` first
    return error


def passed(ladder: Ladder, *keys: int | str) -> Ladder:
    """`ladder` with no error at `keys`: answers the caller reads itself (a platform's own error in the body)."""
    return {**ladder, **dict.fromkeys(keys)}


def token_refused_check(response: requests.Response, message: str) -> None:
    """Raise AuthError(`message`, a template) on a 401 or a 403, the platform refusing the token; any other answer
    is the caller's to read (a sign-in asking who the token belongs to)."""
    rung = (AuthError, message)
    status_check(response, "", {**passed(LADDER, 429, "3xx", "4xx", "5xx"), 401: rung, 403: rung})


def succeeded(response: requests.Response) -> bool:
    """The platform did what was asked (a 2xx)."""
    return 200 <= response.status_code < 300


def answered(response: requests.Response, *statuses: int) -> bool:
    """The platform answered one of `statuses`: for the few answers a sender reads as a result, not an error
    (a 304 Not Modified, a 404 that means "already undone")."""
    return response.status_code in statuses


# A reset time larger than this is not a time any platform sends (year 2242): ignored rather than trusted.
_EPOCH_MAX = 2**33
# Below this a reset is seconds from now (Reddit's x-ratelimit-reset), above it a Unix time (GitHub's, X's).
_EPOCH_MIN = 1_000_000_000
_FAMILIES = ("X-RateLimit-", "x-rate-limit-", "RateLimit-")


@dataclass(frozen=True)
class RateLimit:
    """What an answer's rate-limit headers said: requests `remaining` in the window, its `limit`, those `used`
    (GitHub, Reddit), when it resets (`reset_at`), and `retry_after` (seconds), the wait a Retry-After asked for."""

    limit: int | None = None
    remaining: int | None = None
    used: int | None = None
    reset_at: datetime | None = None
    retry_after: float | None = None
    reset_in: float | None = None  # the reset as the platform said it, in seconds from now (Reddit, Discord)

    def merged(self, newer: RateLimit) -> RateLimit:
        """These figures with `newer`'s over them where it has any: an answer without the headers (another route,
        a cached page) leaves the last ones standing."""
        return replace(self, **{k: v for k, v in asdict(newer).items() if v is not None})

    def until_reset(self) -> float | None:
        """Seconds until the window resets, when the platform named a time."""
        if self.reset_in is not None:
            return self.reset_in
        return max(0.0, self.reset_at.timestamp() - time.time()) if self.reset_at is not None else None

    def wait(self) -> float | None:
        """Seconds to wait before asking again: Retry-After, else, with nothing left, until the window resets."""
        if self.retry_after is not None:
            return self.retry_after
        return self.until_reset() if self.remaining is not None and self.remaining < 1 else None

    def status(self, prefix: str = "rate_limit", reset: str = "reset") -> dict[str, Any]:
        """The figures as a channel's platform_status keeps them (every key, None when not sent: the stored
        status is merged with this, and old figures must not linger under a new check)."""
        return {
            f"{prefix}_limit": self.limit,
            f"{prefix}_remaining": self.remaining,
            f"{prefix}_{reset}": self.reset_at.isoformat() if self.reset_at else None,
        }


def rate_limit_of(response: requests.Response) -> RateLimit:
    """The rate-limit headers of `response`, whichever family of names the platform uses: X-RateLimit-* (GitHub,
    Mastodon, Discord, Reddit, Disqus), x-rate-limit-* (X), RateLimit-* (GitLab, Bluesky), Discord's
    X-RateLimit-Reset-After, and Retry-After."""
    headers = response.headers
    family = next((f for f in _FAMILIES if any(f"{f}{n}" in headers for n in ("Remaining", "Limit", "Reset"))), "")
    limit = _count(headers.get(f"{family}Limit")) if family else None
    remaining = _count(headers.get(f"{family}Remaining")) if family else None
    used = _count(headers.get(f"{family}Used")) if family else None
    reset = clean.number(headers.get(f"{family}Reset")) if family else None
    after = clean.number(headers.get("X-RateLimit-Reset-After"))
    if after is None and reset is not None and 0 < reset < _EPOCH_MIN:
        after = reset  # seconds from now, not a time
    if after is not None and 0 <= after < 86_400:
        reset_in: float | None = after
        reset_at: datetime | None = datetime.fromtimestamp(time.time() + after, UTC)
    else:
        reset_in, reset_at = None, _reset_time(headers.get(f"{family}Reset")) if family else None
    return RateLimit(
        limit=limit,
        remaining=remaining,
        used=used,
        reset_at=reset_at,
        retry_after=retry_after_of(response),
        reset_in=reset_in,
    )


def retry_after_of(response: requests.Response) -> float | None:
    """Retry-After in seconds (as seconds or an HTTP date); None when absent or nonsense."""
    value = response.headers.get("Retry-After")
    seconds = clean.number(value)
    if seconds is None and isinstance(value, str) and value.strip():
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return max(0.0, seconds) if seconds is not None and math.isfinite(seconds) else None


def _count(value: Any) -> int | None:
    # Reddit sends its remaining count as a float ("598.0").
    number = clean.number(value)
    return int(number) if number is not None and 0 <= number < 2**31 else None


def _reset_time(value: Any) -> datetime | None:
    """A window's reset: a Unix time, seconds from now, or an ISO time (Mastodon's X-RateLimit-Reset)."""
    number = clean.number(value)
    if number is None:
        return clean.iso_time(value) if isinstance(value, str) else None
    if not 0 < number < _EPOCH_MAX:
        return None
    return datetime.fromtimestamp(number if number >= _EPOCH_MIN else time.time() + number, UTC)
