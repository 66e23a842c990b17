"""Discourse forums (forum.gitlab.com or anyone else's), through the forum's own JSON API.

Config (validated by `validate_config`; unknown keys are errors)::

    {
        "base_url": "https://forum.gitlab.com",  # required: https, the forum's root or its subfolder
                                                 # ("https://example.com/forum"), nothing more
        "mode": "latest",               # "latest": every new post on the forum (our own forum);
                                        # "search": the posts matching "query" (someone else's forum)
        "query": "gitlab",              # search mode only (and required there): Discourse search terms,
                                        # without order:/after:/before:, which the adapter adds
        "max_requests_per_poll": 20,    # API calls one poll may make
        "backfill_posts": 50,           # how many of the newest posts the first poll hands over (0: start now)
        "staff_are_ours": true,         # posts by the forum's staff are our replies (see "Our accounts")
    }

Credentials (optional: a forum that allows anonymous reading works without):
``{"api_key": "...", "api_username": "system"}``, sent as the ``Api-Key`` and ``Api-Username`` headers (a
user-scoped key needs no username). They never appear in logs or error messages, and redirects are not
followed: requests would forward these custom headers to whatever host a redirect names.

Latest mode. ``GET /posts.json`` lists the newest public posts, 50 a page, and ``before=<id>`` pages back. A
backlog (more new posts than the newest page holds) is read oldest first in windows of post ids, each handed
over as one chunk (`poll.engine`) with the cursor's ``high`` moved to the window's top, so a backlog of any size
drains over successive polls and a poll cut short by its request budget or a 429 loses nothing; see
`paging.py`. The first poll hands over at most ``backfill_posts`` of the newest posts (best effort: whatever the
budget allows).

Edits and deletions. ``recent`` keeps a signature (``version|updated_at|deleted``) of the last 500 posts
handed over. A post that is re-read with another signature is handed over again with ``edited_at`` (its
``updated_at``) and ``deleted``, so the ingest updates its text or marks it deleted. Edits inside Discourse's
grace period change ``updated_at`` but not ``version``: both are compared. ``deleted_at``, ``user_deleted`` or
``hidden`` mean deleted. Edits are seen only on the pages a poll reads (at least the newest 50 posts), and
current Discourse leaves deleted and hidden posts out of ``/posts.json`` altogether, so a deletion is seen
only where Discourse still returns the post (topic views for staff, older versions, saved payloads).

Search mode. ``GET /search.json?q=<query> order:latest after:<date>&page=N``, newest first, following
``grouped_search_result.more_full_page_results``. ``after:`` resolves to a day only, so each poll re-reads from
the day before the newest post seen and drops what it already handed over (``seen``: recent ids with their
creation time, kept while the window can still return them). A walk cut short keeps the old ``newest`` and the
page it reached (``resume``): the next poll goes on from that page, so a result longer than one poll's budget
is read to its end.
Current Discourse returns only a truncated ``blurb`` of each post in search results (no ``cooked``, no
``version``, no staff flags): the text says so, edits are not seen, and ``staff_are_ours`` cannot apply.

Cursor (``Channel.cursor``, saved by the ingest service with the mentions it covers)::

    {"version": 1, "base_url": "https://forum.gitlab.com", "mode": "latest",
     "latest": {"high": 20218, "gap": null, "recent": {"20218": "3|2026-01-21T23:43:09.090Z|0"}},
     "search": {"query": "gitlab", "newest": "2026-01-21T23:29:42.524Z", "seen": {"20218": 1769038182}},
     "topics": {"2144": [[1, 20089], [29, 20215], [30, 20216]]}}

(only the section of the configured mode is present). Another ``base_url`` starts a new cursor; another mode or
query starts that mode's section again.

Threading. Posts of one topic join one ticket. ``thread_id`` is ``topic:<topic id>`` (stored on the message),
but the ingest resolves thread, parent and related ids against stored *post* ids only, and a post does not
carry the ids of the other posts of its topic: ``reply_to_post_number`` is a number within the topic. So the
cursor's ``topics`` keeps, for the 400 most recently active topics, the ids of the first and the last few posts
handed over (by post number). A post's ``parent_id`` is the id of the post it replies to when that id is known
(from ``topics`` or from the same fetch or payload), else empty; its ``related_ids`` are the other known posts
of its topic, nearest first, ending with the earliest one. A topic view (``/t/{id}.json``) also lists every
post id of the topic (``post_stream.stream``), which is used the same way. A reply in a topic that has dropped
out of ``topics`` opens a new ticket.

Our accounts. ``Channel.our_accounts`` lists our forum usernames: their posts are our replies. Posts by staff
(``staff``, ``admin`` or ``moderator`` true; Discourse counts moderators as staff, volunteers included) are ours
as well when ``staff_are_ours`` is set (handed to the ingest as ``IncomingMention.by_us``).

Text. ``cooked`` (HTML) with relative links made absolute against the forum, emoji images as their ``:code:``,
other images as their URL (a lightbox as its full-size image's URL), quote blocks as ``> `` lines under
"<user> wrote:" (a quote of another topic: "<user> wrote in “Topic title” (url):"), link previews (oneboxes) as
their URL; ``raw`` when there is no ``cooked`` (`cooked.py`).
Whispers, small actions and moderator actions (``post_type`` 4, 3, 2) are skipped.

Rate limits: Discourse answers 429 with ``{"extras": {"wait_seconds": N}}`` and (current versions) a
``Retry-After`` header. On the first call of a poll that raises ``RateLimited``; later in a poll the walk stops,
the chunks read are kept and ``FetchResult.not_before`` asks the scheduler to wait.

Parsing (`parse.py`): a response that is not a Discourse response with posts is a ``PayloadError``; inside one,
a post that cannot be read (no id, no usable time, not an object) is rejected on its own, with its raw payload,
and the rest are handed over.

Other failures: 401/403 -> ``AuthError`` (the key was refused, or the forum does not allow anonymous reading);
404 -> ``ConfigError`` (no forum at ``base_url``); a redirect -> ``AuthError`` to a login page, else
``ConfigError``; a search Discourse refuses ("too short") -> ``ConfigError``; 5xx, timeouts, network errors ->
``TransientError``; a body that is not JSON (an HTML login or maintenance page) -> ``PayloadError``.
``test_connection`` reads ``/site/basic-info.json`` (``/about.json`` on older forums): "Discourse answered: <title>".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import requests

from channels.text import clean_text

from ..base import IncomingMention, PayloadError
from ..guard import Parsed, parse_each
from ..poll.adapter import PolledAdapter
from ..poll.engine import Page, Poll
from . import actions, reply, thread
from . import config as config_module
from .client import ABOUT, BASIC_INFO, Client, NotFound, credentials_of, discourse_get
from .config import DEFAULTS, Site
from .cooked import cooked_to_text
from .cursor import Cursor
from .oauth import admin_key_grant
from .paging import latest_chunks, search_chunks
from .parse import SEARCH_EXCERPT_NOTE, Chosen, build_mention, is_deleted, is_staff_post, parse_page

if TYPE_CHECKING:
    from channels.models import Channel

__all__ = [
    "DEFAULTS",
    "SEARCH_EXCERPT_NOTE",
    "DiscourseAdapter",
    "cooked_to_text",
    "discourse_get",
    "is_deleted",
    "is_staff_post",
]


class DiscourseAdapter(PolledAdapter, config=config_module, thread=thread):
    kind = "discourse"
    channel_key_grant = staticmethod(admin_key_grant)  # or: the channel's admin API key + Api-Username
    # What admin calls that way of connecting, and what it does ({username}: the account), on its link and
    # confirmation page.
    channel_key_words = "the forum's admin API key"
    channel_key_help = (
        "The desk posts with the admin API key stored in the channel's credentials, with Api-Username: "
        "{username}. The forum is asked first who the key acts as. The key must be an admin key for all "
        "users; a user API key, connected through the forum's own approval page, is the alternative."
    )

    post_reply = staticmethod(reply.post_reply)

    # The desk's Like and Delete (the platform's `actions`, mentions.services.platform_actions).
    like = staticmethod(actions.like)
    delete_post = staticmethod(actions.delete_post)
    # "Send a DM" (mentions.services.direct_messages): a personal message to the post's author.
    direct_message = staticmethod(actions.direct_message)

    # --- polling ---------------------------------------------------------------------

    cursor_type = Cursor

    def client(self, channel: Channel, session: requests.Session, config: dict[str, Any]) -> Client:
        site = Site(config["base_url"])
        return Client(session, site, credentials_of(channel), budget=int(config["max_requests_per_poll"]))

    def cursor(self, channel: Channel, config: dict[str, Any], client: Client, now: float) -> Cursor:
        return Cursor.load(channel.cursor, base_url=client.site.base_url, config=config)

    def streams(self, poll: Poll[Client, Cursor]) -> list[Iterator[Page]]:
        """The poll's posts in chunks, oldest first, each with the cursor just after it (see `paging`)."""
        client, cursor, config = poll.client, poll.cursor, poll.config
        backfill = int(config["backfill_posts"])
        if config["mode"] == "search":
            return [search_chunks(client, cursor, query=config["query"], backfill=backfill)]
        return [latest_chunks(client, cursor, backfill=backfill)]

    def parse_items(self, poll: Poll[Client, Cursor], items: list[Chosen]) -> Parsed:
        return _hand_over(
            items, site=poll.client.site, cursor=poll.cursor, staff_are_ours=poll.config["staff_are_ours"]
        )

    def cursor_dump(self, poll: Poll[Client, Cursor]) -> dict[str, Any]:
        """The cursor after a chunk, its topics pruned (whether or not the chunk had posts)."""
        poll.cursor.prune()
        return poll.cursor.dump()

    def backlog(self, poll: Poll[Client, Cursor]) -> bool:
        cursor = poll.cursor
        return cursor.latest.gap is not None or cursor.search.resume is not None

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        config = self.validate_config(channel.config)
        client = Client(session, Site(config["base_url"]), credentials_of(channel), budget=2)
        try:
            data, path = client.get(BASIC_INFO), BASIC_INFO
        except NotFound:  # older Discourse versions have no basic-info
            data, path = client.get(ABOUT), ABOUT
            if isinstance(data, dict) and isinstance(data.get("about"), dict):
                data = data["about"]
        title = clean_text(data.get("title") if isinstance(data, dict) and isinstance(data.get("title"), str) else "")
        if not title:
            raise PayloadError(f"Discourse {path}: the answer has no site title; is base_url a Discourse forum?")
        return f"Discourse answered: {title}"

    # --- parsing ---------------------------------------------------------------------

    def parse_page(self, payload: Any, *, base_url: str = "") -> Parsed:
        """A saved or fetched response (see `parse.page_entries` for the shapes) as mentions and rejected
        posts. ``staff_are_ours`` is a channel setting: without a channel, only ``our_accounts`` decide what
        is ours."""
        return parse_page(payload, base_url=base_url, staff_are_ours=False)

    def parse_payload(self, payload: Any, *, base_url: str = "") -> list[IncomingMention]:
        return self.parse_page(payload, base_url=base_url).mentions

    def parse_page_for_channel(self, payload: Any, *, channel: Channel) -> Parsed:
        """`parse_page` with the channel's forum address and settings (for `manage.py ingest_payload`)."""
        config = self.settings_of(channel.config)
        return parse_page(payload, base_url=config["base_url"], staff_are_ours=config["staff_are_ours"])


def _hand_over(chosen: list[Chosen], *, site: Site, cursor: Cursor, staff_are_ours: bool) -> Parsed:
    """A chunk's posts as mentions, oldest first (a reply after what it replies to); each handed-over post
    is remembered in the cursor (its topic, for threading; its signature, to see edits). The chunk's entries
    without an id come with the page (`Page.parsed`), ahead of these."""
    ordered = sorted(chosen, key=lambda c: c.post_id)
    queue: Iterator[Chosen] = iter(ordered)

    def parse_one(_post: Any) -> IncomingMention:
        chosen = next(queue)
        mention = build_mention(chosen, site=site, topics=cursor.topics, staff_are_ours=staff_are_ours)
        chosen.remember(cursor)
        return mention

    return parse_each([c.post for c in ordered], parse_one, id_keys=("id",), platform="discourse")
