"""Stack Overflow and the other Stack Exchange sites, through the Stack Exchange API 2.3.

Config (validated by `validate_config`; unknown keys are errors)::

    {
        "site": "stackoverflow",        # required: the site's api_site_parameter ("serverfault", "askubuntu",
                                        # "pt.stackoverflow", "mathoverflow.net"...)
        "tags": ["gitlab", "gitlab-ci"],  # required: each tag is polled on its own (the API's `tagged` is AND)
        "watch_days": 7,                # how long a question is watched for new answers and comments
        "backfill_hours": 24,           # how far back the first poll of a tag looks
        "pagesize": 100,                # items per API page (1-100)
        "max_requests_per_poll": 20,    # API calls one poll may make (the daily quota is per IP)
        "overlap_seconds": 300,         # each poll re-reads this much before its cursor (index lag)
    }

Credentials (optional): ``{"key": "..."}``, the app key registered on stackapps.com, sent as ``key=``. It
lifts the daily quota from 300 to 10,000 requests per IP. It never appears in logs or error messages.

Our accounts: ``Channel.our_accounts`` holds our Stack Exchange *user ids* on this site, as strings
(``["1234567"]``; the number in ``https://stackoverflow.com/users/1234567/name``). Display names are not
unique and can change, so authors are matched by ``owner.user_id``.

What a poll does (one HTTP session, at most ``max_requests_per_poll`` calls):

1. For each tag, new questions: ``/questions?tagged=TAG&sort=creation&order=asc&fromdate=...&filter=withbody``,
   following ``has_more`` with ``page=N``. Ascending order is chosen on purpose: if a poll stops early (request
   budget, backoff) everything up to the newest question seen has been read, so the tag's cursor can still move.
2. New answers on watched questions: ``/questions/{ids}/answers`` (ids vectorised, 100 per call).
3. New comments on watched questions *and* their answers in one call family: ``/posts/{ids}/comments``
   (question and answer ids share one id space, so each comment's parent is known from the watch list).

Cursor (``Channel.cursor``), saved by the ingest service with the mentions it covers::

    {
        "version": 1,
        "tags": {"gitlab": {"since": 1700000000, "seen": {"q77": 1700000000}}},
        "watch": {"questions": [[question_id, created], ...], "answers": [[answer_id, question_id, created], ...]},
        "answers": {"since": 1700000100, "seen": {"a78": 1700000100}},
        "comments": {"since": 1700000200, "seen": {"c79": 1700000200}},
        "backoff": {"/questions": 1700000260.5},  # backoffs still running when the poll ended
    }

Each stream reads from ``since - overlap_seconds`` and drops what it already handed over (``seen``: ids with
their creation time, kept while inside the overlap window). A question newly added to the watch list lowers
the answers and comments ``since`` to its creation time (an answer likewise lowers the comments ``since``), so
follow-ups posted before we started watching a post are read too. A stream that did not finish (budget,
backoff) keeps its ``since``. The watch list keeps at most 500 questions (newest first), each for
``watch_days``, and at most 500 of their answers. Questions that get a watched tag only after they were
created are not seen (the API filters ``fromdate`` on creation time).

Backoff: a response with ``backoff: N`` forbids calling that method again for N seconds. The time is stored in
the Django cache (``se:backoff:{site}:{method}``, shared by every worker and every channel on that site) and,
for this channel, in its cursor (so a Redis flush or eviction does not forget it). A poll that meets a method under
backoff skips that method only (its stream keeps its cursor), carries on with the others, and sets
``FetchResult.not_before`` so the next poll waits until the backoff is over. ``test_connection`` raises
``RateLimited`` instead. ``quota_remaining``, ``quota_max`` and active backoffs go to
``FetchResult.platform_status``.
"""

from __future__ import annotations

import html
import logging
import math
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.cache import cache

from channels.text import clean_text, html_to_text, safe_url

from .base import (
    AuthError,
    ConfigError,
    FetchResult,
    IncomingMention,
    PayloadError,
    PermanentError,
    RateLimited,
    TransientError,
)
from .values import config_keys_check, whole_numbers_check

logger = logging.getLogger(__name__)

API_ROOT = "https://api.stackexchange.com/2.3"
# API methods as the backoff field names them (ids stand for any vectorised id list).
QUESTIONS = "/questions"
ANSWERS = "/questions/{ids}/answers"
COMMENTS = "/posts/{ids}/comments"
INFO = "/info"

