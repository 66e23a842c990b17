from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class AdapterError(Exception):
    """Base of everything an adapter raises on purpose."""


class TransientError(AdapterError):
    """Worth trying again later (5xx, timeouts): the channel backs off exponentially."""


class RateLimited(TransientError):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(AdapterError):
    """Retrying will not help until an admin changes something: the channel is marked failing."""


class AuthError(PermanentError):
    pass


class ConfigError(PermanentError):
    pass


class Gone(PermanentError):
    """The post asked for is not on the platform (deleted, removed, or no longer visible to the channel's account):
    on a thread read, the thread is gone; the channel's credentials and settings are not to blame."""


class PollStopped(Exception):
    """A poll's walk ended early (its request budget spent, a 429 after an answered call, a rate limit's remaining
    count run low): stop asking, keep what was read; the poll says it has more. Every client's, through
    `channels.http.PollBudget`; not an AdapterError, since nothing failed."""


class PayloadError(AdapterError):
    """The platform (or a saved file) returned something that is not the documented shape."""


@dataclass(frozen=True)
class Media:
    """An image, a video or another file attached to an item, as the platform lists it: the desk stores and shows
    links to it (the advocate's browser asks the platform for nothing until the advocate opens one)."""

    kind: str  # "image", "video", "gif", "audio" or "file"
    url: str
    preview_url: str = ""
    alt: str = ""  # the author's description (alt text), shown as the link's words


@dataclass(frozen=True)
class OutgoingImage:
    """An image the desk attaches to a reply, checked and with its metadata (EXIF, GPS) stripped
    (mentions.services.reply_images): what a sender whose reply rule declares `media` uploads before it posts."""

    data: bytes
    content_type: str  # one of platform.IMAGE_TYPES
    alt: str  # the advocate's description, required: Bluesky, Mastodon and X carry it to screen readers
    filename: str  # a name the platform may show ("image-1.png"), never the uploader's own file name
    width: int = 0
    height: int = 0
    sha256: str = ""


@dataclass(frozen=True)
class IncomingMention:
    external_id: str
    created_at: datetime
    text: str
    author_handle: str = ""
    author_name: str = ""
    author_url: str = ""
    permalink: str = ""
    title: str = ""
    parent_id: str = ""
    thread_id: str = ""
    # More ids whose ticket this item may join, nearest first (e-mail References).
    related_ids: tuple[str, ...] = ()
    # A ticket number the item names itself (our "[#123]" in a reply's subject); used only
    # when no id above threads it, and only for a ticket of the same channel.
    ticket_hint: int | None = None
    # The platform says the item was deleted/removed: its ticket keeps it and says so.
    deleted: bool = False
    # The platform says the item was edited (at this time): stored text is updated.
    edited_at: datetime | None = None
    # Posted by us although the author is not in Channel.our_accounts (a forum's staff, when the
    # channel says its staff are ours): stored as our reply, like a post by one of our accounts.
    by_us: bool = False
    # Handles the item addresses as the platform lists them (X's entities.mentions), without "@".
    # What the reply-handle choice and the triage rules read: never the raw payload.
    mentioned: tuple[str, ...] = ()
    # The author's weight on the platform, where the item itself carries it (X's followers_count, Stack
    # Exchange's owner.reputation), and what it counts (one of channels.clean.AUDIENCE_KINDS). None where the
    # payload does not say (Hacker News and Reddit listings: their karma is looked up after the poll, in a budget).
    author_audience: int | None = None
    author_audience_kind: str = ""
    # What the item carries besides its text (channels.clean keeps at most MEDIA_MAX, with safe links only).
    media: tuple[Media, ...] = ()
    # The platform marks the item as the answer the asker accepted (Stack Exchange's `is_accepted`, the
    # discourse-solved plugin's `accepted_answer`): what "answered by the community" reads (intake.pipeline.accepted).
    accepted_answer: bool = False
    # Delivered privately, to our account only (an answer to the desk's direct message, a Mastodon direct status):
    # joining a ticket it is stored as a private message (Message.Kind.PRIVATE), which no public surface reads.
    private: bool = False
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # Set by channels.clean.mention_clean on the mention it returns, and only there: not an argument, and
    # dataclasses.replace() makes a copy without it, so a mention changed after cleaning is cleaned again.
    # Intake takes a cleaned mention as it is (a mention is cleaned once, at the boundary).
    cleaned: bool = field(default=False, init=False, compare=False, repr=False)


