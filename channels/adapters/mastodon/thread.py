"""A watched Mastodon thread: ``GET /api/v1/statuses/:id/context`` of the ticket's first post, one request: the
posts it answers (``ancestors``) and every reply the instance knows below it (``descendants``), read as the poll
reads statuses (same ids), so an answer there reaches the ticket even when it matches no stream of the channel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from ..watch import ThreadFetch
from .client import Client, token_of
from .config import validate_config
from .cursor import usable_id
from .parse import parse_page

if TYPE_CHECKING:
    from channels.models import Channel


def thread_ref(external_id: str, thread_id: str, raw: dict[str, Any]) -> str:
    return usable_id(external_id)


def fetch_thread(*, channel: Channel, session: requests.Session, ref: str) -> ThreadFetch:
    status_id = usable_id(ref)
    if not status_id:
        return ThreadFetch()
    client = Client(session, validate_config(channel.config)["base_url"], token_of(channel), budget=1)
    context = client.get(f"/api/v1/statuses/{status_id}/context", {}).data
    return ThreadFetch(mentions=parse_page(context).mentions, requests_made=client.made)