DEFAULTS: dict[str, int] = {
    "watch_days": 7,
    "backfill_hours": 24,
    "pagesize": 100,
    "max_requests_per_poll": 20,
    "overlap_seconds": 300,
}
_LIMITS: dict[str, tuple[int, int]] = {
    "watch_days": (0, 90),
    "backfill_hours": (0, 24 * 90),
    "pagesize": (1, 100),
    "max_requests_per_poll": (1, 1000),
    "overlap_seconds": (0, 86400),
}
WATCH_QUESTIONS = 500
WATCH_ANSWERS = 500
IDS_PER_CALL = 100

# api_site_parameter: "stackoverflow", "meta.stackoverflow", "pt.stackoverflow", "3dprinting", "mathoverflow.net".
_SITE_RE = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*")
# Tags are lowercase, at most 35 characters, no spaces; ru.stackoverflow has Cyrillic ones.
_TAG_RE = re.compile(r"[^\s;,|]{1,35}")
_OWN_DOMAIN_SITES = {
    "stackoverflow": "stackoverflow.com",
    "serverfault": "serverfault.com",
    "superuser": "superuser.com",
    "askubuntu": "askubuntu.com",
    "stackapps": "stackapps.com",
    "meta": "meta.stackexchange.com",
}
_QUESTION_IN_LINK = re.compile(r"/questions/(\d+)(?:/|$)")
_AUTH_ERROR_IDS = {401, 402, 403, 405, 406}
_AUTH_ERROR_NAMES = {
    "access_token_required",
    "invalid_access_token",
    "access_denied",
    "key_required",
    "access_token_compromised",
}


def site_domain(site: str) -> str:
    """The web domain of a site given its api_site_parameter (for answer and comment permalinks)."""
    if site in _OWN_DOMAIN_SITES:
        return _OWN_DOMAIN_SITES[site]
    if site.rsplit(".", 1)[-1] in ("com", "net", "org"):
        return site  # the API also accepts a full domain ("mathoverflow.net", "stackoverflow.com")
    if site.startswith("meta."):
        base = site.removeprefix("meta.")
        if base in _OWN_DOMAIN_SITES:
            return f"meta.{_OWN_DOMAIN_SITES[base]}"
        if base.endswith(".stackoverflow"):
            return f"{base.split('.', 1)[0]}.meta.stackoverflow.com"
        return f"{base}.meta.stackexchange.com"
    if site.endswith(".stackoverflow"):
        return f"{site}.com"
    return f"{site}.stackexchange.com"


def backoff_cache_key(site: str, method: str) -> str:
    return f"se:backoff:{site}:{method}"


