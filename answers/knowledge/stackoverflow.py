"""Accepted answers on Stack Overflow questions with our tag (api.stackexchange.com/docs):
`/2.3/search/advanced?q=WORDS&tagged=TAG&accepted=True&site=stackoverflow&sort=relevance` gives questions
(`title` HTML-encoded, `link`, `accepted_answer_id`); `/2.3/answers/{ids}?filter=withbody` gives those answers'
`body` (HTML). The item links the accepted answer (`https://stackoverflow.com/a/ID`) and shows its text.

Throttling (api.stackexchange.com/docs/throttle): a `backoff` field (seconds) asks for no call to that method
until it passes; `quota_remaining` 0 means none until the quota resets at midnight UTC; an error is
`{error_id, error_name, error_message}` (502 `throttle_violation`). The app key travels in the URL: never logged.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests

from channels import clean

from .base import (
    RESULTS_PER_SOURCE,
    Found,
    Item,
    SourceFailed,
    Spec,
    at,
    html_plain,
    http_get,
    http_url,
    json_body,
    plain,
    seconds_from_now,
)

API = "https://api.stackexchange.com/2.3"
SITE = "stackoverflow"


def search(spec: Spec, session: requests.Session, query: str) -> Found:
    params: dict[str, Any] = {
        "q": query, "tagged": spec.tag, "accepted": "True", "site": SITE, "sort": "relevance", "order": "desc",
        "pagesize": RESULTS_PER_SOURCE,
    }  # fmt: skip
    if spec.token:
        params["key"] = spec.token
    data, pause = _call(session, f"{API}/search/advanced", spec, params)
    questions = [q for q in data.get("items") or [] if isinstance(q, dict)][:RESULTS_PER_SOURCE]
    accepted: dict[int, dict[str, Any]] = {}
    for question in questions:
        if answer_id := clean.whole(question.get("accepted_answer_id"), minimum=1):
            accepted[answer_id] = question
    bodies: dict[int, str] = {}
    if accepted and pause is None:
        ids = ";".join(str(i) for i in accepted)
        more = {"site": SITE, "filter": "withbody", "pagesize": len(accepted)}
        if spec.token:
            more["key"] = spec.token
        try:
            answers, pause = _call(session, f"{API}/answers/{ids}", spec, more)
        except SourceFailed as exc:
            if "no answer within" in str(exc):
                raise
            answers = {}  # the questions alone still help: shown without the answer's text
            pause = exc.pause_until
        for answer in answers.get("items") or []:
            if isinstance(answer, dict) and (answer_id := clean.whole(answer.get("answer_id"), minimum=1)):
                bodies[answer_id] = html_plain(answer.get("body"))
    items = [item for answer_id, q in accepted.items() if (item := _item(spec, q, answer_id, bodies.get(answer_id)))]
    return Found(items, pause)


def _call(session: requests.Session, url: str, spec: Spec, params: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    response = http_get(session, url, spec, params=params)
    data = json_body(response)
    if not isinstance(data, dict):
        raise SourceFailed(f"answered {response.status_code} with something that is not an API wrapper")
    pause = seconds_from_now(data.get("backoff"))
    if clean.whole(data.get("quota_remaining"), minimum=0) == 0:
        pause = datetime.now(tz=UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    if response.status_code >= 400 or "error_id" in data:
        name = clean.line(data.get("error_name"), max_length=60) or "error"
        if name == "throttle_violation" or response.status_code == 429:
            pause = pause or seconds_from_now(60)
        when = f"; again after {at(pause)}" if pause else ""
        raise SourceFailed(f"answered {response.status_code} ({name}){when}", status=response.status_code,
                           pause_until=pause)  # fmt: skip
    return data, pause


def _item(spec: Spec, question: dict[str, Any], answer_id: int, body: str | None) -> Item | None:
    link = http_url(question.get("link"))
    # Titles come HTML-encoded ("&#39;"): decoded to the text they stand for, escaped again by the template.
    title = plain(html.unescape(clean.text(question.get("title"))), 200)
    if not link or not title:
        return None
    parts = urlsplit(link)
    url = f"{parts.scheme}://{parts.netloc}/a/{answer_id}"
    return Item(spec.name, title, url, body or "", "accepted answer")
