"""A dev.to channel's settings: `validate_config` and the defaults."""

from __future__ import annotations

from typing import Any

from ..base import ConfigError
from ..schema import KindSchema, Setting, int_settings
from ..values import booleans_check, config_keys_check, whole_numbers_check, with_defaults

DEFAULTS: dict[str, Any] = {
    "tags": [],
    "latest": False,
    "keywords": [],
    "articles": [],
    # The comments of every article taken in are read for this many days (0: only the hand-listed articles')...
    "follow_days": 3,
    # ...at most this many articles a poll, those read longest ago first, so a poll's requests stay few whatever
    # the number followed (platform.py counts them in the channel's budget).
    "follow_per_poll": 3,
    "per_page": 30,
    "backfill_hours": 24,
    # Forem throttles unauthenticated API reads at 3 a second per IP (forem/forem rack_attack.rb): a poll's
    # requests are spread by the scheduler, and one poll asks for no more than this.
    "max_requests_per_poll": 10,
}
_INT_LIMITS: dict[str, tuple[int, int]] = {
    "follow_days": (0, 30),
    "follow_per_poll": (1, 20),
    "per_page": (1, 1000),  # Forem's `per_page` bounds
    "backfill_hours": (0, 24 * 366),
    "max_requests_per_poll": (1, 100),
}
ALLOWED = set(DEFAULTS)
EXAMPLE = '{"tags": ["gitlab"], "keywords": ["gitlab"]}'


def _words(config: dict[str, Any], key: str, what: str) -> list[str]:
    value = config.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f'"{key}" must be a list of {what}, e.g. ["gitlab"].')
    return list(dict.fromkeys(v.strip().lower().lstrip("#") for v in value))


def _article_ids(value: Any) -> list[int]:
    # Admin's one-per-line field gives strings; a JSON config may give numbers. A bool is an int in Python:
    # an article id of `true` is a mistake, not article 1.
    ids = [int(v) if isinstance(v, str) and v.strip().isdigit() else v for v in value] if isinstance(value, list) else 0
    if not isinstance(ids, list) or not all(type(a) is int and a > 0 for a in ids):
        raise ConfigError('"articles" must be a list of article ids (whole numbers), e.g. [1612784].')
    return ids


def validate_config(config: Any) -> dict[str, Any]:
    config_keys_check(config, allowed=ALLOWED, platform="dev.to", example=EXAMPLE)
    tags = _words(config, "tags", "tags")
    keywords = _words(config, "keywords", "words")
    articles = _article_ids(config.get("articles", []))
    booleans_check(config, "latest")
    whole_numbers_check(config, _INT_LIMITS)
    if not tags and not articles and not config.get("latest"):
        raise ConfigError('Give "tags", "articles" or "latest": true, or the channel reads nothing.')
    # Only the keys given, cleaned: a valid config reads back as it was written (admin shows what was saved).
    cleaned = {"tags": tags, "keywords": keywords, "articles": list(dict.fromkeys(articles))}
    return {**config, **{key: value for key, value in cleaned.items() if key in config}}


settings_of = with_defaults(DEFAULTS, validate_config)


def reads_articles(settings: dict[str, Any]) -> bool:
    return bool(settings["tags"] or settings["keywords"] or settings["latest"])


def followed_per_poll(settings: dict[str, Any]) -> int:
    """How many taken-in articles' comments one poll reads: `follow_per_poll`, within `max_requests_per_poll`
    after the hand-listed articles (read every poll) and one request for the walk of new articles."""
    if not reads_articles(settings) or not settings["follow_days"]:
        return 0
    room = int(settings["max_requests_per_poll"]) - len(settings["articles"]) - 1
    return max(0, min(int(settings["follow_per_poll"]), room))


SCHEMA = KindSchema(
    settings=(
        Setting("tags", "Tags", "lines", "Tags whose new articles are read, one per line", example="gitlab"),
        Setting("latest", "Latest articles", "bool", "Read every new article (/api/articles/latest)", default=False),
        Setting(
            "keywords",
            "Keywords",
            "lines",
            "Keep only articles whose title, description or tags hold one of these words; empty keeps all",
            example="gitlab",
        ),
        Setting(
            "articles",
            "Followed articles",
            "lines",
            "Ids of articles whose comments are read as long as they are listed here",
            example="1612784",
        ),
        *int_settings(
            ("follow_days", "Follow comments (days)", "Days the comments of an article taken in are read (0: none)"),
            ("follow_per_poll", "Articles followed per poll", "Taken-in articles whose comments one poll reads"),
            ("per_page", "Articles per page", "Articles per request"),
            "backfill_hours",
            "max_requests_per_poll",
            defaults=DEFAULTS,
            limits=_INT_LIMITS,
        ),
    ),
)
