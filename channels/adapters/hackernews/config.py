"""A Hacker News channel's settings: `validate_config` and the defaults."""

from __future__ import annotations

from typing import Any

from ..schema import KindSchema, Setting, int_settings
from ..values import booleans_check, config_keys_check, keyword_list, whole_numbers_check, with_defaults

DEFAULTS: dict[str, Any] = {
    "keywords": [],
    "overlap_seconds": 300,
    "backfill_hours": 24,
    "hits_per_page": 100,
    "max_requests_per_poll": 30,
    # Algolia allows 10,000 requests per hour per IP and sends no rate-limit headers, so
    # every HN channel on this deployment shares one counter kept in the cache (Redis).
    "hourly_request_budget": 9000,
}
_INT_LIMITS: dict[str, tuple[int, int]] = {
    "overlap_seconds": (0, 86_400),
    "backfill_hours": (0, 24 * 366),
    "hits_per_page": (1, 1000),
    "max_requests_per_poll": (1, 1000),
    "hourly_request_budget": (1, 10_000),
}
# "replay": the quick start's demo channel answers from bundled samples (see `replay`); it is a
# setting an admin can see, not a hidden test switch.
ALLOWED = {*DEFAULTS, "replay"}
EXAMPLE = '{"keywords": ["gitlab"]}'


def validate_config(config: Any) -> dict[str, Any]:
    config_keys_check(config, allowed=ALLOWED, platform="Hacker News", example=EXAMPLE)
    keywords = keyword_list(config.get("keywords"), what="search words", fold_spaces=False, required=True)
    whole_numbers_check(config, _INT_LIMITS)
    booleans_check(config, "replay")
    return {**config, "keywords": keywords}


settings_of = with_defaults(DEFAULTS, validate_config)


SCHEMA = KindSchema(
    settings=(
        Setting(
            "keywords",
            "Keywords",
            "lines",
            "Words searched in stories and comments, one per line",
            example="gitlab",
            required=True,
        ),
        *int_settings(
            "overlap_seconds",
            "backfill_hours",
            ("hits_per_page", "Hits per page", "Items per search request"),
            "max_requests_per_poll",
            (
                "hourly_request_budget",
                "Hourly request budget",
                "Requests per hour shared by every Hacker News channel of this desk (Algolia allows 10,000 per IP)",
            ),
            defaults=DEFAULTS,
            limits=_INT_LIMITS,
        ),
        Setting(
            "replay",
            "Replay bundled samples",
            "bool",
            "Demo only: answer from the samples bundled with the desk instead of calling Algolia",
            default=False,
        ),
    ),
)
