"""Disqus comments (the blog, the DevOps-tools pages, the docs) through the Disqus API 3.0.

Config (validated by `validate_config`; unknown keys are errors)::

    {
        "forum": "gitlab",              # required: the forum's shortname (gitlab.disqus.com -> "gitlab"); the
                                        # blog, the DevOps-tools pages and the docs are separate forums, so
                                        # separate channels
        "overlap_seconds": 600,         # each poll re-reads this much before its cursor
        "backfill_hours": 24,           # how far back the first poll looks
        "max_requests_per_poll": 20,    # API calls one poll may make (100 comments each)
    }

Credentials: ``{"api_key": "..."}``, the public key of a Disqus API application; enough for public comments.
It travels in the query string (``api_key=``), so error messages name the API method, never the URL, and the
key never appears in logs or messages.

Our accounts: ``Channel.our_accounts`` holds our Disqus *usernames* (``author.username``, as in
``https://disqus.com/by/<username>/``). Guests have no username: a guest's comment is never ours, whatever
name it signs with.

What a poll does: ``GET forums/listPosts.json?forum=…&limit=100&order=asc&since=<cursor - overlap>&related=thread``
(with ``related=thread`` each post carries its article: title and link), then follows ``cursor.next`` while
``cursor.hasNext``, up to ``max_requests_per_poll`` calls. Ascending order is chosen on purpose: when a poll
stops early (request budget, rate limit) everything up to the newest comment read has been read.

Cursor (``Channel.cursor``), saved by the ingest service with the mentions it covers::

    {"version": 1, "since": 1304743410, "seen": {"199088808": [1304743410, "3f2a9c0d1e4b"]}}

``since`` is the newest ``createdAt`` read (epoch seconds; Disqus sends ISO time *without* a zone, which is
UTC). It only moves over what a poll has read. ``seen`` holds the ids handed over inside the overlap window,
with their time and a signature of their state (text, deleted): a repeat is dropped, and a comment that
changed since we handed it over (edited, deleted) is handed over again so the ingest can update it (Disqus
gives no edit time, so ``edited_at`` is the time we noticed). Changes after the overlap window are not seen:
the API filters ``since`` on creation time.

Mapping and threading. ``external_id`` is the post id (a string); ``parent_id`` is ``str(parent)`` (an
integer in the payload) for a reply, so a reply joins the ticket of the comment it answers (and our reply
there sets the ticket's first reply). ``thread_id`` is left empty on purpose: every top-level comment on an
article is its own ticket (the handbook's blog/docs workflow), and an article id there would make the second
comment on an article join the first one's ticket as soon as any message with that id existed. The article
stays in the raw payload (``raw["thread"]``: its id, or the expanded object with title and link). Spam and
unapproved comments are skipped (logged); deleted ones are handed over with ``deleted=True``. ``email`` and
``ipAddress`` (present with moderator access) are removed from the raw payload wherever they appear.

Errors: the API answers ``{"code": N, "response": "<message>"}``. Code 2 (missing or invalid argument) and 8
(object not found, e.g. no such forum) are ``ConfigError``; 4, 5 (invalid API key), 9, 11 and 12 are
``AuthError``; 13 and 14 (rate limits) are ``RateLimited``; 15 and 16 (internal error, timeout) are
``TransientError``; anything else is ``PermanentError``. HTTP 429, 5xx, timeouts and non-JSON bodies map
like the other adapters.

Rate limits: Disqus reports an hourly per-application quota in ``X-Ratelimit-Limit``/``-Remaining``/``-Reset``
(reset: epoch seconds; a small number is taken as seconds from now). The figures go to
``FetchResult.platform_status``. When none are left, no call goes out with that key until the reset (shared
through the Django cache by every channel using the key) and the poll asks to be scheduled after it
(``FetchResult.not_before``). Being rate-limited after the first page is flow control, not failure: the pages
read are returned and the cursor moves over them only.
"""

from __future__ import annotations

import hashlib
import html
import logging
import math
import re
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

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
from .values import finite_number as _num

logger = logging.getLogger(__name__)

API_ROOT = "https://disqus.com/api/3.0"
LIST_POSTS = "forums/listPosts"
FORUM_DETAILS = "forums/details"

