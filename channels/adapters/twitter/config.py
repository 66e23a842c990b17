"""The channel's X settings: our handles (and which answers what), search queries, page size, budget."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..base import ConfigError
from ..schema import Credential, KindSchema, Setting
from ..values import keyword_list
from .client import MENTIONS_URL, READ_PARAMS, SEARCH_URL

HANDLE_KEYS = ("username", "user_id", "role")
ROLES = ("main", "status", "other")
DEFAULT_MAX_RESULTS = 100
SEARCH_MIN_RESULTS = 10  # recent search takes 10..100, the mentions timeline 5..100
MAX_QUERY_LENGTH = 4096
DEFAULT_AVAILABILITY_KEYWORDS = ("down", "outage", "502", "503", "unavailable", "not loading")
# What a setting left out is, where it is not filled in by `validate_config` itself: nothing here.
DEFAULTS: dict[str, Any] = {}

USERNAME_RE = re.compile(r"[A-Za-z0-9_]{1,15}")
DIGITS_RE = re.compile(r"[0-9]{1,20}")


@dataclass
class Source:
    """One thing a poll reads: a handle's mentions timeline or a recent-search query."""

    key: str  # cursor key: "mentions:<user id>" or "search:<query>"
    endpoint: str  # X rate-limits per endpoint: "mentions" (all handles share it) or "search"
    url: str
    page_param: str  # "pagination_token" (timelines) or "next_token" (search)
    params: dict[str, Any]


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_config(config: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(config, dict):
        raise ConfigError(
            'Config must be a JSON object like {"handles": [{"username": "GitLab", "user_id": "2244994945", '
            '"role": "main"}]}.'
        )
    known = SCHEMA.settings_by_key
    if unknown := set(config) - set(known):
        raise ConfigError(f"Unknown X setting(s): {', '.join(sorted(unknown))} (known: {', '.join(known)}).")
    result: dict[str, Any] = {"handles": _clean_handles(config.get("handles"))}
    if "search_queries" in config:
        queries = config["search_queries"]
        result["search_queries"] = keyword_list(
            queries,
            key="search_queries",
            what="strings",
            example='["\\"gitlab ci\\" -is:retweet"]',
            max_length=MAX_QUERY_LENGTH,
            fold_spaces=False,
            case_sensitive=True,
        )
        # A query given twice stays refused in words, as it was, rather than dropped unseen.
        if len(result["search_queries"]) != len(queries):
            raise ConfigError('"search_queries" lists the same query twice.')
    if "monthly_read_budget" in config:
        budget = config["monthly_read_budget"]
        if not is_int(budget) or budget < 1:
            raise ConfigError('"monthly_read_budget" must be a whole number of posts of at least 1, e.g. 10000.')
        result["monthly_read_budget"] = budget
    if "max_results" in config:
        max_results = config["max_results"]
        if not is_int(max_results) or not 5 <= max_results <= 100:
            raise ConfigError('"max_results" must be a whole number between 5 and 100.')
        result["max_results"] = max_results
    if "availability_keywords" in config:
        result["availability_keywords"] = keyword_list(
            config["availability_keywords"],
            key="availability_keywords",
            what="strings",
            fold_spaces=False,
            example='["down", "outage", "502"]',
        )
    return result


def _clean_handle(n: int, entry: Any) -> dict[str, str]:
    where = f"handles[{n}]"
    if not isinstance(entry, dict):
        raise ConfigError(f'{where} must be an object like {{"username": "GitLab", "user_id": "…", "role": "main"}}.')
    unknown = set(entry) - set(HANDLE_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}.")
    username = entry.get("username")
    username = username.strip().removeprefix("@") if isinstance(username, str) else username
    if not isinstance(username, str) or not USERNAME_RE.fullmatch(username):
        raise ConfigError(f'{where}: "username" must be 1-15 letters, digits or underscores (got {username!r}).')
    user_id = entry.get("user_id")
    if not isinstance(user_id, str) or not DIGITS_RE.fullmatch(user_id.strip()):
        raise ConfigError(
            f'{where} (@{username}): "user_id" must be the numeric account id as a string, e.g. "2244994945" '
            "(X ids are 64-bit: quoted, no tool can round them)."
        )
    role = entry.get("role")
    if role not in ROLES:
        raise ConfigError(f'{where} (@{username}): "role" must be one of {", ".join(ROLES)} (got {role!r}).')
    return {"username": username, "user_id": user_id.strip(), "role": role}


def _clean_handles(value: Any) -> list[dict[str, str]]:
    example = '[{"username": "GitLab", "user_id": "2244994945", "role": "main"}]'
    if not isinstance(value, list) or not value:
        raise ConfigError(f'"handles" must be a non-empty list of our X accounts, e.g. {example}.')
    handles = [_clean_handle(n, entry) for n, entry in enumerate(value)]
    names = [h["username"].casefold() for h in handles]
    if len(set(names)) != len(names):
        raise ConfigError('"handles" lists the same username twice.')
    ids = [h["user_id"] for h in handles]
    if len(set(ids)) != len(ids):
        raise ConfigError('"handles" lists the same user_id twice.')
    roles = [h["role"] for h in handles]
    if roles.count("main") != 1:
        raise ConfigError(f'"handles" needs exactly one handle with role "main" (found {roles.count("main")}).')
    if roles.count("status") > 1:
        raise ConfigError('"handles" may have at most one handle with role "status".')
    return handles


def handle_with_role(config: dict[str, Any], role: str) -> dict[str, str]:
    return next(h for h in config["handles"] if h["role"] == role)


def sources(config: dict[str, Any]) -> list[Source]:
    max_results = config.get("max_results", DEFAULT_MAX_RESULTS)
    found = [
        Source(
            key=f"mentions:{h['user_id']}",
            endpoint="mentions",
            url=MENTIONS_URL.format(user_id=h["user_id"]),
            page_param="pagination_token",
            params={**READ_PARAMS, "max_results": max_results},
        )
        for h in config["handles"]
    ]
    found += [
        Source(
            key=f"search:{query}",
            endpoint="search",
            url=SEARCH_URL,
            page_param="next_token",
            params={"query": query, **READ_PARAMS, "max_results": max(max_results, SEARCH_MIN_RESULTS)},
        )
        for query in config.get("search_queries", [])
    ]
    return found


SCHEMA = KindSchema(
    settings=(
        Setting(
            "handles",
            "Our handles",
            "records",
            "One account per line: username, numeric user id and role (main, status or other), separated by "
            "spaces; exactly one main, at most one status",
            example="GitLab 2244994945 main",
            required=True,
            parts=HANDLE_KEYS,
        ),
        Setting(
            "search_queries",
            "Search queries",
            "lines",
            "Recent-search queries, one per line, in X's search syntax",
            example='"gitlab ci" -is:retweet',
        ),
        Setting(
            "monthly_read_budget",
            "Monthly read budget",
            "int",
            "Posts read per month that X bills; polls slow down to stay within it. Empty: no budget",
            example="10000",
        ),
        Setting(
            "max_results",
            "Posts per page",
            "int",
            "Posts per request (search takes at least 10)",
            default=DEFAULT_MAX_RESULTS,
            limits=(5, 100),
        ),
        Setting(
            "availability_keywords",
            "Availability keywords",
            "lines",
            "Posts with these words are the status handle's to answer, one per line",
            default=", ".join(DEFAULT_AVAILABILITY_KEYWORDS),
        ),
    ),
    credentials=(
        Credential("bearer_token", "Bearer token", "The app-only bearer token the polls read with"),
        Credential(
            "oauth_client_id",
            "OAuth 2.0 client id",
            "The app's OAuth 2.0 client id (developer console, Keys and tokens): the handles the desk posts from "
            "are connected with it (Accounts, below)",
        ),
        Credential("oauth_client_secret", "OAuth 2.0 client secret", "The app's client secret (confidential client)"),
    ),
)
