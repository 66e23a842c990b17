"""A Reddit channel's settings: defaults, limits and `validate_config` (unknown keys are errors)."""

from __future__ import annotations

import re
from typing import Any

from ..base import ConfigError
from ..schema import Credential, KindSchema, Setting, keywords, number

# Reddit's rule (r2 `subreddit_rx`): 3-21 letters, digits or underscores, not starting with an
# underscore; plus the old two-letter language subreddits such as r/de.
_SUBREDDIT_RE = re.compile(r"\A(?:[A-Za-z0-9][A-Za-z0-9_]{2,20}|[A-Za-z]{2})\Z")
_PSEUDO_SUBREDDITS = {"all", "popular", "friends", "mod", "random", "randnsfw", "myrandom", "home"}


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
        keywords(
            "Searched in posts across Reddit, one per line (give keywords, subreddits or both)",
            "gitlab",
            max_length=512,  # Reddit's search limit
            fold_spaces=False,
        ),
        Setting(
            "subreddits",
            "Subreddits",
            "lines",
            'Every post and comment of these subreddits, one name per line, without "r/"',
            example="gitlab",
            clean=_clean_subreddits,
        ),
        Setting(
            "include_comments",
            "Include comments",
            "bool",
            "Read the subreddits' comments as well as their posts",
            default=True,
        ),
        number("overlap_seconds", 600, (0, 86_400)),
        number("backfill_hours", 24, (0, 720)),
        # Reddit's free tier: 100 requests per minute per OAuth client, shared by every channel
        # using that client on this deployment. Keep some headroom for test_connection and retries.
        number(
            "requests_per_minute",
            90,
            (1, 100),
            ("Requests per minute", "Shared by every channel using the same Reddit app (the free tier allows 100)"),
        ),
        number("max_requests_per_poll", 30, (1, 1000)),
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
DEFAULTS = SCHEMA.defaults


def settings_of(config: dict[str, Any]) -> dict[str, Any]:
    """The channel's config over the defaults."""
    return {**DEFAULTS, **config}


def validate_config(config: dict[str, Any]) -> dict[str, Any]:
    result = SCHEMA.checked(config, "Reddit", '{"subreddits": ["gitlab"], "keywords": ["gitlab"]}')
    if not result.get("keywords") and not result.get("subreddits"):
        raise ConfigError(
            "Give at least one keyword (searched in posts across Reddit) or one subreddit (all its posts "
            'and comments), e.g. {"keywords": ["gitlab"], "subreddits": ["gitlab"]}.'
        )
    return result
