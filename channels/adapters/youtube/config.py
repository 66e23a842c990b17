"""A YouTube channel's settings: `validate_config`, the defaults and the schema admin builds its form from.

The team's channels are named by their channel id (``UC`` and 22 more characters: YouTube Studio, Settings,
Channel, Advanced settings); the keywords are searched among new videos (``search.list``), whose comments are then
read for ``follow_days`` days."""

from __future__ import annotations

import re
from typing import Any

from ..base import ConfigError
from ..schema import Credential, KindSchema, Setting, keywords, number

MAX_CHANNELS = 20
MAX_KEYWORDS = 10
CHANNEL_ID_RE = re.compile(r"UC[A-Za-z0-9_-]{22}")
EXAMPLE = '{"channel_ids": ["UCnMGQ8QHMAnVIsI3xJrihhg"], "keywords": ["gitlab ci"]}'


def _channel_ids(value: Any) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_CHANNELS:
        raise ConfigError(f'"channel_ids" lists the team\'s YouTube channels (at most {MAX_CHANNELS}), e.g. {EXAMPLE}.')
    ids = [v.strip() if isinstance(v, str) else v for v in value]
    wrong = [v for v in ids if not isinstance(v, str) or not CHANNEL_ID_RE.fullmatch(v)]
    if wrong:
        raise ConfigError(
            f'Each of "channel_ids" is a channel id: "UC" and 22 letters, digits, "-" or "_" (YouTube Studio, '
            f"Settings, Channel, Advanced settings); got {str(wrong[0])[:40]!r}."
        )
    return list(dict.fromkeys(ids))


SCHEMA = KindSchema(
    settings=(
        Setting(
            "channel_ids",
            "The team's channels",
            "lines",
            "Channel ids (UC…), one a line: every comment on their videos is read, and their comments are ours",
            example="UCnMGQ8QHMAnVIsI3xJrihhg",
            clean=_channel_ids,
        ),
        keywords(
            "Searched among new videos (100 quota units a search); the comments of the videos found are read",
            "gitlab ci",
            max_length=100,
            max_count=MAX_KEYWORDS,
        ),
        # search.list's maxResults is 0-50
        number(
            "videos_per_keyword",
            5,
            (1, 50),
            ("Videos per keyword", "New videos followed per keyword, the newest first"),
        ),
        number(
            "follow_days",
            3,
            (1, 30),
            ("Follow for (days)", "How long a video's comments are read, and how far back a poll reads"),
        ),
        number("search_every_hours", 6, (1, 168), ("Search every (hours)", "A search costs 100 of the day's units")),
        # Google gives a project 10,000 units a day; the polls keep 1,000 of them (20 replies at 50 units) for the
        # desk's replies, which are not counted here. A project Google granted more quota sets its own figure.
        number(
            "daily_quota",
            9000,
            (100, 10_000_000),
            ("Daily quota (units)", "Units the polls may spend a day; Google resets at midnight Pacific"),
        ),
        number(
            "max_pages_per_stream",
            3,
            (1, 20),
            ("Pages per stream", "Pages of 100 comment threads a poll reads per channel or video"),
        ),
        number("max_requests_per_poll", 30, (1, 200)),
    ),
    credentials=(
        Credential("api_key", "API key", "A YouTube Data API v3 key of the Google Cloud project (reads); encrypted"),
        Credential(
            "oauth_client_id",
            "OAuth client id",
            "The project's OAuth client (web application), for replies",
            secret=False,
        ),
        Credential("oauth_client_secret", "OAuth client secret", "That client's secret; stored encrypted"),
    ),
)
DEFAULTS = SCHEMA.defaults


def validate_config(config: Any) -> dict[str, Any]:
    result = SCHEMA.checked(config, "YouTube", EXAMPLE)
    if not result.get("channel_ids") and not result.get("keywords"):
        raise ConfigError(f'Give "channel_ids" or "keywords", or the channel reads nothing: e.g. {EXAMPLE}.')
    return result
