"""What one poll reads of one repository, within the poll's request budget, and the cursor just after it.

1. Issues: ``GET /repos/{owner}/{repo}/issues?since=<mark>&state=all&sort=updated&direction=asc&per_page=100``,
   following ``Link: rel="next"``. Every issue touched since the mark (a new comment touches its issue) is handed
   over; pull requests in the list (``pull_request``) are skipped.
2. Issue comments: ``GET /repos/{owner}/{repo}/issues/comments?since=<mark>&sort=updated&direction=asc&per_page=100``.
   A comment joins its issue's ticket by the issue's node id (the cursor's ``numbers``); a comment on an issue the
   poll has not seen (written between the two lists) brings its issue with ``GET /repos/{owner}/{repo}/issues/{n}``.
   Comments on pull requests are skipped; with ``labels``, so are comments on issues the channel does not follow.
3. Discussions (``include_discussions``): one GraphQL query a page, newest updated first (`DISCUSSIONS`), down to
   the mark; each discussion touched since then is handed over with its newest comments and their replies written
   or edited since then (at most `COMMENTS_LAST` comments and `REPLIES_LAST` replies each).

Each list asked again unchanged goes with its ETag (``If-None-Match``): an idle repository answers 304 twice and
costs one GraphQL point a poll. A walk cut short (the budget, a 403/429 after the first call, a resource running
low) keeps its mark where it stopped and the next poll goes on from there; the comments wait for the issues.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from channels import clean

from ..base import PayloadError, PollStopped
from ..guard import Parsed
from ..poll.engine import Page
from .client import Client
from .cursor import ListMark, RepoState, iso, moment
from .page import discussions_parsed, each
from .parse import Context, comment_mention, issue_mention, node_id, place

PER_PAGE = 100
DISCUSSIONS_PER_PAGE = 20
COMMENTS_LAST = 30
REPLIES_LAST = 10
_FIELDS = "id url body createdAt updatedAt lastEditedAt authorAssociation author { login url }"
DISCUSSIONS = f"""
query($owner: String!, $name: String!, $first: Int!, $after: String) {{
  repository(owner: $owner, name: $name) {{
    discussions(first: $first, after: $after, orderBy: {{field: UPDATED_AT, direction: DESC}}) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{
        number title {_FIELDS}
        labels(first: 20) {{ nodes {{ name }} }}
        comments(last: {COMMENTS_LAST}) {{
          nodes {{ {_FIELDS} replies(last: {REPLIES_LAST}) {{ nodes {{ {_FIELDS} }} }} }}
        }}
      }}
    }}
  }}
}}
"""


def repo_pages(
    client: Client, state: RepoState, repo: str, context: Context, since: datetime, *, discussions: bool
) -> Iterator[Page]:
    """The repository's issues, then its comments, then (`discussions`) its discussions, as one page, oldest first;
    it has more unless every list reached the present."""
    out = Page()
    complete = issues_read(client, state, repo, context, since, out)
    complete = complete and comments_read(client, state, repo, context, since, out)
    if discussions:
        complete = discussions_read(client, state, repo, context, since, out) and complete
    out.more = not complete
    out.parsed.mentions.sort(key=lambda m: (m.created_at, m.external_id))
    yield out


def _list(data: Any, label: str) -> list[Any]:
    if not isinstance(data, list):
        raise PayloadError(f"GitHub {label}: expected a JSON list, got {clean.preview(data)}")
    return data


def _pages(client: Client, walk: ListMark, path: str, params: dict[str, Any]) -> Any:
    """The pages of a REST list (None at the end; `PollStopped` when the budget or a rate limit ends the walk). The
    first page goes with the last ETag of the same query; its ETag is kept while the mark stays."""
    query = urlencode(sorted(params.items()))
    etag = walk.etag if walk.query == query else ""
    url: str | None = path
    first = True
    while url is not None:
        if not client.can_call():
            raise PollStopped
        page = client.get(url, params if first else None, etag=etag if first else "")
        if page.not_modified:
            return
        if first:
            walk.query, walk.etag = query, page.etag
        yield page
        url, first = page.next_url, False


def _since(walk: ListMark, since: datetime) -> str:
    return iso(walk.floor or since)


def issues_read(client: Client, state: RepoState, repo: str, context: Context, since: datetime, out: Page) -> bool:
    walk, mark = state.issues, state.issues.mark
    params = {"since": _since(walk, since), "state": "all", "sort": "updated", "direction": "asc", "per_page": PER_PAGE}
    try:
        for page in _pages(client, walk, f"/repos/{repo}/issues", params):
            for item in _list(page.data, "issues"):
                out.reads += 1
                _handle(walk, item, lambda i: issue_mention(i, context), out, state)
    except PollStopped:
        return False
    finally:
        if walk.mark != mark:
            walk.query = walk.etag = ""  # the next poll asks from a new mark
    return True


def comments_read(client: Client, state: RepoState, repo: str, context: Context, since: datetime, out: Page) -> bool:
    walk, mark = state.comments, state.comments.mark
    params = {"since": _since(walk, since), "sort": "updated", "direction": "asc", "per_page": PER_PAGE}
    try:
        for page in _pages(client, walk, f"/repos/{repo}/issues/comments", params):
            for item in _list(page.data, "issue comments"):
                out.reads += 1
                fields = clean.mapping(item)
                where = place(fields.get("html_url"), fields.get("issue_url"))
                unknown = where is not None and where[1] == "issues" and not context.issue_node(repo, where[2])
                if unknown and context.labels:
                    _handle(walk, item, None, out, state)  # on an issue the channel's labels do not follow
                    continue
                if unknown and where is not None:
                    _issue_fetch(client, state, repo, where[2], context, out)
                _handle(walk, item, lambda c: comment_mention(c, context), out, state)
    except PollStopped:
        return False
    finally:
        if walk.mark != mark:
            walk.query = walk.etag = ""
    return True


def _issue_fetch(client: Client, state: RepoState, repo: str, number: int, context: Context, out: Page) -> None:
    """The issue of a comment written after the issues were listed: read now, so the comment has its ticket."""
    if not client.can_call():
        raise PollStopped
    issue = client.get(f"/repos/{repo}/issues/{number}").data
    found = each([issue], lambda i: issue_mention(i, context))
    out.parsed.extend(found)
    _remember(state, found)


def _handle(walk: ListMark, item: Any, parse_one: Any, out: Page, state: RepoState) -> None:
    """Hand the item over (`parse_one`; None: skip it) unless the walk handed it over before; move the mark."""
    fields = clean.mapping(item)
    node, updated = node_id(fields), moment(fields.get("updated_at"))
    if node and updated is not None and walk.skips(node, updated):
        return
    if parse_one is not None:
        found = each([item], parse_one)
        out.parsed.extend(found)
        _remember(state, found)
    if node and updated is not None:
        walk.handled(node, updated)  # an unreadable item is rejected with its payload; the mark does not move


def _remember(state: RepoState, parsed: Parsed) -> None:
    for mention in parsed.mentions:
        if mention.raw.get("type") == "issue" and isinstance(mention.raw.get("number"), int):
            state.remember(mention.raw["number"], mention.external_id)


def discussions_read(client: Client, state: RepoState, repo: str, context: Context, since: datetime, out: Page) -> bool:
    """Newest updated first, down to the mark; a walk cut short keeps where it was (`resume`) and its top."""
    walk = state.discussions
    floor = walk.floor or since
    after: str | None = walk.resume.get("after")
    top = moment(walk.resume.get("top"))
    at_top: set[str] = set(walk.resume.get("seen") or ())
    owner, name = repo.split("/", 1)
    while True:
        if not client.can_call():
            return False
        variables = {"owner": owner, "name": name, "first": DISCUSSIONS_PER_PAGE, "after": after}
        try:
            data = client.graphql(DISCUSSIONS, variables)
        except PollStopped:
            return False
        connection = clean.mapping(clean.mapping(clean.mapping(data).get("repository")).get("discussions"))
        nodes = clean.objects(connection.get("nodes"))
        reached, wanted = False, []
        for discussion in nodes:
            out.reads += 1
            node, updated = node_id(discussion), moment(discussion.get("updatedAt"))
            if node and updated is not None:
                top = top or updated
                if updated == top:
                    at_top.add(node)
                if walk.skips(node, updated):
                    reached = True
                    break
            wanted.append(discussion)
        out.parsed.extend(discussions_parsed(wanted, context, keep=lambda entry: _since_floor(entry, floor)))
        info = clean.mapping(connection.get("pageInfo"))
        after = clean.ident(info.get("endCursor"), max_length=500) or None
        if reached or info.get("hasNextPage") is not True or after is None:
            if top is not None and (walk.mark is None or top > walk.mark):
                walk.mark, walk.seen = top, at_top
            walk.resume = {}
            return True
        if top is not None:
            walk.resume = {"after": after, "top": iso(top), "seen": sorted(at_top)}


def _since_floor(entry: dict[str, Any], floor: datetime) -> bool:
    """A comment written or edited since the walk's floor (older ones were handed over before)."""
    times = [moment(entry.get(k)) for k in ("createdAt", "updatedAt", "lastEditedAt")]
    return any(t is not None and t >= floor for t in times)
