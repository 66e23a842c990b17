"""A watched Discourse topic: `/t/{id}.json` (its first posts and the ids of all), then its newest posts
with `/t/{id}/posts.json?post_ids[]=…` when the topic is longer than the first page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from ..watch import ThreadFetch
from .client import Client, credentials_of
from .config import Site, validate_config
from .parse import parse_page

if TYPE_CHECKING:
    from channels.models import Channel

NEWEST = 20  # posts read at the end of a long topic


def thread_ref(external_id: str, thread_id: str, raw: dict[str, Any]) -> str:
    topic = thread_id.removeprefix("topic:") if thread_id.startswith("topic:") else ""
    return topic if topic.isdigit() else ""


def fetch_thread(*, channel: Channel, session: requests.Session, ref: str) -> ThreadFetch:
    config = validate_config(channel.config)
    client = Client(session, Site(config["base_url"]), credentials_of(channel), budget=2)
    topic = client.get(f"/t/{int(ref)}.json")
    payloads = [topic]
    stream = (topic.get("post_stream") or {}) if isinstance(topic, dict) else {}
    loaded = {p.get("id") for p in stream.get("posts") or [] if isinstance(p, dict)}
    missing = [i for i in (stream.get("stream") or [])[-NEWEST:] if isinstance(i, int) and i not in loaded]
    if missing:
        payloads.append(client.get(f"/t/{int(ref)}/posts.json", {"post_ids[]": missing}))
    staff = bool(config.get("staff_are_ours", True))
    parsed = parse_page(payloads, base_url=config["base_url"], staff_are_ours=staff)
    return ThreadFetch(mentions=parsed.mentions, requests_made=client.made)