DEFAULTS: dict[str, int] = {
    "overlap_seconds": 600,
    "backfill_hours": 24,
    "max_requests_per_poll": 20,
}
_LIMITS: dict[str, tuple[int, int]] = {
    "overlap_seconds": (0, 86_400),
    "backfill_hours": (0, 24 * 30),
    "max_requests_per_poll": (1, 1000),
}
PAGE_LIMIT = 100  # the API's maximum `limit`
SEEN_LIMIT = 2000
# How long to wait after a rate-limit error that came without a reset time (the quota is hourly).
RATE_LIMITED_WAIT = 900

# Disqus error codes (disqus.com/api/docs/errors/).
_CONFIG_CODES = {2, 8}  # missing or invalid argument; requested object not found
_AUTH_CODES = {4, 5, 9, 11, 12}  # needs a user; invalid key; wrong key type; key not valid on domain; privileges
_RATE_CODES = {13, 14}  # rate limit for the resource; for the account
_TRANSIENT_CODES = {15, 16}  # error processing the request; request timed out

# Disqus shortnames: letters, digits, hyphens (and underscores in old forums).
_FORUM_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
# emailHash too: a hash of an e-mail address is still personal data (it identifies a Gravatar).
_PRIVATE_KEYS = frozenset({"email", "ipAddress", "emailHash"})


