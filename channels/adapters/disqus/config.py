"""A Disqus channel's settings: `validate_config` and the defaults."""

from __future__ import annotations

import re
from typing import Any

from ..base import ConfigError
from ..schema import Credential, KindSchema, Setting, number

EXAMPLE = '{"forum": "gitlab"}'
PAGE_LIMIT = 100  # the API's maximum `limit`

# Disqus shortnames: letters, digits, hyphens (and underscores in old forums).
_FORUM_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def _forum(forum: Any) -> str:
    if not isinstance(forum, str) or not forum.strip():
        raise ConfigError(
            f'"forum" is required: the Disqus shortname of the site whose comments this channel reads, e.g. '
            f'"gitlab" for gitlab.disqus.com (the blog, the DevOps-tools pages and the docs are separate '
            f"channels). Example config: {EXAMPLE}."
        )
    forum = forum.strip().lower()
    if not _FORUM_RE.fullmatch(forum):
        hint = ""
        host = re.sub(r"\A[a-z]+://", "", forum).split("/", 1)[0]
        if host.endswith(".disqus.com") and _FORUM_RE.fullmatch(host.removesuffix(".disqus.com")):
            hint = f' Did you mean "{host.removesuffix(".disqus.com")}"?'
        raise ConfigError(
            f'"forum" {forum[:100]!r} is not a Disqus shortname: use the shortname only (letters, digits and '
            f'hyphens), e.g. "gitlab" for gitlab.disqus.com, not a URL.{hint}'
        )
    return forum


SCHEMA = KindSchema(
    settings=(
        Setting(
            "forum",
            "Forum shortname",
            "text",
            "The Disqus shortname of the site, not a URL (gitlab for gitlab.disqus.com)",
            example="gitlab",
            required=True,
            clean=_forum,
        ),
        number("overlap_seconds", 600, (0, 86_400)),
        number("backfill_hours", 24, (0, 24 * 30)),
        number("max_requests_per_poll", 20, (1, 1000)),
    ),
    credentials=(
        Credential("api_key", "API key", "The public key of a Disqus API application (disqus.com/api/applications/)"),
    ),
)
DEFAULTS = SCHEMA.defaults


def validate_config(config: dict[str, Any]) -> dict[str, Any]:
    return SCHEMA.checked(config, "Disqus", EXAMPLE)
