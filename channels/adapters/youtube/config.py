"""A YouTube channel's settings: `validate_config`, the defaults and the schema admin builds its form from.

The team's channels are named by their channel id (``UC`` and 22 more characters: YouTube Studio, Settings,
Channel, Advanced settings); the keywords are searched among new videos (``search.list``), whose comments are then
read for ``follow_days`` days."""

from __future__ import annotations

import re
from typing import Any

from ..base import ConfigError
from ..schema import MAX_REQUESTS_HELP, Credential, KindSchema, Setting, int_settings
from ..values import config_keys_check, keyword_list, whole_numbers_check

DEFAULTS: dict[str, Any] = {
    "channel_ids": [],
    "keywords": [],
    "videos_per_keyword": 5,
    "follow_days": 3,
    "search_every_hours": 6,
    # Google gives a project 10,000 units a day; the polls keep 1,000 of them (20 replies at 50 units) for the
    # desk's replies, which are not counted here.
    "daily_quota": 9000,
    "max_pages_per_stream": 3,
    "max_requests_per_poll": 30,
}
_INT_LIMITS: dict[str, tuple[int, int]] = {
    "videos_per_keyword": (1, 50),  # search.list's maxResults is 0-50
    "follow_days": (1, 30),
    "search_every_hours": (1, 168),
    "daily_quota": (100, 10_000_000),  # a project Google granted more quota sets its own figure
    "max_pages_per_stream": (1, 20),
    "max_requests_per_poll": (1, 200),
}
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


def validate_config(config: Any) -> dict[str, Any]:
    config_keys_check(config, allowed=set(DEFAULTS), platform="YouTube", example=EXAMPLE)
    channel_ids = _channel_ids(config.get("channel_ids", []))
    keywords = keyword_list(config.get("keywords", []), max_length=100, max_count=MAX_KEYWORDS)
    whole_numbers_check(config, _INT_LIMITS)
    if not channel_ids and not keywords:
        raise ConfigError(f'Give "channel_ids" or "keywords", or the channel reads nothing: e.g. {EXAMPLE}.')
    # Only the keys given, cleaned: a valid config reads back as it was written (admin shows what was saved).
    cleaned = {"channel_ids": channel_ids, "keywords": keywords}
    return {**config, **{key: value for key, value in cleaned.items() if key in config}}


SCHEMA = KindSchema(
    settings=(
        Setting(
            "channel_ids",
            "The team's channels",
            "lines",
            "Channel ids (UC…), one a line: every comment on their videos is read, and their comments are ours",
            example="UCnMGQ8QHMAnVIsI3xJrihhg",
        ),
        Setting(
            "keywords",
            "Keywords",
            "lines",
            "Searched among new videos (100 quota units a search); the comments of the videos found are read",
            example="gitlab ci",
        ),
        *int_settings(
            ("videos_per_keyword", "Videos per keyword", "New videos followed per keyword, the newest first"),
            ("follow_days", "Follow for (days)", "How long a video's comments are read, and how far back a poll reads"),
            ("search_every_hours", "Search every (hours)", "A search costs 100 of the day's units"),
            (
                "daily_quota",
                "Daily quota (units)",
                "Units the polls may spend a day; Google resets at midnight Pacific",
            ),
            (
                "max_pages_per_stream",
                "Pages per stream",
                "Pages of 100 comment threads a poll reads per channel or video",
            ),
            ("max_requests_per_poll", "Requests per poll", MAX_REQUESTS_HELP),
            defaults=DEFAULTS,
            limits=_INT_LIMITS,
        ),
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
