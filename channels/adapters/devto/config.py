"""A dev.to channel's settings: `validate_config` and the defaults."""

from __future__ import annotations

from functools import partial
from typing import Any

from ..base import ConfigError
from ..schema import KindSchema, Setting, number
from ..values import with_defaults

EXAMPLE = '{"tags": ["gitlab"], "keywords": ["gitlab"]}'


def _words(value: Any, key: str, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f'"{key}" must be a list of {what}, e.g. ["gitlab"].')
    return list(dict.fromkeys(v.strip().lower().lstrip("#") for v in value))


def _article_ids(value: Any) -> list[int]:
    # Admin's one-per-line field gives strings; a JSON config may give numbers. A bool is an int in Python:
    # an article id of `true` is a mistake, not article 1.
    ids = [int(v) if isinstance(v, str) and v.strip().isdigit() else v for v in value] if isinstance(value, list) else 0
    if not isinstance(ids, list) or not all(type(a) is int and a > 0 for a in ids):
        raise ConfigError('"articles" must be a list of article ids (whole numbers), e.g. [1612784].')
    return list(dict.fromkeys(ids))


SCHEMA = KindSchema(
    settings=(
        Setting(
            "tags",
            "Tags",
            "lines",
            "Tags whose new articles are read, one per line",
            "gitlab",
            clean=partial(_words, key="tags", what="tags"),
        ),
        Setting("latest", "Latest articles", "bool", "Read every new article (/api/articles/latest)", default=False),
        Setting(
            "keywords",
            "Keywords",
            "lines",
            "Keep only articles whose title, description or tags hold one of these words; empty keeps all",
            example="gitlab",
            clean=partial(_words, key="keywords", what="words"),
        ),
        Setting(
            "articles",
            "Followed articles",
            "lines",
            "Ids of articles whose comments are read as long as they are listed here",
            example="1612784",
            clean=_article_ids,
        ),
        # The comments of every article taken in are read for this many days (0: only the hand-listed articles')...
        number(
            "follow_days",
            3,
            (0, 30),
            ("Follow comments (days)", "Days the comments of an article taken in are read (0: none)"),
        ),
        # ...at most this many articles a poll, those read longest ago first, so a poll's requests stay few whatever
        # the number followed (platform.py counts them in the channel's budget).
        number(
            "follow_per_poll",
            3,
            (1, 20),
            ("Articles followed per poll", "Taken-in articles whose comments one poll reads"),
        ),
        number("per_page", 30, (1, 1000), ("Articles per page", "Articles per request")),  # Forem's `per_page` bounds
        number("backfill_hours", 24, (0, 24 * 366)),
        # Forem throttles unauthenticated API reads at 3 a second per IP (forem/forem rack_attack.rb): a poll's
        # requests are spread by the scheduler, and one poll asks for no more than this.
        number("max_requests_per_poll", 10, (1, 100)),
    ),
)
DEFAULTS = SCHEMA.defaults


def validate_config(config: Any) -> dict[str, Any]:
    result = SCHEMA.checked(config, "dev.to", EXAMPLE)
    if not result.get("tags") and not result.get("articles") and not result.get("latest"):
        raise ConfigError('Give "tags", "articles" or "latest": true, or the channel reads nothing.')
    return result


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