class DisqusAdapter:
    kind = "disqus"

    # --- config ----------------------------------------------------------------------

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        example = '{"forum": "gitlab"}'
        config_keys_check(config, allowed={"forum", *DEFAULTS}, platform="Disqus", example=example)
        forum = config.get("forum")
        if not isinstance(forum, str) or not forum.strip():
            raise ConfigError(
                f'"forum" is required: the Disqus shortname of the site whose comments this channel reads, e.g. '
                f'"gitlab" for gitlab.disqus.com (the blog, the DevOps-tools pages and the docs are separate '
                f"channels). Example config: {example}."
            )
        forum = forum.strip().lower()
        if not _FORUM_RE.fullmatch(forum):
            hint = ""
            host = re.sub(r"\A[a-z]+://", "", forum).split("/", 1)[0]
            if host.endswith(".disqus.com") and _FORUM_RE.fullmatch(host.removesuffix(".disqus.com")):
                hint = f' Did you mean "{host.removesuffix(".disqus.com")}"?'
            raise ConfigError(
                f'"forum" {forum[:100]!r} is not a Disqus shortname: use the shortname only (letters, digits and '
                f'hyphens), e.g. "gitlab" for gitlab.disqus.com, not a URL.{hint}'
            )
        whole_numbers_check(config, _LIMITS)
        return {**config, "forum": forum}

    # --- polling ---------------------------------------------------------------------

    def fetch(self, *, channel: Any, session: requests.Session) -> FetchResult:
        config = {**DEFAULTS, **self.validate_config(channel.config)}
        forum = config["forum"]
        overlap = int(config["overlap_seconds"])
        now = time.time()
        old = _Cursor.load(channel.cursor)
        # A first poll reads `backfill_hours` back (the overlap is taken off again below).
        start = old.since if old.since is not None else int(now) - int(config["backfill_hours"]) * 3600 + overlap
        client = _Client(session=session, api_key=_api_key(channel), budget=int(config["max_requests_per_poll"]))
        params = {
            "forum": forum,
            "limit": PAGE_LIMIT,
            "order": "asc",
            "since": start - overlap,
            "related": "thread",
        }
        posts, stopped = self._walk(client, params, forum)

        noticed = datetime.fromtimestamp(now, tz=UTC)
        newest = start
        mentions: dict[str, IncomingMention] = {}
        returned: dict[str, tuple[int, str]] = {}
        for item in posts:
            try:
                external_id, created = _identity(item)
                stamp = int(created.timestamp())
                # A post stamped in the future (a clock off somewhere) must not carry the cursor past posts yet to come.
                newest = max(newest, min(stamp, int(now)))
                reason = _skip_reason(item)
                if reason:
                    logger.info("disqus: forum=%s post %s not stored: %s", forum, external_id, reason)
                    continue
                if external_id in returned:
                    continue  # the same post on two pages (a post arriving between the calls shifts them)
                signature = _signature(item)
                returned[external_id] = (stamp, signature)
                handed_over = old.seen.get(external_id)
                if handed_over is not None and handed_over[1] == signature:
                    continue  # read again in the overlap, unchanged
                mention = _mention(item)
            except PayloadError as exc:
                # One malformed post must not stall the channel at every poll: skipped, loudly.
                logger.warning("disqus: forum=%s skipped an unusable post: %s", forum, exc)
                continue
            if handed_over is not None and not mention.deleted:
                mention = replace(mention, edited_at=noticed)  # changed since we handed it over
            mentions[external_id] = mention

        not_before = client.not_before()
        if stopped is not None:
            wait = noticed + timedelta(seconds=stopped.retry_after or RATE_LIMITED_WAIT)
            not_before = max(not_before or wait, wait)
            logger.info("disqus: forum=%s stopped early, rate-limited: %s", forum, stopped)
        cursor = _Cursor(since=newest, seen={**old.seen, **returned}).pruned(overlap).dump()
        return FetchResult(
            mentions=sorted(mentions.values(), key=lambda m: (m.created_at, m.external_id)),
            cursor=cursor,
            requests_made=client.made,
            not_before=not_before,
            reads=len(posts),
            platform_status=client.platform_status(),
        )

    def _walk(self, client: _Client, params: dict[str, Any], forum: str) -> tuple[list[Any], RateLimited | None]:
        """Every page of the query, following `cursor.next`. Returns (posts, the rate limit that stopped the walk
        after its first page, if one did). Any other failure raises: the poll fails and its cursor stays."""
        posts: list[Any] = []
        page_cursor: str | None = None
        while True:
            query = {**params, "cursor": page_cursor} if page_cursor else params
            try:
                data = client.get(LIST_POSTS, query)
            except _BudgetUsed:
                logger.info("disqus: forum=%s max_requests_per_poll (%s) used up", forum, client.budget)
                return posts, None
            except RateLimited as exc:
                if not posts:
                    raise
                return posts, exc
            page = data["response"]
            if not isinstance(page, list):
                raise PayloadError(f'Disqus {LIST_POSTS}: "response" is not a list of posts')
            posts.extend(page)
            next_cursor = _next_cursor(data.get("cursor"))
            if not page or not next_cursor or next_cursor == page_cursor:
                return posts, None
            page_cursor = next_cursor

    def test_connection(self, *, channel: Any, session: requests.Session) -> str:
        config = self.validate_config(channel.config)
        client = _Client(session=session, api_key=_api_key(channel), budget=1)
        data = client.get(FORUM_DETAILS, {"forum": config["forum"]})
        forum = data["response"]
        if not isinstance(forum, dict):
            raise PayloadError(f"Disqus {FORUM_DETAILS} did not return a forum.")
        name = clean_text(_str(forum.get("name"))) or config["forum"]
        url = safe_url(_str(forum.get("url"))) or "no URL"
        summary = f"Disqus answered: forum {name} ({url})"
        status = client.platform_status()
        if status["ratelimit_remaining"] is not None:
            limit = status["ratelimit_limit"]
            summary += f"; rate limit: {status['ratelimit_remaining']} of {limit if limit is not None else '?'} left"
        return summary

    # --- parsing ---------------------------------------------------------------------

    def parse_payload(self, payload: Any) -> list[IncomingMention]:
        """Accepts saved API responses whose `response` holds posts: ``forums/listPosts``, ``threads/listPosts``,
        ``posts/list``, ``users/listPosts`` (a list) or ``posts/details`` (one post), a list of such envelopes
        (one per page), or bare post objects. Spam and unapproved posts are skipped, as when polling."""
        mentions: list[IncomingMention] = []
        for item in _posts_of(payload):
            reason = _skip_reason(item)
            if reason:
                logger.info("disqus: saved payload: post %s not stored: %s", item.get("id"), reason)
                continue
            mentions.append(_mention(item))
        return mentions


# --- HTTP ------------------------------------------------------------------------------


class _BudgetUsed(Exception):
    """A call not made: the poll's request budget is used up."""


