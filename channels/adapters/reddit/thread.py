"""A watched Reddit post: `/comments/{id}` is the post and its comments (the newest 100), one request."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from channels import clean

from ..watch import ThreadFetch
from .auth import credentials_of, user_agent
from .client import Client
from .config import settings_of
from .parse import parse_page

if TYPE_CHECKING:
    from channels.models import Channel


def thread_ref(external_id: str, thread_id: str, raw: dict[str, Any]) -> str:
    post = clean.ident(thread_id) or clean.ident(external_id)
    return post if post.startswith("t3_") else ""


def fetch_thread(*, channel: Channel, session: requests.Session, ref: str) -> ThreadFetch:
    credentials = credentials_of(channel)
    client = Client(session, credentials, settings_of(channel.config), user_agent(channel, credentials))
    payload = client.get(f"/comments/{ref.removeprefix('t3_')}", {"sort": "new", "limit": 100})
    return ThreadFetch(mentions=parse_page(payload).mentions, requests_made=client.made)
