"""HTTP to lobste.rs, the only module that calls it: its JSON pages (a page of stories, one story with its comments),
the per-poll request budget, a descriptive User-Agent, and a 429 part-way through a poll ending its walk, not failing
it (channels.http.PollBudget; the wait is the Retry-After Lobsters sends). Reads only: Lobsters has no API to write
with (docs/platforms/lobsters.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests
from django.conf import settings

from channels import clean
from channels.http import PollBudget, get_json
from channels.http_status import Ladder

from ..base import Gone, PayloadError

SITE = "https://lobste.rs"
NEWEST_URL = f"{SITE}/newest.json"
PAGE_SIZE = 25  # stories on a Lobsters listing page (the recorded pages in tests/fixtures hold 25)

# A story removed by its submitter or the moderators answers 404; the poll goes on with the others.
GONE: Ladder = {404: (Gone, "{label}: the story is gone from Lobsters (HTTP 404)")}


def tag_url(tags: list[str]) -> str:
    """One listing of every tag: Lobsters joins tags with commas in the path (`/t/c,python.json`), which its
    maintainers ask readers to use instead of one request per tag (rack_attack.rb)."""
    return f"{SITE}/t/{quote(','.join(tags), safe=',+')}.json"


def story_url(short_id: str) -> str:
    return f"{SITE}/s/{quote(short_id, safe='')}.json"


def user_agent() -> str:
    # Lobsters' operators read their logs: say who reads and why, beside the desk's own name and address.
    return f"{settings.DESK_USER_AGENT} lobsters-reader (a support desk's keyword watch; a few requests an hour)"


class Client(PollBudget):
    """One poll's (or one watched thread's) view of lobste.rs: `budget` requests at most."""

    def __init__(self, session: requests.Session, *, budget: int) -> None:
        super().__init__(budget)
        self.session = session
        session.headers["User-Agent"] = user_agent()

    def _json(self, url: str, label: str, params: dict[str, Any] | None = None, ladder: Ladder | None = None) -> Any:
        return self.counted(lambda: get_json(self.session, url, params=params, label=label, ladder=ladder))

    def stories(self, url: str, *, page: int, what: str) -> list[Any]:
        """Page `page` of a listing (newest first), or PayloadError when the answer is not a list."""
        data = self._json(url, f"Lobsters {what}", {"page": page} if page > 1 else None)
        if not isinstance(data, list):
            raise PayloadError(f"Lobsters {what}: expected a JSON list of stories, got {clean.preview(data)}")
        return data

    def story(self, short_id: str) -> dict[str, Any]:
        """The story with its `comments`; Gone when it was removed."""
        data = self._json(story_url(short_id), f"Lobsters story {short_id}", ladder=GONE)
        if not isinstance(data, dict):
            raise PayloadError(f"Lobsters story {short_id}: expected a JSON object, got {clean.preview(data)}")
        return data
