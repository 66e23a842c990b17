"""One poll's walks: the keyword searches that find videos to follow, then, for each of the team's channels and each
followed video, its comment threads from the newest down to the window's edge (``follow_days`` back), page by
page. Each page is one chunk, handed over with the cursor just after it (`cursor.py`): only the comments not handed
over before, and the replies of a thread that has more than came with it (``comments.list?parentId=``).

A walk the budget or the day's quota cuts short (`PollStopped`) hands over what it read first; the rest is read by
the next poll, which walks the same window again."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from channels import clean

from ..base import Gone, PollStopped
from ..poll.engine import Page
from ..poll.stored import epoch_of
from .client import Client
from .cursor import Cursor
from .parse import Context, included_replies, parse_comments, placed, snippet_of, thread_comments

logger = logging.getLogger(__name__)
REPLY_PAGES_MAX = 10  # 1,000 replies to one comment in one poll; the rest come with the next
SEARCH_OVERLAP_SECONDS = 3600  # a search reaches back this far before the last one: YouTube indexes late


def _key(item: Any) -> str:
    """The id a comment is remembered by; a digest for an item without one (it is rejected once, not each poll)."""
    ident = clean.ident(item.get("id")) if isinstance(item, dict) else ""
    if ident:
        return ident
    text = json.dumps(clean.raw(item), sort_keys=True, default=str)
    return "h:" + hashlib.sha256(text.encode()).hexdigest()[:24]


@dataclass
class Streams:
    client: Client
    cursor: Cursor
    context: Context
    config: dict[str, Any]
    now: int

    @property
    def floor(self) -> int:
        return self.now - int(self.config["follow_days"]) * 86_400

    def chunk(self, comments: list[tuple[Any, int]], reads: int) -> Page:
        """The comments as one chunk, each remembered with its thread's time."""
        for comment, stamp in comments:
            self.cursor.seen[_key(comment)] = stamp
        return Page(parse_comments([c for c, _ in comments], self.context), reads=reads)

    def _fresh(self, comment: Any, stamp: int, found: list[tuple[Any, int]], keys: set[str]) -> None:
        # A reply the thread carried comes again with the rest of its replies: handed over once.
        key = _key(comment)
        if key not in self.cursor.seen and key not in keys:
            keys.add(key)
            found.append((comment, stamp))

    def thread_new(self, thread: Any) -> list[tuple[Any, int]]:
        """The thread's comments not handed over yet, with its time; its replies asked for when it has more than
        it carries and than were read before."""
        snippet = snippet_of(thread)
        top = clean.mapping(snippet.get("topLevelComment"))
        stamp = epoch_of(snippet_of(top).get("publishedAt")) or self.now
        found: list[tuple[Any, int]] = []
        keys: set[str] = set()
        for comment in thread_comments(thread) if isinstance(thread, dict) else [thread]:
            self._fresh(comment, stamp, found, keys)
        top_id = clean.ident(top.get("id"))
        total = clean.whole(snippet.get("totalReplyCount"), minimum=0, maximum=10_000_000) or 0
        known = self.cursor.replies.get(top_id, [0, 0])[0]
        if top_id and total > len(included_replies(thread)) and total > known:
            video = clean.ident(snippet.get("videoId"))
            for reply in self._all_replies(top_id):
                self._fresh(placed(reply, video, top_id), stamp, found, keys)
        if top_id:
            self.cursor.replies[top_id] = [total, stamp]
        return found

    def _all_replies(self, top_id: str) -> list[Any]:
        replies: list[Any] = []
        token = ""
        for _ in range(REPLY_PAGES_MAX):
            try:
                data = self.client.replies(top_id, page_token=token)
            except Gone as exc:  # the comment was deleted meanwhile: its thread has nothing more to read
                logger.info("youtube: %s", exc)
                break
            replies.extend(clean.items(data.get("items")))
            token = clean.line(data.get("nextPageToken"), max_length=500)
            if not token:
                break
        return replies

    def threads(self, *, channel_id: str = "", video_id: str = "") -> Iterator[Page]:
        """A channel's (or a video's) threads, newest first, down to the window's edge, a chunk a page."""
        token = ""
        for _ in range(int(self.config["max_pages_per_stream"])):
            data = self.client.threads(channel_id=channel_id, video_id=video_id, page_token=token)
            threads = clean.items(data.get("items"))
            found: list[tuple[Any, int]] = []
            reached = False
            try:
                for thread in threads:
                    top = snippet_of(clean.mapping(snippet_of(thread).get("topLevelComment")))
                    published = epoch_of(top.get("publishedAt"))
                    if published is not None and published < self.floor:
                        reached = True  # newest first: the rest is older than the window
                        break
                    found.extend(self.thread_new(thread))
            except PollStopped:
                yield self.chunk(found, len(threads))
                raise
            yield self.chunk(found, len(threads))
            token = clean.line(data.get("nextPageToken"), max_length=500)
            if reached or not token:
                return

    def search(self, keyword: str) -> None:
        """Search `keyword`'s new videos when it is due, and follow the newest (`videos_per_keyword`)."""
        every = int(self.config["search_every_hours"]) * 3600
        last = self.cursor.searched.get(keyword)
        if last is not None and self.now - last < every:
            return
        since = max(self.floor, (last or 0) - SEARCH_OVERLAP_SECONDS)
        limit = int(self.config["videos_per_keyword"])
        data = self.client.search(keyword, published_after=datetime.fromtimestamp(since, UTC), limit=limit)
        self.cursor.searched[keyword] = self.now
        until = self.now + int(self.config["follow_days"]) * 86_400
        for result in clean.items(data.get("items")):
            video = clean.ident(clean.mapping(clean.mapping(result).get("id")).get("videoId"), max_length=20)
            owner = clean.ident(snippet_of(result).get("channelId"))
            if video and owner not in self.context.ours and video not in self.cursor.videos:
                self.cursor.videos[video] = {"keyword": keyword, "until": until}  # the team's own: read by channel
        followed = [(v, s) for v, s in self.cursor.videos.items() if s["keyword"] == keyword]
        for video, _state in sorted(followed, key=lambda vs: vs[1]["until"], reverse=True)[limit:]:
            del self.cursor.videos[video]

    def searches(self) -> Iterator[Page]:
        """The keywords' searches that are due: they hand over no comment, only videos to follow."""
        for keyword in self.config["keywords"]:
            self.search(keyword)
        yield from ()

    def streams(self) -> Iterator[Iterator[Page]]:
        """The poll's walks in turn: the searches, each of the team's channels, each followed video (the list
        taken once the searches are done)."""
        yield self.searches()
        yield from (self.channel(c) for c in self.config["channel_ids"])
        yield from (self.video(v) for v in list(self.cursor.videos))

    def video(self, video_id: str) -> Iterator[Page]:
        """A followed video's new comments; a video gone or with its comments turned off is followed no more."""
        try:
            yield from self.threads(video_id=video_id)
        except Gone as exc:
            logger.info("youtube: video %s followed no more: %s", video_id, exc)
            self.cursor.videos.pop(video_id, None)

    def channel(self, channel_id: str) -> Iterator[Page]:
        try:
            yield from self.threads(channel_id=channel_id)
        except Gone as exc:  # one channel gone must not stop the others being read
            logger.warning("youtube: channel %s: %s", channel_id, exc)
