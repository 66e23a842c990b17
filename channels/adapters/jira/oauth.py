"""Connecting the Jira account issues are filed as: an Atlassian account's e-mail and API token, not a sign-in.

Jira Cloud's REST API takes Basic auth of an account's e-mail and API token (developer.atlassian.com, "Basic auth
for REST APIs"). The channel's credentials hold them; connecting an account (`api_token_grant`) checks first with
``GET /rest/api/3/myself`` that they are that account's, then stores them as the account's encrypted tokens
(``token_type`` "basic"), as GitLab's personal token is stored. Atlassian's OAuth 2.0 (3LO) sends its calls through
api.atlassian.com and a cloud id instead of the site: not what the desk's admins asked for, so `JiraApiToken`
starts no sign-in and says how to connect instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.accounts.oauth import Grant, KeyOnly

from ..base import AuthError
from .client import credentials_of, get
from .config import validate_config

if TYPE_CHECKING:
    from channels.models import Channel

HOW = "Jira accounts connect with an API token: use the account's \"or with the account's API token\" link."


class JiraApiToken(KeyOnly):
    label, how = "Jira", HOW
    refreshes = False  # an API token does not expire on a schedule: a refused one means connecting again
    not_refreshed = ("basic",)


def api_token_grant(*, channel: Channel, session: requests.Session, username: str) -> Grant:
    """File as `username` with the channel's e-mail and API token, once Jira says they are that account's."""
    email, token = credentials_of(channel)
    site = validate_config(channel.config)["site"]
    me: Any = get(session, site, "/myself", email=email, token=token, params={})
    found = clean.mapping(me)
    names = {clean.line(found.get(k), max_length=200).casefold() for k in ("emailAddress", "displayName")} - {""}
    if username.strip().casefold() not in names | {email.casefold()}:
        raise AuthError(f"The API token is not {username}'s: name the account by its e-mail, {email}.")
    account_id = clean.ident(found.get("accountId"))
    return Grant(
        access_token=token, username=username.strip(), user_id=account_id, extra={"email": email, "token_type": "basic"}
    )