@dataclass
class _Client:
    session: requests.Session
    api_key: str = field(repr=False)
    budget: int
    made: int = 0
    ratelimit: dict[str, Any] = field(default_factory=dict)
    exhausted_until: float | None = None

    @property
    def _exhausted_key(self) -> str:
        digest = hashlib.sha256(f"disqus-key:{self.api_key}".encode()).hexdigest()[:32]
        return f"disqus:exhausted:{digest}"

    def get(self, endpoint: str, params: dict[str, Any]) -> dict[str, Any]:
        now = time.time()
        until = _num(cache.get(self._exhausted_key))
        if until and until > now:
            raise RateLimited(
                "Disqus: no requests left for this API key until its rate-limit window resets "
                "(shared by every Disqus channel using the key)",
                retry_after=until - now,
            )
        if self.made >= self.budget:
            raise _BudgetUsed
        self.made += 1
        label = f"Disqus {endpoint}"
        try:
            response = self.session.get(
                f"{API_ROOT}/{endpoint}.json",
                params={**params, "api_key": self.api_key},
                timeout=settings.DESK_HTTP_TIMEOUT_SECONDS,
            )
        except requests.Timeout:
            raise TransientError(f"{label}: timed out after {settings.DESK_HTTP_TIMEOUT_SECONDS:g}s") from None
        except requests.exceptions.ContentDecodingError:
            raise PayloadError(f"{label}: the compressed response could not be decoded") from None
        except requests.RequestException as exc:
            # The exception's own message holds the URL, and with it the key: not kept.
            raise TransientError(f"{label}: network error ({exc.__class__.__name__})") from None
        self._read_ratelimit(response)
        try:
            return _envelope(label, response, self.api_key)
        except RateLimited as exc:
            if exc.retry_after:
                self._exhausted(time.time() + exc.retry_after)
            raise

    def _read_ratelimit(self, response: requests.Response) -> None:
        limit = _num(response.headers.get("X-Ratelimit-Limit"))
        remaining = _num(response.headers.get("X-Ratelimit-Remaining"))
        reset_at = _reset_epoch(response.headers.get("X-Ratelimit-Reset"))
        if limit is None and remaining is None and reset_at is None:
            return
        self.ratelimit = {
            "ratelimit_limit": int(limit) if limit is not None else None,
            "ratelimit_remaining": int(remaining) if remaining is not None else None,
            "ratelimit_reset_at": datetime.fromtimestamp(reset_at, tz=UTC).isoformat() if reset_at else None,
        }
        if remaining is not None and remaining < 1 and reset_at and reset_at > time.time():
            self._exhausted(reset_at)

    def _exhausted(self, until: float) -> None:
        self.exhausted_until = max(self.exhausted_until or until, until)
        cache.set(self._exhausted_key, self.exhausted_until, timeout=max(1, math.ceil(until - time.time()) + 1))

    def not_before(self) -> datetime | None:
        if self.exhausted_until and self.exhausted_until > time.time():
            return datetime.fromtimestamp(self.exhausted_until, tz=UTC)
        return None

    def platform_status(self) -> dict[str, Any]:
        # Always every key (None when Disqus sent no figures): channel_poll merges this into the stored
        # status, and old figures must not linger there under a new checked_at.
        return {
            "ratelimit_limit": None,
            "ratelimit_remaining": None,
            "ratelimit_reset_at": None,
            **self.ratelimit,
            "checked_at": datetime.now(tz=UTC).isoformat(),
        }


def _envelope(label: str, response: requests.Response, secret: str) -> dict[str, Any]:
    """The API's envelope `{"code": 0, "response": ...}`, or the error the poller should see."""
    status = response.status_code
    try:
        data = response.json()
    except ValueError:
        data = None
    code = _int_or_none(data.get("code")) if isinstance(data, dict) else None
    error = data if code not in (None, 0) else None
    retry_after = _retry_after(response)
    if error is not None and code in _RATE_CODES:
        raise _api_error(label, error, secret, retry_after)
    if status >= 500:
        detail = f": {_error_text(error, secret)}" if error else ""
        raise TransientError(f"{label}: HTTP {status}{detail}")
    if error is not None:
        raise _api_error(label, error, secret, retry_after)
    if status == 429:
        raise RateLimited(f"{label}: HTTP 429 Too Many Requests", retry_after=retry_after)
    if status in (401, 403):
        raise AuthError(f"{label}: HTTP {status}: check the channel's API key")
    if status >= 400:
        raise PermanentError(f"{label}: HTTP {status} {response.reason}")
    if data is None:
        raise PayloadError(f"{label}: response is not JSON ({_scrub(response.text[:120], secret)!r})")
    if code != 0 or "response" not in data:
        raise PayloadError(f'{label}: response is not a Disqus API envelope {{"code": 0, "response": ...}}')
    return data


def _error_text(error: dict[str, Any], secret: str) -> str:
    message = error.get("response")
    text = clean_text(message if isinstance(message, str) else str(message))[:300]
    return _scrub(f"error {error.get('code')}: {text}", secret)


