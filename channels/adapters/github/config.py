"""A GitHub channel's settings: `validate_config`, the defaults, and the schema admin builds its form from."""

from __future__ import annotations

import re
from typing import Any

from ..base import ConfigError
from ..schema import Credential, KindSchema, Setting, number

API_URL = "https://api.github.com"
WEB_URL = "https://github.com"
# The author associations that mark a comment as the team's (GitHub's CommentAuthorAssociation values).
TEAM_ASSOCIATIONS = ("OWNER", "MEMBER", "COLLABORATOR")
MAX_REPOSITORIES = 30
MAX_LABELS = 20
# GitHub's rules: an owner is 1-39 letters, digits and single hyphens; a repository name letters, digits, ".", "-", "_".
_REPO_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")
_EXAMPLE = '{"repositories": ["octo-org/octo-repo"]}'
# The credentials each way of signing in needs (admin refuses a channel lacking one).
APP_CREDENTIALS = ("app_id", "app_private_key", "app_installation_id")


def team_of(config: dict[str, Any]) -> frozenset[str]:
    """The author associations whose comments are the team's: OWNER, MEMBER, COLLABORATOR, unless turned off."""
    return frozenset(TEAM_ASSOCIATIONS) if config.get("team_by_association", True) is not False else frozenset()


def required_credentials(config: Any) -> tuple[str, ...]:
    """A personal access token, or the three parts of a GitHub App installation (``"auth": "app"``)."""
    return APP_CREDENTIALS if isinstance(config, dict) and config.get("auth") == "app" else ("token",)


def clean_repositories(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ConfigError(f'"repositories" is required: a list of owner/name, e.g. {_EXAMPLE}.')
    if len(value) > MAX_REPOSITORIES:
        raise ConfigError(f'"repositories" lists {len(value)}; at most {MAX_REPOSITORIES} per channel.')
    found: list[str] = []
    for item in value:
        name = item.strip().strip("/") if isinstance(item, str) else ""
        if name.lower().startswith(("https://github.com/", "github.com/")):
            name = name.split("github.com/", 1)[1].strip("/")
        if not _REPO_RE.fullmatch(name) or "--" in name.split("/")[0] or name.split("/")[1] in (".", ".."):
            raise ConfigError(
                f'Each of "repositories" is owner/name as in the repository\'s address, e.g. "octo-org/octo-repo"; '
                f"got {str(item)[:100]!r}."
            )
        if name.casefold() not in {f.casefold() for f in found}:
            found.append(name)
    return found


def _auth(value: Any) -> str:
    if value not in ("token", "app"):
        raise ConfigError('"auth" is "token" (a personal access token) or "app" (a GitHub App installation).')
    return value


def _labels(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError('"labels" must be a list of label names.')
    labels = [" ".join(v.split()) for v in value if v.strip()]
    if len(labels) > MAX_LABELS:
        raise ConfigError(f'"labels" lists {len(labels)}; at most {MAX_LABELS}.')
    if any(len(label) > 100 for label in labels):
        raise ConfigError('A label in "labels" is at most 100 characters (GitHub\'s own limit).')
    return labels


SCHEMA = KindSchema(
    settings=(
        Setting(
            "repositories",
            "Repositories",
            "lines",
            "One repository per line, as owner/name (its address on github.com without the host)",
            example="octo-org/octo-repo",
            required=True,
            clean=clean_repositories,
        ),
        Setting(
            "auth",
            "Signs in with",
            "choice",
            "A fine-grained personal access token, or a GitHub App installation (its id, private key and "
            "installation id in the credentials)",
            default="token",
            choices=(("token", "A personal access token"), ("app", "A GitHub App installation")),
            clean=_auth,
        ),
        Setting(
            "labels",
            "Labels",
            "lines",
            "Only issues and discussions carrying one of these labels (empty: all of them)",
            example="question",
            clean=_labels,
        ),
        Setting(
            "include_discussions",
            "Discussions",
            "bool",
            "Read the repositories' discussions too (GraphQL); off: issues only",
            default=True,
        ),
        Setting(
            "team_by_association",
            "The repository's members are the team",
            "bool",
            "Comments by the repository's owner, its organisation's members and its collaborators "
            "(author_association OWNER, MEMBER, COLLABORATOR) are our replies, besides the logins in Our accounts",
            default=True,
        ),
        number("backfill_hours", 24, (0, 24 * 30)),
        number("max_requests_per_poll", 30, (2, 500)),
    ),
    credentials=(
        Credential(
            "token",
            "Personal access token",
            "A fine-grained token with read access to Issues, Discussions and Metadata of these repositories "
            "(write access to post replies with it)",
        ),
        Credential("app_id", "GitHub App id", "With auth = app: the App's id (its settings page)", secret=False),
        Credential("app_private_key", "GitHub App private key", "With auth = app: the App's private key (PEM)"),
        Credential(
            "app_installation_id",
            "GitHub App installation id",
            "With auth = app: the installation's id (the number at the end of its settings address)",
            secret=False,
        ),
        Credential(
            "webhook_secret",
            "Webhook secret",
            "Optional: the secret of the repository's webhook, to verify deliveries (X-Hub-Signature-256)",
        ),
        Credential(
            "oauth_client_id", "OAuth app client id", "For connecting accounts: the OAuth app's client id", secret=False
        ),
        Credential("oauth_client_secret", "OAuth app client secret", "The OAuth app's client secret"),
    ),
)
DEFAULTS = SCHEMA.defaults


def validate_config(config: dict[str, Any]) -> dict[str, Any]:
    return SCHEMA.checked(config, "GitHub", _EXAMPLE)
