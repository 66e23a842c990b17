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

Polling: the base's (nothing is fetched; a poll of a Jira channel changes nothing): the issues the desk follows are
read one by one on the follow-up beat (stories.issues.follow).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from ..adapter import Adapter
from ..guard import Parsed
from .client import credentials_of, get
from .config import DEFAULTS, SCHEMA, validate_config
from .oauth import api_token_grant

if TYPE_CHECKING:
    from channels.models import Channel

__all__ = ["DEFAULTS", "JiraAdapter"]


class JiraAdapter(Adapter):
    kind = "jira"
    schema = SCHEMA
    channel_key_grant = staticmethod(api_token_grant)
    channel_key_words = "the channel's e-mail and API token"
    channel_key_help = (
        "The desk files issues as {username} with the e-mail and API token stored in the channel's credentials, "
        "after Jira confirms they are that account's."
    )

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        return validate_config(config)

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        site = validate_config(channel.config)["site"]
        email, token = credentials_of(channel)
        me = get(session, site, "/myself", email=email, token=token, params={})
        name = me.get("displayName") if isinstance(me, dict) else None
        return f"Jira answered: the credentials are {name or 'an account'}'s on {site}."

    def parse_page(self, payload: Any) -> Parsed:
        """Nothing is read from Jira as a mention: a page of it holds none."""
        return Parsed()
