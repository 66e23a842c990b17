"""One adapter per platform kind. An adapter talks to its platform and returns normalised
`IncomingMention`s plus the next cursor; it never touches tickets."""

from .base import (
    Adapter,
    AdapterError,
    AuthError,
    ConfigError,
    FetchResult,
    IncomingMention,
    PayloadError,
    PermanentError,
    RateLimited,
    ReplyError,
    SentReply,
    TransientError,
)
from .registry import get_adapter

__all__ = [
    "Adapter",
    "AdapterError",
    "AuthError",
    "ConfigError",
    "FetchResult",
    "IncomingMention",
    "PayloadError",
    "PermanentError",
    "RateLimited",
    "ReplyError",
    "SentReply",
    "TransientError",
    "get_adapter",
]
