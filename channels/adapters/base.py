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
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass
class FetchResult:
    mentions: list[IncomingMention]
    cursor: dict[str, Any]
    requests_made: int = 0
    # Earliest time the platform wants to hear from us again (rate limits); None = the
    # channel's own interval.
    not_before: datetime | None = None


class Adapter(Protocol):
    kind: str

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]: ...

    def fetch(self, *, channel: Channel, session: requests.Session) -> FetchResult: ...

    def parse_payload(self, payload: Any) -> list[IncomingMention]: ...
