"""Disqus comments (the blog, the DevOps-tools pages, the docs) through the Disqus API 3.0.

Config (validated by `validate_config`; unknown keys are errors)::

    {
        "forum": "gitlab",              # required: the forum's shortname (gitlab.disqus.com -> "gitlab"); the
                                        # blog, the DevOps-tools pages and the docs are separate forums, so
                                        # separate channels
        "overlap_seconds": 600,         # each new walk re-reads this much before its cursor
        "backfill_hours": 24,           # how far back the first poll looks
        "max_requests_per_poll": 20,    # API calls one poll may make (100 comments each)
    }

Credentials: ``{"api_key": "..."}``, the public key of a Disqus API application; enough for public comments.
It travels in the query string (``api_key=``), so error messages name the API method, never the URL, and the
key (as written or URL-encoded) is scrubbed from anything Disqus echoes back (`client.py`).

Our accounts: ``Channel.our_accounts`` holds our Disqus *usernames* (``author.username``, as in
``https://disqus.com/by/<username>/``). Guests have no username: a guest's comment is never ours, whatever
name it signs with.

Polling and backlog (`paging.py`): ``GET forums/listPosts.json?forum=…&limit=100&order=asc&since=<since -
overlap>&related=thread`` (with ``related=thread`` each post carries its article: title and link), then
``cursor.next`` while ``cursor.hasNext``. Ascending order makes each page older than the next, so each page is
one chunk (the poll engine's), stored with the cursor just after it; when the budget (``max_requests_per_poll``)
or a rate limit stops a poll, the cursor keeps the walk (the query's ``since`` and the next page's
``cursor.next``) and the next poll, scheduled soon, goes on from there. A backlog of any size drains oldest
first, and a burst larger than the budget inside the overlap window cannot pin the channel.

Cursor (``Channel.cursor``; see `cursor.py`): ``since`` (newest ``createdAt`` read; Disqus sends ISO time
*without* a zone, which is UTC), ``seen`` (ids handed over inside the overlap window, with their time and a
signature of their text and deleted flag) and, mid-backlog, ``walk``. A re-read post is dropped unless it
changed; a changed one is handed over again so the ingest updates it.

Edits. Disqus gives no edit time. A post handed over again with another text (seen in the overlap, or
``isEdited`` true) carries ``edited_at`` = when we noticed it; a post that reaches the ingest again without
either (a saved file fed twice, a reset cursor) is compared by text there, so ``posts/update`` is recorded as an
edit either way. Changes after the overlap window are not seen by polls: ``since`` filters on creation time.

Mapping and threading. ``external_id`` is the post id (a string); ``parent_id`` is ``str(parent)`` (an
integer in the payload) for a reply, so a reply joins the ticket of the comment it answers (and our reply
there sets the ticket's first reply). ``thread_id`` is left empty on purpose: every top-level comment on an
article is its own ticket (the handbook's blog/docs workflow), and an article id there would make the second
comment on an article join the first one's ticket as soon as any message with that id existed. The article
stays in the raw payload (``raw["thread"]``). Spam and unapproved comments are skipped (logged); deleted ones
are handed over with ``deleted=True``. ``email``, ``ipAddress`` and ``emailHash`` (present with moderator
access) are removed from the raw payload wherever they appear.

Parsing (`parse.py`): a response without posts (an error envelope, threads, forums) is a ``PayloadError``;
inside a page a post that cannot be read (no id, no usable ``createdAt``, not an object) is rejected on its own
with its raw payload, and the rest are handed over. No code walks the payload's nesting recursively.

Errors: the API answers ``{"code": N, "response": "<message>"}``. Code 2 (missing or invalid argument) and 8
(object not found, e.g. no such forum) are ``ConfigError``; 4, 5 (invalid API key), 9, 11 and 12 are
``AuthError``; 13 and 14 (rate limits) are ``RateLimited``; 15 and 16 (internal error, timeout) are
``TransientError``; anything else is ``PermanentError``. HTTP 429, 5xx, timeouts and non-JSON bodies map
like the other adapters.

Rate limits: Disqus reports an hourly per-application quota in ``X-Ratelimit-Limit``/``-Remaining``/``-Reset``
(reset: epoch seconds; a small number is taken as seconds from now). The figures go to
``FetchResult.platform_status``. When none are left, no call goes out with that key until the reset (shared
through the Django cache by every channel using the key) and the poll asks to be scheduled after it
(``FetchResult.not_before``). Being rate-limited after the first page is flow control, not failure: the pages
read are kept and the next poll resumes the walk.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import requests

from channels import clean

from ..base import PayloadError
from ..guard import Parsed
from ..poll.adapter import PolledAdapter
from ..poll.engine import Page, Poll
from . import config as config_module
from . import reply, thread
from .client import API_ROOT, FORUM_DETAILS, RATE_LIMITED_WAIT, Client, api_key_of
from .config import DEFAULTS
from .cursor import Cursor
from .paging import Reader
from .parse import parse_page

if TYPE_CHECKING:
    from channels.models import Channel

__all__ = ["API_ROOT", "DEFAULTS", "RATE_LIMITED_WAIT", "DisqusAdapter"]


class DisqusAdapter(PolledAdapter, config=config_module, thread=thread):
    kind = "disqus"

    post_reply = staticmethod(reply.post_reply)

    # --- polling ---------------------------------------------------------------------

    cursor_type = Cursor

    def client(self, channel: Channel, session: requests.Session, config: dict[str, Any]) -> Client:
        return Client(session=session, api_key=api_key_of(channel), budget=int(config["max_requests_per_poll"]))

    def streams(self, poll: Poll[Client, Cursor]) -> list[Iterator[Page]]:
        """The poll's posts page by page, oldest first, each with the cursor just after it (see `paging`)."""
        config = poll.config
        forum, overlap = config["forum"], int(config["overlap_seconds"])
        reader = Reader(poll.client, poll.cursor, forum=forum, overlap=overlap, now=poll.now)
        return [reader.pages(backfill_hours=int(config["backfill_hours"]))]

    def status(self, poll: Poll[Client, Cursor]) -> dict[str, Any]:
        return poll.client.platform_status()

    def not_before(self, poll: Poll[Client, Cursor]) -> datetime | None:
        """No request goes out with the key until its quota resets (shared by every channel using it)."""
        return poll.client.not_before()

    def backlog(self, poll: Poll[Client, Cursor]) -> bool:
        """A walk kept in the cursor: the next poll goes on with it."""
        return poll.cursor.walk is not None

    def closes(self, poll: Poll[Client, Cursor]) -> bool:
        """A 429 that ended the walk is recorded in a closing chunk with its wait: a key used up by another channel
        stops without a request."""
        return poll.client.stopped is not None

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        config = self.validate_config(channel.config)
        client = Client(session=session, api_key=api_key_of(channel), budget=1)
        forum = client.get(FORUM_DETAILS, {"forum": config["forum"]})["response"]
        if not isinstance(forum, dict):
            raise PayloadError(f"Disqus {FORUM_DETAILS} did not return a forum: {clean.preview(forum)}")
        name = clean.line(forum.get("name")) or config["forum"]
        url = clean.url(forum.get("url")) or "no URL"
        summary = f"Disqus answered: forum {name} ({url})"
        status = client.platform_status()
        if status["ratelimit_remaining"] is not None:
            limit = status["ratelimit_limit"]
            summary += f"; rate limit: {status['ratelimit_remaining']} of {limit if limit is not None else '?'} left"
        return summary

    # --- parsing ---------------------------------------------------------------------

    # A saved or fetched response (see `parse.page_items` for the shapes) as mentions and rejected posts.
    parse_page = staticmethod(parse_page)

    def parse_item(self, item: Any, *, channel: Channel | None = None) -> Parsed:
        """One post again (a dead letter being retried)."""
        return parse_page(item if isinstance(item, dict) else {"code": 0, "response": [item]})