class StackExchangeAdapter:
    kind = "stackexchange"

    # --- config ----------------------------------------------------------------------

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        example = '{"site": "stackoverflow", "tags": ["gitlab"]}'
        config_keys_check(config, allowed={"site", "tags", *DEFAULTS}, platform="Stack Exchange", example=example)
        site = config.get("site")
        if not isinstance(site, str) or not site.strip():
            raise ConfigError(
                f'"site" is required: the site\'s api_site_parameter, e.g. "stackoverflow", "serverfault" '
                f'or "askubuntu". Example config: {example}.'
            )
        site = site.strip().lower()
        if len(site) > 100 or not _SITE_RE.fullmatch(site):
            raise ConfigError(
                f'"site" {site[:100]!r} is not a Stack Exchange api_site_parameter: use lowercase letters, digits, '
                'dots and dashes only, e.g. "stackoverflow" or "pt.stackoverflow" (not a URL).'
            )
        tags = config.get("tags")
        if not isinstance(tags, list) or not tags:
            raise ConfigError('"tags" must be a non-empty list of tags, e.g. ["gitlab", "gitlab-ci"].')
        cleaned: list[str] = []
        for tag in tags:
            if not isinstance(tag, str) or not tag.strip():
                raise ConfigError('Every entry of "tags" must be a non-empty string, e.g. "gitlab".')
            normal = tag.strip().lower()
            if not _TAG_RE.fullmatch(normal):
                raise ConfigError(
                    f"{tag[:60]!r} is not a single Stack Exchange tag: tags have at most 35 characters and no "
                    'spaces, ";" or "," (write "gitlab-ci", and list several tags as separate entries).'
                )
            if normal not in cleaned:
                cleaned.append(normal)
        result: dict[str, Any] = {**config, "site": site, "tags": cleaned}
        whole_numbers_check(config, _LIMITS)
        budget = result.get("max_requests_per_poll", DEFAULTS["max_requests_per_poll"])
        if len(cleaned) > budget:
            raise ConfigError(
                f'Each tag costs at least one request per poll: "max_requests_per_poll" ({budget}) must be at '
                f"least the number of tags ({len(cleaned)})."
            )
        return result

    # --- polling ---------------------------------------------------------------------

    def fetch(self, *, channel: Any, session: requests.Session) -> FetchResult:
        config = {**DEFAULTS, **self.validate_config(channel.config)}
        site = config["site"]
        overlap = int(config["overlap_seconds"])
        pagesize = int(config["pagesize"])
        now = int(time.time())
        old = _Cursor.load(channel.cursor)
        client = _Client(
            session=session,
            site=site,
            key=_app_key(channel),
            budget=int(config["max_requests_per_poll"]),
            backoff_until=dict(old.backoff),
        )
        domain = site_domain(site)
        mentions: dict[str, IncomingMention] = {}
        reads = 0

        # 1. New questions, one stream per tag.
        watch_q = dict(old.questions)
        known_q = set(watch_q)
        delivered_q = {ext for mark in old.tags.values() for ext in mark.seen}
        watch_cutoff = now - int(config["watch_days"]) * 86400
        new_post_times: list[int] = []
        tag_marks: dict[str, _Mark] = {}
        for tag in config["tags"]:
            mark = old.tags.get(tag) or _Mark(since=now - int(config["backfill_hours"]) * 3600 + overlap)
            params = {"tagged": tag, "sort": "creation", "order": "asc", "fromdate": mark.since - overlap}
            items, _complete = self._walk(client, QUESTIONS, QUESTIONS, params, pagesize)
            reads += len(items)
            returned: dict[str, int] = {}
            for item in items:
                mention = self._parse_fetched(item, "question", domain)
                if mention is None:
                    continue
                qid, created = int(item["question_id"]), int(item["creation_date"])
                returned[mention.external_id] = created
                if qid not in known_q and mention.external_id not in delivered_q:
                    mentions.setdefault(mention.external_id, mention)
                if qid not in watch_q and created >= watch_cutoff:
                    watch_q[qid] = created
                    new_post_times.append(created)
            # Ascending order: everything up to the newest question returned has been read, even when
            # the walk stopped early, so the tag's cursor may move to it.
            newest = max(returned.values(), default=mark.since)
            tag_marks[tag] = mark.advanced(since=max(mark.since, newest), returned=returned, overlap=overlap)

        watch_q = dict(sorted(((q, t) for q, t in watch_q.items() if t >= watch_cutoff), key=_newest_first))
        watch_q = dict(list(watch_q.items())[:WATCH_QUESTIONS])

        # 2. New answers on watched questions.
        watch_a = {a: (q, t) for a, (q, t) in old.answers_watched.items() if q in watch_q}
        known_a = set(watch_a)
        answers_mark = _followup_mark(old.answers, new_post_times, all_post_times=list(watch_q.values()))
        comment_post_times = list(new_post_times)
        if answers_mark is not None:
            returned = {}
            complete = True
            for chunk in _chunks(sorted(watch_q)):
                ids = ";".join(str(i) for i in chunk)
                params = {"sort": "creation", "order": "asc", "fromdate": answers_mark.since - overlap}
                items, complete = self._walk(client, ANSWERS, f"/questions/{ids}/answers", params, pagesize)
                reads += len(items)
                for item in items:
                    mention = self._parse_fetched(item, "answer", domain)
                    if mention is None:
                        continue
                    aid, created = int(item["answer_id"]), int(item["creation_date"])
                    qid = _int_or_none(item.get("question_id"))
                    returned[mention.external_id] = created
                    if aid not in known_a and mention.external_id not in answers_mark.seen:
                        mentions.setdefault(mention.external_id, mention)
                    if aid not in watch_a and qid in watch_q:
                        watch_a[aid] = (qid, created)
                        comment_post_times.append(created)
                if not complete:
                    break
            answers_mark = _followup_advance(answers_mark, old.answers, returned, complete=complete, overlap=overlap)
        watch_a = dict(sorted(watch_a.items(), key=lambda kv: (-kv[1][1], -kv[0]))[:WATCH_ANSWERS])

        # 3. New comments on watched questions and their answers.
        parents: dict[int, tuple[str, str]] = {q: (f"q{q}", f"q{q}") for q in watch_q}
        parents.update({a: (f"a{a}", f"q{q}") for a, (q, _t) in watch_a.items()})
        all_post_times = [*watch_q.values(), *(t for _q, t in watch_a.values())]
        comments_mark = _followup_mark(old.comments, comment_post_times, all_post_times=all_post_times)
        if comments_mark is not None:
            returned = {}
            complete = True
            for chunk in _chunks(sorted(parents)):
                ids = ";".join(str(i) for i in chunk)
                params = {"sort": "creation", "order": "asc", "fromdate": comments_mark.since - overlap}
                items, complete = self._walk(client, COMMENTS, f"/posts/{ids}/comments", params, pagesize)
                reads += len(items)
                for item in items:
                    post_id = item.get("post_id") if isinstance(item, dict) else None
                    parent, thread = parents.get(_int_or_none(post_id), ("", ""))
                    mention = self._parse_fetched(item, "comment", domain, parent=parent, thread=thread)
                    if mention is None:
                        continue
                    returned[mention.external_id] = int(item["creation_date"])
                    if mention.external_id not in comments_mark.seen:
                        mentions.setdefault(mention.external_id, mention)
                if not complete:
                    break
            comments_mark = _followup_advance(comments_mark, old.comments, returned, complete=complete, overlap=overlap)

        cursor = _Cursor(
            tags=tag_marks,
            questions=watch_q,
            answers_watched=watch_a,
            answers=answers_mark,
            comments=comments_mark,
            backoff=client.active_backoffs(),
        ).dump()
        not_before = client.not_before()
        return FetchResult(
            mentions=list(mentions.values()),
            cursor=cursor,
            requests_made=client.made,
            not_before=not_before,
            reads=reads,
            platform_status=client.platform_status(),
        )

    def _walk(
        self, client: _Client, method: str, path: str, params: dict[str, Any], pagesize: int
    ) -> tuple[list[Any], bool]:
        """Every page of one query. Returns (items, complete); incomplete when the request budget ran
        out or the method is under backoff before the last page."""
        items: list[Any] = []
        page = 1
        while True:
            try:
                data = client.get(method, path, {**params, "filter": "withbody", "pagesize": pagesize, "page": page})
            except _Skipped as exc:
                logger.info("stackexchange: site=%s %s not called this poll: %s", client.site, method, exc)
                return items, False
            items.extend(data["items"])
            if not data.get("has_more") or not data["items"]:
                return items, True
            page += 1

    def _parse_fetched(
        self, item: Any, expected: str, domain: str, *, parent: str = "", thread: str = ""
    ) -> IncomingMention | None:
        """A polled item, or None when it is unusable: it could not be stored anyway, and raising would
        stop the channel on the same item at every poll."""
        try:
            if not isinstance(item, dict):
                raise PayloadError(f"not a JSON object: {str(item)[:120]}")
            if expected == "comment":
                return self._from_comment(item, domain, parent=parent, thread=thread)
            if expected == "answer":
                return self._from_answer(item, domain)
            return self._from_question(item, domain)
        except PayloadError as exc:
            logger.warning("stackexchange: skipped an unusable %s: %s", expected, exc)
            return None

    def test_connection(self, *, channel: Any, session: requests.Session) -> str:
        config = self.validate_config(channel.config)
        client = _Client(session=session, site=config["site"], key=_app_key(channel), budget=1)
        remaining = client.backoff_remaining(INFO)
        if remaining > 0:
            raise RateLimited(f"Stack Exchange asked us to wait {remaining:.0f}s before calling {INFO}.", remaining)
        data = client.get(INFO, INFO, {})
        status = client.platform_status()
        summary = f"{config['site']} answered: quota {_num(status.get('quota_remaining'))} of "
        summary += f"{_num(status.get('quota_max'))} left"
        info = data["items"][0] if data["items"] and isinstance(data["items"][0], dict) else {}
        if isinstance(info.get("total_questions"), int):
            summary += f"; {info['total_questions']:,} questions on the site"
        return summary + "."

    # --- parsing ---------------------------------------------------------------------

    def parse_payload(self, payload: Any) -> list[IncomingMention]:
        """Accepts saved API responses: a wrapper ``{"items": [...]}`` of questions, answers, comments or
        ``/posts`` items, or a list of wrappers (one per page) or of items.

        Without the request that produced it, a comment whose ``post_type`` is absent (the default and
        ``withbody`` filters leave it out) is taken to be on a question: its parent is ``q{post_id}``.
        """
        if isinstance(payload, list):
            mentions: list[IncomingMention] = []
            for element in payload:
                if isinstance(element, dict) and ("items" in element or "error_id" in element):
                    mentions.extend(self.parse_payload(element))
                else:
                    mentions.append(self._parse_item(element, domain=None))
            return mentions
        if not isinstance(payload, dict):
            raise PayloadError('Expected a Stack Exchange API response: a JSON object with an "items" list.')
        if "error_id" in payload:
            raise PayloadError(
                f"This is a Stack Exchange API error response (error {payload.get('error_id')} "
                f"{payload.get('error_name')}: {payload.get('error_message')}), not posts."
            )
        if "items" not in payload:
            raise PayloadError('No "items" list: this is not a Stack Exchange API response wrapper.')
        items = payload["items"]
        if not isinstance(items, list):
            raise PayloadError('"items" must be a list.')
        return [self._parse_item(item, domain=None) for item in items]

    def _parse_item(self, item: Any, *, domain: str | None) -> IncomingMention:
        if not isinstance(item, dict):
            raise PayloadError(f"Item is not a JSON object: {str(item)[:120]}")
        if "comment_id" in item:
            return self._from_comment(item, domain)
        if "answer_id" in item:
            return self._from_answer(item, domain)
        if "question_id" in item:
            return self._from_question(item, domain)
        post_type = item.get("post_type")
        if "post_id" in item and post_type == "question":
            return self._from_question({**item, "question_id": item["post_id"]}, domain)
        if "post_id" in item and post_type == "answer":
            match = _QUESTION_IN_LINK.search(str(item.get("link") or ""))
            question_id = item.get("question_id") or (match.group(1) if match else None)
            return self._from_answer({**item, "answer_id": item["post_id"], "question_id": question_id}, domain)
        keys = ", ".join(sorted(str(k) for k in item)[:8])
        raise PayloadError(
            f"Item is not a question, answer or comment (no question_id/answer_id/comment_id; keys: {keys})."
        )

    def _from_question(self, item: dict[str, Any], domain: str | None) -> IncomingMention:
        qid = _required_id(item, "question_id")
        domain = _domain_for(item, domain)
        return self._mention(
            item,
            external_id=f"q{qid}",
            text=html_to_text(_str(item.get("body"))),
            title=_unescape(item.get("title")),
            permalink=safe_url(_str(item.get("link"))) or (f"https://{domain}/q/{qid}" if domain else ""),
        )

    def _from_answer(self, item: dict[str, Any], domain: str | None) -> IncomingMention:
        aid = _required_id(item, "answer_id")
        qid = _int_or_none(item.get("question_id"))
        domain = _domain_for(item, domain)
        question = f"q{qid}" if qid is not None else ""
        return self._mention(
            item,
            external_id=f"a{aid}",
            text=html_to_text(_str(item.get("body"))),
            title=_unescape(item.get("title")),
            permalink=safe_url(_str(item.get("link"))) or (f"https://{domain}/a/{aid}" if domain else ""),
            parent_id=question,
            thread_id=question,
        )

    def _from_comment(
        self, item: dict[str, Any], domain: str | None, *, parent: str = "", thread: str = ""
    ) -> IncomingMention:
        cid = _required_id(item, "comment_id")
        if not parent:
            post_id = _int_or_none(item.get("post_id"))
            if post_id is not None and item.get("post_type") == "answer":
                parent = f"a{post_id}"
            elif post_id is not None:
                parent = thread = f"q{post_id}"
        domain = _domain_for(item, domain)
        return self._mention(
            item,
            external_id=f"c{cid}",
            text=html_to_text(_str(item.get("body"))),
            permalink=safe_url(_str(item.get("link"))) or (f"https://{domain}/posts/comments/{cid}" if domain else ""),
            parent_id=parent,
            thread_id=thread,
        )

    def _mention(
        self,
        item: dict[str, Any],
        *,
        external_id: str,
        text: str,
        permalink: str,
        title: str = "",
        parent_id: str = "",
        thread_id: str = "",
    ) -> IncomingMention:
        created = _timestamp(item.get("creation_date"), external_id, "creation_date")
        if created is None:
            raise PayloadError(f"Item {external_id} has no creation_date.")
        handle, name, url = _author(item.get("owner"))
        return IncomingMention(
            external_id=external_id,
            created_at=created,
            text=text,
            title=title,
            author_handle=handle,
            author_name=name,
            author_url=url,
            permalink=permalink,
            parent_id=parent_id if parent_id != external_id else "",
            thread_id=thread_id if thread_id != external_id else "",
            edited_at=_timestamp(item.get("last_edit_date"), external_id, "last_edit_date"),
            raw=item,
        )


