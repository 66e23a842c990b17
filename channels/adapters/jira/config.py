"""A Jira Cloud channel's settings: `validate_config` and the defaults."""

from __future__ import annotations

import re
from typing import Any

from ..base import ConfigError
from ..schema import Credential, KindSchema, Setting
from ..values import https_root, with_defaults

EXAMPLE = '{"site": "https://example.atlassian.net", "projects": ["DESK"]}'
# Jira's project keys: an upper-case letter, then upper-case letters, digits or "_" (Jira's default key pattern).
PROJECT_KEY = re.compile(r"[A-Z][A-Z0-9_]{0,19}")
_CLOUD_HOST = re.compile(r"https://[a-z0-9][a-z0-9-]{0,62}\.atlassian\.net")


def site_of(value: Any) -> str:
    """The site's root, https://<name>.atlassian.net: the only host the desk sends the account's token to."""
    site = https_root(
        value,
        key="site",
        what="the Jira Cloud site's address",
        example='e.g. "https://example.atlassian.net"',
        credential="the API token",
    ).lower()
    if not _CLOUD_HOST.fullmatch(site):
        raise ConfigError(f'"site" must be a Jira Cloud site, https://<name>.atlassian.net; got {site[:100]!r}.')
    return site


def _projects(value: Any) -> list[str]:
    keys = [v.strip().upper() for v in value if isinstance(v, str)] if isinstance(value, list) else []
    if not keys or len(keys) != len(value) or not all(PROJECT_KEY.fullmatch(k) for k in keys):
        raise ConfigError('"projects" must be a list of Jira project keys, e.g. ["DESK"].')
    return list(dict.fromkeys(keys))


def _issue_type(kind: Any) -> str:
    if not isinstance(kind, str) or not kind.strip() or len(kind) > 60:
        raise ConfigError('"issue_type" must be the name of an issue type of the projects, e.g. "Bug".')
    return kind.strip()


SCHEMA = KindSchema(
    settings=(
        Setting(
            "site",
            "Site",
            "text",
            "The Jira Cloud site",
            example="https://example.atlassian.net",
            default="",
            required=True,
            clean=site_of,
        ),
        Setting("projects", "Projects", "lines", "Keys of the projects issues are filed in, one per line", "DESK"),
        Setting("issue_type", "Issue type", "text", "The type of the issues filed", default="Bug", clean=_issue_type),
    ),
    credentials=(
        Credential("email", "Account e-mail", "The Atlassian account whose API token reads the issues", secret=False),
        Credential(
            "api_token",
            "API token",
            "An API token of that account (id.atlassian.com, Security, API tokens), sent with the e-mail as Basic auth",
        ),
    ),
)
DEFAULTS = SCHEMA.defaults


def validate_config(config: Any) -> dict[str, Any]:
    result = SCHEMA.checked(config, "Jira", EXAMPLE)
    # Always checked, given or not: the form leaves this field's "required" to this message.
    return {**result, "projects": _projects(config.get("projects"))}


settings_of = with_defaults(DEFAULTS, validate_config)
