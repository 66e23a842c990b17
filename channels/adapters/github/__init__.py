"""GitHub issues and discussions of chosen repositories, through the REST API (issues, issue comments), the GraphQL
API (discussions) and, where configured, webhooks.

Config (validated by `validate_config`, `config.py`; unknown keys are errors)::

    {
        "repositories": ["octo-org/octo-repo"],   # required: owner/name each
        "auth": "token",                          # or "app": a GitHub App installation
        "labels": ["question"],                   # only issues and discussions carrying one of these
        "include_discussions": true,              # discussions too (GraphQL)
        "team_by_association": true,              # comments by OWNER, MEMBER, COLLABORATOR are our replies
        "backfill_hours": 24,                     # how far back the first poll reads
        "max_requests_per_poll": 30,              # API calls one poll may make
    }

Credentials: ``token`` (a fine-grained personal access token), or ``app_id``, ``app_private_key`` and
``app_installation_id`` (`app.py`); ``webhook_secret`` for webhook deliveries (`webhook.py`);
``oauth_client_id`` / ``oauth_client_secret`` for connecting accounts (`oauth.py`). None is ever logged.

What is read: `paging.py` (issues, issue comments, discussions per repository; ETags, ``Link`` pages, ``since``
marks, the request budget), the cursor: `cursor.py`, HTTP and rate limits: `client.py`, items to mentions:
`parse.py` and `page.py`. Replies, likes and deleting our own comments: `reply.py`. Watched threads: `thread.py`.
The demo's GitHub: `replay.py`. Request budgets and the rest of the declaration: `platform.py`.

Failures: 401 -> ``AuthError``; 403 -> ``AuthError`` unless it is a rate limit; 404/410 -> ``ConfigError``; a
403/429 rate limit -> ``RateLimited`` on a poll's first call, the end of the walk later; 5xx, timeouts ->
``TransientError``; a body that is not JSON -> ``PayloadError``. ``test_connection`` reads the first repository.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests

from channels import clean

from ..base import PayloadError, ReplyTarget
from ..guard import Parsed
from ..poll.adapter import PolledAdapter
from ..poll.engine import Page, Poll
from . import config as config_module
from . import reply, thread
from .app import Auth
from .client import Client
from .config import DEFAULTS, team_of
from .cursor import Cursor, RepoState
from .oauth import channel_key_grant
from .page import parse_page
from .paging import repo_pages
from .parse import Context

if TYPE_CHECKING:
    from channels.models import Account, Channel

__all__ = ["DEFAULTS", "GitHubAdapter"]


def context_of(config: dict[str, Any], state: RepoState | None = None, repo: str = "") -> Context:
    issues = {(repo.casefold(), n): node for n, node in state.numbers.items()} if state else {}
    return Context(labels=list(config["labels"]), team=team_of(config), issues=issues)


class GitHubAdapter(PolledAdapter, config=config_module, thread=thread):
    kind = "github"
    channel_key_grant = staticmethod(channel_key_grant)  # or: the channel's token, or its App's installation
    channel_key_words = "the channel's token or GitHub App"
    channel_key_help = (
        "The desk posts with the channel's personal access token, or, for a channel signed in as a GitHub App, "
        "as the App's bot (an installation token, minted again every hour). GitHub is asked first who that is: "
        "it must be {username}. Connecting through GitHub's own sign-in page is the alternative."
    )

    post_reply = staticmethod(reply.post_reply)

    def like(
        self, *, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget, content: str = "+1"
    ) -> dict[str, Any]:
        return reply.like(channel=channel, account=account, session=session, target=target, content=content)

    def delete_post(
        self, *, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget
    ) -> None:
        reply.delete_post(channel=channel, account=account, session=session, target=target)

    cursor_type = Cursor

    def client(self, channel: Channel, session: requests.Session, config: dict[str, Any]) -> Client:
        return Client(session, Auth(channel, session), budget=int(config["max_requests_per_poll"]))

    def streams(self, poll: Poll[Client, Cursor]) -> Iterator[Iterator[Page]]:
        """One page per repository: its issues, then its comments, then its discussions (see `paging`)."""
        config, client = poll.config, poll.client
        since = datetime.fromtimestamp(poll.now, tz=UTC) - timedelta(hours=int(config["backfill_hours"]))
        repos = config["repositories"]
        for index, repo in enumerate(repos):
            state = poll.cursor.repo(repo)
            context = context_of(config, state, repo)
            yield repo_pages(client, state, repo, context, since, discussions=config["include_discussions"])
            if not client.can_call():
                # Budget or rate limit: the other repositories wait for the next poll, which comes sooner (more).
                poll.cut = poll.cut or index < len(repos) - 1
                return

    def status(self, poll: Poll[Client, Cursor]) -> dict[str, Any]:
        return poll.client.status()

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        config = self.settings_of(channel.config)
        client = Client(session, Auth(channel, session), budget=1)
        data = clean.mapping(client.get(f"/repos/{config['repositories'][0]}").data)
        name = clean.line(data.get("full_name"))
        if not name:
            raise PayloadError("GitHub's answer names no repository.")
        core = client.limits.get("core", {})
        left = (
            f"; {core['remaining']:,} of {core.get('limit', 0):,} requests left this hour"
            if "remaining" in core
            else ""
        )
        return f"GitHub answered: {name} ({'private' if data.get('private') else 'public'}){left}."

    # A saved payload (see `page.parse_page`), without a channel's labels.
    parse_page = staticmethod(parse_page)

    def parse_page_for_channel(self, payload: Any, *, channel: Channel) -> Parsed:
        """With the channel's labels, team and the issues its polls have seen (`manage.py ingest_payload`, a dead
        letter read again)."""
        config = self.settings_of(channel.config)
        cursor = Cursor.load(channel.cursor)
        context = Context(labels=list(config["labels"]), team=team_of(config))
        for repo in config["repositories"]:
            context.issues.update(context_of(config, cursor.repo(repo), repo).issues)
        return parse_page(payload, context)