# --- HTTP ------------------------------------------------------------------------------


class _Skipped(Exception):
    """A call not made: its method is under backoff, or the poll's request budget is used up."""


@dataclass
class _Client:
    session: requests.Session
    site: str
    key: str
    budget: int
    made: int = 0
    backoff_until: dict[str, float] = field(default_factory=dict)
    quota: dict[str, int] = field(default_factory=dict)

    def backoff_remaining(self, method: str) -> float:
        stored = cache.get(backoff_cache_key(self.site, method))
        until = max(self.backoff_until.get(method, 0.0), float(stored) if stored else 0.0)
        if until > time.time():
            self.backoff_until[method] = until
        return until - time.time()

    def get(self, method: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        remaining = self.backoff_remaining(method)
        if remaining > 0:
            raise _Skipped(f"Stack Exchange asked for a backoff, {remaining:.0f}s left")
        if self.made >= self.budget:
            raise _Skipped(f"max_requests_per_poll ({self.budget}) used up")
        query = {**params, "site": self.site}
        if self.key:
            query["key"] = self.key
        self.made += 1
        data = se_request(self.session, method, API_ROOT + path, query, secret=self.key)
        for name in ("quota_remaining", "quota_max"):
            if isinstance(data.get(name), int):
                self.quota[name] = data[name]
        backoff = data.get("backoff")
        if isinstance(backoff, int | float) and not isinstance(backoff, bool) and backoff > 0:
            until = time.time() + float(backoff)
            self.backoff_until[method] = until
            cache.set(backoff_cache_key(self.site, method), until, timeout=math.ceil(backoff) + 1)
            logger.info("stackexchange: site=%s backoff of %ss on %s", self.site, backoff, method)
        return data

    def active_backoffs(self) -> dict[str, float]:
        now = time.time()
        return {method: until for method, until in self.backoff_until.items() if until > now}

    def not_before(self) -> datetime | None:
        until = max(self.active_backoffs().values(), default=0.0)
        return datetime.fromtimestamp(until, tz=UTC) if until else None

    def platform_status(self) -> dict[str, Any]:
        status: dict[str, Any] = dict(self.quota)
        now = time.time()
        # Always present (empty when none): channel_poll merges this into the stored status, and a
        # backoff that is over must not linger there.
        status["backoff_until"] = {
            m: datetime.fromtimestamp(u, tz=UTC).isoformat() for m, u in sorted(self.active_backoffs().items())
        }
        status["checked_at"] = datetime.fromtimestamp(now, tz=UTC).isoformat()
        return status


def se_request(
    session: requests.Session, method: str, url: str, params: dict[str, Any], *, secret: str = ""
) -> dict[str, Any]:
    """GET one API method and return its wrapper, mapping failures to what the poller should do.

    Messages name the method, never the URL: the URL carries the app key.
    """
    label = f"Stack Exchange {method}"
    try:
        response = session.get(
            url,
            params=params,
            timeout=settings.DESK_HTTP_TIMEOUT_SECONDS,
            # The API always compresses; requests decodes gzip and deflate, not every other coding.
            headers={"Accept-Encoding": "gzip, deflate"},
        )
    except requests.Timeout:
        raise TransientError(f"{label}: timed out after {settings.DESK_HTTP_TIMEOUT_SECONDS:g}s") from None
    except requests.exceptions.ContentDecodingError:
        raise PayloadError(f"{label}: the compressed response could not be decoded") from None
    except requests.RequestException as exc:
        raise TransientError(f"{label}: network error ({exc.__class__.__name__})") from None
    status = response.status_code
    try:
        data = response.json()
    except ValueError:
        data = None
    error = data if isinstance(data, dict) and data.get("error_id") is not None else None
    if status >= 500:
        detail = f": {_error_text(error, secret)}" if error else ""
        raise TransientError(f"{label}: HTTP {status}{detail}")
    if error is not None:
        raise _api_error(label, error, secret)
    if status == 429:
        raise RateLimited(f"{label}: HTTP 429 Too Many Requests", retry_after=_retry_after(response))
    if status in (401, 403):
        raise AuthError(f"{label}: HTTP {status}: check the channel's app key")
    if status >= 400:
        raise PermanentError(f"{label}: HTTP {status} {response.reason}")
    if data is None:
        raise PayloadError(f"{label}: response is not JSON ({_scrub(response.text[:120], secret)!r})")
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise PayloadError(f'{label}: response is not an API wrapper with an "items" list')
    return data


def _error_text(error: dict[str, Any], secret: str) -> str:
    message = clean_text(str(error.get("error_message") or ""))[:300]
    return _scrub(f"error {error.get('error_id')} {error.get('error_name') or ''}: {message}", secret)


def _api_error(label: str, error: dict[str, Any], secret: str) -> Exception:
    error_id = _int_or_none(error.get("error_id"))
    name = str(error.get("error_name") or "")
    message = str(error.get("error_message") or "")
    text = f"{label}: {_error_text(error, secret)}"
    if name == "throttle_violation" or error_id == 502:
        seconds = re.search(r"(\d+)\s*seconds?", message)
        return RateLimited(text, retry_after=float(seconds.group(1)) if seconds else None)
    if error_id in _AUTH_ERROR_IDS or name in _AUTH_ERROR_NAMES:
        return AuthError(f"{text} (check the channel's app key)")
    if error_id == 400 or name == "bad_parameter":
        if re.search(r"\bkey\b", message):
            return AuthError(f"{text} (the app key was refused: check the channel's credentials)")
        return ConfigError(text)
    if error_id in (409, 500, 503) or name in ("duplicate_request", "internal_error", "temporarily_unavailable"):
        return TransientError(text)
    return PermanentError(text)


def _retry_after(response: requests.Response) -> float | None:
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None


def _scrub(text: str, secret: str) -> str:
    return text.replace(secret, "REDACTED") if secret else text


def _app_key(channel: Any) -> str:
    from channels.secrets import CredentialsUnreadable

    try:
        credentials = channel.credentials
    except CredentialsUnreadable as exc:
        raise AuthError(str(exc)) from None
    key = credentials.get("key") if isinstance(credentials, dict) else None
    if key in (None, ""):
        return ""
    if not isinstance(key, str):
        raise AuthError('Credential "key" must be a string: the app key registered on stackapps.com.')
    return key.strip()


# --- cursor ----------------------------------------------------------------------------


@dataclass
class _Mark:
    """One stream's position: read from `since - overlap`; `seen` = ids handed over, with their time."""

    since: int
    seen: dict[str, int] = field(default_factory=dict)

    def advanced(self, *, since: int, returned: dict[str, int], overlap: int) -> _Mark:
        merged = {**self.seen, **returned}
        return _Mark(since=since, seen={k: t for k, t in sorted(merged.items()) if t >= since - overlap})

    def dump(self) -> dict[str, Any]:
        return {"since": self.since, "seen": dict(self.seen)}

    @classmethod
    def load(cls, raw: Any) -> _Mark | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("since"), int):
            return None
        seen = raw.get("seen") if isinstance(raw.get("seen"), dict) else {}
        return cls(since=raw["since"], seen={str(k): t for k, t in seen.items() if isinstance(t, int)})