def _api_error(label: str, error: dict[str, Any], secret: str, retry_after: float | None) -> Exception:
    code = _int_or_none(error.get("code"))
    text = f"{label}: {_error_text(error, secret)}"
    message = str(error.get("response") or "").lower()
    if code in _RATE_CODES:
        return RateLimited(text, retry_after=retry_after)
    if code == 5 or (code == 2 and "api_key" in message):
        return AuthError(f"{text} (the public API key was refused: check the channel's credentials)")
    if code in _AUTH_CODES:
        return AuthError(f"{text} (check the channel's API key and its Disqus application)")
    if code in _CONFIG_CODES:
        hint = " (check the channel's forum shortname)" if "forum" in message else ""
        return ConfigError(f"{text}{hint}")
    if code in _TRANSIENT_CODES:
        return TransientError(text)
    return PermanentError(text)


def _retry_after(response: requests.Response) -> float | None:
    """Seconds to wait: Retry-After, else the rate-limit window's reset."""
    seconds = _num(response.headers.get("Retry-After"))
    if seconds is not None and seconds > 0:
        return seconds
    reset_at = _reset_epoch(response.headers.get("X-Ratelimit-Reset"))
    if reset_at and reset_at > time.time():
        return reset_at - time.time()
    return None


def _reset_epoch(value: Any) -> float | None:
    """X-Ratelimit-Reset as epoch seconds; a small number is read as seconds from now."""
    number = _num(value)
    if number is None or number <= 0:
        return None
    return number if number >= 1_000_000_000 else time.time() + number


def _scrub(text: str, secret: str) -> str:
    return text.replace(secret, "REDACTED") if secret else text


def _api_key(channel: Any) -> str:
    from channels.secrets import CredentialsUnreadable

    try:
        credentials = channel.credentials
    except CredentialsUnreadable as exc:
        raise AuthError(str(exc)) from None
    key = credentials.get("api_key") if isinstance(credentials, dict) else None
    if not isinstance(key, str) or not key.strip():
        raise ConfigError(
            f"Disqus channel {channel.name!r} needs the public key of a Disqus API application in its credentials: "
            '{"api_key": "…"} (disqus.com/api/applications/).'
        )
    return key.strip()


def _next_cursor(cursor: Any) -> str | None:
    if not isinstance(cursor, dict) or cursor.get("hasNext") is not True:
        return None
    value = cursor.get("next")
    return value if isinstance(value, str) and value else None


# --- cursor ----------------------------------------------------------------------------


@dataclass
class _Cursor:
    since: int | None = None
    seen: dict[str, tuple[int, str]] = field(default_factory=dict)  # post id -> (created, signature)

    @classmethod
    def load(cls, raw: Any) -> _Cursor:
        """Tolerant: a missing or damaged cursor starts again from the backfill window (the ingest service
        drops what it already has)."""
        if not isinstance(raw, dict):
            return cls()
        since = raw.get("since")
        seen_raw = raw.get("seen") if isinstance(raw.get("seen"), dict) else {}
        seen = {
            str(post_id): (value[0], value[1])
            for post_id, value in seen_raw.items()
            if isinstance(value, list)
            and len(value) == 2
            and isinstance(value[0], int)
            and not isinstance(value[0], bool)
            and isinstance(value[1], str)
        }
        valid_since = isinstance(since, int) and not isinstance(since, bool)
        return cls(since=since if valid_since else None, seen=seen)

    def pruned(self, overlap: int) -> _Cursor:
        """Keeps what the next poll can still read again (created at or after `since - overlap`), newest first."""
        floor = (self.since or 0) - overlap
        kept = sorted(((k, v) for k, v in self.seen.items() if v[0] >= floor), key=lambda kv: (-kv[1][0], kv[0]))
        return _Cursor(since=self.since, seen=dict(kept[:SEEN_LIMIT]))

    def dump(self) -> dict[str, Any]:
        return {"version": 1, "since": self.since, "seen": {k: [t, sig] for k, (t, sig) in self.seen.items()}}


# --- items -----------------------------------------------------------------------------


def _posts_of(payload: Any) -> list[dict[str, Any]]:
    if isinstance(payload, list):
        posts: list[dict[str, Any]] = []
        for element in payload:
            if isinstance(element, dict) and ("code" in element or "response" in element):
                posts.extend(_posts_of(element))
            else:
                posts.append(_require_post(element))
        return posts
    if not isinstance(payload, dict):
        raise PayloadError('Expected a saved Disqus API response: a JSON object {"code": 0, "response": [...]}.')
    if "code" not in payload and "response" not in payload:
        return [_require_post(payload)]
    code = payload.get("code")
    if code != 0:
        message = payload.get("response")
        text = clean_text(message if isinstance(message, str) else str(message))[:200]
        raise PayloadError(f"This is a Disqus API error response (code {code}: {text}), not posts.")
    response = payload.get("response")
    if isinstance(response, dict):
        return [_require_post(response)]
    if not isinstance(response, list):
        raise PayloadError('"response" must be a list of posts or one post.')
    return [_require_post(item) for item in response]


