"""A Stack Exchange channel's settings: validation with specific messages, and the site's web domain."""

from __future__ import annotations

import re
from typing import Any

from ..base import ConfigError
from ..schema import Credential, KindSchema, Setting, number

_EXAMPLE = '{"site": "stackoverflow", "tags": ["gitlab"]}'

# api_site_parameter: "stackoverflow", "meta.stackoverflow", "pt.stackoverflow", "3dprinting", "mathoverflow.net".
_SITE_RE = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*")
# Tags are lowercase, at most 35 characters, no spaces; ru.stackoverflow has Cyrillic ones.
_TAG_RE = re.compile(r"[^\s;,|]{1,35}")
_OWN_DOMAIN_SITES = {
    "stackoverflow": "stackoverflow.com",
    "serverfault": "serverfault.com",
    "superuser": "superuser.com",
    "askubuntu": "askubuntu.com",
    "stackapps": "stackapps.com",
    "meta": "meta.stackexchange.com",
}


def _site(site: Any) -> str:
    if not isinstance(site, str) or not site.strip():
        raise ConfigError(
            f'"site" is required: the site\'s api_site_parameter, e.g. "stackoverflow", "serverfault" '
            f'or "askubuntu". Example config: {_EXAMPLE}.'
        )
    site = site.strip().lower()
    if len(site) > 100 or not _SITE_RE.fullmatch(site):
        raise ConfigError(
            f'"site" {site[:100]!r} is not a Stack Exchange api_site_parameter: use lowercase letters, digits, '
            'dots and dashes only, e.g. "stackoverflow" or "pt.stackoverflow" (not a URL).'
        )
    return site


def _tags(tags: Any) -> list[str]:
    if not isinstance(tags, list) or not tags:
        raise ConfigError('"tags" must be a non-empty list of tags, e.g. ["gitlab", "gitlab-ci"].')
    cleaned: list[str] = []
    for tag in tags:
        if not isinstance(tag, str) or not tag.strip():
            raise ConfigError('Every entry of "tags" must be a non-empty string, e.g. "gitlab".')
        normal = tag.strip().lower()
        if not _TAG_RE.fullmatch(normal):
            raise ConfigError(
                f"{tag[:60]!r} is not a single Stack Exchange tag: tags have at most 35 characters and no "
                'spaces, ";" or "," (write "gitlab-ci", and list several tags as separate entries).'
            )
        if normal not in cleaned:
            cleaned.append(normal)
    return cleaned


def site_domain(site: str) -> str:
    """The web domain of a site given its api_site_parameter (for answer and comment permalinks)."""
    if site in _OWN_DOMAIN_SITES:
        return _OWN_DOMAIN_SITES[site]
    if site.rsplit(".", 1)[-1] in ("com", "net", "org"):
        return site  # the API also accepts a full domain ("mathoverflow.net", "stackoverflow.com")
    if site.startswith("meta."):
        base = site.removeprefix("meta.")
        if base in _OWN_DOMAIN_SITES:
            return f"meta.{_OWN_DOMAIN_SITES[base]}"
        if base.endswith(".stackoverflow"):
            return f"{base.split('.', 1)[0]}.meta.stackoverflow.com"
        return f"{base}.meta.stackexchange.com"
    if site.endswith(".stackoverflow"):
        return f"{site}.com"
    return f"{site}.stackexchange.com"


SCHEMA = KindSchema(
    settings=(
        Setting(
            "site",
            "Site",
            "text",
            "The site's API name (api_site_parameter), not its URL",
            example="stackoverflow, serverfault, pt.stackoverflow",
            required=True,
            clean=_site,
        ),
        Setting(
            "tags",
            "Tags",
            "lines",
            "One tag per line; each costs at least one request per poll",
            "gitlab",
            required=True,
            clean=_tags,
        ),
        number(
            "watch_days",
            7,
            (0, 90),
            ("Watch questions (days)", "How long a question stays watched for new answers and comments"),
        ),
        number("backfill_hours", 24, (0, 24 * 90)),
        number("pagesize", 100, (1, 100), ("Page size", "Items per API request")),
        number("max_requests_per_poll", 20, (1, 1000)),
        number("overlap_seconds", 300, (0, 86400)),
    ),
    credentials=(
        Credential(
            "key",
            "App key",
            "Optional: the app key registered on stackapps.com raises the daily quota from 300 to 10,000 requests",
        ),
    ),
)
DEFAULTS = SCHEMA.defaults


def validate_config(config: dict[str, Any]) -> dict[str, Any]:
    result = SCHEMA.checked(config, "Stack Exchange", _EXAMPLE)
    budget, tags = {**DEFAULTS, **result}["max_requests_per_poll"], result["tags"]
    if len(tags) > budget:
        raise ConfigError(
            f'Each tag costs at least one request per poll: "max_requests_per_poll" ({budget}) must be at '
            f"least the number of tags ({len(tags)})."
        )
    return result
