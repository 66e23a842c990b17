"""Hacker News through the Algolia search API (`search_by_date`).

Algolia returns newest first, caps paging at 1,000 hits and indexes with a few minutes' lag.
So a poll asks for everything created at or after `cursor - overlap`, walks pages (and, when
a window is capped, narrower windows below the oldest hit), and drops ids it already handed
over in the overlap (kept in the cursor). Items sharing a second with the cursor are never
missed (the bound is inclusive) and never passed on twice (their ids are remembered).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import requests
from django.core.cache import cache

from channels.http import get_json
from channels.text import clean_text, html_to_text

from .base import ConfigError, FetchResult, IncomingMention, PayloadError, RateLimited

SEARCH_URL = "https://hn.algolia.com/api/v1/search_by_date"
ITEM_URL = "https://news.ycombinator.com/item?id={id}"
USER_URL = "https://news.ycombinator.com/user?id={user}"

DEFAULTS: dict[str, Any] = {
    "keywords": [],
    "overlap_seconds": 300,
    "backfill_hours": 24,
    "hits_per_page": 100,
    "max_requests_per_poll": 30,
    # Algolia allows 10,000 requests per hour per IP and sends no rate-limit headers, so
    # every HN channel on this deployment shares one counter kept in the cache (Redis).
    "hourly_request_budget": 9000,
}


class HackerNewsAdapter:
    kind = "hackernews"

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(config, dict):
            raise ConfigError('Config must be a JSON object like {"keywords": ["gitlab"]}.')
        # "replay": the quick start's demo channel answers from bundled samples (see
        # hackernews_replay); it is a setting an admin can see, not a hidden test switch.
        unknown = set(config) - set(DEFAULTS) - {"replay"}
        if unknown:
            raise ConfigError(f"Unknown Hacker News setting(s): {', '.join(sorted(unknown))}.")
        keywords = config.get("keywords")
        if not isinstance(keywords, list) or not keywords:
            raise ConfigError('"keywords" must be a non-empty list of search words, e.g. ["gitlab"].')
        cleaned = [k.strip() for k in keywords if isinstance(k, str) and k.strip()]
        if len(cleaned) != len(keywords):
            raise ConfigError('Every entry of "keywords" must be a non-empty string.')
        result = {**config, "keywords": cleaned}
        for key in ("overlap_seconds", "backfill_hours", "hits_per_page", "max_requests_per_poll"):
            if key in config and (not isinstance(config[key], int) or config[key] < 0):
                raise ConfigError(f'"{key}" must be a whole number of at least 0.')
        if "hits_per_page" in config and not 1 <= config["hits_per_page"] <= 1000:
            raise ConfigError('"hits_per_page" must be between 1 and 1000.')
        return result

    # --- polling -----------------------------------------------------------------------

    def fetch(self, *, channel: Any, session: requests.Session) -> FetchResult:
        config = {**DEFAULTS, **channel.config}
        cursor = channel.cursor or {}
        overlap = int(config["overlap_seconds"])
        now = int(time.time())
        if "created_at_i" in cursor:
            lower = int(cursor["created_at_i"]) - overlap
        else:
            lower = now - int(config["backfill_hours"]) * 3600
        already_seen = set(cursor.get("recent_ids", []))
        if config.get("replay"):
            from .hackernews_replay import ReplayTransport

            session.mount("https://hn.algolia.com/", ReplayTransport())

        hits: dict[str, dict[str, Any]] = {}
        requests_made = 0
        complete = True
        for keyword in config["keywords"]:
            walked, made = self._walk(session, keyword, lower, config, budget=config["max_requests_per_poll"])
            requests_made += made
            complete = complete and walked is not None
            for hit in walked or []:
                hits.setdefault(str(hit.get("objectID")), hit)

        mentions = [m for m in self.parse_payload({"hits": list(hits.values())}) if m.external_id not in already_seen]
        newest = max((int(h.get("created_at_i") or 0) for h in hits.values()), default=0)
        if complete and newest:
            new_mark = max(newest, int(cursor.get("created_at_i", 0)))
            # Every id remembered last time was created inside this poll's window, so it came
            # back in `hits` if it still exists: remembering this poll's tail is enough.
            recent = sorted(oid for oid, h in hits.items() if int(h.get("created_at_i") or 0) >= new_mark - overlap)
            new_cursor = {"created_at_i": new_mark, "recent_ids": recent}
        elif complete:
            new_cursor = dict(cursor) if cursor else {"created_at_i": lower + overlap, "recent_ids": []}
        else:
            # The request budget ran out before the walk reached the cursor: keep the cursor
            # where it was so the next poll walks the gap again; the ids already stored
            # are dropped as duplicates by the ingest service.
            new_cursor = dict(cursor) if cursor else {"created_at_i": lower + overlap, "recent_ids": []}
        return FetchResult(mentions=mentions, cursor=new_cursor, requests_made=requests_made)

    def _walk(
        self, session: requests.Session, keyword: str, lower: int, config: dict[str, Any], *, budget: int
    ) -> tuple[list[dict[str, Any]] | None, int]:
        """All hits for `keyword` created at or after `lower`, newest first.

        Returns (None, n) if the request budget ran out before reaching `lower`.
        """
        collected: list[dict[str, Any]] = []
        upper: int | None = None
        made = 0
        while True:
            page = 0
            window: list[dict[str, Any]] = []
            while True:
                if made >= budget:
                    return None, made
                filters = f"created_at_i>={lower}" + (f",created_at_i<{upper}" if upper is not None else "")
                params = {
                    "query": keyword,
                    "tags": "(story,comment)",
                    "numericFilters": filters,
                    "hitsPerPage": config["hits_per_page"],
                    "page": page,
                }
                data = self._search(session, params, config)
                made += 1
                page_hits = data.get("hits")
                if not isinstance(page_hits, list):
                    raise PayloadError('Algolia response has no "hits" list.')
                window.extend(page_hits)
                nb_pages = int(data.get("nbPages") or 0)
                page += 1
                if page >= nb_pages or not page_hits:
                    break
            collected.extend(window)
            nb_hits = int(data.get("nbHits") or 0)
            reachable = nb_pages * int(config["hits_per_page"])
            if nb_hits <= reachable or not window:
                return collected, made
            # Algolia stops at 1,000 hits: continue below the oldest hit seen. Hits sharing
            # that second are asked for again (inclusive bound) and deduplicated by id.
            upper = min(int(h.get("created_at_i") or 0) for h in window) + 1
            if upper <= lower:
                return collected, made

    def _search(self, session: requests.Session, params: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
        hour = int(time.time() // 3600)
        key = f"hn:algolia:requests:{hour}"
        cache.add(key, 0, timeout=3700)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=3700)
            used = 1
        if used > int(config["hourly_request_budget"]):
            raise RateLimited(
                "Hacker News: hourly Algolia request budget used up on this deployment",
                retry_after=(hour + 1) * 3600 - time.time(),
            )
        data = get_json(session, SEARCH_URL, params=params)
        if not isinstance(data, dict):
            raise PayloadError("Algolia response is not a JSON object.")
        return data

    def test_connection(self, *, channel: Any, session: requests.Session) -> str:
        config = {**DEFAULTS, **channel.config}
        if config.get("replay"):
            from .hackernews_replay import ReplayTransport

            session.mount("https://hn.algolia.com/", ReplayTransport())
        params = {"query": config["keywords"][0], "tags": "(story,comment)", "hitsPerPage": 1, "page": 0}
        data = self._search(session, params, config)
        return f"Algolia answered: {data.get('nbHits', 0)} hits for {config['keywords'][0]!r}."

    # --- parsing -----------------------------------------------------------------------

    def parse_payload(self, payload: Any) -> list[IncomingMention]:
        """Accepts what the HN APIs return: an Algolia search response (or a list of them,
        one per page), an Algolia `/items/{id}` tree, or a Firebase item."""
        if isinstance(payload, list):
            return [m for page in payload for m in self.parse_payload(page)]
        if not isinstance(payload, dict):
            raise PayloadError("Expected a JSON object (Algolia search response or item).")
        if "hits" in payload:
            if not isinstance(payload["hits"], list):
                raise PayloadError('"hits" must be a list.')
            return [self._from_hit(h) for h in payload["hits"]]
        if "children" in payload and "created_at_i" in payload:
            return list(self._from_item_tree(payload, story_id=payload.get("story_id")))
        if "by" in payload and "time" in payload:
            mention = self._from_firebase(payload)
            return [mention] if mention else []
        raise PayloadError("expected an Algolia search response (hits), an /items/{id} tree or a Firebase item.")

    def _from_hit(self, hit: Any) -> IncomingMention:
        if not isinstance(hit, dict) or not hit.get("objectID") or hit.get("created_at_i") is None:
            raise PayloadError(f"Hit without objectID/created_at_i: {str(hit)[:200]}")
        tags = hit.get("_tags") or []
        is_story = "story" in tags[:1] or (hit.get("comment_text") is None and hit.get("title") is not None)
        object_id = str(hit["objectID"])
        if is_story:
            body = html_to_text(hit.get("story_text")) or clean_text(hit.get("url"))
            title = clean_text(hit.get("title"))
            parent_id = thread_id = ""
        else:
            body = html_to_text(hit.get("comment_text"))
            title = clean_text(hit.get("story_title"))
            parent_id = _id(hit.get("parent_id"))
            thread_id = _id(hit.get("story_id"))
        return self._mention(
            object_id=object_id,
            created_at_i=hit["created_at_i"],
            author=hit.get("author"),
            body=body,
            title=title,
            parent_id=parent_id,
            thread_id=thread_id,
            raw={k: v for k, v in hit.items() if k != "_highlightResult"},  # a marked-up copy of the text
        )

    def _from_item_tree(self, item: dict[str, Any], story_id: Any) -> Any:
        if item.get("type") == "story":
            story_id = item.get("id")
            body = html_to_text(item.get("text")) or clean_text(item.get("url"))
            yield self._mention(
                object_id=str(item["id"]),
                created_at_i=item["created_at_i"],
                author=item.get("author"),
                body=body,
                title=clean_text(item.get("title")),
                raw={k: v for k, v in item.items() if k != "children"},
            )
        elif item.get("author") is not None:  # deleted comments have no author
            yield self._mention(
                object_id=str(item["id"]),
                created_at_i=item["created_at_i"],
                author=item.get("author"),
                body=html_to_text(item.get("text")),
                parent_id=_id(item.get("parent_id")),
                thread_id=_id(item.get("story_id") or story_id),
                raw={k: v for k, v in item.items() if k != "children"},
            )
        for child in item.get("children") or []:
            yield from self._from_item_tree(child, story_id)

    def _from_firebase(self, item: dict[str, Any]) -> IncomingMention | None:
        if item.get("deleted") or item.get("dead"):
            return None
        is_story = item.get("type") == "story"
        return self._mention(
            object_id=str(item["id"]),
            created_at_i=item["time"],
            author=item.get("by"),
            body=(html_to_text(item.get("text")) or clean_text(item.get("url"))),
            title=clean_text(item.get("title")) if is_story else "",
            parent_id="" if is_story else _id(item.get("parent")),
            raw=item,
        )

    def _mention(
        self,
        *,
        object_id: str,
        created_at_i: Any,
        author: Any,
        body: str,
        title: str = "",
        parent_id: str = "",
        thread_id: str = "",
        raw: dict[str, Any],
    ) -> IncomingMention:
        try:
            created = datetime.fromtimestamp(int(created_at_i), tz=UTC)
        except (TypeError, ValueError, OverflowError) as exc:
            raise PayloadError(f"Item {object_id}: bad created time {created_at_i!r}") from exc
        handle = clean_text(str(author)) if author else ""
        return IncomingMention(
            external_id=object_id,
            created_at=created,
            text=body,
            title=title,
            author_handle=handle,
            author_name=handle,
            author_url=USER_URL.format(user=quote(handle)) if handle else "",
            permalink=ITEM_URL.format(id=quote(object_id)),
            parent_id=parent_id if parent_id != object_id else "",
            thread_id=thread_id if thread_id != object_id else "",
            raw=raw,
        )


def _id(value: Any) -> str:
    return str(value) if value not in (None, "") else ""
