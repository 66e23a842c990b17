"""The product's GitLab issues: `GET /projects/:id/issues?search=` (docs.gitlab.com, "Issues API", "List
project issues": `search` matches title and description, `in` narrows it, `scope=all` reads every issue, not
only the token owner's). The project issues list has no relevance order; the most recently updated come
first. GitLab's issue search requires every word, so only the four most distinctive are sent.

Through the GitLab platform: a source linked to a GitLab channel reuses the channel's instance and access
token (channels.adapters.gitlab). Rate limits (docs.gitlab.com, "Rate limits"): a 429 with `Retry-After`, and
`RateLimit-Remaining`/`RateLimit-Reset` on answers of throttled endpoints."""

from __future__ import annotations

from datetime import UTC, datetime

import requests

from channels import clean
from channels.adapters.gitlab.config import GITLAB_COM, api_root, project_ref

from .base import (
    RESULTS_PER_SOURCE,
    Found,
    Item,
    SourceFailed,
    Spec,
    epoch_time,
    http_get,
    item_found,
    json_body,
    plain,
    rate_limited,
    seconds_from_now,
    status_check,
)
from .query import narrowed

SEARCH_WORDS = 4


def search(spec: Spec, session: requests.Session, query: str) -> Found:
    base = spec.base_url or GITLAB_COM
    headers = {"PRIVATE-TOKEN": spec.token} if spec.token else {}
    params = {
        "search": narrowed(query, SEARCH_WORDS),
        "in": "title,description",
        "scope": "all",
        "order_by": "updated_at",
        "per_page": RESULTS_PER_SOURCE,
    }
    url = f"{api_root(base)}/projects/{project_ref(spec.project)}/issues"
    response = http_get(session, url, spec, params=params, headers=headers)
    status = response.status_code
    if status == 429:
        until = seconds_from_now(response.headers.get("Retry-After")) or epoch_time(
            response.headers.get("RateLimit-Reset")
        )
        raise rate_limited("GitLab", 429, until)
    if status in (401, 403):
        why = "refused the access token" if spec.token else "needs an access token (the project is not public)"
        raise SourceFailed(f"GitLab {why} (answered {status})", status=status)
    if status == 404:
        raise SourceFailed("GitLab knows no such project (answered 404): check the project in admin", status=404)
    status_check(response)
    data = json_body(response)
    if not isinstance(data, list):
        raise SourceFailed("GitLab's answer is not a list of issues")
    pause = None
    remaining = clean.whole(response.headers.get("RateLimit-Remaining"), minimum=0)
    if remaining == 0:
        pause = epoch_time(response.headers.get("RateLimit-Reset")) or datetime.now(tz=UTC)
    return Found([item for issue in data[:RESULTS_PER_SOURCE] if (item := _item(spec, issue))], pause)


def _item(spec: Spec, issue: object) -> Item | None:
    if not isinstance(issue, dict):
        return None
    state = issue.get("state")
    extra = {"closed": "closed", "opened": "open"}.get(state if isinstance(state, str) else "", "")
    # The description is Markdown: shown as the plain text it already is (escaped by the template).
    return item_found(spec, issue.get("web_url"), issue.get("title"), plain(issue.get("description")), extra)
