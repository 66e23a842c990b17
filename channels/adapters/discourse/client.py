"""HTTP to one Discourse forum: credentials as headers, the per-poll request budget, and every failure
mapped to what the poller should do. Messages name the path, never the credentials."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.http import PollBudget, credential_of, json_or_none, not_json_reason, redact, request
from channels.http_status import Ladder, status_check

from ..base import AuthError, ConfigError, PayloadError
from ..values import finite_number
from .config import Site

if TYPE_CHECKING:
    from channels.models import Channel

LATEST = "/posts.json"
SEARCH = "/search.json"
BASIC_INFO = "/site/basic-info.json"
ABOUT = "/about.json"


@dataclass(frozen=True)
class Credentials:
    api_key: str = field(default="", repr=False)
    api_username: str = ""

    def headers(self) -> dict[str, str]:
        if not self.api_key:
            return {}
        headers = {"Api-Key": self.api_key}
        if self.api_username:
            headers["Api-Username"] = self.api_username
        return headers


def credentials_of(channel: Channel) -> Credentials:
    key, username = credential_of(channel, "api_key"), credential_of(channel, "api_username")
    if key not in (None, "") and not isinstance(key, str):
        raise AuthError('Credential "api_key" must be a string: an API key from the forum\'s admin, API keys page.')
    if username not in (None, "") and not isinstance(username, str):
        raise AuthError('Credential "api_username" must be a string: the username the API key acts as.')
    if username and not key:
        raise AuthError('Credential "api_username" is set without "api_key": add the key, or remove both.')
    return Credentials(api_key=(key or "").strip(), api_username=(username or "").strip())


class NotFound(ConfigError):
    pass


class Client(PollBudget):
    """One poll's view of the forum: the request budget, and a 429 after a successful call ends the poll's
    walk instead of failing it."""

    def __init__(self, session: requests.Session, site: Site, credentials: Credentials, *, budget: int) -> None:
        super().__init__(budget)
        self.session = session
        self.site = site
        self.credentials = credentials

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.counted(lambda: discourse_get(self.session, self.site.base_url, path, params, self.credentials))


def discourse_get(
    session: requests.Session,
    base_url: str,
    path: str,
    params: dict[str, Any] | None,
    credentials: Credentials,
) -> Any:
    """GET one API path and return its JSON, mapping failures to what the poller should do.

    Messages name the path, never the credentials."""
    label = f"Discourse {path}"
    response = request(
        session,
        "GET",
        base_url + path,
        label=label,
        params=params,
        headers=credentials.headers(),
        allow_redirects=False,
    )
    data, too_deep = json_or_none(response)  # too deep: JSON nested thousands deep, no Discourse response is
    location = response.headers.get("Location", "")
    auth = AUTH_WITH_KEY if credentials.api_key else AUTH_WITHOUT_KEY
    ladder = {
        **LADDER,
        401: auth,
        403: auth,
        **(LOGIN_LADDER if re.search(r"/(login|session/sso|auth/)", location) else {}),
    }
    said = error_text(data) if isinstance(data, dict) and data.get("errors") else ""
    status_check(
        response, label, ladder, said=redact(said, credentials.api_key), secret=credentials.api_key,
        retry_after=_wait_seconds(data, response), base_url=base_url,
    )  # fmt: skip
    if too_deep:
        raise PayloadError(f"{label}: the answer is JSON nested too deep to be a Discourse response")
    if data is None:
        raise PayloadError(
            not_json_reason(
                label,
                response.text,
                credentials.api_key,
                html_means="a login page, a proxy or maintenance page, or base_url is not a Discourse forum",
            )
        )
    return data


# Discourse's rungs over the common ladder: what a refusal says of the API key, base_url and its subfolder.
AUTH_WITH_KEY = (
    AuthError,
    "{label}: HTTP {status}{detail} (the forum refused the API key: check api_key and api_username in the channel's "
    "credentials)",
)
AUTH_WITHOUT_KEY = (
    AuthError,
    "{label}: HTTP {status}{detail} (the forum does not let anonymous readers see this: add an API key (api_key, "
    "api_username))",
)
LADDER: Ladder = {
    404: (NotFound, "{label}: HTTP 404: no Discourse forum answers at {base_url} (check base_url and its subfolder)"),
    "3xx": (ConfigError, "{label}: HTTP {status} redirect to {location}: set base_url to the forum's address"),
}
LOGIN_LADDER: Ladder = {
    "3xx": (
        AuthError,
        "{label}: the forum redirects to its login page ({location}): it needs an API key (credentials api_key and "
        "api_username)",
    )
}


def _wait_seconds(data: Any, response: requests.Response) -> float | None:
    extras = data.get("extras") if isinstance(data, dict) else None
    for value in (
        extras.get("wait_seconds") if isinstance(extras, dict) else None,
        response.headers.get("Retry-After"),
    ):
        seconds = finite_number(value)
        if seconds is not None and seconds >= 0:
            return seconds
    return None


def error_text(data: dict[str, Any]) -> str:
    errors = data.get("errors")
    parts = errors if isinstance(errors, list) else [errors]
    text = "; ".join(clean.line(p, max_length=200) if isinstance(p, str) else clean.preview(p) for p in parts[:10] if p)
    kind = data.get("error_type")
    return f"{text[:200]}{f' [{clean.line(kind, max_length=40)}]' if isinstance(kind, str) and kind else ''}"
