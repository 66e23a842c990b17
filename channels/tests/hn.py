"""Algolia hits in the recorded shape (channels/adapters/hackernews/tests/fixtures, recorded from hn.algolia.com; its
SOURCES.md says where), with chosen values."""

import copy
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import responses

from channels.adapters.base import IncomingMention
from channels.adapters.hackernews import SEARCH_URL as SEARCH_URL_FOR_FAKE
from channels.adapters.hackernews.client import FRONT_PAGE_URL

FIXTURES = Path(__file__).parents[1] / "adapters" / "hackernews" / "tests" / "fixtures"


def load(name: str):
    return json.loads((FIXTURES / name).read_text())


_COMMENT = load("algolia_search_by_date_comment.json")["hits"][0]
_STORY = load("algolia_search_by_date_story.json")["hits"][0]


def hn_mention(n: int, handle: str, text: str, *, at: datetime, prefix: str, **fields: Any) -> IncomingMention:
    """What the adapter hands over for Hacker News item `n` by `handle` (its id `prefix` + n), with HN's addresses
    for the item and its author."""
    return IncomingMention(
        external_id=f"{prefix}{n}",
        created_at=at,
        text=text,
        author_handle=handle,
        author_url=f"https://news.ycombinator.com/user?id={handle}",
        permalink=f"https://news.ycombinator.com/item?id={n}",
        **fields,
    )


def _hit(recorded, object_id, created_at_i, author, kind, thread, **fields):
    """The recorded hit with chosen values; its tags say its kind, author and story as Algolia tags them."""
    hit = copy.deepcopy(recorded)
    hit.update(objectID=str(object_id), created_at_i=created_at_i, author=author, **fields)
    hit["_tags"] = [kind, f"author_{author}", f"story_{thread}"]
    return hit


def comment_hit(object_id, created_at_i, *, text="I use GitLab CI for this", author="alice", parent_id=1, story_id=1):
    return _hit(
        _COMMENT,
        object_id,
        created_at_i,
        author,
        "comment",
        story_id,
        comment_text=text,
        parent_id=parent_id,
        story_id=story_id,
    )


def story_hit(object_id, created_at_i, *, title="Show HN: moving to GitLab", author="bob", story_text="", url=None):
    return _hit(
        _STORY, object_id, created_at_i, author, "story", object_id, title=title, story_text=story_text, url=url
    )


def search_page(hits, *, page=0, nb_pages=1, hits_per_page=100, nb_hits=None):
    return {
        "hits": hits,
        "nbHits": len(hits) if nb_hits is None else nb_hits,
        "page": page,
        "nbPages": nb_pages,
        "hitsPerPage": hits_per_page,
        "exhaustiveNbHits": True,
        "query": "gitlab",
        "params": "query=gitlab",
        "processingTimeMS": 1,
    }


# --- a fake Algolia search_by_date, for polls driven through responses ------------------------------------------

_NUMERIC = re.compile(r"^\s*([A-Za-z_]+)\s*(>=|<=|!=|>|<|=)\s*(-?\d+(?:\.\d+)?)\s*$")
_OPS = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
PAGINATION_LIMIT = 1000  # Algolia's paginationLimitedTo on the HN index: page * hitsPerPage < 1000


def _split_top_level(value):
    """'(story,comment),author_pg' -> ['(story,comment)', 'author_pg'] (commas inside parentheses kept)."""
    parts, depth, current = [], 0, ""
    for char in value:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


class FakeAlgolia:
    """hn.algolia.com/api/v1/search_by_date over `hits`, the way the real API answers: `query` (every word, in the
    title, texts, URL or author, case-insensitive), `tags` (comma = AND, parentheses = OR), `numericFilters`
    (comma-joined, AND; >, >=, <, <=, =, != on numeric attributes), `page`, `hitsPerPage` (default 20, at most
    1000); newest first (created_at_i, then objectID, descending); pages stop at the 1,000th hit (a later page has
    `hits: []`) and `nbPages` counts only the reachable pages; the fields of the recorded responses."""

    def __init__(self, hits, *, mock=responses):
        self.hits = sorted(hits, key=lambda h: (h["created_at_i"], int(h["objectID"])), reverse=True)
        self.requests = []
        self.front_page_requests = []
        if mock is not None:
            mock.add_callback(mock.GET, SEARCH_URL_FOR_FAKE, callback=self.answer)
            # /search?tags=front_page: the stories whose _tags say front_page (relevance order does not matter here).
            mock.add_callback(mock.GET, FRONT_PAGE_URL, callback=self.answer_front_page)

    def add(self, *hits):
        self.hits = sorted([*self.hits, *hits], key=lambda h: (h["created_at_i"], int(h["objectID"])), reverse=True)

    @staticmethod
    def _matches_query(hit, query):
        fields = " ".join(
            str(hit.get(k) or "") for k in ("title", "story_text", "comment_text", "url", "author", "story_title")
        ).lower()
        return all(word in fields for word in query.lower().split())

    @staticmethod
    def _matches_tags(hit, tags):
        own = set(hit.get("_tags") or [])
        for term in _split_top_level(tags):
            options = [t.strip() for t in term.strip("()").split(",")] if term.startswith("(") else [term]
            if not own & set(options):
                return False
        return True

    @staticmethod
    def _matches_numbers(hit, filters):
        for clause in filters.split(","):
            if not clause.strip():
                continue
            match = _NUMERIC.match(clause)
            if match is None:
                raise ValueError(f"numericFilters clause Algolia would refuse: {clause!r}")
            attribute, op, value = match.groups()
            actual = hit.get(attribute)
            if not isinstance(actual, int | float) or not _OPS[op](actual, float(value)):
                return False
        return True

    def search(self, params):
        query = params.get("query", "")
        tags = params.get("tags", "")
        filters = params.get("numericFilters", "")
        page = int(params.get("page", 0))
        per_page = min(int(params.get("hitsPerPage", 20)), 1000)
        matching = [
            h
            for h in self.hits
            if self._matches_query(h, query) and self._matches_tags(h, tags) and self._matches_numbers(h, filters)
        ]
        reachable = min(len(matching), PAGINATION_LIMIT)
        start = page * per_page
        hits = matching[start : min(start + per_page, PAGINATION_LIMIT)] if start < PAGINATION_LIMIT else []
        return {
            "hits": copy.deepcopy(hits),
            "nbHits": len(matching),
            "page": page,
            "nbPages": -(-reachable // per_page),
            "hitsPerPage": per_page,
            "exhaustiveNbHits": True,
            "query": query,
            "params": urlencode(params),
            "processingTimeMS": 1,
        }

    def answer_front_page(self, request):
        params = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
        self.front_page_requests.append(params)
        return 200, {"Content-Type": "application/json"}, json.dumps(self.search(params))

    def answer(self, request):
        params = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
        self.requests.append(params)
        return 200, {"Content-Type": "application/json"}, json.dumps(self.search(params))


def hn_admin_post(**overrides):
    """What admin's change form for a Hacker News channel posts (its platform's settings as fields), with
    `overrides`."""
    data = {
        "name": "HN",
        "slug": "hn",
        "enabled": "on",
        "poll_interval_seconds": 300,
        "setting_keywords": "gitlab\n  gitlab ci \n\ngitlab",
        "setting_overlap_seconds": "600",
        "setting_backfill_hours": "",
        "setting_hits_per_page": "",
        "setting_max_requests_per_poll": "",
        "setting_hourly_request_budget": "",
        "our_accounts": "[]",
        "slack_channel": "",
        "config": "",
        "new_credentials": "",
    }
    return {**data, **overrides}