@dataclass(frozen=True)
class Rejected:
    """One item of a page that could not be turned into a storable mention: kept, with its raw
    payload and the reason, in the dead-letter table (channels.DeadLetter) instead of failing
    the page, so the rest is stored and the cursor moves on."""

    external_id: str
    error: str
    raw: Any = None


@dataclass
class FetchResult:
    """One chunk of a channel's items and the cursor just after them.

    Stored in one transaction with its cursor. `more` says the chunk stops short of the
    platform's present (a backlog larger than one chunk): the poll asks again from the new
    cursor, within the poll's budget, and the next poll goes on where this one stopped, so a
    backlog of any size drains and a chunk is never lost or walked twice."""

    mentions: list[IncomingMention]
    cursor: dict[str, Any]
    requests_made: int = 0
    more: bool = False
    rejected: list[Rejected] = field(default_factory=list)
    # Earliest time the platform wants to hear from us again (rate limits); None = the
    # channel's own interval.
    not_before: datetime | None = None
    # Items read from the platform (X bills reads per post): metered in Channel.usage.
    reads: int = 0
    # Figures the platform reported (quota_remaining, rate-limit remaining/reset...),
    # stored on Channel.platform_status for admin.
    platform_status: dict[str, Any] = field(default_factory=dict)
    # Hacker News: the ids of the stories on the front page now; None when not asked (or the ask failed).
    front_page_ids: frozenset[str] | None = None


def chunks_merged(results: list[FetchResult]) -> FetchResult:
    """A poll's chunks as one result (an adapter's `fetch`, for a caller that stores a whole poll
    in one transaction): everything handed over, the last chunk's cursor and state."""
    last = results[-1]
    return FetchResult(
        mentions=[m for r in results for m in r.mentions],
        cursor=last.cursor,
        requests_made=sum(r.requests_made for r in results),
        more=last.more,
        rejected=[x for r in results for x in r.rejected],
        not_before=last.not_before,
        reads=sum(r.reads for r in results),
        platform_status=last.platform_status,
        front_page_ids=next((r.front_page_ids for r in reversed(results) if r.front_page_ids is not None), None),
    )


@dataclass(frozen=True)
class ReplyTarget:
    """The stored message a reply answers, as the platform's send call needs it: its id, the
    thread/topic/question/story it belongs to, and the stored platform item (Discourse's topic id
    and post number, Reddit's fullname, ...)."""

    external_id: str
    thread_id: str = ""
    parent_id: str = ""
    permalink: str = ""
    author_handle: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    # The message's title, or its ticket's subject (an e-mail reply's "Re: ..."), and the desk's number for the
    # ticket, which a reply may carry so that the answer to it threads back (e-mail's "[#123]": the
    # `ticket_hint` of the IncomingMention it comes back as).
    title: str = ""
    ticket_hint: int | None = None


@dataclass
class Pushed:
    """What one delivery a platform pushed to the desk's door (`POST /hooks/<slug>/`) brought: its items and those
    that could not be read, or why nothing (`note`: a ping, an event the desk does not read, a redelivery), and what
    to do once they are stored (`stored`: remember the delivery, so that one sent again is not read again)."""

    mentions: list[IncomingMention] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    note: str = ""
    stored: Callable[[], None] = lambda: None


class PushRefused(AdapterError):
    """A delivery refused: `status` is the answer (401 unsigned or wrongly signed, 400 unreadable)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class SentReply:
    external_id: str
    permalink: str
    created_at: datetime  # the platform's time for the new post when its answer says it, else ours
    raw: dict[str, Any] = field(default_factory=dict)
    # The images the reply carries, as the platform addresses them (its answer's URL where it gives one): stored
    # on our reply's message (Message.media) like an item's attachments.
    media: tuple[Media, ...] = ()


class ReplyError(AdapterError):
    """The platform did not post the reply; the message says why in words (its own error, a
    locked thread, a deleted parent, not enough reputation, a rate limit and when to retry)."""


class ReplyUncertain(ReplyError):
    """The request went out but no answer came back: the reply may have been posted. Sending
    again could post it twice, so the advocate is told to check the platform first."""


class AccountNeedsReconnect(ReplyError):
    """The account's tokens are gone, revoked or could not be refreshed: an admin must connect
    it again through the platform's authorisation flow (admin, Channels)."""
