"""A watched GitHub issue or discussion, read directly, as the poll's own mentions (same node ids), so a comment
there reaches the ticket even when the issue stopped matching the channel's labels.

- An issue: ``GET /repos/{owner}/{repo}/issues/{number}`` and its comments of the last `WINDOW_DAYS` days
  (``GET .../issues/{number}/comments?since=...&per_page=100``): two requests.
- A discussion: one GraphQL query, ``repository.discussion(number)`` with its newest comments and their replies.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests

from channels import clean

from ..watch import ThreadFetch
from .app import Auth
from .client import Client
from .config import team_of, validate_config
from .cursor import iso
from .page import discussions_parsed, each
from .paging import COMMENTS_LAST, REPLIES_LAST
from .parse import Context, comment_mention, issue_mention

if TYPE_CHECKING:
    from channels.models import Channel

WINDOW_DAYS = 14  # as long as the desk watches a thread at most (DESK_WATCH_OUTREACH_DAYS)
_REF_RE = re.compile(r"([A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100})/(issues|discussions)/(\d{1,10})")
_FIELDS = "id url body createdAt updatedAt lastEditedAt authorAssociation author { login url }"
DISCUSSION = f"""
query($owner: String!, $name: String!, $number: Int!) {{
  repository(owner: $owner, name: $name) {{
    discussion(number: $number) {{
      number title {_FIELDS}
      comments(last: {COMMENTS_LAST}) {{
        nodes {{ {_FIELDS} replies(last: {REPLIES_LAST}) {{ nodes {{ {_FIELDS} }} }} }}
      }}
    }}
  }}
}}
"""


def thread_ref(external_id: str, thread_id: str, raw: dict[str, Any]) -> str:
    """``owner/name/issues/<number>`` or ``owner/name/discussions/<number>`` of a stored message, from its raw."""
    kind, repo, number = raw.get("type"), raw.get("repository"), raw.get("number")
    section = {"issue": "issues", "issue_comment": "issues", "discussion": "discussions"}.get(str(kind))
    section = section or ("discussions" if kind == "discussion_comment" else "")
    ref = f"{repo}/{section}/{number}" if section and isinstance(repo, str) and isinstance(number, int) else ""
    return ref if _REF_RE.fullmatch(ref) else ""


def fetch_thread(*, channel: Channel, session: requests.Session, ref: str) -> ThreadFetch:
    match = _REF_RE.fullmatch(ref)
    if match is None:
        return ThreadFetch()
    repo, section, number = match.group(1), match.group(2), int(match.group(3))
    config = validate_config(channel.config)
    client = Client(session, Auth(channel, session), budget=2)
    context = Context(team=team_of(config))  # the watched thread is wanted whatever its labels
    if section == "issues":
        issue = client.get(f"/repos/{repo}/issues/{number}").data
        since = iso(datetime.now(tz=UTC) - timedelta(days=WINDOW_DAYS))
        comments = client.get(f"/repos/{repo}/issues/{number}/comments", {"since": since, "per_page": 100}).data
        parsed = each([issue], lambda i: issue_mention(i, context))
        parsed.extend(each(clean.items(comments), lambda c: comment_mention(c, context)))
    else:
        owner, name = repo.split("/", 1)
        data = client.graphql(DISCUSSION, {"owner": owner, "name": name, "number": number})
        found = clean.mapping(clean.mapping(data.get("repository")).get("discussion"))
        parsed = discussions_parsed([found] if found else [], context)
    return ThreadFetch(mentions=parsed.mentions, requests_made=client.made)
