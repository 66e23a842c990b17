"""HTTP to Algolia's Hacker News search: the per-poll request budget, the deployment-wide hourly budget
(Algolia sends no rate-limit headers), and a 429 part-way through a poll ending its walk, not failing it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import requests

from advocacy.counters import window_count
from channels import clean
from channels.http import PollBudget, get_json

from ..base import PayloadError, PollStopped, RateLimited

SEARCH_URL = "https://hn.algolia.com/api/v1/search_by_date"
# Relevance-sorted search, where `tags=front_page` lists the stories on the front page now (about 30).
FRONT_PAGE_URL = "https://hn.algolia.com/api/v1/search"
TAGS = "(story,comment)"  # stories (jobs and polls carry the story tag too) or comments
# Algolia never pages past the first 1,000 hits of a query (page * hitsPerPage < 1000): older hits of a
# larger result are reached only with narrower numericFilters windows.
PAGINATION_LIMIT = 1000


@dataclass
class SearchPage:
    hits: list[Any]
    nb_hits: int
    nb_pages: int
    page: int


def hourly_budget_take(budget: int) -> None:
    """Count one request against the deployment's hourly Algolia budget, or raise RateLimited."""
    hour = int(time.time() // 3600)
    key = f"hn:algolia:requests:{hour}"
    used = window_count(key, timeout=3700)
    if used > budget:
        raise RateLimited(
            "Hacker News: hourly Algolia request budget used up on this deployment",
            retry_after=(hour + 1) * 3600 - time.time(),
        )


def search_page(data: Any) -> SearchPage:
    """A `search_by_date` answer as a page, or PayloadError when it is not one."""
    if not isinstance(data, dict):
        raise PayloadError(f"Algolia response is not a JSON object: {clean.preview(data)}")
    hits = data.get("hits")
    if not isinstance(hits, list):
        raise PayloadError(f'Algolia response has no "hits" list: {clean.preview(data)}')
    nb_hits = clean.whole(data.get("nbHits"), minimum=0)
    if nb_hits is None:
        raise PayloadError(f'Algolia response has no usable "nbHits": {clean.preview(data.get("nbHits"))}')
    nb_pages = clean.whole(data.get("nbPages"), minimum=0)
    page = clean.whole(data.get("page"), minimum=0)
    return SearchPage(hits=hits, nb_hits=nb_hits, nb_pages=nb_pages or 0, page=page or 0)


class Client(PollBudget):
    """One poll's view of Algolia: `budget` requests at most; a 429 (or the hourly budget) after a successful
    call ends the walk (`stopped`) instead of failing the poll."""

    def __init__(self, session: requests.Session, *, budget: int, hourly_budget: int, hits_per_page: int) -> None:
        super().__init__(budget)
        self.session = session
        self.hourly_budget = hourly_budget
        self.hits_per_page = hits_per_page

    def search(self, keyword: str, *, low: int, high: int | None, page: int) -> SearchPage:
        """Hits for `keyword` created in [low, high), newest first, page `page`."""
        if not self.can_call():
            raise PollStopped("request budget used")
        filters = f"created_at_i>={low}" + (f",created_at_i<{high}" if high is not None else "")
        params = {
            "query": keyword,
            "tags": TAGS,
            "numericFilters": filters,
            "hitsPerPage": self.hits_per_page,
            "page": page,
        }

        def call() -> Any:
            hourly_budget_take(self.hourly_budget)
            return get_json(self.session, SEARCH_URL, params=params)

        return search_page(self.counted(call))

    def front_page(self) -> frozenset[str]:
        """The ids of the stories on the front page now: one request, outside the poll's walk budget
        (the walk may have used it up) but inside the deployment's hourly budget."""
        if self.stopped is not None:
            raise PollStopped("rate-limited")
        hourly_budget_take(self.hourly_budget)
        self.made += 1
        data = get_json(self.session, FRONT_PAGE_URL, params={"tags": "front_page", "hitsPerPage": 100})
        hits = search_page(data).hits
        ids = (clean.ident(h.get("objectID")) if isinstance(h, dict) else "" for h in hits)
        return frozenset(i for i in ids if i.isdigit())
