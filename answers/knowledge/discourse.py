"""Our forum: `GET {forum}/search.json?q=WORDS` (docs.discourse.org, "Search for a term"): `posts` (each with
`topic_id`, `post_number` and a plain-text `blurb`) and the `topics` they belong to (`title`, `slug`, `closed`,
and `has_accepted_answer` where the Solved plugin runs). One result per topic, in the forum's order.

An API key is optional (a public forum's search needs none); sent as `Api-Key`, which a single-user key accepts
without `Api-Username`. A 429 carries `Retry-After` and `extras.wait_seconds` (Discourse's
`render_rate_limit_error`)."""

from __future__ import annotations

from typing import Any

import requests

from .base import (
    RESULTS_PER_SOURCE,
    Found,
    Item,
    SourceFailed,
    Spec,
    html_plain,
    http_get,
    item_found,
    json_body,
    rate_limited,
    seconds_from_now,
    status_check,
)


def search(spec: Spec, session: requests.Session, query: str) -> Found:
    headers = {"Api-Key": spec.token} if spec.token else {}
    response = http_get(session, f"{spec.base_url}/search.json", spec, params={"q": query}, headers=headers)
    if response.status_code == 429:
        wait: Any = response.headers.get("Retry-After")
        if wait is None:
            body = _json_or_empty(response)
            wait = (body.get("extras") or {}).get("wait_seconds") if isinstance(body.get("extras"), dict) else None
        until = seconds_from_now(wait)
        raise rate_limited("the forum", 429, until)
    status_check(response)
    data = json_body(response)
    if not isinstance(data, dict):
        raise SourceFailed("the forum's answer is not a search result")
    topics = {t.get("id"): t for t in data.get("topics") or [] if isinstance(t, dict)}
    items: list[Item] = []
    seen: set[Any] = set()
    for post in data.get("posts") or []:
        if not isinstance(post, dict) or post.get("topic_id") in seen:
            continue
        item = _item(spec, post, topics.get(post.get("topic_id")))
        if item is not None:
            seen.add(post.get("topic_id"))
            items.append(item)
        if len(items) >= RESULTS_PER_SOURCE:
            break
    return Found(items)


def _item(spec: Spec, post: dict[str, Any], topic: dict[str, Any] | None) -> Item | None:
    topic_id, number = post.get("topic_id"), post.get("post_number")
    if topic is None or not isinstance(topic_id, int) or isinstance(topic_id, bool):
        return None
    slug = topic.get("slug") if isinstance(topic.get("slug"), str) and topic.get("slug") else "topic"
    path = f"/t/{slug}/{topic_id}" + (f"/{number}" if isinstance(number, int) and number > 1 else "")
    states = [s for s, flag in (("solved", topic.get("has_accepted_answer")), ("closed", topic.get("closed"))) if flag]
    # The blurb is plain text, but newer forums wrap the matched words in <span class="search-highlight">.
    return item_found(spec, spec.base_url + path, topic.get("title"), html_plain(post.get("blurb")), ", ".join(states))


def _json_or_empty(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}
