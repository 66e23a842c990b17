"""A Lobsters channel's settings: `validate_config` and the defaults."""

from __future__ import annotations

import re
from typing import Any

from ..base import ConfigError
from ..schema import BACKFILL_HOURS_HELP, MAX_REQUESTS_HELP, OVERLAP_HELP, KindSchema, Setting, int_setting
from ..values import config_keys_check, keyword_list, whole_numbers_check, with_defaults

DEFAULTS: dict[str, Any] = {
    "tags": [],
    "newest": False,
    "keywords": [],
    "watch_days": 3,
    "recheck_minutes": 60,
    "overlap_seconds": 600,
    "backfill_hours": 24,
    # Lobsters is run by volunteers and throttles at 60 requests a minute per IP (lobsters/lobsters
    # config/initializers/rack_attack.rb); a poll asks for a few pages at most and the scheduler spaces polls
    # by the platform's budget (platform.py).
    "max_requests_per_poll": 5,
}
_INT_LIMITS: dict[str, tuple[int, int]] = {
    "watch_days": (0, 30),
    "recheck_minutes": (10, 24 * 60),
    "overlap_seconds": (0, 86_400),
    "backfill_hours": (0, 24 * 366),
    "max_requests_per_poll": (1, 20),
}
ALLOWED = set(DEFAULTS)
EXAMPLE = '{"tags": ["vcs"], "keywords": ["gitlab"]}'
# Lobsters' tags are short lowercase words (`rust`, `c++`, `ask`); a comma would join two tags in one path.
_TAG = re.compile(r"[a-z0-9][a-z0-9+#._-]{0,24}")


def _tags(value: Any) -> list[str]:
    words = keyword_list(value, key="tags", what="tags", example='["vcs"]')
    tags = list(dict.fromkeys(t.lower().lstrip("#") for t in words))
    for tag in tags:
        if not _TAG.fullmatch(tag):
            raise ConfigError(f'"tags": {tag[:40]!r} is not a Lobsters tag (a short word such as "vcs" or "rust").')
    return tags


def validate_config(config: Any) -> dict[str, Any]:
    config_keys_check(config, allowed=ALLOWED, platform="Lobsters", example=EXAMPLE)
    tags = _tags(config.get("tags", []))
    keywords = [k.lower() for k in keyword_list(config.get("keywords", []), what="words")]
    if "newest" in config and not isinstance(config["newest"], bool):
        raise ConfigError('"newest" must be true or false.')
    whole_numbers_check(config, _INT_LIMITS)
    if not tags and not config.get("newest"):
        raise ConfigError('Give "tags" or "newest": true, or the channel reads nothing.')
    # Only the keys given, cleaned: a valid config reads back as it was written (admin shows what was saved).
    cleaned = {"tags": tags, "keywords": keywords}
    return {**config, **{key: value for key, value in cleaned.items() if key in config}}


settings_of = with_defaults(DEFAULTS, validate_config)


def _number(key: str, label: str, help: str) -> Setting:
    return int_setting(key, label, help, defaults=DEFAULTS, limits=_INT_LIMITS)


SCHEMA = KindSchema(
    settings=(
        Setting("tags", "Tags", "lines", "Tags whose new stories are read (one request for all), one per line", "vcs"),
        Setting("newest", "Every new story", "bool", "Read every new story (/newest.json)", default=False),
        Setting(
            "keywords",
            "Keywords",
            "lines",
            "Keep only stories whose title, text, link or tags hold one of these words (matched by the desk: "
            "Lobsters' search has no JSON); empty keeps all",
            example="gitlab",
        ),
        _number("watch_days", "Watch comments (days)", "Days a matched story's new comments are read"),
        _number("recheck_minutes", "Re-read a story (minutes)", "The least time between two reads of one story"),
        _number("overlap_seconds", "Overlap (seconds)", OVERLAP_HELP),
        _number("backfill_hours", "Backfill (hours)", BACKFILL_HOURS_HELP),
        _number("max_requests_per_poll", "Requests per poll", MAX_REQUESTS_HELP),
    ),
)
