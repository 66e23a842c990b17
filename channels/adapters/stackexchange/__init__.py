"""Stack Overflow and the other Stack Exchange sites, through the Stack Exchange API 2.3.

Config (validated by `validate_config`; unknown keys are errors)::

    {
        "site": "stackoverflow",        # required: the site's api_site_parameter ("serverfault", "askubuntu",
                                        # "pt.stackoverflow", "mathoverflow.net"...)
        "tags": ["gitlab", "gitlab-ci"],  # required: each tag is polled on its own (the API's `tagged` is AND)
        "watch_days": 7,                # how long a question is watched for new answers and comments
        "backfill_hours": 24,           # how far back the first poll of a tag looks
        "pagesize": 100,                # items per API page (1-100)
        "max_requests_per_poll": 20,    # API calls one poll may make (the daily quota is per IP)
        "overlap_seconds": 300,         # each poll re-reads this much before its cursor (index lag)
    }

Credentials (optional): ``{"key": "..."}``, the app key registered on stackapps.com, sent as ``key=``. It
lifts the daily quota from 300 to 10,000 requests per IP. It never appears in logs or error messages: those
name the API method, never the URL (`client.py`).

Our accounts: ``Channel.our_accounts`` holds our Stack Exchange *user ids* on this site, as strings
(``["1234567"]``; the number in ``https://stackoverflow.com/users/1234567/name``). Display names are not
unique and can change, so authors are matched by ``owner.user_id``.

What a poll does (`paging.py`; one HTTP session, at most ``max_requests_per_poll`` calls): new questions per
tag, ascending by creation; new answers on watched questions; new comments on watched questions and answers.
Every API page is handed over as one chunk (`poll.engine`) with the cursor just after it, so a backlog larger
than a poll's budget drains over successive polls, oldest first, and the poll asks to come back soon
(``FetchResult.more``) while a walk is open. The cursor is described in `cursor.py`. A question newly added to
the watch list lowers the follow-up streams' start to its creation time, so follow-ups posted before we started
watching it are read too. The watch list keeps at most 500 questions (newest first), each for ``watch_days``,
and at most 500 of their answers. Questions that get a watched tag only after they were created are not seen
(the API filters ``fromdate`` on creation time). While a tag's backlog drains, its walk may use the whole
budget: follow-ups are read once it is through.

Backoff: a response with ``backoff: N`` forbids calling that method again for N seconds (capped at a day). The
time is stored in the Django cache (``se:backoff:{site}:{method}``, shared by every worker and every channel on
that site) and, for this channel, in its cursor (so a Redis flush or eviction does not forget it). A poll that
meets a method under backoff skips that method only (its stream keeps its place), carries on with the others,
and sets ``FetchResult.not_before`` so the next poll waits until the backoff is over. A throttle (HTTP 429 or
``throttle_violation``) on the first call fails the poll with ``RateLimited``; later in a poll it ends the
poll's calls, keeps what was read and sets ``not_before``. ``test_connection`` raises ``RateLimited`` under a
backoff. ``quota_remaining``, ``quota_max`` and active backoffs go to ``FetchResult.platform_status``; a count
that is not a whole number (a string, NaN, negative) is left out, never trusted.

Parsing (`parse.py`): a response that is not a Stack Exchange wrapper with posts is a ``PayloadError``; inside
one, an item that cannot be read (no id, no usable creation time, not an object) is rejected on its own, with
its raw payload, and the rest are handed over. Timeline events are never mentions. Comments on answers get the
answer as parent (see `parse.py` for how the post's type is found).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import requests

from channels import clean

from ..base import RateLimited
from ..guard import Parsed
from ..poll.adapter import PolledAdapter
from ..poll.engine import Page, Poll
from . import config as config_module
from . import reply, thread
from .client import API_ROOT, INFO, QUESTIONS, Client, app_key, backoff_cache_key
from .config import DEFAULTS, site_domain
from .cursor import Cursor
from .fields import count_of
from .paging import Streams
from .parse import parse_page, timeline_posts

if TYPE_CHECKING:
    from channels.models import Channel

__all__ = [
    "API_ROOT",
    "DEFAULTS",
    "QUESTIONS",
    "StackExchangeAdapter",
    "backoff_cache_key",
    "site_domain",
    "timeline_posts",
]


class StackExchangeAdapter(PolledAdapter, config=config_module, thread=thread):
    kind = "stackexchange"
    # A comment on the post answered, or an answer to its question (both need the account's reputation
    # on the site: Stack Exchange says so when it is short).

    post_reply = staticmethod(reply.post_reply)

    # --- polling ---------------------------------------------------------------------

    cursor_type = Cursor

    def client(self, channel: Channel, session: requests.Session, config: dict[str, Any]) -> Client:
        budget = int(config["max_requests_per_poll"])
        return Client(session, site=config["site"], key=app_key(channel), budget=budget, backoff={})

    def cursor(self, channel: Channel, config: dict[str, Any], client: Client, now: float) -> Cursor:
        cursor = Cursor.load(channel.cursor)
        # The channel's own record of the backoffs, beside the cache's (a Redis flush or eviction forgets them).
        client.backoff_until = dict(cursor.backoff)
        return cursor

    def streams(self, poll: Poll[Client, Cursor]) -> Iterator[Iterator[Page]]:
        """The poll's items one API page at a time, oldest first, each with the cursor just after it."""
        domain = site_domain(poll.config["site"])
        return Streams(poll.client, poll.cursor, poll.config, now=int(poll.now), domain=domain).walks()

    def cursor_dump(self, poll: Poll[Client, Cursor]) -> dict[str, Any]:
        poll.cursor.backoff = poll.client.active_backoffs()
        return poll.cursor.dump()

    def not_before(self, poll: Poll[Client, Cursor]) -> datetime | None:
        return poll.client.not_before()

    def backlog(self, poll: Poll[Client, Cursor]) -> bool:
        return poll.cursor.backlog()

    def status(self, poll: Poll[Client, Cursor]) -> dict[str, Any]:
        return poll.client.platform_status()

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        config = self.validate_config(channel.config)
        client = Client(session, site=config["site"], key=app_key(channel), budget=1, backoff={})
        remaining = client.backoff_remaining(INFO)
        if remaining > 0:
            raise RateLimited(f"Stack Exchange asked us to wait {remaining:.0f}s before calling {INFO}.", remaining)
        data = client.get(INFO, INFO, {})
        status = client.platform_status()
        summary = f"{config['site']} answered: quota {_num(status.get('quota_remaining'))} of "
        summary += f"{_num(status.get('quota_max'))} left"
        info = clean.mapping(data["items"][0]) if data["items"] else {}
        total = count_of(info.get("total_questions"))
        if total is not None:
            summary += f"; {total:,} questions on the site"
        return summary + "."

    # --- parsing ---------------------------------------------------------------------

    # A saved response as mentions and rejected items (see `parse.parse_page`). Without the request that produced it, a
    # comment's post type comes from its own fields only.
    parse_page = staticmethod(parse_page)

    def parse_item(self, item: Any, *, channel: Channel | None = None) -> Parsed:
        """One item again (dead-letter retry)."""
        return parse_page({"items": [item]})

    def parse_page_for_channel(self, payload: Any, *, channel: Channel) -> Parsed:
        """`parse_page` with what the channel knows: its site's domain for permalinks, and its watch list for
        the type of the post a comment is on (a comment on a watched answer gets the answer as parent)."""
        config = self.validate_config(channel.config)
        return parse_page(payload, domain=site_domain(config["site"]), posts=Cursor.load(channel.cursor).posts())


def _num(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else "?"
