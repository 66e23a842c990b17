"""What the polled adapters (Discourse, Disqus, Hacker News, Reddit, Stack Exchange, X) do the same way: a
poll's chunks merged for a caller that stores a poll in one transaction, a saved payload's mentions, and a
chunk's result when a 429 ended the walk early."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

import requests

from .adapter import Adapter
from .base import FetchResult, IncomingMention, PayloadError, RateLimited, chunks_merged
from .guard import Parsed

if TYPE_CHECKING:
    from channels.models import Channel


class PolledAdapter(Adapter):
    """The methods every polled adapter shares. A subclass sets `kind`, `config_rules` (its config module's
    `validate_config`) and `config_defaults`, and has `fetch_chunks` and `parse_page`."""

    config_rules: Callable[[dict[str, Any]], dict[str, Any]]
    config_defaults: dict[str, Any] = {}  # read only

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        return type(self).config_rules(config)

    def settings_of(self, config: dict[str, Any]) -> dict[str, Any]:
        """The validated config with every default filled in."""
        return {**self.config_defaults, **self.validate_config(config)}

    def fetch_chunks(self, *, channel: Channel, session: requests.Session) -> Iterator[FetchResult]:
        raise NotImplementedError

    def fetch(self, *, channel: Channel, session: requests.Session) -> FetchResult:
        """Every chunk of one poll as one result (for a caller that stores a poll in one transaction)."""
        return chunks_merged(list(self.fetch_chunks(channel=channel, session=session)))


def readable_mentions(parsed: Parsed) -> list[IncomingMention]:
    """`parsed`'s mentions; a payload in which no item at all can be read is refused with the reason
    (`manage.py ingest_payload` says so instead of storing nothing)."""
    if parsed.rejected and not parsed.mentions:
        raise PayloadError(f"none of its {len(parsed.rejected)} item(s) can be read: {parsed.rejected[0].error}")
    return parsed.mentions


def rate_limited_until(platform: str, channel: Channel, stopped: RateLimited, *, now: datetime) -> datetime:
    """When a poll that a 429 (`stopped`) ended early may call again: after the wait it asked for, a minute
    when it named none. Logged on the adapter's own logger."""
    logging.getLogger(f"channels.adapters.{platform}").info(
        "%s: channel=%s stopped early, rate-limited: %s", platform, channel.slug, stopped
    )
    return now + timedelta(seconds=stopped.retry_after or 60)


class Chunk(Protocol):
    more: bool
    reads: int


def chunk_result(
    platform: str,
    channel: Channel,
    parsed: Parsed,
    chunk: Chunk,
    cursor: dict[str, Any],
    *,
    stopped: RateLimited | None,
    requests_made: int,
) -> FetchResult:
    """One chunk's result with the cursor just after it; `stopped`, the 429 that ended the walk early, asks the
    scheduler to wait what it said (a minute when it said nothing)."""
    now = datetime.now(tz=UTC)
    not_before = None if stopped is None else rate_limited_until(platform, channel, stopped, now=now)
    return FetchResult(
        mentions=parsed.mentions,
        cursor=cursor,
        requests_made=requests_made,
        more=chunk.more,
        rejected=parsed.rejected,
        not_before=not_before,
        reads=chunk.reads,
        platform_status={
            "checked_at": now.isoformat(),
            "rate_limited_until": not_before.isoformat() if not_before else None,
            "backlog": chunk.more,
        },
    )