def _require_post(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise PayloadError(f"Item is not a JSON object: {str(item)[:120]}")
    if "identifiers" in item or "posts" in item or ("link" in item and "title" in item):
        raise PayloadError(
            f"Item {item.get('id')} is a Disqus thread (an article: threads/details, forums/listThreads), not a "
            "comment: save its posts instead (threads/listPosts or forums/listPosts)."
        )
    if "id" not in item or "createdAt" not in item or not ("message" in item or "raw_message" in item):
        keys = ", ".join(sorted(str(k) for k in item)[:8])
        raise PayloadError(f"Item is not a Disqus post (no id, createdAt and message; keys: {keys}).")
    return item


def _identity(item: Any) -> tuple[str, datetime]:
    if not isinstance(item, dict):
        raise PayloadError(f"not a JSON object: {str(item)[:120]}")
    post_id = item.get("id")
    external_id = str(post_id).strip() if isinstance(post_id, str | int) and not isinstance(post_id, bool) else ""
    if not external_id:
        raise PayloadError(f"post without a usable id: {str(post_id)[:60]!r}")
    return external_id, _created_at(item.get("createdAt"), external_id)


def _created_at(value: Any, external_id: str) -> datetime:
    """`createdAt` has no zone ("2011-05-07T04:43:30"): it is UTC. An explicit offset is honoured."""
    if not isinstance(value, str) or not value.strip():
        raise PayloadError(f"Post {external_id} has no createdAt.")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise PayloadError(f"Post {external_id}: bad createdAt {value[:40]!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _skip_reason(item: dict[str, Any]) -> str:
    if item.get("isSpam") is True:
        return "marked as spam"
    if item.get("isApproved") is False:
        return "not approved (awaiting moderation)"
    return ""


def _signature(item: dict[str, Any]) -> str:
    """What `seen` remembers of a post's state: a change means it was edited or deleted."""
    state = f"{item.get('isDeleted') is True}\n{_str(item.get('message'))}\n{_str(item.get('raw_message'))}"
    return hashlib.sha256(state.encode()).hexdigest()[:12]


def _mention(item: dict[str, Any]) -> IncomingMention:
    external_id, created = _identity(item)
    thread = item.get("thread") if isinstance(item.get("thread"), dict) else None
    title = link = ""
    if thread is not None:
        title = _unescape(thread.get("clean_title") or thread.get("title"))
        link = safe_url(_str(thread.get("link"))).split("#", 1)[0]
    message = _str(item.get("message"))
    text = html_to_text(message) if message.strip() else clean_text(_str(item.get("raw_message")))
    handle, name, url = _author(item.get("author"))
    parent = _parent(item.get("parent"))
    return IncomingMention(
        external_id=external_id,
        created_at=created,
        text=text,
        title=title,
        author_handle=handle,
        author_name=name,
        author_url=url,
        permalink=f"{link}#comment-{external_id}" if link else "",
        parent_id=parent if parent != external_id else "",
        thread_id="",  # on purpose: see the module docstring (the article id stays in raw["thread"])
        deleted=item.get("isDeleted") is True,
        raw=_redact(item),
    )


def _author(author: Any) -> tuple[str, str, str]:
    """(handle, name, url). Guests (isAnonymous) have no username: their handle is empty."""
    if not isinstance(author, dict):
        return "", "", ""
    username = "" if author.get("isAnonymous") is True else clean_text(_str(author.get("username")))
    name = clean_text(_str(author.get("name"))) or username
    return username, name, safe_url(_str(author.get("profileUrl")))


def _parent(value: Any) -> str:
    """`parent` is an integer (or null); ids are strings."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip().isdigit():
        return value.strip()
    return ""


def _redact(value: Any) -> Any:
    """A copy without `email` and `ipAddress`, at any depth (moderator-level responses carry them)."""
    if isinstance(value, dict):
        return {k: _redact(v) for k, v in value.items() if k not in _PRIVATE_KEYS}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _unescape(value: Any) -> str:
    """Article titles come from the page's <title> and may carry entities (`&amp;`): stored as plain text."""
    return clean_text(html.unescape(_str(value)))