@dataclass
class _Cursor:
    tags: dict[str, _Mark] = field(default_factory=dict)
    questions: dict[int, int] = field(default_factory=dict)  # question id -> created
    answers_watched: dict[int, tuple[int, int]] = field(default_factory=dict)  # answer id -> (question id, created)
    answers: _Mark | None = None
    comments: _Mark | None = None
    backoff: dict[str, float] = field(default_factory=dict)  # method -> epoch seconds

    @classmethod
    def load(cls, raw: Any) -> _Cursor:
        """Tolerant: a missing or damaged part starts again from the backfill window (the ingest
        service drops what it already has)."""
        if not isinstance(raw, dict):
            return cls()
        raw_tags = raw.get("tags") if isinstance(raw.get("tags"), dict) else {}
        tags = {str(t): m for t, m in ((t, _Mark.load(v)) for t, v in raw_tags.items()) if m}
        watch = raw.get("watch") if isinstance(raw.get("watch"), dict) else {}
        questions = {
            row[0]: row[1]
            for row in watch.get("questions") or []
            if isinstance(row, list) and len(row) == 2 and all(isinstance(v, int) for v in row)
        }
        answers_watched = {
            row[0]: (row[1], row[2])
            for row in watch.get("answers") or []
            if isinstance(row, list) and len(row) == 3 and all(isinstance(v, int) for v in row)
        }
        return cls(
            tags=tags,
            questions=questions,
            answers_watched=answers_watched,
            answers=_Mark.load(raw.get("answers")),
            comments=_Mark.load(raw.get("comments")),
            backoff={
                str(method): float(until)
                for method, until in (raw.get("backoff") if isinstance(raw.get("backoff"), dict) else {}).items()
                if isinstance(until, int | float) and not isinstance(until, bool)
            },
        )

    def dump(self) -> dict[str, Any]:
        return {
            "version": 1,
            "tags": {tag: mark.dump() for tag, mark in self.tags.items()},
            "watch": {
                "questions": [[q, t] for q, t in self.questions.items()],
                "answers": [[a, q, t] for a, (q, t) in self.answers_watched.items()],
            },
            "answers": self.answers.dump() if self.answers else None,
            "comments": self.comments.dump() if self.comments else None,
            "backoff": {method: round(until, 3) for method, until in sorted(self.backoff.items())},
        }


