"""A watched Hacker News story: Algolia's `/items/{id}` is its whole comment tree in one request."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.http import get_json

from ..watch import ThreadFetch
from .client import hourly_budget_take
from .config import settings_of
from .parse import parse_page

if TYPE_CHECKING:
    from channels.models import Channel

ITEMS_URL = "https://hn.algolia.com/api/v1/items/{id}"


def thread_ref(external_id: str, thread_id: str, raw: dict[str, Any]) -> str:
    """The story: a comment's thread, or the story itself."""
    story = clean.ident(thread_id) or clean.ident(external_id)
    return story if story.isdigit() else ""


def fetch_thread(*, channel: Channel, session: requests.Session, ref: str) -> ThreadFetch:
    config = settings_of(channel.config)
    if config.get("replay"):
        # The demo channel's threads come from the same replay as its polls, never from Algolia.
        from .replay import ReplayTransport

        session.mount("https://hn.algolia.com/", ReplayTransport())
    hourly_budget_take(int(config["hourly_request_budget"]))
    tree = get_json(session, ITEMS_URL.format(id=int(ref)))
    return ThreadFetch(mentions=parse_page(tree).mentions, requests_made=1)
