"""HTTP to the Forem API of dev.to, the only module that calls it: the per-poll request budget and a 429 part-way
through a poll ending its walk, not failing it (channels.http.PollBudget). Reads only: the v1 API documents no way
to write a comment (docs/platforms/devto.md)."""

from __future__ import annotations

from typing import Any

import requests

from channels import clean
from channels.http import PollBudget, get_json
from channels.http_status import Ladder

from ..base import Gone, PayloadError, PollStopped

API = "https://dev.to/api"
ARTICLES_URL = f"{API}/articles"  # ?tag=…: a tag's articles
LATEST_URL = f"{API}/articles/latest"  # every article, newest first
COMMENTS_URL = f"{API}/comments"  # ?a_id=…: an article's comments as a tree (every one when no page is asked)
# Forem answers v1 only when asked for it; without the header it answers its deprecated v0.
ACCEPT = "application/vnd.forem.api-v1+json"


# A followed article deleted or unpublished: Forem answers its comments with a 404.
GONE: Ladder = {404: (Gone, "{label}: the article is gone from dev.to (HTTP 404)")}


def listing(data: Any, what: str) -> list[Any]:
    """A Forem list answer, or PayloadError when it is not one."""
    if not isinstance(data, list):
        raise PayloadError(f"dev.to {what}: expected a JSON list, got {clean.preview(data)}")
    return data


class Client(PollBudget):
    """One poll's view of the API: `budget` requests at most."""

    def __init__(self, session: requests.Session, *, budget: int, per_page: int) -> None:
        super().__init__(budget)
        self.session = session
        self.per_page = per_page
        session.headers["Accept"] = ACCEPT

    def _get(self, url: str, params: dict[str, Any], what: str, ladder: Ladder | None = None) -> list[Any]:
        if not self.can_call():
            raise PollStopped("request budget used")
        label = f"dev.to {what}"
        return listing(
            self.counted(lambda: get_json(self.session, url, params=params, label=label, ladder=ladder)), what
        )

    def articles(self, tag: str, *, page: int) -> list[Any]:
        """Page `page` of `tag`'s articles, or of the latest articles when `tag` is ""."""
        params: dict[str, Any] = {"per_page": self.per_page, "page": page}
        if tag:
            return self._get(ARTICLES_URL, {**params, "tag": tag}, f"articles of tag {tag}")
        return self._get(LATEST_URL, params, "latest articles")

    def comments(self, article_id: int) -> list[Any]:
        """Every comment of the article, as Forem's tree (`children`)."""
        return self._get(COMMENTS_URL, {"a_id": article_id}, f"comments of article {article_id}", GONE)
