"""A stand-in for hn.algolia.com that the demo channel talks to instead of the network.

No platform is reachable from a sandbox, so the quick start's demo channel (`"replay": true`
in its config) mounts this transport on the real adapter's HTTP session. Everything else is
the production path: query building, paging, cursor, parsing, ingest. It answers with hits
in Algolia's recorded shape from a virtual timeline: one bundled sample every `SECONDS_PER_ITEM`.
The demo desk's channel (`DEMO_SLUG`) is served one block of that timeline, once (`demo_block`: the block its
history holds, a day back); only another replaying channel (the freshness bench's) reads the timeline without
end, where the samples come round again under new ids. The official API's user item
(`hacker-news.firebaseio.com/v0/user/<id>.json`) answers each author's karma after a poll.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import requests
from requests.adapters import BaseAdapter

from channels.demo.competitors import is_demo_term, sayings_between
from channels.demo.replay_kit import Asked, fixed

# A story's `truth` is what a reader makes of it (channels/demo/threads/thread.py), `truth_note` why if arguable;
# a comment has none: in the demo's block each joins its story's ticket, so only the stories open tickets.
SAMPLES = json.loads((Path(__file__).resolve().parents[2] / "demo" / "hn_samples.json").read_text())
# One sample every 5 minutes: the 16 samples come round again after 80 minutes, so a demo session sees
# fresh mentions arrive without the list filling with copies of the same four stories.
SECONDS_PER_ITEM = 300
EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z: item n was "posted" at EPOCH + n * SECONDS_PER_ITEM
FIRST_ID = 45_000_000
# The demo desk's replaying channel (seed_demo makes it); the moment it was made anchors its block of samples.
DEMO_SLUG = "hn-demo"


def demo_block(anchor: datetime) -> range:
    """The items the demo desk's channel holds and is served: one block of the samples (its four threads whole),
    posted a day before the hour ending at `anchor`. seed_demo stores exactly these as the history, and the replay
    serves the channel nothing else: the timeline came round every 80 minutes with the same threads under new ids,
    and each poll made them new tickets again (the Show HN thread four times in 20 minutes)."""
    end = int(anchor.timestamp()) - 3600
    last = (end - EPOCH) // SECONDS_PER_ITEM - 86_400 // SECONDS_PER_ITEM
    first = last - last % len(SAMPLES)
    return range(first, first + len(SAMPLES))


def served_items() -> range | None:
    """The items the replay serves now: the demo desk's block once its channel exists; None (the whole timeline)
    on a desk without it, as the freshness bench's stream needs."""
    from channels.models import Channel

    anchor = Channel.objects.filter(slug=DEMO_SLUG).values_list("created_at", flat=True).first()
    return demo_block(anchor) if anchor else None


def _story_of(n: int) -> int:
    """Index of the story item n belongs to (the nearest story at or before it)."""
    size = len(SAMPLES)
    for back in range(size):
        if SAMPLES[(n - back) % size]["type"] == "story":
            return n - back
    return n


def hit_for(n: int) -> dict[str, Any]:
    sample = SAMPLES[n % len(SAMPLES)]
    created = EPOCH + n * SECONDS_PER_ITEM
    object_id = str(FIRST_ID + n)
    base = {
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(created)),
        "created_at_i": created,
        "author": sample["author"],
        "points": 1,
        "objectID": object_id,
        "_highlightResult": {},
    }
    if sample["type"] == "story":
        return {
            **base,
            "title": sample["title"],
            "url": sample.get("url"),
            "story_text": sample.get("text") or "",
            "num_comments": 0,
            **fixed("comment_text story_id story_title story_url parent_id"),
            "_tags": ["story", f"author_{sample['author']}", f"story_{object_id}"],
        }
    story = _story_of(n)
    parent = n + sample["reply_to"] if sample["reply_to"] else story
    story_sample = SAMPLES[story % len(SAMPLES)]
    return {
        **base,
        **fixed("title url story_text num_comments"),
        "comment_text": sample["text"],
        "story_id": FIRST_ID + story,
        "story_title": story_sample.get("title"),
        "story_url": story_sample.get("url"),
        "parent_id": FIRST_ID + parent,
        "_tags": ["comment", f"author_{sample['author']}", f"story_{FIRST_ID + story}"],
    }


def _time_range(params: dict[str, str], now: float) -> tuple[int, int]:
    """The [lower, upper) epoch seconds a search asks for: its `created_at_i` numeric filters, up to `now`."""
    lower, upper = 0, int(now) + 1
    for clause in params.get("numericFilters", "").split(","):
        match = re.fullmatch(r"created_at_i(>=|<)(\d+)", clause.strip())
        if match and match.group(1) == ">=":
            lower = max(lower, int(match.group(2)))
        elif match:
            upper = min(upper, int(match.group(2)))
    return lower, upper


