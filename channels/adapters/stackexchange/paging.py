"""Which items one poll reads and hands over, one API page at a time, oldest first, each page with the cursor
just after it (so a poll cut short by its request budget, a backoff or a throttle loses nothing, and a backlog
of any size drains over successive polls).

1. New questions, one stream per tag: ``/questions?tagged=TAG&sort=creation&order=asc&fromdate=...``. Ascending
   order makes every page a resumable point: everything older than the newest question read has been read.
   A walk cut short keeps ``resume`` (the newest second read) and ``page`` (past the questions of that second
   already read, when they fill pages), and the next poll goes on from there.
2. New answers on watched questions: ``/questions/{ids}/answers`` (ids vectorised, 100 a call), and
3. new comments on watched questions and answers: ``/posts/{ids}/comments``. Both walk their id chunks one after
   the other, each ascending from the walk's ``start``; the walk (ids, chunk, position) is kept in the cursor, so
   a walk longer than a poll goes on where it stopped.

A comment whose post is not in the watch list (it left the list while a walk was open) has its post's type
looked up with ``/posts/{ids}``, so a comment on an answer gets the answer as parent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any

from channels import clean

from ..base import IncomingMention, PayloadError
from ..guard import Parsed, parse_each
from ..poll.engine import Page
from .client import ANSWERS, COMMENTS, POSTS, QUESTIONS, Client, Skipped
from .cursor import WATCH_ANSWERS, WATCH_QUESTIONS, Cursor, FollowUp, Mark
from .fields import id_of, string_of
from .parse import ID_KEYS, PostLinks, answer_mention, comment_links, comment_mention, question_mention

logger = logging.getLogger(__name__)


_FOLLOWUPS = {"answers": (ANSWERS, "/questions/{}/answers"), "comments": (COMMENTS, "/posts/{}/comments")}


class Streams:
    """One poll's walk over a channel's streams; `walks()` yields each stream's pages, each page read with the
    cursor already past it."""

    def __init__(self, client: Client, cursor: Cursor, config: dict[str, Any], *, now: int, domain: str) -> None:
        self.client = client
        self.cursor = cursor
        self.tags: list[str] = config["tags"]
        self.overlap = int(config["overlap_seconds"])
        self.pagesize = int(config["pagesize"])
        self.backfill = int(config["backfill_hours"]) * 3600
        self.now = now
        self.domain = domain
        self.cutoff = now - int(config["watch_days"]) * 86400
        self.handed: set[str] = set()
        self.new_times: dict[str, list[int]] = {"answers": [], "comments": []}
        # A tag no longer configured is forgotten (with any walk it left open).
        cursor.tags = {tag: mark for tag, mark in cursor.tags.items() if tag in self.tags}
        cursor.questions = {q: t for q, t in cursor.questions.items() if t >= self.cutoff}
        cursor.answers_watched = {a: v for a, v in cursor.answers_watched.items() if v[0] in cursor.questions}
        self.known_questions = set(cursor.questions)
        self.known_answers = set(cursor.answers_watched)

    def walks(self) -> Iterator[Iterator[Page]]:
        """Each tag's new questions, then the follow-up streams, in the order read from the cursor once the tags
        are walked."""
        for tag in self.tags:
            yield self._questions(tag)
        # A walk left open by an earlier poll goes on before a stream starts a new one, so a budget smaller than
        # the watch list's id chunks still reaches every stream in turn.
        streams = sorted(("answers", "comments"), key=lambda s: getattr(self.cursor, s) is None or not self._open(s))
        for stream in streams:
            yield self._followups(stream)

    def _open(self, stream: str) -> bool:
        mark = getattr(self.cursor, stream)
        return mark is not None and mark.walk is not None

    # --- questions ---------------------------------------------------------------------------------------

    def _questions(self, tag: str) -> Iterator[Page]:
        mark = self.cursor.tags.get(tag)
        if mark is None:
            mark = self.cursor.tags[tag] = Mark(since=self.now - self.backfill + self.overlap)
        fromdate = mark.resume if mark.resume is not None else mark.since - self.overlap
        page = mark.page if mark.resume is not None else 1
        # Where the next poll would go on: the newest second read, and how many questions of that second were read.
        at, read_at = fromdate, (page - 1) * self.pagesize
        while True:
            params = {"tagged": tag, "sort": "creation", "order": "asc", "fromdate": fromdate}
            data = self._get(QUESTIONS, QUESTIONS, params, page)
            if data is None:
                return
            returned: dict[str, int] = {}
            parsed = self._parse(data["items"], partial(self._question, returned=returned))
            more = data.get("has_more") is True and bool(data["items"])
            at, read_at = _position(at, read_at, returned.values())
            mark.since = max(mark.since, at)
            if more:
                mark.resume, mark.page = at, read_at // self.pagesize + 1
            else:
                mark.resume, mark.page = None, 1
            mark.remember(returned, overlap=self.overlap)
            yield Page(parsed, more=self.cursor.backlog(), reads=len(data["items"]))
            if not more:
                return
            page += 1

    def _question(self, item: Any, *, returned: dict[str, int]) -> IncomingMention | None:
        mention = question_mention(_object(item), self.domain)
        qid, created = int(mention.external_id[1:]), int(mention.created_at.timestamp())
        returned[mention.external_id] = created
        if qid not in self.cursor.questions and created >= self.cutoff:
            self._watch_question(qid, created)
        delivered = any(mention.external_id in m.seen for m in self.cursor.tags.values())
        return self._once(mention, handed_before=qid in self.known_questions or delivered)

    def _watch_question(self, qid: int, created: int) -> None:
        watch = self.cursor.questions
        watch[qid] = created
        for times in self.new_times.values():
            times.append(created)
        newest_first = sorted(watch.items(), key=lambda kv: (-kv[1], -kv[0]))[:WATCH_QUESTIONS]
        self.cursor.questions = dict(newest_first)
        kept = self.cursor.questions
        self.cursor.answers_watched = {a: v for a, v in self.cursor.answers_watched.items() if v[0] in kept}

    # --- answers and comments --------------------------------------------------------------------------------

    def _followups(self, stream: str) -> Iterator[Page]:
        cursor = self.cursor
        posts = dict(cursor.questions)
        if stream == "comments":
            posts.update({a: t for a, (_q, t) in cursor.answers_watched.items()})
        mark: Mark | None = getattr(cursor, stream)
        if not posts:
            setattr(cursor, stream, None)
            return
        if mark is None:
            mark = Mark(since=min(posts.values()))
            setattr(cursor, stream, mark)
        elif self.new_times[stream]:
            mark.pending = min([*self.new_times[stream], *([mark.pending] if mark.pending is not None else [])])
        walk = mark.walk
        fresh = walk is None
        if walk is None:
            start = min(mark.since, mark.pending if mark.pending is not None else mark.since) - self.overlap
            walk = FollowUp(ids=sorted(posts), start=start, from_=start)
        method, template = _FOLLOWUPS[stream]
        while not walk.done():
            ids = ";".join(str(i) for i in walk.chunk_ids())
            params = {"sort": "creation", "order": "asc", "fromdate": walk.from_}
            data = self._get(method, template.format(ids), params, walk.page)
            if data is None:
                return
            if fresh:
                mark.walk, mark.pending, fresh = walk, None, False
            returned: dict[str, int] = {}
            if stream == "answers":
                parsed = self._parse(data["items"], partial(self._answer, mark=mark, returned=returned))
            else:
                links = self._comment_links(data["items"])
                parsed = self._parse(data["items"], partial(self._comment, mark=mark, links=links, returned=returned))
            newest = max(returned.values(), default=None)
            if newest is not None:
                walk.newest = max(newest, walk.newest or newest)
            if data.get("has_more") is True and data["items"]:
                self.cursor.full_pages = True
                read_at = (walk.page - 1) * self.pagesize
                walk.from_, read_at = _position(walk.from_, read_at, returned.values())
                walk.page = read_at // self.pagesize + 1
            else:
                walk.chunk, walk.from_, walk.page = walk.chunk + 1, walk.start, 1
            if walk.done():
                mark.since = max(mark.since, walk.newest or mark.since)
                mark.walk = None
            mark.remember(returned, overlap=self.overlap)
            yield Page(parsed, more=self.cursor.backlog(), reads=len(data["items"]))

    def _answer(self, item: Any, *, mark: Mark, returned: dict[str, int]) -> IncomingMention | None:
        mention = answer_mention(_object(item), self.domain)
        aid, created = int(mention.external_id[1:]), int(mention.created_at.timestamp())
        qid = id_of(_object(item).get("question_id"))
        returned[mention.external_id] = created
        watched = self.cursor.answers_watched
        if aid not in watched and qid in self.cursor.questions:
            watched[aid] = (qid, created)
            self.new_times["comments"].append(created)
            newest_first = sorted(watched.items(), key=lambda kv: (-kv[1][1], -kv[0]))[:WATCH_ANSWERS]
            self.cursor.answers_watched = dict(newest_first)
        return self._once(mention, handed_before=aid in self.known_answers or mention.external_id in mark.seen)

    def _comment(self, item: Any, *, mark: Mark, links: PostLinks, returned: dict[str, int]) -> IncomingMention | None:
        mention = comment_mention(_object(item), self.domain, posts=links)
        returned[mention.external_id] = int(mention.created_at.timestamp())
        return self._once(mention, handed_before=mention.external_id in mark.seen)

    def _once(self, mention: IncomingMention, *, handed_before: bool) -> IncomingMention | None:
        """The mention, unless an earlier poll or this one handed it over already."""
        if handed_before or mention.external_id in self.handed:
            return None
        self.handed.add(mention.external_id)
        return mention

    def _comment_links(self, items: list[Any]) -> PostLinks:
        """Parent and thread per post of a page of comments: the watch list, else `/posts/{ids}` for the posts
        whose type the comments do not give."""
        links = self.cursor.posts()
        unknown = set()
        for item in items:
            if isinstance(item, dict):
                post_id = id_of(item.get("post_id"))
                if post_id is not None and post_id not in links and comment_links(item, {})[2]:
                    unknown.add(post_id)
        if unknown:
            ids = ";".join(str(i) for i in sorted(unknown)[:100])
            data = self._get(POSTS, f"/posts/{ids}", {"pagesize": 100}, None)
            for post in data["items"] if data is not None else []:
                post = post if isinstance(post, dict) else {}
                post_id, post_type = id_of(post.get("post_id")), string_of(post.get("post_type"))
                if post_id in unknown and post_type in ("question", "answer"):
                    known = {"post_id": post_id, "post_type": post_type, "link": post.get("link")}
                    parent, thread, _ = comment_links(known, {})
                    links[post_id] = (parent, thread)
        return links

    # --- helpers -------------------------------------------------------------------------------------------

    def _get(self, method: str, path: str, params: dict[str, Any], page: int | None) -> dict[str, Any] | None:
        """One page of a listing (`page` given: with the body filter and the page size), or one plain call; None
        when the call is not made (backoff, budget, throttled)."""
        query = params if page is None else {**params, "filter": "withbody", "pagesize": self.pagesize, "page": page}
        try:
            return self.client.get(method, path, query)
        except Skipped as exc:
            logger.info("stackexchange: site=%s %s not called this poll: %s", self.client.site, method, exc)
            return None

    def _parse(self, items: list[Any], parse_one: Callable[[Any], IncomingMention | None]) -> Parsed:
        return parse_each(items, parse_one, id_keys=ID_KEYS, platform="stackexchange")


def _position(at: int, read_at: int, times: Iterable[int]) -> tuple[int, int]:
    """A walk's resumable position after reading items created at `times`: the newest second read and how many
    items of that second were read (a position `(second, page)` re-reads at most one page's share of it; the API's
    order within a second is by id, so the pages before are all of that second and all read)."""
    for moment in sorted(times):
        if moment > at:
            at, read_at = moment, 1
        elif moment == at:
            read_at += 1
    return at, read_at


def _object(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise PayloadError(f"An item is not a JSON object: {clean.preview(item)}")
    return item