def _followup_mark(old: _Mark | None, new_post_times: list[int], *, all_post_times: list[int]) -> _Mark | None:
    """The mark a follow-up stream reads from this poll: lowered to the creation time of posts
    watched for the first time, so their earlier follow-ups are read too. None: nothing to watch."""
    if not all_post_times:
        return None
    if old is None:  # every watched post is new to this stream
        return _Mark(since=min(all_post_times))
    return _Mark(since=min([old.since, *new_post_times]), seen=dict(old.seen))


def _followup_advance(
    mark: _Mark, old: _Mark | None, returned: dict[str, int], *, complete: bool, overlap: int
) -> _Mark:
    if not complete:
        # Vectorised calls are not ordered across chunks: keep the (possibly lowered) since.
        return mark.advanced(since=mark.since, returned=returned, overlap=overlap)
    newest = max(returned.values(), default=mark.since)
    since = max(mark.since, newest, old.since if old else mark.since)
    return mark.advanced(since=since, returned=returned, overlap=overlap)


def _newest_first(pair: tuple[int, int]) -> tuple[int, int]:
    return (-pair[1], -pair[0])


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), IDS_PER_CALL):
        yield ids[start : start + IDS_PER_CALL]


# --- item helpers ----------------------------------------------------------------------


def _author(owner: Any) -> tuple[str, str, str]:
    """(handle, name, url): the handle is the stable numeric user id; a deleted user has none."""
    if not isinstance(owner, dict):
        return "", "", ""
    name = _unescape(owner.get("display_name"))
    user_id = owner.get("user_id")
    if owner.get("user_type") == "does_not_exist" or user_id in (None, ""):
        return "", name, ""
    return str(user_id), name, safe_url(_str(owner.get("link")))


def _domain_for(item: dict[str, Any], domain: str | None) -> str:
    """The site's domain: given when polling; from the item's own links in a saved payload."""
    if domain:
        return domain
    owner = item.get("owner") if isinstance(item.get("owner"), dict) else {}
    for link in (item.get("link"), owner.get("link")):
        url = safe_url(_str(link))
        if url.startswith(("http://", "https://")):
            host = urlsplit(url).hostname
            if host:
                return host
    return ""


def _required_id(item: dict[str, Any], key: str) -> int:
    value = _int_or_none(item.get(key))
    if value is None:
        raise PayloadError(f"Item has no usable {key}: {str(item)[:120]}")
    return value


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _timestamp(value: Any, external_id: str, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise PayloadError(f"Item {external_id}: bad {name} {value!r}") from exc


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _unescape(value: Any) -> str:
    """Titles and display names arrive HTML-escaped (`&amp;`, `&#39;`); they are stored as plain text."""
    return clean_text(html.unescape(_str(value)))


def _num(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else "?"
