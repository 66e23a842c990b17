"""A watched Bluesky thread: `app.bsky.feed.getPostThread` on its first post gives the post and its replies,
nested (parsed without recursion, parse.py), one request; replies ten levels deep at most."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from ..watch import ThreadFetch
from .auth import login_of
from .client import Client
from .config import settings_of
from .parse import parse_page, post_uri

if TYPE_CHECKING:
    from channels.models import Channel

THREAD = "app.bsky.feed.getPostThread"
DEPTH = 10


def ours_of(config: dict[str, Any]) -> frozenset[str]:
    """The handles whose posts are our replies: the channel's own and its team handles."""
    return frozenset(h.casefold() for h in [config["handle"], *config["team_handles"]] if h)


def thread_ref(external_id: str, thread_id: str, raw: dict[str, Any]) -> str:
    return post_uri(thread_id) or post_uri(external_id)


def fetch_thread(*, channel: Channel, session: requests.Session, ref: str) -> ThreadFetch:
    config = settings_of(channel.config)
    client = Client(session, login_of(channel), config)
    payload = client.get(THREAD, {"uri": ref, "depth": DEPTH, "parentHeight": 0})
    return ThreadFetch(mentions=parse_page(payload, ours=ours_of(config)).mentions, requests_made=client.made)
