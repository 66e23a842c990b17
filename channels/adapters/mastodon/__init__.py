"""Mastodon (one instance, as the team's account there), through its REST API.

Config (validated by `validate_config`, `config.py`; unknown keys are errors)::

    {
        "base_url": "https://mastodon.social",  # required: the instance the team's account is on; https only
        "mentions": true,                       # the mentions of the token's account (its mention notifications)
        "own_replies": true,                    # that account's own replies, posted from any app: ours
        "hashtags": ["gitlab"],                 # each one's timeline: the public posts the instance knows
        "keywords": ["gitlab runner"],          # full-text search of posts, where the instance offers it
        "handles": ["gitlab"],                  # the team's accounts (name, or name@server): posts by them are ours
        "backfill_hours": 24,                   # how far back a new stream reads
        "max_requests_per_poll": 20,            # API calls one poll may make
    }

Credentials: ``access_token``, a user token of the team's account with the scopes ``read write`` (docs/platforms/
mastodon.md, "Connect it"), sent as ``Authorization: Bearer``; never logged, and redirects are not followed.
``oauth_client_id`` / ``oauth_client_secret``: the app registered on the instance that other accounts connect
through (`oauth.py`).

What is read (`paging.py`): each stream forward from its mark; a poll's items are one chunk, oldest first. Statuses are
mentions (`parse.py`: text, author in full as ``name@server``, followers as the author's weight, media); a reply
(``in_reply_to_id``) follows up on the ticket of the post it answers; posts by ``handles`` and ``Channel.
our_accounts`` are our replies. Cursor: `cursor.py`. Replies: `reply.py` (as visible as the post answered, the
author addressed, within the instance's length). Favourite, boost, delete: `actions.py`. Watched threads:
`thread.py`. Request budget and the rest of its declaration: `platform.py`. The demo's instance: `replay.py`.

Failures (`client.py`): 401/403 -> ``AuthError``; 404 or a redirect -> ``ConfigError``; 429 -> `RateLimited` on a
poll's first call, the end of the walk later; 5xx, timeouts -> ``TransientError``; a body that is not JSON ->
``PayloadError``. ``test_connection`` asks whose the token is: "Mastodon (<instance>) answered: ...".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.freshness import hashed

from ..base import PayloadError, ReplyTarget
from ..guard import Parsed
from ..poll.adapter import PolledAdapter
from ..poll.engine import Page, Poll
from . import actions, dm_read, reply, thread
from . import config as config_module
from .client import Client, token_of
from .config import DEFAULTS, full_handle, instance_domain
from .cursor import Cursor, usable_id
from .length import instance_limits
from .oauth import access_token_grant
from .paging import stream_pages, streams_of
from .parse import parse_items as parse_statuses
from .parse import parse_page

if TYPE_CHECKING:
    from channels.models import Account, Channel

__all__ = ["DEFAULTS", "MastodonAdapter"]


class MastodonAdapter(PolledAdapter, config=config_module, thread=thread):
    kind = "mastodon"
    channel_key_grant = staticmethod(access_token_grant)  # or: the channel's access token, for its own account
    channel_key_words = "the channel's access token"
    channel_key_help = (
        "The desk posts with the access token stored in the channel's credentials (the one it polls with). The "
        "instance is asked first whose token it is: it must be {username}'s, with the write scope. Connecting "
        "through the instance's own sign-in page (an app registered there) is the alternative."
    )
    # What the desk checks before sending: Mastodon's default limit, counted as Mastodon counts (a link is 23).
    # The instance's own limit (`length.instance_limits`) is checked again when the reply is sent.
    # Favourite, boost and delete one of our posts, as a connected account (`actions.py`); the desk's Favourite,
    # Boost and Delete (the platform's `actions`, mentions.services.platform_actions) call `like`, `repost` and
    # `delete_post`.
    favourite = staticmethod(actions.favourite)
    boost = staticmethod(actions.boost)

    def like(self, *, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget) -> None:
        actions.favourite(channel=channel, account=account, session=session, status_id=target.external_id)

    def delete_post(
        self, *, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget
    ) -> None:
        actions.delete_post(channel=channel, account=account, session=session, status_id=target.external_id)

    def repost(self, *, channel: Channel, account: Account, session: requests.Session, target: ReplyTarget) -> None:
        actions.boost(channel=channel, account=account, session=session, status_id=target.external_id)

    # The desk's "Send a DM" (mentions.services.direct_messages): a direct status to the author, checked against
    # Mastodon's default limit first and the instance's own when sent.
    direct_message = staticmethod(actions.direct_message)
    # The person's answers to it, read in the poll (channels.adapters.direct).
    direct_replies = staticmethod(dm_read.direct_replies)

    def own_accounts(self, config: dict[str, Any]) -> list[str]:
        """The team's handles (config ``handles``, in full): their posts are our replies."""
        return [h for h in config.get("handles") or [] if isinstance(h, str)]

    post_reply = staticmethod(reply.post_reply)

    # --- polling -----------------------------------------------------------------------

    cursor_type = Cursor
    hand_over = "poll"  # a reply one stream found joins the post another found: the poll is one chunk

    def client(self, channel: Channel, session: requests.Session, config: dict[str, Any]) -> Client:
        return Client(session, config["base_url"], token_of(channel), budget=int(config["max_requests_per_poll"]))

    def cursor(self, channel: Channel, config: dict[str, Any], client: Client, now: float) -> Cursor:
        return Cursor.read_back(channel.cursor, base_url=config["base_url"])

    def streams(self, poll: Poll[Client, Cursor]) -> list[Iterator[Page]]:
        """One poll's items as one chunk, oldest first, with the cursor just after them: a reply found by one
        stream (our answer under the hashtag) then joins the post another stream found (the mention), whatever
        order the streams are read in. Budget or rate limit: the streams not read yet wait for the next poll."""
        config, client, cursor = poll.config, poll.client, poll.cursor
        since = datetime.fromtimestamp(poll.now, tz=UTC) - timedelta(hours=int(config["backfill_hours"]))
        seen = set(cursor.seen)
        own = _own_account(client, cursor) if config["own_replies"] else ""
        return [
            stream_pages(client, cursor, stream, since=since, seen=seen)
            for stream in streams_of(config, own_account=own)
        ]

    def parse_items(self, poll: Poll[Client, Cursor], items: list[Any]) -> Parsed:
        return parse_statuses(items)

    def handed_over(self, poll: Poll[Client, Cursor], parsed: Parsed) -> None:
        poll.cursor.handed_over([m.external_id for m in parsed.mentions])

    def status(self, poll: Poll[Client, Cursor]) -> dict[str, Any]:
        return poll.client.limits.status()

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        config = self.validate_config(channel.config)
        client = Client(session, config["base_url"], token_of(channel), budget=1)
        account = clean.mapping(client.get("/api/v1/accounts/verify_credentials", {}).data)
        handle = full_handle(clean.line(account.get("acct")), instance_domain(config["base_url"]))
        if not handle:
            raise PayloadError("Mastodon's answer names no account: is base_url a Mastodon instance?")
        followers = clean.whole(account.get("followers_count"), minimum=0)
        limits = instance_limits(session, config["base_url"])
        said = f"Mastodon ({instance_domain(config['base_url'])}) answered: the token is @{handle}'s"
        said += f" ({followers:,} followers)" if followers is not None else ""
        said += f"; posts may be {limits.max_characters:,} characters there."
        if client.limits.remaining is not None:
            said += (
                f" Rate limit: {client.limits.remaining} requests left until {client.limits.reset_at or 'the reset'}."
            )
        return said

    # --- parsing -----------------------------------------------------------------------

    # A saved or fetched payload (see `parse` for the shapes) as mentions and rejected items.
    parse_page = staticmethod(parse_page)


def _own_account(client: Client, cursor: Cursor) -> str:
    """The token's account id on the instance (for the stream of its replies): from the cursor, or asked once
    (``GET /api/v1/accounts/verify_credentials``) and kept there with a digest of the token."""
    digest = hashed(client.token)
    known = cursor.account_of(digest)
    if known:
        return known
    found = usable_id(clean.mapping(client.get("/api/v1/accounts/verify_credentials", {}).data).get("id"))
    cursor.account = {"id": found, "token": digest} if found else {}
    return found
