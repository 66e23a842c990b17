"""A GitLab channel's settings: `validate_config`, the defaults, the schema admin builds its form from, and the
instance's address."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from ..base import ConfigError
from ..schema import Credential, KindSchema, Setting, keywords, number
from ..values import https_root, keyword_list

GITLAB_COM = "https://gitlab.com"
MAX_PROJECTS = 50
MAX_KEYWORDS = 50
MAX_LABELS = 20
# A project path is a namespace (groups and subgroups) and a project name: letters, digits, "_", "-", "." each.
_PATH_RE = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.-]*(/[A-Za-z0-9_.][A-Za-z0-9_.-]*)+")
_EXAMPLE = '{"projects": ["gitlab-org/gitlab"]}'


def _labels(value: Any) -> list[str]:
    # A label is matched by its exact name: "Bug" and "bug" may be two labels.
    labels = keyword_list(
        value,
        key="labels",
        what="label names",
        example='["bug"]',
        max_length=255,
        max_count=MAX_LABELS,
        skip_blank=True,
        case_sensitive=True,
    )
    if any("," in label for label in labels):
        raise ConfigError('A label in "labels" cannot contain a comma: GitLab separates labels with commas.')
    return labels


def clean_base_url(value: Any) -> str:
    """The instance's root, maybe under a relative-URL path ("https://example.com/gitlab")."""
    return https_root(
        value,
        what="the GitLab instance's address",
        example=f'"{GITLAB_COM}" or your instance, e.g. "https://gitlab.example.com"',
        credential="the token",
        subfolder=lambda segment: segment not in ("api", "-"),
        not_root="an API or project address",
    )


def clean_projects(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ConfigError(f'"projects" is required: a list of project paths or numeric ids, e.g. {_EXAMPLE}.')
    if len(value) > MAX_PROJECTS:
        raise ConfigError(f'"projects" lists {len(value)} projects; at most {MAX_PROJECTS} per channel.')
    projects: list[str] = []
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool) and item > 0:
            project = str(item)
        elif isinstance(item, str) and (item.strip().isdigit() or _PATH_RE.fullmatch(item.strip().strip("/"))):
            project = item.strip().strip("/")
        else:
            raise ConfigError(
                f'Each of "projects" is a path like "gitlab-org/gitlab" (group/project, as in the project\'s '
                f"address) or a numeric project id; got {str(item)[:100]!r}."
            )
        if project.casefold() not in {p.casefold() for p in projects}:
            projects.append(project)
    return projects


def project_ref(project: str) -> str:
    """A project as the API's `:id`: a numeric id as is, a path URL-encoded ("gitlab-org%2Fgitlab")."""
    return project if project.isdigit() else quote(project, safe="")


def api_root(base_url: str) -> str:
    return f"{base_url}/api/v4"


SCHEMA = KindSchema(
    settings=(
        Setting(
            "projects",
            "Projects",
            "lines",
            "One project per line: its path as in its address (group/project) or its numeric id",
            example="gitlab-org/gitlab",
            required=True,
            clean=clean_projects,
        ),
        Setting(
            "base_url",
            "GitLab address",
            "text",
            "gitlab.com, or your self-managed instance's root; https only",
            default=GITLAB_COM,
            clean=clean_base_url,
        ),
        keywords(
            "Only issues whose title or description contains one of these (empty: every issue)",
            "runner",
            max_length=100,
            max_count=MAX_KEYWORDS,
            skip_blank=True,
        ),
        Setting(
            "labels",
            "Labels",
            "lines",
            "Only issues that carry all of these labels (empty: any)",
            example="bug",
            clean=_labels,
        ),
        Setting(
            "include_confidential",
            "Confidential issues and internal notes",
            "bool",
            "Read confidential issues and internal notes too (the token must see them); off: they are skipped",
            default=False,
        ),
        number(
            "backfill_hours",
            24,
            (0, 24 * 30),
            ("Backfill (hours)", "How far back the first poll of a new channel reads issues, in hours"),
        ),
        number("max_requests_per_poll", 30, (2, 500)),
    ),
    credentials=(
        Credential(
            "access_token",
            "Access token",
            "Optional for public projects: a personal, project or group access token with read_api, sent as "
            "PRIVATE-TOKEN (needed for private projects; raises the rate limit)",
        ),
        Credential(
            "oauth_client_id", "OAuth application id", "For connecting accounts: the application's id", secret=False
        ),
        Credential("oauth_client_secret", "OAuth application secret", "The application's secret"),
    ),
)
DEFAULTS = SCHEMA.defaults


def validate_config(config: dict[str, Any]) -> dict[str, Any]:
    # The instance's address is always in a valid config: its readers take it from there.
    return {"base_url": GITLAB_COM, **SCHEMA.checked(config, "GitLab", _EXAMPLE)}
