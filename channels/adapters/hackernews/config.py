"""A Hacker News channel's settings: `validate_config` and the defaults."""

from __future__ import annotations

from typing import Any

from ..schema import KindSchema, Setting, number
from ..values import keyword_list, with_defaults

EXAMPLE = '{"keywords": ["gitlab"]}'

SCHEMA = KindSchema(
    settings=(
        Setting(
            "keywords",
            "Keywords",
            "lines",
            "Words searched in stories and comments, one per line",
            example="gitlab",
            required=True,
            clean=lambda value: keyword_list(value, what="search words", fold_spaces=False, required=True),
        ),
        number("overlap_seconds", 300, (0, 86_400)),
        number("backfill_hours", 24, (0, 24 * 366)),
        number("hits_per_page", 100, (1, 1000), ("Hits per page", "Items per search request")),
        number("max_requests_per_poll", 30, (1, 1000)),
        # Algolia allows 10,000 requests per hour per IP and sends no rate-limit headers, so
        # every HN channel on this deployment shares one counter kept in the cache (Redis).
        number(
            "hourly_request_budget",
            9000,
            (1, 10_000),
            (
                "Hourly request budget",
                "Requests per hour shared by every Hacker News channel of this desk (Algolia allows 10,000 per IP)",
            ),
        ),
        # "replay": the quick start's demo channel answers from bundled samples (see `replay`); it is a
        # setting an admin can see, not a hidden test switch.
        Setting(
            "replay",
            "Replay bundled samples",
            "bool",
            "Demo only: answer from the samples bundled with the desk instead of calling Algolia",
            default=False,
        ),
    ),
)
DEFAULTS = SCHEMA.defaults


def validate_config(config: Any) -> dict[str, Any]:
    return SCHEMA.checked(config, "Hacker News", EXAMPLE)


settings_of = with_defaults(DEFAULTS, validate_config)
