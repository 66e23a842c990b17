"""GitLab issues (gitlab.com or a self-managed instance), through the REST API v4.

Config (validated by `validate_config`; unknown keys are errors)::

    {
        "projects": ["gitlab-org/gitlab", 278964],  # required: paths as in the project's address, or ids
        "base_url": "https://gitlab.com",           # or a self-managed instance's root; https only
        "keywords": ["runner"],                     # only issues whose title or description contains one
        "labels": ["bug"],                          # only issues carrying all of these labels
        "include_confidential": false,              # confidential issues and internal notes: skipped unless true
        "backfill_hours": 24,                       # how far back the first poll reads
        "max_requests_per_poll": 30,                # API calls one poll may make
    }

Credentials (optional for public projects): ``{"access_token": "glpat-..."}``, a personal, project or group
access token with ``read_api`` (``api`` to post replies with it), sent as ``PRIVATE-TOKEN``; never logged, and
redirects are not followed (requests would forward the header). ``oauth_client_id`` / ``oauth_client_secret``:
the OAuth application accounts connect through (`oauth.py`).

What is read (`paging.py`): per project, the issues touched since the cursor's mark, oldest first, and the new
notes of each. New issues open tickets; their notes (comments) follow up on the issue's ticket; system notes are
ignored; notes by ``Channel.our_accounts`` are our replies. Cursor: `cursor.py`. Parsing: `parse.py`. Replies:
`reply.py` (a note on the issue). Watched issues: `thread.py`. Request budget and the rest of its
declaration: `platform.py`.

Rate limits: a 429's ``Retry-After`` (or ``RateLimit-Reset``) is `RateLimited` on a poll's first call and ends
the walk later; ``RateLimit-Remaining`` at 10 or below ends the walk and the poll waits for the reset (see
`client.py`). Other failures: 401/403 -> ``AuthError``; 404 -> ``ConfigError`` (no such project, or private);
a redirect -> ``ConfigError``; 5xx, timeouts -> ``TransientError``; a body that is not JSON -> ``PayloadError``.
``test_connection`` reads the first project: "GitLab answered: <project>".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests

from channels import clean

from ..base import PayloadError
from ..guard import Parsed
from ..poll.adapter import PolledAdapter
from ..poll.engine import Page, Poll
from . import config as config_module
from . import reply, thread
from .client import Client, token_of
from .config import DEFAULTS, project_ref
from .cursor import Cursor
from .oauth import access_token_grant
from .paging import project_streams
from .parse import Filters, parse_page

if TYPE_CHECKING:
    from channels.models import Channel

__all__ = ["DEFAULTS", "GitLabAdapter"]


class GitLabAdapter(PolledAdapter, config=config_module, thread=thread):
    kind = "gitlab"
    channel_key_grant = staticmethod(access_token_grant)  # or: the channel's access token, for its own user
    # What admin calls that way of connecting, and what it does, on its link and confirmation page.
    channel_key_words = "the channel's access token"
    channel_key_help = (
        "The desk posts notes with the personal, project or group access token stored in the channel's "
        "credentials (PRIVATE-TOKEN). GitLab is asked first which user the token acts as: it must be "
        "{username}, with the api scope. Connecting through GitLab's own OAuth approval page is the alternative."
    )

    post_reply = staticmethod(reply.post_reply)

    cursor_type = Cursor

    def client(self, channel: Channel, session: requests.Session, config: dict[str, Any]) -> Client:
        return Client(session, config["base_url"], token_of(channel), budget=int(config["max_requests_per_poll"]))

    def cursor(self, channel: Channel, config: dict[str, Any], client: Client, now: float) -> Cursor:
        return Cursor.read_back(channel.cursor, base_url=config["base_url"])

    def streams(self, poll: Poll[Client, Cursor]) -> Iterator[Iterator[Page]]:
        """Per project, its issues touched since the mark page by page, each with their new notes (see `paging`)."""
        config = poll.config
        since = datetime.fromtimestamp(poll.now, tz=UTC) - timedelta(hours=int(config["backfill_hours"]))
        return project_streams(poll.client, poll.cursor, config["projects"], filters=Filters.of(config), since=since)

    def status(self, poll: Poll[Client, Cursor]) -> dict[str, Any]:
        limits = poll.client.limits
        return {
            "rate_limit_remaining": limits.remaining,
            "rate_limit_reset": limits.reset_at.isoformat() if limits.reset_at else None,
        }

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        config = self.validate_config(channel.config)
        client = Client(session, config["base_url"], token_of(channel), budget=1)
        data = client.get(f"/projects/{project_ref(config['projects'][0])}", {}).data
        name = clean.line(data.get("name_with_namespace") if isinstance(data, dict) else None)
        if not name:
            raise PayloadError("GitLab's answer names no project: is base_url a GitLab instance?")
        return f"GitLab answered: {name}"

    # A saved list of issues or notes (see `parse.parse_page`), without a channel's filters.
    parse_page = staticmethod(parse_page)

    def parse_page_for_channel(self, payload: Any, *, channel: Channel) -> Parsed:
        """With the channel's keywords, labels and confidential setting (for `manage.py ingest_payload`)."""
        return parse_page(payload, filters=Filters.of(self.settings_of(channel.config)))
