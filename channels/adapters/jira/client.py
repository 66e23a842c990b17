"""HTTP to a Jira Cloud site's REST API v3, the only module that reads it: Basic auth of an Atlassian account's
e-mail and API token (developer.atlassian.com, "Basic auth for REST APIs"), every failure mapped in words that
never carry the token. Atlassian's rate limits answer 429 with ``Retry-After`` (developer.atlassian.com, "Rate
limiting"), read by the common ladder."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.http import credential_of, fetch_json
from channels.http_status import Ladder

from ..base import AuthError, Gone

if TYPE_CHECKING:
    from channels.models import Channel

API = "/rest/api/3"
REFUSED_WORDS = "Jira refused the e-mail and API token: the token may be revoked or expired, or the e-mail not its"
LADDER: Ladder = {
    401: (AuthError, "{label}: HTTP 401{detail} (" + REFUSED_WORDS + ")"),
    403: (AuthError, "{label}: HTTP 403{detail} (the account may not browse that project)"),
    404: (Gone, "{label}: HTTP 404{detail}: no such issue, or the account cannot see it"),
}


def basic_header(email: str, token: str) -> dict[str, str]:
    pair = base64.b64encode(f"{email}:{token}".encode()).decode("ascii")
    return {"Authorization": f"Basic {pair}", "Accept": "application/json"}


def credentials_of(channel: Channel) -> tuple[str, str]:
    """The channel's account e-mail and API token, or AuthError in words."""
    email, token = credential_of(channel, "email"), credential_of(channel, "api_token")
    if not isinstance(email, str) or not email.strip() or not isinstance(token, str) or not token.strip():
        raise AuthError('This Jira channel needs its account\'s "email" and "api_token" credentials.')
    return email.strip(), token.strip()


def error_text(data: Any) -> str:
    """Jira's error body: ``{"errorMessages": [...], "errors": {"field": "why"}}``."""
    if not isinstance(data, dict):
        return ""
    said = list(clean.strings(data.get("errorMessages"), max_length=200))
    said += [f"{k}: {v}" for k, v in clean.mapping(data.get("errors")).items() if isinstance(v, str)]
    return clean.line("; ".join(said), max_length=300)


def get(session: requests.Session, site: str, path: str, *, email: str, token: str, params: dict[str, Any]) -> Any:
    """One GET of the API as the account, its JSON; failures as the ladder says."""
    label = f"Jira {path}"
    _, data = fetch_json(
        session, f"{site}{API}{path}", label=label, params=params, headers=basic_header(email, token),
        allow_redirects=False, ladder=LADDER, error_text=error_text, secret=token,
        not_json="a sign-in page, or the site is not Jira Cloud",
    )  # fmt: skip
    return data
