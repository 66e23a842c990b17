"""Jira Cloud (REST API v3, https://developer.atlassian.com/cloud/jira/platform/rest/v3/): an issue tracker the desk
files bugs in from tickets and follows to their end (`issues.py`); no mentions are read from it.

Config (validated by `validate_config`; unknown keys are errors)::

    {
        "site": "https://example.atlassian.net",   # the Jira Cloud site (https, its root)
        "projects": ["DESK"],                      # keys of the projects issues are filed in
        "issue_type": "Bug",                       # the type of the issues filed
    }

Credentials: ``email`` and ``api_token``, an Atlassian account's e-mail and API token (Basic auth): the channel's
reads of the issues it follows. The account issues are filed as is connected with them (`oauth.api_token_grant`).

Polling: none, as on every issue tracker (`channels.adapters.issues.TrackerAdapter`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests

from ..issues import TrackerAdapter
from .client import credentials_of, get
from .config import DEFAULTS, SCHEMA, validate_config
from .oauth import api_token_grant

if TYPE_CHECKING:
    from channels.models import Channel

__all__ = ["DEFAULTS", "JiraAdapter"]


class JiraAdapter(TrackerAdapter):
    kind = "jira"
    schema = SCHEMA
    validate_config = staticmethod(validate_config)
    channel_key_grant = staticmethod(api_token_grant)
    channel_key_words = "the channel's e-mail and API token"
    channel_key_help = (
        "The desk files issues as {username} with the e-mail and API token stored in the channel's credentials, "
        "after Jira confirms they are that account's."
    )

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        site = validate_config(channel.config)["site"]
        email, token = credentials_of(channel)
        me = get(session, site, "/myself", email=email, token=token, params={})
        name = me.get("displayName") if isinstance(me, dict) else None
        return f"Jira answered: the credentials are {name or 'an account'}'s on {site}."
