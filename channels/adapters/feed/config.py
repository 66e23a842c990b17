"""A feed channel's settings: `validate_config`, the defaults, and each feed's address (`feed_url`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ..base import ConfigError
from ..schema import KindSchema, Setting, keywords, number
from ..values import with_defaults

MAX_FEEDS = 20  # one request each per poll, and the budget is per site (platform.py)
EXAMPLE = '{"feeds": ["https://github.com/renovatebot/renovate/releases.atom"], "keywords": ["gitlab"]}'


def feed_url(value: Any) -> str:
    """A feed's address as typed by an admin, checked: http(s) with a host, no user:password (it would show in every
    log line and on the health page), no #fragment (never sent). A query stays: many feeds are addressed by one
    (`?feed=rss2`). Whether the host is one the desk may reach is the fetch guard's to say, when it is fetched."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError('Each of "feeds" is a feed\'s address, e.g. "https://example.org/feed.xml".')
    url = value.strip()
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname, parts.port
    except ValueError:  # an unclosed "[" of an IPv6 address, a port that is no number
        raise ConfigError(f"The feed address {url[:100]!r} is not a valid address.") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise ConfigError(f"A feed's address starts with https:// (or http://) and names a host; got {url[:100]!r}.")
    if parts.username or parts.password:
        raise ConfigError(f"The feed address {url[:100]!r} must not contain a user name or password.")
    if parts.fragment:
        raise ConfigError(f"The feed address {url[:100]!r} must not have a #fragment.")
    return url


def _feeds(raw: Any) -> list[str]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f'Give "feeds", the addresses of one or more RSS or Atom feeds, e.g. {EXAMPLE}.')
    if len(raw) > MAX_FEEDS:
        raise ConfigError(f'"feeds" lists {len(raw)}; at most {MAX_FEEDS} a channel.')
    return list(dict.fromkeys(feed_url(url) for url in raw))


SCHEMA = KindSchema(
    settings=(
        Setting(
            "feeds",
            "Feeds",
            "lines",
            "Addresses of RSS or Atom feeds, one per line: a blog, a newsletter, another project's changelog or "
            "releases",
            example="https://github.com/renovatebot/renovate/releases.atom",
            required=True,
            clean=_feeds,
        ),
        keywords(
            "Keep only entries whose title, text or categories hold one of these words; empty keeps every entry",
            "gitlab",
            what="words",
            skip_blank=True,
        ),
        number("backfill_hours", 168, (0, 24 * 366)),  # a week: a changelog or a blog posts a few times a week at most
        number(
            "max_entries_per_feed",
            100,
            (1, 500),
            ("Entries per feed", "The newest entries of one feed read per poll (a feed lists its newest first)"),
        ),
    ),
)
DEFAULTS = SCHEMA.defaults


def validate_config(config: Any) -> dict[str, Any]:
    return SCHEMA.checked(config, "feed", EXAMPLE)


settings_of = with_defaults(DEFAULTS, validate_config)
