"""Linear (GraphQL, https://api.linear.app/graphql): an issue tracker the desk files bugs in from tickets and
follows to their end (`issues.py`); no mentions are read from it.

Config (validated by `validate_config`; unknown keys are errors)::

    {"teams": ["ENG"]}   # keys of the teams issues are filed in (the prefix of their issues' identifiers)

Credentials: ``api_key``, a personal API key (the channel's reads of the issues it follows); ``oauth_client_id``
and ``oauth_client_secret`` where accounts connect through Linear's sign-in. The account issues are filed as is
connected by OAuth (`oauth.LinearOAuth`) or with the channel's key (`oauth.api_key_grant`).

Polling: none, as on every issue tracker (`channels.adapters.issues.TrackerAdapter`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests

from channels import clean

from ..issues import TrackerAdapter
from .client import api_key_of, graphql
from .config import DEFAULTS, SCHEMA, validate_config
from .oauth import VIEWER, api_key_grant

if TYPE_CHECKING:
    from channels.models import Channel

__all__ = ["DEFAULTS", "LinearAdapter"]


class LinearAdapter(TrackerAdapter):
    kind = "linear"
    schema = SCHEMA
    validate_config = staticmethod(validate_config)
    channel_key_grant = staticmethod(api_key_grant)
    channel_key_words = "the channel's API key"
    channel_key_help = (
        "The desk files issues as {username} with the personal API key stored in the channel's credentials, "
        "after Linear confirms it is that user's."
    )

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        tokens = {"access_token": api_key_of(channel), "token_type": "api_key"}
        viewer = clean.mapping(graphql(session, VIEWER, {}, tokens=tokens, label="Linear viewer").get("viewer"))
        return f"Linear answered: the API key is {clean.line(viewer.get('displayName')) or 'a user'}'s."