def search(params: dict[str, str], now: float | None = None, served: range | None = None) -> dict[str, Any]:
    """Algolia's search answer over the timeline by `now`, within `served` (every item when None)."""
    now = time.time() if now is None else now
    lower, upper = _time_range(params, now)
    per_page = max(1, int(params.get("hitsPerPage", 20)))
    page = max(0, int(params.get("page", 0)))
    first = max(0, -(-(lower - EPOCH) // SECONDS_PER_ITEM))
    last = (upper - 1 - EPOCH) // SECONDS_PER_ITEM
    if served is not None:
        first, last = max(first, served.start), min(last, served.stop - 1)
    indexes = list(range(last, first - 1, -1))  # newest first, as Algolia returns them
    total = len(indexes)
    pages = min(-(-total // per_page), 1000 // per_page) if total else 0
    chosen = indexes[page * per_page : (page + 1) * per_page] if page < pages else []
    return {
        "hits": [hit_for(n) for n in chosen],
        "nbHits": total,
        "page": page,
        "nbPages": pages,
        "hitsPerPage": per_page,
        "exhaustiveNbHits": True,
        "query": params.get("query", ""),
        "params": "",
        "processingTimeMS": 1,
    }


def item_tree(item_id: int, now: float | None = None) -> dict[str, Any]:
    """Algolia's `/items/{id}` answer for a replayed story (the thread watcher reads it): the story with the
    comments of its block of samples that have been "posted" by `now`, flat under it (replies nest by
    `parent_id`, which the parser reads)."""
    now = time.time() if now is None else now
    story = _story_of(item_id - FIRST_ID)
    children = []
    n = story + 1
    while SAMPLES[n % len(SAMPLES)]["type"] != "story" and EPOCH + n * SECONDS_PER_ITEM <= now:
        hit = hit_for(n)
        children.append(
            {
                "id": int(hit["objectID"]),
                "created_at_i": hit["created_at_i"],
                "type": "comment",
                "author": hit["author"],
                "text": hit["comment_text"],
                "parent_id": hit["parent_id"],
                "story_id": hit["story_id"],
                "children": [],
            }
        )
        n += 1
    hit = hit_for(story)
    return {
        "id": int(hit["objectID"]),
        "created_at_i": hit["created_at_i"],
        "type": "story",
        "author": hit["author"],
        "title": hit["title"],
        "url": hit["url"],
        "text": hit["story_text"],
        "points": 1,
        "parent_id": None,
        "story_id": int(hit["objectID"]),
        "children": children,
    }


# The demo network's dispatch (channels.demo.replay): Algolia, and the official API for the authors' karma.
HOSTS = ("hn.algolia.com", "hacker-news.firebaseio.com")


def user_item(name: str) -> dict[str, Any] | None:
    """The official API's user item (`/v0/user/<id>.json`, shaped as HackerNews/API's README shows it): a karma
    of the author's own, the same at every call."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", name):
        return None
    spread = int(hashlib.sha256(f"hn-karma:{name}".encode()).hexdigest()[:8], 16)
    return {"id": name, "created": 1_300_000_000 + spread % 300_000_000, "karma": 1 + spread % 25_000}


def answer(request: requests.PreparedRequest, posts: Any = None) -> tuple[int, Any]:
    """Algolia's answer to `request` from the virtual timeline; `posts` (the demo week's) is not read: Hacker
    News replays its own bundled samples."""
    asked = Asked(request)
    if asked.host == "hacker-news.firebaseio.com":
        user = re.fullmatch(r"/v0/user/(.+)\.json", asked.path)
        return 200, user_item(user.group(1)) if user else None  # Firebase answers null for anything missing
    query = asked.query
    if asked.path.endswith("/search") and query.get("tags") == "front_page":
        query["numericFilters"] = "created_at_i<0"  # the demo's stories never reach the front page
    item = re.fullmatch(r".*/items/(\d+)", asked.path)
    if item:
        return 200, item_tree(int(item.group(1)))
    if is_demo_term(query.get("query", "")):
        return 200, competitor_search(query)
    return 200, search(query, served=served_items())


# A competitor's sayings (channels.demo.competitors) are comments under one story of its own, ids from here on.
COMPETITOR_FIRST_ID = 46_000_000


def competitor_search(params: dict[str, str], now: float | None = None) -> dict[str, Any]:
    """Algolia's search answer for a demo competitor's term: its sayings "posted" by `now` (channels.demo.competitors'
    timeline), newest first, within the numeric filters, as comments in the recorded shape."""
    now = time.time() if now is None else now
    term = params.get("query", "")
    lower, upper = _time_range(params, now)
    per_page = max(1, int(params.get("hitsPerPage", 20)))
    page = max(0, int(params.get("page", 0)))
    timeline = sayings_between(term, lower, upper)
    chosen = timeline[page * per_page : (page + 1) * per_page]
    offset = sum(ord(c) for c in term) % 997 * 100_000  # each term's ids apart from the other's
    hits = []
    for n, created, said in chosen:
        object_id = COMPETITOR_FIRST_ID + offset + n
        hits.append(
            {
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(created)),
                "created_at_i": created,
                "author": said.author,
                "points": 1,
                "objectID": str(object_id),
                "_highlightResult": {},
                **fixed("title url story_text num_comments"),
                "comment_text": said.text,
                "story_id": COMPETITOR_FIRST_ID + offset,
                "story_title": f"Ask HN: what do you use for CI? ({term})",
                "story_url": None,
                "parent_id": COMPETITOR_FIRST_ID + offset,
                "_tags": ["comment", f"author_{said.author}", f"story_{COMPETITOR_FIRST_ID + offset}"],
            }
        )
    total = len(timeline)
    return {
        "hits": hits,
        "nbHits": total,
        "page": page,
        "nbPages": min(-(-total // per_page), 1000 // per_page) if total else 0,
        "hitsPerPage": per_page,
        "exhaustiveNbHits": True,
        "query": term,
        "params": "",
        "processingTimeMS": 1,
    }


class ReplayTransport(BaseAdapter):
    """Mounted for hn.algolia.com on the demo channel's sessions (`"replay": true` in its config)."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        from channels.demo.replay import replay_response

        return replay_response(request, *answer(request))

    def close(self) -> None:
        pass
