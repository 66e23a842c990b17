"""What every platform's send shares: one request with the account's fresh token, and the
difference between "not sent" and "maybe sent".

A connection that never opened (a connect timeout, DNS) posted nothing: the advocate may simply
send again. A request that went out and got no answer may have been posted: sending again could
post it twice, so it is `ReplyUncertain` and the advocate is told to look first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import requests
from django.conf import settings
from django.utils import timezone

from channels.adapters.base import ReplyError, ReplyUncertain


def reply_request(
    session: requests.Session, method: str, url: str, *, label: str, where: str, **kwargs: Any
) -> requests.Response:
    """`session.request(...)`, its failures in the advocate's words. `where`: where to look for
    the reply if it may have been posted ("u/gitlab's comments")."""
    try:
        return session.request(method, url, timeout=settings.DESK_HTTP_TIMEOUT_SECONDS, **kwargs)
    except (requests.ConnectTimeout, requests.exceptions.InvalidURL) as exc:
        raise ReplyError(f"Could not reach {label} ({exc.__class__.__name__}): the reply was not posted.") from exc
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise ReplyUncertain(
            f"{label} did not answer ({exc.__class__.__name__}): the reply may have been posted; "
            f"check {where} before sending it again."
        ) from exc


def json_of(response: requests.Response) -> Any:
    try:
        return response.json()
    except (ValueError, RecursionError):
        return None


def epoch_or_now(value: Any) -> datetime:
    """A platform's Unix time for the new post, or now when it gives none (or nonsense)."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return timezone.now()
    if not 631_152_000 <= seconds <= timezone.now().timestamp() + 86_400:  # 1990 .. tomorrow
        return timezone.now()
    return datetime.fromtimestamp(seconds, UTC)


def iso_or_now(value: Any) -> datetime:
    if not isinstance(value, str):
        return timezone.now()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return timezone.now()
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return epoch_or_now(parsed.timestamp())


Scrubber = Callable[[str], str]


def scrubbed(text: str, *secrets: str) -> str:
    """`text` with every secret (a token echoed back in an error) replaced."""
    for secret in secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, "[redacted]")
    return text


@contextmanager
def uploading(label: str) -> Iterator[None]:
    """An image upload, made before the reply is posted: one that went out unanswered posted no reply, so it is a
    plain refusal in words (send again), never "the reply may have been posted"."""
    try:
        yield
    except ReplyUncertain as exc:
        raise ReplyError(f"{label} did not answer while the image was uploaded: the reply was not posted.") from exc
