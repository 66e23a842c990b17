"""A Discourse channel's settings: `validate_config`, the defaults, and the forum's address (`Site`)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..base import ConfigError
from ..schema import Credential, KindSchema, Setting, number
from ..values import https_root

MODES = ("latest", "search")
PAGE_SIZE = 50  # posts per page of /posts.json and /search.json

# Paths that are Discourse pages, not a subfolder install ("https://forum.gitlab.com/latest" is a mistake).
_ROUTES = {
    "about",
    "admin",
    "badges",
    "c",
    "categories",
    "g",
    "groups",
    "latest",
    "login",
    "new",
    "p",
    "posts",
    "search",
    "session",
    "t",
    "tag",
    "tags",
    "top",
    "u",
    "unread",
    "users",
}
_SUBFOLDER_RE = re.compile(r"[A-Za-z0-9_-]+")
_SEARCH_OPERATORS_RE = re.compile(r"\b(order|after|before):", re.IGNORECASE)


def clean_base_url(value: Any) -> str:
    return https_root(
        value,
        what="the forum's address",
        example='e.g. "https://forum.gitlab.com"',
        credential="the API key",
        subfolder=lambda segment: bool(_SUBFOLDER_RE.fullmatch(segment)) and segment not in _ROUTES,
        not_root='a page of it ("https://example.com/forum" is a subfolder)',
    )


def _mode(mode: Any) -> str:
    if mode not in MODES:
        raise ConfigError(
            f'"mode" must be "latest" (every new post of the forum) or "search" (posts matching "query"); got {mode!r}.'
        )
    return mode


def clean_query(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError('"mode": "search" needs a "query": the Discourse search terms, e.g. "gitlab".')
    query = " ".join(value.split())
    if len(query) > 200:
        raise ConfigError(f'"query" is longer than 200 characters ({len(query)}).')
    if _SEARCH_OPERATORS_RE.search(query):
        raise ConfigError('Leave order:, after: and before: out of "query": the adapter adds them.')
    return query


@dataclass(frozen=True)
class Site:
    base_url: str  # "https://forum.example.com" or "https://example.com/forum", no trailing slash

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def subfolder(self) -> str:
        return urlsplit(self.base_url).path.rstrip("/")

    def page(self, path: str) -> str:
        """A forum-relative path ("/t/slug/1/2") as a URL; it may already start with the subfolder."""
        if self.subfolder and (path == self.subfolder or path.startswith(self.subfolder + "/")):
            return self.origin + path
        return self.base_url + path


SCHEMA = KindSchema(
    settings=(
        Setting(
            "base_url",
            "Forum address",
            "text",
            "The forum's root or subfolder, https only",
            example="https://forum.gitlab.com",
            required=True,
            clean=clean_base_url,
        ),
        Setting(
            "mode",
            "What to read",
            "choice",
            "Every new post, or only posts matching the search query",
            default="latest",
            choices=(("latest", "Every new post"), ("search", "Posts matching the query")),
            clean=_mode,
        ),
        Setting(
            "query",
            "Search query",
            "text",
            "With “Posts matching the query” only: Discourse search terms, without order:, after: or before:",
            example="gitlab runner",
        ),
        Setting(
            "staff_are_ours",
            "Staff posts are our replies",
            "bool",
            "Posts by the forum's staff and moderators count as our replies, never as tickets",
            default=True,
        ),
        number(
            "backfill_posts",
            50,
            (0, 5000),
            ("Backfill (posts)", "How many recent posts the first poll of a new channel reads"),
        ),
        number("max_requests_per_poll", 20, (1, 200)),
    ),
    credentials=(
        Credential("api_key", "API key", "Optional, for a private forum: a key from the forum's Admin, API page"),
        Credential("api_username", "API username", "The user the key acts as, e.g. system", secret=False),
    ),
)
DEFAULTS = SCHEMA.defaults


def validate_config(config: dict[str, Any]) -> dict[str, Any]:
    result = SCHEMA.checked(config, "Discourse", '{"base_url": "https://forum.gitlab.com"}')
    if result.get("mode") == "search":
        result["query"] = clean_query(config.get("query"))
    elif "query" in config:
        raise ConfigError('"query" is only used with "mode": "search"; "latest" mode reads every post of the forum.')
    settings = {**DEFAULTS, **result}
    budget, backfill = settings["max_requests_per_poll"], settings["backfill_posts"]
    if math.ceil(backfill / PAGE_SIZE) > budget:
        raise ConfigError(
            f'"backfill_posts" ({backfill}) needs {math.ceil(backfill / PAGE_SIZE)} requests of {PAGE_SIZE} '
            f'posts, more than "max_requests_per_poll" ({budget}).'
        )
    return result
