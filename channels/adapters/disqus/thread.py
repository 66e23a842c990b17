"""A watched Disqus thread (the article's comments): `threads/listPosts`, the newest 100, one request."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from channels import clean

from ..watch import ThreadFetch
from .client import Client, api_key_of
from .parse import parse_page

if TYPE_CHECKING:
    from channels.models import Channel

THREAD_POSTS = "threads/listPosts"


def thread_ref(external_id: str, thread_id: str, raw: dict[str, Any]) -> str:
    # The article's id stays in the stored post (an id, or the thread expanded by related=thread).
    thread = raw.get("thread")
    value = thread.get("id") if isinstance(thread, dict) else thread
    ref = clean.ident(value)
    return ref if ref.isdigit() else ""


def fetch_thread(*, channel: Channel, session: requests.Session, ref: str) -> ThreadFetch:
    client = Client(session=session, api_key=api_key_of(channel), budget=1)
    payload = client.get(THREAD_POSTS, {"thread": ref, "limit": 100, "order": "desc", "related": "thread"})
    return ThreadFetch(mentions=parse_page(payload).mentions, requests_made=client.made)
