"""A Mastodon channel's settings: `validate_config`, the defaults, the schema admin builds its form from, the
instance's address, and handles written in full (``name@instance``)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from ..base import ConfigError
from ..schema import Credential, KindSchema, Setting, keywords, number
from ..values import https_root, with_defaults

MAX_HASHTAGS = 20
MAX_KEYWORDS = 20
MAX_HANDLES = 20
# Mastodon's hashtag: letters, digits, underscores and a few joiners (Tag::HASHTAG_NAME_RE), at most 100 here.
_HASHTAG_RE = re.compile(r"[\w\u00b7\u200c]{1,100}")
# A username (Account::USERNAME_RE) and, for an account of another server, its domain.
_HANDLE_RE = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.-]{0,99})(?:@([A-Za-z0-9.-]+(?::\d{1,5})?))?")
_EXAMPLE = '{"base_url": "https://mastodon.social", "hashtags": ["gitlab"], "handles": ["gitlab"]}'


def clean_base_url(value: Any) -> str:
    return https_root(
        value,
        what="the address of the instance the team's account is on",
        example='e.g. "https://mastodon.social"',
        credential="the token",
        not_root="a page or API address",
    )


def instance_domain(url: str) -> str:
    """The host (and port) of an address, lower-case: what a local account's handle ends with."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return ""
    return f"{host}:{port}" if host and port else host


def full_handle(acct: str, domain: str) -> str:
    """``name@domain`` for a handle written ``name``, ``@name`` or ``@name@domain``: an account of the instance
    itself (Mastodon's ``acct`` has no domain then) gets the instance's; "" for something that is no handle."""
    match = _HANDLE_RE.fullmatch(acct.strip().removeprefix("@"))
    if match is None:
        return ""
    name, at = match.group(1), (match.group(2) or domain).lower()
    return f"{name}@{at}" if at else ""


def _handles(value: Any, base_url: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(
            '"handles" must be a list of the team\'s handles, e.g. ["gitlab"] or ["gitlab@mastodon.social"].'
        )
    found: list[str] = []
    for handle in (v for v in value if v.strip()):
        full = full_handle(handle, instance_domain(base_url))
        if not full:
            raise ConfigError(
                f'{handle.strip()[:60]!r} in "handles" is not a Mastodon handle such as "gitlab" or '
                '"gitlab@mastodon.social".'
            )
        if full.casefold() not in {h.casefold() for h in found}:
            found.append(full)
    if len(found) > MAX_HANDLES:
        raise ConfigError(f'"handles" lists {len(found)}; at most {MAX_HANDLES}.')
    return found


def _hashtags(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError('"hashtags" must be a list of hashtags without "#", e.g. ["gitlab"].')
    found: list[str] = []
    for tag in (v.strip().removeprefix("#") for v in value if v.strip()):
        if not _HASHTAG_RE.fullmatch(tag):
            raise ConfigError(f"{tag[:60]!r} is not a hashtag: letters, digits and underscores, without spaces.")
        if tag.casefold() not in {t.casefold() for t in found}:
            found.append(tag)
    if len(found) > MAX_HASHTAGS:
        raise ConfigError(f'"hashtags" lists {len(found)}; at most {MAX_HASHTAGS}.')
    return found


SCHEMA = KindSchema(
    settings=(
        Setting(
            "base_url",
            "Instance address",
            "text",
            "The Mastodon server the team's account is on (its root address; https only)",
            example="https://mastodon.social",
            required=True,
            clean=clean_base_url,
        ),
        Setting(
            "mentions",
            "Mentions of our account",
            "bool",
            "Read the posts that mention the account the access token belongs to (its mention notifications)",
            default=True,
        ),
        Setting(
            "own_replies",
            "Our account's replies",
            "bool",
            "Read the replies the token's account posts, from any app, so they count as our replies (first reply "
            "time) even when they carry no hashtag or keyword of this channel",
            default=True,
        ),
        Setting(
            "hashtags",
            "Hashtags",
            "lines",
            'One hashtag per line, without "#": every public post the instance knows with that tag',
            example="gitlab",
            clean=_hashtags,
        ),
        keywords(
            "Searched in posts, one per line (full-text search: only on instances that offer it, and only posts "
            "that allow being found)",
            "gitlab runner",
            max_length=200,
            max_count=MAX_KEYWORDS,
            skip_blank=True,
        ),
        Setting(
            "handles",
            "Team handles",
            "lines",
            "The team's accounts, one per line (name, or name@instance for another server): their posts are our "
            "replies, never tickets",
            example="gitlab",
        ),
        number("backfill_hours", 24, (0, 24 * 30)),
        number("max_requests_per_poll", 20, (1, 150)),
    ),
    credentials=(
        Credential(
            "access_token",
            "Access token",
            "A user access token of the team's account on this instance, scopes read write (docs/platforms/"
            "mastodon.md, Connect it); sent as Authorization: Bearer",
        ),
        Credential(
            "oauth_client_id",
            "Application client id",
            "Only for connecting other accounts through Mastodon's sign-in: the client_id of the app registered on "
            "this instance (POST /api/v1/apps)",
            secret=False,
        ),
        Credential("oauth_client_secret", "Application client secret", "That app's client_secret"),
    ),
)
DEFAULTS = SCHEMA.defaults


def validate_config(config: dict[str, Any]) -> dict[str, Any]:
    result = SCHEMA.checked(config, "Mastodon", _EXAMPLE)
    if "handles" in config:
        result["handles"] = _handles(config["handles"], result["base_url"])
    if result.get("mentions") is False and not result.get("hashtags") and not result.get("keywords"):
        raise ConfigError(
            "Read something: the mentions of the token's account (mentions), hashtags, or keywords (full-text "
            f"search, where the instance offers it), e.g. {_EXAMPLE}."
        )
    return result


settings_of = with_defaults(DEFAULTS, validate_config)
