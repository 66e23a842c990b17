"""One adapter per platform kind. An adapter talks to its platform and returns normalised
`IncomingMention`s plus the next cursor; it never touches tickets."""

from .adapter import Adapter
from .base import (
    AccountNeedsReconnect,
    AdapterError,
    AuthError,
    ConfigError,
    FetchResult,
    IncomingMention,
    PayloadError,
    PermanentError,
    RateLimited,
    ReplyError,
    ReplyTarget,
    ReplyUncertain,
    SentReply,
    TransientError,
)
from .registry import get_adapter

__all__ = [
    "AccountNeedsReconnect",
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
    "ReplyTarget",
    "ReplyUncertain",
    "SentReply",
    "TransientError",
    "get_adapter",
]
