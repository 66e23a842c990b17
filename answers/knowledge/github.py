"""The product's GitHub issues: `GET https://api.github.com/search/issues?q=WORDS repo:OWNER/REPO is:issue`
(docs.github.com, REST "Search issues and pull requests"). GitHub's search requires every word, so only the
five most distinctive are sent.

Rate limits (docs.github.com, "Rate limits for the REST API"; search allows 30 requests a minute with a token, 10
without): a spent limit is a 403 or 429 with `x-ratelimit-remaining: 0` and `x-ratelimit-reset` (epoch
seconds), a secondary limit a 403 or 429 with `retry-after`."""

from __future__ import annotations

import requests

from channels import clean

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

API = "https://api.github.com"
SEARCH_WORDS = 5


def search(spec: Spec, session: requests.Session, query: str) -> Found:
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    if spec.token:
        headers["Authorization"] = f"Bearer {spec.token}"
    q = f"{narrowed(query, SEARCH_WORDS)} repo:{spec.project} is:issue"
    response = http_get(session, f"{API}/search/issues", spec, params={"q": q, "per_page": RESULTS_PER_SOURCE},
                        headers=headers)  # fmt: skip
    status = response.status_code
    if status in (403, 429):
        remaining = clean.whole(response.headers.get("x-ratelimit-remaining"), minimum=0)
        until = seconds_from_now(response.headers.get("retry-after"))
        if until is None and remaining == 0:
            until = epoch_time(response.headers.get("x-ratelimit-reset"))
        if until is not None or remaining == 0:
            raise rate_limited("GitHub", status, until)
    if status == 401:
        raise SourceFailed("GitHub refused the token (answered 401)", status=401)
    if status == 422:
        raise SourceFailed("GitHub refused the search (answered 422): check the repository in admin", status=422)
    status_check(response)
    data = json_body(response)
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise SourceFailed("GitHub's answer has no list of items")
    pause = None
    if clean.whole(response.headers.get("x-ratelimit-remaining"), minimum=0) == 0:
        pause = epoch_time(response.headers.get("x-ratelimit-reset"))
    return Found([item for issue in items[:RESULTS_PER_SOURCE] if (item := _item(spec, issue))], pause)


def _item(spec: Spec, issue: object) -> Item | None:
    if not isinstance(issue, dict):
        return None
    state = issue.get("state") if isinstance(issue.get("state"), str) else ""
    extra = "pull request" if isinstance(issue.get("pull_request"), dict) else ""
    extra = ", ".join(part for part in (extra, state) if part)
    return item_found(spec, issue.get("html_url"), issue.get("title"), plain(issue.get("body")), extra)
