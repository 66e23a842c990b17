"""A watched GitLab issue: ``GET /projects/:id/issues/:iid`` and its newest notes
(``GET /projects/:id/issues/:iid/notes?sort=desc&per_page=100``), two requests, as the poll's own mentions (same
ids), so a comment there reaches the ticket even when the issue stopped matching the channel's filters."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import requests

from ..watch import ThreadFetch
from .client import Client, token_of
from .config import validate_config
from .parse import Filters, parse_page

if TYPE_CHECKING:
    from channels.models import Channel

_REF_RE = re.compile(r"(\d+)/issues/(\d+)")


def thread_ref(external_id: str, thread_id: str, raw: dict[str, Any]) -> str:
    return thread_id if _REF_RE.fullmatch(thread_id or "") else ""


def fetch_thread(*, channel: Channel, session: requests.Session, ref: str) -> ThreadFetch:
    match = _REF_RE.fullmatch(ref)
    if match is None:
        return ThreadFetch()
    config = validate_config(channel.config)
    client = Client(session, config["base_url"], token_of(channel), budget=2)
    project_id, iid = int(match.group(1)), int(match.group(2))
    issue = client.get(f"/projects/{project_id}/issues/{iid}", {}).data
    notes = client.get(f"/projects/{project_id}/issues/{iid}/notes", {"sort": "desc", "per_page": 100}).data
    # The watched issue itself is wanted whatever the keywords; confidential content stays out unless configured.
    filters = Filters(include_confidential=bool(config.get("include_confidential", False)))
    parsed = parse_page([[issue], notes if isinstance(notes, list) else []], filters=filters)
    return ThreadFetch(mentions=parsed.mentions, requests_made=client.made)
