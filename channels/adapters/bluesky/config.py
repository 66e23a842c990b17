"""A Bluesky channel's settings: defaults, limits and `validate_config` (unknown keys are errors).

The account the channel signs in as is `handle` (its app password is the `app_password` credential, stored
encrypted with the channel's other credentials). `service_url` is where the account signs in and writes
(Bluesky's entryway, https://bsky.social, for accounts Bluesky hosts); reads go to the account's own PDS (named
in the session's DID document), or to `read_url` when one is set.
"""

from __future__ import annotations

import re
from typing import Any

from ..base import ConfigError
from ..schema import Credential, KindSchema, Setting, keywords, number
from ..values import https_root

SERVICE_URL = "https://bsky.social"
KEYWORD_MAX = 300  # a search query is one line; Bluesky's own search box takes far less
# A handle is a domain name (atproto.com/specs/handle): dot-separated labels of letters, digits and hyphens, not
# starting or ending with a hyphen, at least two labels, the last one not starting with a digit, 253 at most.
HANDLE_RE = re.compile(
    r"\A(?=.{1,253}\Z)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?\Z"
)
# Plain http is taken only from this machine (a PDS run beside the desk); anywhere else the app password would
# travel in clear.
_SERVICE_WORDS: dict[str, Any] = {
    "what": "the address of a Bluesky service",
    "example": f'e.g. "{SERVICE_URL}"',
    "credential": "the app password",
    "local_http": frozenset({"localhost", "127.0.0.1", "::1"}),
}


def handle_of(value: Any) -> str:
    """`value` as a handle (lowercase, without "@"), or "" when it is not one."""
    if not isinstance(value, str):
        return ""
    handle = value.strip().removeprefix("@").lower()
    return handle if HANDLE_RE.match(handle) else ""


def _handle(value: Any) -> str:
    if not (handle := handle_of(value)):
        raise ConfigError(
            f'"handle" must be the Bluesky handle the channel signs in as, e.g. "gitlab.com" or '
            f'"gitlab.bsky.social"; got {str("" if value is None else value)[:60]!r}.'
        )
    return handle


def _handles(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise ConfigError('"team_handles" must be a list of Bluesky handles, e.g. ["gitlabstatus.bsky.social"].')
    cleaned: list[str] = []
    for entry in value:
        handle = handle_of(entry)
        if not handle:
            raise ConfigError(f'{str(entry)[:60]!r} in "team_handles" is not a Bluesky handle (a domain name).')
        if handle not in cleaned:
            cleaned.append(handle)
    return cleaned


SCHEMA = KindSchema(
    settings=(
        Setting(
            "handle",
            "Account handle",
            "text",
            "The Bluesky account the channel signs in as (its notifications are read, and the desk replies as it)",
            example="gitlab.com",
            default="",
            required=True,
            clean=_handle,
        ),
        keywords("Searched in Bluesky's posts, newest first, one per line", "gitlab", max_length=KEYWORD_MAX),
        Setting(
            "read_notifications",
            "Read mentions and replies",
            "bool",
            "Read the account's notifications: posts that mention it and replies to its posts",
            default=True,
        ),
        Setting(
            "team_handles",
            "Team handles",
            "lines",
            "Our other accounts on Bluesky, one per line: their posts are our replies, never tickets",
            example="gitlabstatus.bsky.social",
            clean=_handles,
        ),
        Setting(
            "service_url",
            "Sign-in and write host",
            "text",
            "Where the account signs in and posts (its PDS or Bluesky's entryway)",
            default=SERVICE_URL,
            clean=lambda value: https_root(value, key="service_url", **_SERVICE_WORDS),
        ),
        Setting(
            "read_url",
            "Read host",
            "text",
            "Where searches and notifications are read; empty: the account's own PDS, signed in",
            example="https://api.bsky.app",
            default="",
            # Empty: read from the account's own PDS.
            clean=lambda value: "" if value in ("", None) else https_root(value, key="read_url", **_SERVICE_WORDS),
        ),
        number("overlap_seconds", 600, (0, 86_400)),
        number("backfill_hours", 24, (0, 720)),
        number("max_requests_per_poll", 20, (1, 200)),
    ),
    credentials=(
        Credential(
            "app_password",
            "App password",
            "An app password of the account (Bluesky: Settings, Privacy and security, App passwords), never its "
            "own password",
        ),
    ),
)
DEFAULTS = SCHEMA.defaults


def settings_of(config: dict[str, Any]) -> dict[str, Any]:
    """The channel's config over the defaults."""
    return {**DEFAULTS, **config}


def validate_config(config: dict[str, Any]) -> dict[str, Any]:
    result = SCHEMA.checked(config, "Bluesky", '{"handle": "gitlab.com", "keywords": ["gitlab"]}')
    if not result.get("keywords") and result.get("read_notifications") is False:
        raise ConfigError(
            "Give at least one keyword, or leave the account's notifications on: with neither the channel reads "
            'nothing. E.g. {"handle": "gitlab.com", "keywords": ["gitlab"]}.'
        )
    return result
