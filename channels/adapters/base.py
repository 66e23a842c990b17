from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import requests

    from channels.models import Channel


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


class PayloadError(AdapterError):
    """The platform (or a saved file) returned something that is not the documented shape."""


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
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass
class FetchResult:
    mentions: list[IncomingMention]
    cursor: dict[str, Any]
    requests_made: int = 0
    # Earliest time the platform wants to hear from us again (rate limits); None = the
    # channel's own interval.
    not_before: datetime | None = None
    # Items read from the platform (X bills reads per post): metered in Channel.usage.
    reads: int = 0
    # Figures the platform reported (quota_remaining, rate-limit remaining/reset...),
    # stored on Channel.platform_status for admin.
    platform_status: dict[str, Any] = field(default_factory=dict)


class Adapter(Protocol):
    kind: str

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]: ...

    def fetch(self, *, channel: Channel, session: requests.Session) -> FetchResult: ...

    def parse_payload(self, payload: Any) -> list[IncomingMention]: ...

    # Optional: `parse_file(data: bytes) -> list[IncomingMention]` for saved files that are not
    # JSON (e-mail .eml); `ingest_payload` prefers it when an adapter has it.

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        """One cheap authenticated call; returns a human summary of what the platform said."""
        ...


@dataclass
class SentReply:
    external_id: str
    permalink: str
    created_at: datetime
    raw: dict[str, Any] = field(default_factory=dict)


class ReplyError(AdapterError):
    """The platform refused a reply; the message is the platform's own error."""
