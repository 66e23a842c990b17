"""What every platform's send shares: the reply as one object (`Reply`, handed to a platform's `post_reply` by
`reply_poster`), one request with the account's fresh token, and the difference between "not sent" and "maybe
sent".

A connection that never opened (a connect timeout, DNS) posted nothing: the advocate may simply
send again. A request that went out and got no answer may have been posted: sending again could
post it twice, so it is `ReplyUncertain` and the advocate is told to look first.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import MISSING, dataclass, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings
from django.utils import timezone

from channels.adapters.base import OutgoingImage, ReplyError, ReplyTarget, ReplyUncertain, SentReply

if TYPE_CHECKING:
    from channels.models import Account, Channel


@dataclass(frozen=True)
class Reply:
    """The desk's reply as a platform's sender gets it: the channel, the account it posts as, the message it answers,
    its text and how to post it (`style`), and the images it carries (where the platform's reply rule takes them)."""

    channel: Channel
    account: Account
    session: requests.Session
    target: ReplyTarget
    text: str
    style: str = ""
    media: Sequence[OutgoingImage] = ()


KEYWORD, REQUIRED = inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.empty


class ReplyPoster:
    """An adapter's `post_reply` (called with keywords: `Adapter.post_reply`) made from a platform's function of one
    `Reply`, so the keyword list is written here once and not in every platform's reply module. Its signature
    names the keywords, `media` only where the platform's reply rule takes images: what the parts test
    (channels/tests/test_platform_parts.py) reads, and the reply path passes `media` only to such a sender. A reply
    with no text is refused before anything is asked of the platform, whatever the platform."""

    def __init__(self, post: Callable[[Reply], SentReply], *, media: bool) -> None:
        functools.update_wrapper(self, post)
        self.post = post
        self.__signature__ = inspect.Signature(
            [
                inspect.Parameter(f.name, KEYWORD, default=REQUIRED if f.default is MISSING else f.default)
                for f in fields(Reply)
                if media or f.name != "media"
            ],
            return_annotation=SentReply,
        )

    def __call__(self, **given: Any) -> SentReply:
        self.__signature__.bind(**given)  # a TypeError for a keyword this sender does not take, as a def would raise
        reply = Reply(**given)
        if not (reply.text or "").strip():
            raise ReplyError("The reply is empty.")
        return self.post(reply)


def reply_poster(*, media: bool) -> Callable[[Callable[[Reply], SentReply]], ReplyPoster]:
    """`@reply_poster(media=...)` over a platform's `post_reply(reply: Reply)`."""
    return lambda post: ReplyPoster(post, media=media)


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
