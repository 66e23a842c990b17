"""A Reddit channel's settings: defaults, limits and `validate_config` (unknown keys are errors)."""

from __future__ import annotations

import re
from typing import Any

from ..base import ConfigError
from ..schema import Credential, KindSchema, Setting, int_settings
from ..values import booleans_check, config_keys_check, keyword_list, whole_numbers_check

DEFAULTS: dict[str, Any] = {
    "keywords": [],
    "subreddits": [],
    "include_comments": True,
    "overlap_seconds": 600,
    "backfill_hours": 24,
    # Reddit's free tier: 100 requests per minute per OAuth client, shared by every channel
    # using that client on this deployment. Keep some headroom for test_connection and retries.
    "requests_per_minute": 90,
    "max_requests_per_poll": 30,
}
_INT_LIMITS: dict[str, tuple[int, int]] = {
    "overlap_seconds": (0, 86_400),
    "backfill_hours": (0, 720),
    "requests_per_minute": (1, 100),
    "max_requests_per_poll": (1, 1000),
}
# Reddit's rule (r2 `subreddit_rx`): 3-21 letters, digits or underscores, not starting with an
# underscore; plus the old two-letter language subreddits such as r/de.
_SUBREDDIT_RE = re.compile(r"\A(?:[A-Za-z0-9][A-Za-z0-9_]{2,20}|[A-Za-z]{2})\Z")
_PSEUDO_SUBREDDITS = {"all", "popular", "friends", "mod", "random", "randnsfw", "myrandom", "home"}


def settings_of(config: dict[str, Any]) -> dict[str, Any]:
    """The channel's config over the defaults."""
    return {**DEFAULTS, **config}


def validate_config(config: dict[str, Any]) -> dict[str, Any]:
    example = '{"subreddits": ["gitlab"], "keywords": ["gitlab"]}'
    config_keys_check(config, allowed=set(DEFAULTS), platform="Reddit", example=example)
    result = dict(config)
    # 512: Reddit's search limit.
    result["keywords"] = keyword_list(config.get("keywords", []), max_length=512, fold_spaces=False)
    result["subreddits"] = _clean_subreddits(config.get("subreddits", []))
    if not result["keywords"] and not result["subreddits"]:
        raise ConfigError(
            "Give at least one keyword (searched in posts across Reddit) or one subreddit (all its posts "
            'and comments), e.g. {"keywords": ["gitlab"], "subreddits": ["gitlab"]}.'
        )
    for key in ("keywords", "subreddits"):
        if key not in config:
            del result[key]
    booleans_check(config, "include_comments")
    whole_numbers_check(config, _INT_LIMITS)
    return result


def _clean_subreddits(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise ConfigError('"subreddits" must be a list of subreddit names without "r/", e.g. ["gitlab"].')
    cleaned: list[str] = []
    for name in value:
        if not isinstance(name, str) or not name.strip():
            raise ConfigError('Every entry of "subreddits" must be a non-empty string.')
        name = name.strip()
        bare = re.sub(r"\A/?r/", "", name)
        if bare != name:
            raise ConfigError(f'Write subreddit names without "r/": {bare!r}, not {name!r}.')
        if not _SUBREDDIT_RE.match(name):
            raise ConfigError(
                f"{name!r} is not a subreddit name: 3 to 21 letters, digits or underscores, "
                "not starting with an underscore."
            )
        if name.lower() in _PSEUDO_SUBREDDITS:
            raise ConfigError(
                f"r/{name} is not a community but a feed of all of Reddit: use keywords to find mentions there."
            )
        if name.casefold() not in {n.casefold() for n in cleaned}:
            cleaned.append(name)
    return cleaned


SCHEMA = KindSchema(
    settings=(
        Setting(
            "keywords",
            "Keywords",
            "lines",
            "Searched in posts across Reddit, one per line (give keywords, subreddits or both)",
            example="gitlab",
        ),
        Setting(
            "subreddits",
            "Subreddits",
            "lines",
            'Every post and comment of these subreddits, one name per line, without "r/"',
            example="gitlab",
        ),
        Setting(
            "include_comments",
            "Include comments",
            "bool",
            "Read the subreddits' comments as well as their posts",
            default=DEFAULTS["include_comments"],
        ),
        *int_settings(
            "overlap_seconds",
            "backfill_hours",
            (
                "requests_per_minute",
                "Requests per minute",
                "Shared by every channel using the same Reddit app (the free tier allows 100)",
            ),
            "max_requests_per_poll",
            defaults=DEFAULTS,
            limits=_INT_LIMITS,
        ),
    ),
    credentials=(
        Credential("client_id", "App client id", "The id of a script or web app from reddit.com/prefs/apps", False),
        Credential("client_secret", "App client secret", "The secret of that app"),
        Credential(
            "username", "Reddit username", "Only for a script app signing in as an account (with its password)", False
        ),
        Credential("password", "Reddit password", "The password of that account; leave both out for app-only access"),
    ),
)
