"""A Lobsters channel's settings: `validate_config` and the defaults."""

from __future__ import annotations

import re
from typing import Any

from ..base import ConfigError
from ..schema import KindSchema, Setting, number
from ..values import keyword_list, with_defaults

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


SCHEMA = KindSchema(
    settings=(
        Setting(
            "tags",
            "Tags",
            "lines",
            "Tags whose new stories are read (one request for all), one per line",
            "vcs",
            clean=_tags,
        ),
        Setting("newest", "Every new story", "bool", "Read every new story (/newest.json)", default=False),
        Setting(
            "keywords",
            "Keywords",
            "lines",
            "Keep only stories whose title, text, link or tags hold one of these words (matched by the desk: "
            "Lobsters' search has no JSON); empty keeps all",
            example="gitlab",
            clean=lambda value: [k.lower() for k in keyword_list(value, what="words")],
        ),
        number("watch_days", 3, (0, 30), ("Watch comments (days)", "Days a matched story's new comments are read")),
        number(
            "recheck_minutes",
            60,
            (10, 24 * 60),
            ("Re-read a story (minutes)", "The least time between two reads of one story"),
        ),
        number("overlap_seconds", 600, (0, 86_400)),
        number("backfill_hours", 24, (0, 24 * 366)),
        # Lobsters is run by volunteers and throttles at 60 requests a minute per IP (lobsters/lobsters
        # config/initializers/rack_attack.rb); a poll asks for a few pages at most and the scheduler spaces polls
        # by the platform's budget (platform.py).
        number("max_requests_per_poll", 5, (1, 20)),
    ),
)
DEFAULTS = SCHEMA.defaults


def validate_config(config: Any) -> dict[str, Any]:
    result = SCHEMA.checked(config, "Lobsters", EXAMPLE)
    if not result.get("tags") and not result.get("newest"):
        raise ConfigError('Give "tags" or "newest": true, or the channel reads nothing.')
    return result


settings_of = with_defaults(DEFAULTS, validate_config)
