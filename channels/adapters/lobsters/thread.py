"""A watched Lobsters story (the desk's thread watching after our reply, channels.adapters.watch): ``/s/<id>.json``
is the story with every comment, one request."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import requests

from channels import clean

from ..watch import ThreadFetch
from .client import Client
from .parse import parse_story

if TYPE_CHECKING:
    from channels.models import Channel

_SHORT_ID = re.compile(r"[a-z0-9]{1,12}")


def thread_ref(external_id: str, thread_id: str, raw: dict[str, Any]) -> str:
    """The story: a comment's thread, or the story itself."""
    story = clean.ident(thread_id) or clean.ident(external_id)
    return story if _SHORT_ID.fullmatch(story) else ""


def fetch_thread(*, channel: Channel, session: requests.Session, ref: str) -> ThreadFetch:
    client = Client(session, budget=1)
    return ThreadFetch(mentions=parse_story(client.story(ref)).mentions, requests_made=client.made)
