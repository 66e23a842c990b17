"""X (Twitter) API v2: mentions of our handles and recent-search queries.

Sources. One mentions timeline per configured handle (`GET /2/users/{id}/mentions`) and one
recent search per configured query (`GET /2/tweets/search/recent`). Each source keeps its own
`since_id` in the channel cursor: `{"mentions:<user id>": "<since id>", "search:<query>": "<since id>"}`.

Paging. A poll sends `since_id=<cursor>` and follows `pagination_token` (timelines) or
`next_token` (search) with `since_id` held fixed. Results come newest first, so the first page's
`newest_id` is the new mark; it is stored only once the last page is done. A page with
`result_count` 0 has no `newest_id` and leaves the mark where it was. A walk that has to stop
early (the endpoint's rate-limit window is used up, or MAX_PAGES_PER_SOURCE pages in one poll)
stores where it stopped under `cursor["pending"][<source>]` and the next poll carries on from
there before asking for anything newer: next tokens do not expire, and the pages already read are
stored with that cursor in the same transaction, so nothing is read twice or skipped.

First poll. With no mark yet a source reads only its first page (up to `max_results` posts) and
starts from there: no deep backfill, because X bills every post it returns and the mentions
timeline only reaches back about 800 posts anyway.

Recent search reaches back 7 days and refuses (HTTP 400) a `since_id` older than that. A quiet
query keeps its old mark, so once the mark is out of reach the poll walks the whole 7-day window
without `since_id` instead (all pages, not just the first).

Rate limits. Every response carries `x-rate-limit-remaining` and `x-rate-limit-reset` (epoch
seconds) per endpoint; once remaining is 0 the poll stops calling that endpoint and asks not to
be polled before the reset (`FetchResult.not_before`). A 429 raises `RateLimited` with
`retry_after` = reset - now, and the cursor stays where it was.

Ids are 64-bit: kept as strings, compared as ints. An edited post gets a new id and lists the
original first in `edit_history_tweet_ids`; the original id is the external id, so an edit is
the same message. Posts without `created_at` (a response requested without `tweet.fields`) get
their creation time from the Snowflake id: ms since the Unix epoch = (id >> 22) + 1288834974657.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings
from django.utils import timezone

from channels.secrets import CredentialsUnreadable
from channels.text import clean_text, safe_url

from .base import (
    AuthError,
    ConfigError,
    FetchResult,
    IncomingMention,
    PayloadError,
    PermanentError,
    RateLimited,
    ReplyError,
    SentReply,
    TransientError,
)

if TYPE_CHECKING:
    from channels.models import Channel

logger = logging.getLogger(__name__)

API_ROOT = "https://api.x.com/2"
MENTIONS_URL = API_ROOT + "/users/{user_id}/mentions"
SEARCH_URL = API_ROOT + "/tweets/search/recent"
USER_URL = API_ROOT + "/users/{user_id}"
TWEETS_URL = API_ROOT + "/tweets"
PROFILE_URL = "https://x.com/{username}"
STATUS_URL = "https://x.com/{username}/status/{id}"
WEB_STATUS_URL = "https://x.com/i/web/status/{id}"

# Without these X returns only id, text and edit_history_tweet_ids.
READ_PARAMS: dict[str, str] = {
    "tweet.fields": (
        "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,entities,edit_history_tweet_ids"
    ),
    "expansions": "author_id",
    "user.fields": "username,name",
}

CONFIG_KEYS = ("handles", "search_queries", "monthly_read_budget", "max_results", "availability_keywords")
HANDLE_KEYS = ("username", "user_id", "role")
ROLES = ("main", "status", "other")
DEFAULT_MAX_RESULTS = 100
SEARCH_MIN_RESULTS = 10  # recent search takes 10..100, the mentions timeline 5..100
MAX_QUERY_LENGTH = 4096
DEFAULT_AVAILABILITY_KEYWORDS = ("down", "outage", "502", "503", "unavailable", "not loading")
# A poll walks at most this many pages per source; the rest waits in cursor["pending"].
MAX_PAGES_PER_SOURCE = 10
# Recent search refuses a since_id older than 7 days; an hour of margin for clocks and slow polls.
SEARCH_REACH = timedelta(days=7) - timedelta(hours=1)
# X windows are 15 minutes: the wait after a 429 that did not say when to come back.
DEFAULT_RATE_LIMIT_WAIT = 900

SNOWFLAKE_EPOCH_MS = 1288834974657
# Ids below this predate Snowflake (Nov 2010: sequential, about 3e10 at most) and carry no time.
FIRST_SNOWFLAKE_ID = 1 << 40

_USERNAME_RE = re.compile(r"[A-Za-z0-9_]{1,15}")
_DIGITS_RE = re.compile(r"[0-9]{1,20}")


@dataclass
class _Source:
    key: str  # cursor key
    endpoint: str  # X rate-limits per endpoint: "mentions" (all handles share it) or "search"
    url: str
    page_param: str  # "pagination_token" (timelines) or "next_token" (search)
    params: dict[str, Any]


@dataclass
class _Calls:
    """What one poll (or one test_connection) learnt from X's responses."""

    session: requests.Session
    token: str
    requests_made: int = 0
    reads: int = 0
    rate: dict[str, dict[str, Any]] = field(default_factory=dict)
    exhausted: dict[str, datetime] = field(default_factory=dict)


class TwitterAdapter:
    kind = "twitter"

    # --- configuration ------------------------------------------------------------------

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(config, dict):
            raise ConfigError(
                'Config must be a JSON object like {"handles": [{"username": "GitLab", "user_id": "2244994945", '
                '"role": "main"}]}.'
            )
        unknown = set(config) - set(CONFIG_KEYS)
        if unknown:
            raise ConfigError(f"Unknown X setting(s): {', '.join(sorted(unknown))} (known: {', '.join(CONFIG_KEYS)}).")
        result: dict[str, Any] = {"handles": _clean_handles(config.get("handles"))}
        if "search_queries" in config:
            result["search_queries"] = _clean_strings(
                config["search_queries"], "search_queries", example='["\\"gitlab ci\\" -is:retweet"]'
            )
            too_long = [q for q in result["search_queries"] if len(q) > MAX_QUERY_LENGTH]
            if too_long:
                raise ConfigError(f'"search_queries": a query is longer than {MAX_QUERY_LENGTH} characters.')
            if len(set(result["search_queries"])) != len(result["search_queries"]):
                raise ConfigError('"search_queries" lists the same query twice.')
        if "monthly_read_budget" in config:
            budget = config["monthly_read_budget"]
            if not _is_int(budget) or budget < 1:
                raise ConfigError('"monthly_read_budget" must be a whole number of posts of at least 1, e.g. 10000.')
            result["monthly_read_budget"] = budget
        if "max_results" in config:
            max_results = config["max_results"]
            if not _is_int(max_results) or not 5 <= max_results <= 100:
                raise ConfigError('"max_results" must be a whole number between 5 and 100.')
            result["max_results"] = max_results
        if "availability_keywords" in config:
            result["availability_keywords"] = _clean_strings(
                config["availability_keywords"], "availability_keywords", example='["down", "outage", "502"]'
            )
        return result

    def own_accounts(self, config: dict[str, Any]) -> list[str]:
        """Our handles' usernames: posts by them are our replies, never tickets."""
        return [h["username"] for h in self.validate_config(config)["handles"]]

    # --- polling ------------------------------------------------------------------------

    def fetch(self, *, channel: Channel, session: requests.Session) -> FetchResult:
        config = self.validate_config(channel.config)
        calls = _Calls(session=session, token=self._bearer(channel))
        old = channel.cursor if isinstance(channel.cursor, dict) else {}
        old_pending = old.get("pending") if isinstance(old.get("pending"), dict) else {}

        cursor: dict[str, Any] = {}
        pending: dict[str, Any] = {}
        found: list[IncomingMention] = []
        for source in _sources(config):
            since_id = _as_id(old.get(source.key))
            mark, stopped_at, mentions = self._walk(calls, source, since_id, _as_pending(old_pending.get(source.key)))
            found.extend(mentions)
            if mark:
                cursor[source.key] = mark
            if stopped_at:
                pending[source.key] = stopped_at
        if pending:
            cursor["pending"] = pending
        return FetchResult(
            mentions=_dedupe(found),
            cursor=cursor,
            requests_made=calls.requests_made,
            not_before=max(calls.exhausted.values(), default=None),
            reads=calls.reads,
            platform_status={"rate_limit": {**_stored_rate_limits(channel), **calls.rate}} if calls.rate else {},
        )

    def _walk(
        self, calls: _Calls, source: _Source, since_id: str | None, pending: dict[str, Any] | None
    ) -> tuple[str | None, dict[str, Any] | None, list[IncomingMention]]:
        """Read one source. Returns (mark to store, where a cut-short walk stopped, mentions)."""
        if pending and not _since_accepted(source, pending["since_id"]):
            pending = None  # parked too long: its since_id went out of reach, start the walk again
        if pending:
            since_param, token, newest = pending["since_id"], pending["next_token"], pending["newest_id"]
            walk_all = True
        else:
            # Out of search's reach, the whole 7-day window is newer than the mark: walk it all.
            since_param = since_id if _since_accepted(source, since_id) else None
            token = newest = None
            walk_all = since_id is not None  # first poll (no mark): the first page only
        found: list[IncomingMention] = []
        pages = 0
        while True:
            if source.endpoint in calls.exhausted or pages >= MAX_PAGES_PER_SOURCE:
                stopped = {"next_token": token, "newest_id": newest, "since_id": since_param} if token else None
                return since_id, stopped, found
            params = dict(source.params)
            if since_param:
                params["since_id"] = since_param
            if token:
                params[source.page_param] = token
            body = self._get(calls, source.endpoint, source.url, params)
            pages += 1
            tweets, users = _response_parts(body)
            calls.reads += len(tweets)
            found.extend(m for m in (_mention(t, users) for t in tweets) if m is not None)
            if newest is None:
                newest = _newest_id(body, tweets)
            token = _next_token(body)
            if not token or not walk_all:
                return _max_id(since_id, newest), None, found

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        config = self.validate_config(channel.config)
        main = _handle_with_role(config, "main")
        calls = _Calls(session=session, token=self._bearer(channel))
        body = self._get(calls, "users", USER_URL.format(user_id=main["user_id"]), {})
        user = body.get("data") if isinstance(body, dict) else None
        if not isinstance(user, dict):
            raise ConfigError(
                f"X knows no user with id {main['user_id']} (configured for @{main['username']}): "
                f"{_errors_text(body) or 'no data in the answer'}"
            )
        username, name = clean_text(str(user.get("username") or "?")), clean_text(str(user.get("name") or ""))
        summary = f"X answered: @{username} ({name})" if name else f"X answered: @{username}"
        if username.casefold() != main["username"].casefold():
            summary += f"; note: user id {main['user_id']} is configured as @{main['username']}"
        limits = calls.rate.get("users")
        if limits and limits.get("remaining") is not None:
            summary += f", rate limit {limits['remaining']}/{limits.get('limit', '?')}"
            if limits.get("reset"):
                summary += f" until {datetime.fromisoformat(limits['reset']):%H:%M} UTC"
        return summary

    # --- HTTP -----------------------------------------------------------------------------

    def _bearer(self, channel: Channel) -> str:
        try:
            credentials = channel.credentials
        except CredentialsUnreadable as exc:
            raise AuthError(str(exc)) from exc
        token = credentials.get("bearer_token") if isinstance(credentials, dict) else None
        if not isinstance(token, str) or not token.strip():
            raise AuthError("X channel has no bearer_token credential: add the app's bearer token in admin.")
        return token.strip()

    def _get(self, calls: _Calls, endpoint: str, url: str, params: dict[str, Any]) -> Any:
        try:
            response = calls.session.get(
                url,
                params=params,
                headers={"Authorization": f"Bearer {calls.token}"},
                timeout=settings.DESK_HTTP_TIMEOUT_SECONDS,
            )
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise TransientError(_scrub(f"X {endpoint}: no answer ({exc.__class__.__name__})", calls.token)) from exc
        calls.requests_made += 1
        limits = _rate_limit(response)
        if limits:
            calls.rate[endpoint] = {
                key: (value.isoformat() if isinstance(value, datetime) else value) for key, value in limits.items()
            }
            if limits.get("remaining") == 0 and limits.get("reset"):
                calls.exhausted[endpoint] = limits["reset"]
        status = response.status_code
        if status == 429:
            retry_after, until = _retry_after(response, limits)
            raise RateLimited(
                _scrub(f"X {endpoint}: HTTP 429 {_platform_error(response)}; next call after {until}", calls.token),
                retry_after=retry_after,
            )
        if status in (401, 403):
            raise AuthError(
                _scrub(
                    f"X {endpoint}: HTTP {status} {_platform_error(response)}: check the channel's bearer_token "
                    "credential and the app's access level.",
                    calls.token,
                )
            )
        if status >= 500:
            raise TransientError(f"X {endpoint}: HTTP {status} {response.reason or ''}".rstrip())
        if status >= 400:
            # Our request is wrong (usually the config, e.g. a search query X cannot parse):
            # asking again unchanged would fail the same way.
            raise PermanentError(_scrub(f"X {endpoint}: HTTP {status} {_platform_error(response)}", calls.token))
        try:
            body = response.json()
        except ValueError as exc:
            raise PayloadError(f"X {endpoint}: response is not JSON ({response.text[:120]!r})") from exc
        if isinstance(body, dict) and body.get("errors"):
            # Partial errors next to (or instead of) data: deleted or protected posts and
            # suspended authors. The data is kept; the errors are only worth a log line.
            logger.warning("twitter: %s answered with errors: %s", endpoint, _errors_text(body)[:300])
        return body

    # --- parsing --------------------------------------------------------------------------

    def parse_payload(self, payload: Any) -> list[IncomingMention]:
        """Accepts a saved X API v2 response holding posts (mentions timeline, recent search,
        post lookup: `{"data": [...] or {...}, "includes": {...}, "meta": {...}}`) or a list of
        them (one per page). Retweets are skipped; an edited post counts once (its latest version)."""
        if isinstance(payload, list):
            return _dedupe([m for page in payload for m in self.parse_payload(page)])
        tweets, users = _response_parts(payload)
        return _dedupe([m for m in (_mention(t, users) for t in tweets) if m is not None])

    # --- replying -------------------------------------------------------------------------

    def choose_reply_handle(self, *, config: dict[str, Any], mentioned: list[str], text: str) -> str:
        """Which of our handles answers a post (the handbook's respond-from rule).

        Several of our handles mentioned: the main handle, or the status handle (if there is one)
        when the post is about availability. Exactly one mentioned: that handle. None (a search
        result): the main handle.
        """
        config = self.validate_config(config)
        ours = {h["username"].casefold(): h for h in config["handles"]}
        hits: list[dict[str, Any]] = []
        for name in mentioned:
            handle = ours.get(str(name).strip().lstrip("@").casefold())
            if handle is not None and handle not in hits:
                hits.append(handle)
        main = _handle_with_role(config, "main")
        if len(hits) == 1:
            return hits[0]["username"]
        if len(hits) > 1:
            status = next((h for h in config["handles"] if h["role"] == "status"), None)
            keywords = config.get("availability_keywords", DEFAULT_AVAILABILITY_KEYWORDS)
            if status is not None and _mentions_any(text, keywords):
                return status["username"]
        return main["username"]

    def post_reply(
        self, *, channel: Channel, session: requests.Session, handle: str, in_reply_to_tweet_id: str, text: str
    ) -> SentReply:
        try:
            config = self.validate_config(channel.config)
        except ConfigError as exc:
            raise ReplyError(f"The channel's X settings are invalid: {exc}") from exc
        ours = {h["username"].casefold(): h["username"] for h in config["handles"]}
        wanted = str(handle or "").strip().lstrip("@")
        if wanted.casefold() not in ours:
            names = ", ".join(f"@{h}" for h in ours.values())
            raise ReplyError(f"@{wanted} is not one of this channel's X handles ({names}).")
        handle = ours[wanted.casefold()]
        reply_to = _as_id(in_reply_to_tweet_id)
        if reply_to is None:
            raise ReplyError(f"Cannot reply to {str(in_reply_to_tweet_id)[:40]!r}: not an X post id.")
        if not text or not text.strip():
            raise ReplyError("The reply is empty.")
        token = self._access_token(channel, handle)
        try:
            response = session.post(
                TWEETS_URL,
                json={"text": text, "reply": {"in_reply_to_tweet_id": reply_to}},
                headers={"Authorization": f"Bearer {token}"},
                timeout=settings.DESK_HTTP_TIMEOUT_SECONDS,
            )
        except requests.ConnectTimeout as exc:
            raise ReplyError("Could not reach X (connection timed out): the reply was not posted.") from exc
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise ReplyError(
                f"X did not answer ({exc.__class__.__name__}): the reply may have been posted; "
                f"check @{handle}'s replies before sending it again."
            ) from exc
        status = response.status_code
        if 200 <= status < 300:
            try:
                body = response.json()
            except ValueError:
                body = {}
            data = body.get("data") if isinstance(body, dict) else None
            tweet_id = _as_id(data.get("id")) if isinstance(data, dict) else None
            # The 201 also names the new post in its Location header (…/2/tweets/{id}).
            tweet_id = tweet_id or _as_id(response.headers.get("Location", "").rstrip("/").rpartition("/")[2])
            if tweet_id is None:
                raise ReplyError(f"X accepted the reply but named no post id: check @{handle}'s replies.")
            return SentReply(
                external_id=tweet_id,
                permalink=STATUS_URL.format(username=handle, id=tweet_id),
                created_at=timezone.now(),
                raw=body if isinstance(body, dict) else {},
            )
        message = f"X refused the reply ({status}): {_platform_error(response)}"
        if status == 429:
            _, until = _retry_after(response, _rate_limit(response))
            message += f". Try again after {until}."
        elif status == 401:
            message += f" (the access token for @{handle} may have expired or been revoked)"
        raise ReplyError(_scrub(message, token))

    def _access_token(self, channel: Channel, handle: str) -> str:
        try:
            credentials = channel.credentials
        except CredentialsUnreadable as exc:
            raise ReplyError(str(exc)) from exc
        per_handle = credentials.get("handles") if isinstance(credentials, dict) else None
        per_handle = per_handle if isinstance(per_handle, dict) else {}
        entry = per_handle.get(handle)
        if entry is None:
            entry = next((v for k, v in per_handle.items() if str(k).lstrip("@").casefold() == handle.casefold()), None)
        token = entry.get("access_token") if isinstance(entry, dict) else None
        if not isinstance(token, str) or not token.strip():
            raise ReplyError(f"No access token configured for @{handle}")
        return token.strip()


# --- configuration helpers -----------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _clean_strings(value: Any, key: str, *, example: str) -> list[str]:
    if not isinstance(value, list):
        raise ConfigError(f'"{key}" must be a list of strings, e.g. {example}.')
    cleaned = [v.strip() for v in value if isinstance(v, str) and v.strip()]
    if len(cleaned) != len(value):
        raise ConfigError(f'Every entry of "{key}" must be a non-empty string.')
    return cleaned


def _clean_handles(value: Any) -> list[dict[str, str]]:
    example = '[{"username": "GitLab", "user_id": "2244994945", "role": "main"}]'
    if not isinstance(value, list) or not value:
        raise ConfigError(f'"handles" must be a non-empty list of our X accounts, e.g. {example}.')
    handles: list[dict[str, str]] = []
    for n, entry in enumerate(value):
        where = f"handles[{n}]"
        if not isinstance(entry, dict):
            raise ConfigError(
                f'{where} must be an object like {{"username": "GitLab", "user_id": "…", "role": "main"}}.'
            )
        unknown = set(entry) - set(HANDLE_KEYS)
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}.")
        username = entry.get("username")
        username = username.strip().removeprefix("@") if isinstance(username, str) else username
        if not isinstance(username, str) or not _USERNAME_RE.fullmatch(username):
            raise ConfigError(f'{where}: "username" must be 1-15 letters, digits or underscores (got {username!r}).')
        user_id = entry.get("user_id")
        if not isinstance(user_id, str) or not _DIGITS_RE.fullmatch(user_id.strip()):
            raise ConfigError(
                f'{where} (@{username}): "user_id" must be the numeric account id as a string, e.g. "2244994945" '
                "(X ids are 64-bit: quoted, no tool can round them)."
            )
        role = entry.get("role")
        if role not in ROLES:
            raise ConfigError(f'{where} (@{username}): "role" must be one of {", ".join(ROLES)} (got {role!r}).')
        handles.append({"username": username, "user_id": user_id.strip(), "role": role})
    names = [h["username"].casefold() for h in handles]
    if len(set(names)) != len(names):
        raise ConfigError('"handles" lists the same username twice.')
    ids = [h["user_id"] for h in handles]
    if len(set(ids)) != len(ids):
        raise ConfigError('"handles" lists the same user_id twice.')
    roles = [h["role"] for h in handles]
    if roles.count("main") != 1:
        raise ConfigError(f'"handles" needs exactly one handle with role "main" (found {roles.count("main")}).')
    if roles.count("status") > 1:
        raise ConfigError('"handles" may have at most one handle with role "status".')
    return handles


def _handle_with_role(config: dict[str, Any], role: str) -> dict[str, str]:
    return next(h for h in config["handles"] if h["role"] == role)


def _sources(config: dict[str, Any]) -> list[_Source]:
    max_results = config.get("max_results", DEFAULT_MAX_RESULTS)
    sources = [
        _Source(
            key=f"mentions:{h['user_id']}",
            endpoint="mentions",
            url=MENTIONS_URL.format(user_id=h["user_id"]),
            page_param="pagination_token",
            params={**READ_PARAMS, "max_results": max_results},
        )
        for h in config["handles"]
    ]
    sources += [
        _Source(
            key=f"search:{query}",
            endpoint="search",
            url=SEARCH_URL,
            page_param="next_token",
            params={"query": query, **READ_PARAMS, "max_results": max(max_results, SEARCH_MIN_RESULTS)},
        )
        for query in config.get("search_queries", [])
    ]
    return sources


def _mentions_any(text: str, keywords: Any) -> bool:
    """Whether `text` contains one of `keywords` as a whole word or phrase, ignoring case."""
    for keyword in keywords:
        words = str(keyword).split()
        if words:
            pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
            if re.search(pattern, text or "", re.IGNORECASE):
                return True
    return False


# --- id and cursor helpers -----------------------------------------------------------------


def _as_id(value: Any) -> str | None:
    """A post/user id as a string of digits, or None. Ints are accepted (never floats)."""
    if _is_int(value) and value >= 0:
        return str(value)
    if isinstance(value, str) and _DIGITS_RE.fullmatch(value.strip()):
        return value.strip()
    return None


def _max_id(*ids: str | None) -> str | None:
    present = [i for i in ids if i]
    return max(present, key=int) if present else None


def _as_pending(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict) or not isinstance(value.get("next_token"), str) or not value["next_token"]:
        return None
    return {
        "next_token": value["next_token"],
        "newest_id": _as_id(value.get("newest_id")),
        "since_id": _as_id(value.get("since_id")),
    }


def snowflake_time(tweet_id: str) -> datetime:
    """The creation time encoded in a Snowflake id (ms precision)."""
    number = int(tweet_id)
    if number < FIRST_SNOWFLAKE_ID:
        raise PayloadError(
            f"Post {tweet_id} has no created_at and its id predates Snowflake ids, so it carries no time: "
            "request it with tweet.fields=created_at."
        )
    ms = (number >> 22) + SNOWFLAKE_EPOCH_MS
    return datetime.fromtimestamp(ms // 1000, tz=UTC) + timedelta(milliseconds=ms % 1000)


def _since_accepted(source: _Source, since_id: str | None) -> bool:
    """Recent search answers 400 to a since_id older than 7 days; timelines take any."""
    if source.endpoint != "search" or not since_id:
        return True
    return int(since_id) >= FIRST_SNOWFLAKE_ID and snowflake_time(since_id) > timezone.now() - SEARCH_REACH


def _next_token(body: Any) -> str | None:
    meta = body.get("meta") if isinstance(body, dict) else None
    token = meta.get("next_token") if isinstance(meta, dict) else None
    return token if isinstance(token, str) and token else None


def _newest_id(body: Any, tweets: list[dict[str, Any]]) -> str | None:
    meta = body.get("meta") if isinstance(body, dict) else None
    newest = _as_id(meta.get("newest_id")) if isinstance(meta, dict) else None
    # Only trust the numbers: the newest of meta and every id on the page.
    return _max_id(newest, *(_as_id(t.get("id")) for t in tweets))


# --- HTTP helpers --------------------------------------------------------------------------


def _scrub(message: str, secret: str) -> str:
    return message.replace(secret, "[redacted]") if secret else message


def _rate_limit(response: requests.Response) -> dict[str, Any]:
    limits: dict[str, Any] = {}
    for key in ("limit", "remaining", "reset"):
        value = response.headers.get(f"x-rate-limit-{key}")
        try:
            limits[key] = int(value) if value is not None else None
        except ValueError:
            limits[key] = None
    if limits["reset"] is not None:
        try:
            limits["reset"] = datetime.fromtimestamp(limits["reset"], tz=UTC)
        except (OverflowError, OSError, ValueError):
            limits["reset"] = None
    return {k: v for k, v in limits.items() if v is not None}


def _stored_rate_limits(channel: Channel) -> dict[str, Any]:
    """The figures earlier polls stored, so endpoints not called this time keep theirs."""
    status = channel.platform_status if isinstance(channel.platform_status, dict) else {}
    stored = status.get("rate_limit")
    return dict(stored) if isinstance(stored, dict) else {}


def _retry_after(response: requests.Response, limits: dict[str, Any]) -> tuple[float, str]:
    """Seconds to wait after a 429 and the time as 'HH:MM UTC'."""
    reset = limits.get("reset") if limits else None
    if reset is not None:
        wait = max((reset - timezone.now()).total_seconds(), 1.0)
    else:
        try:
            wait = max(float(response.headers.get("Retry-After", "")), 1.0)
        except ValueError:
            wait = float(DEFAULT_RATE_LIMIT_WAIT)
        reset = timezone.now() + timedelta(seconds=wait)
    return wait, f"{reset:%H:%M} UTC"


def _errors_text(body: Any) -> str:
    if not isinstance(body, dict):
        return ""
    messages = []
    for error in body.get("errors") or []:
        if isinstance(error, dict):
            text = error.get("message") or error.get("detail") or error.get("title")
            if text:
                messages.append(clean_text(str(text)))
    return "; ".join(dict.fromkeys(messages))


def _platform_error(response: requests.Response) -> str:
    """X's own words about a failed call: `errors[].message`, or problem+json `detail`/`title`."""
    try:
        body = response.json()
    except ValueError:
        body = None
    text = _errors_text(body)
    if not text and isinstance(body, dict):
        text = clean_text(str(body.get("detail") or body.get("title") or ""))
    return (text or response.reason or f"HTTP {response.status_code}")[:500]


# --- parsing helpers -----------------------------------------------------------------------


def _response_parts(payload: Any) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The posts of one v2 response and its expanded users by id."""
    if not isinstance(payload, dict):
        raise PayloadError('Expected an X API v2 response: a JSON object with "data" (or a list of them).')
    if "data" not in payload:
        if "errors" in payload or "meta" in payload:
            return [], {}  # nothing new (result_count 0), or only errors for missing posts
        raise PayloadError(f'Not an X API v2 response: no "data" (keys: {", ".join(sorted(map(str, payload))[:8])}).')
    data = payload["data"]
    if isinstance(data, dict):
        if "deleted" in data and "text" not in data:
            raise PayloadError('This is the answer to DELETE /2/tweets/:id ({"deleted": …}), not posts to ingest.')
        if set(data) == {"id", "text"} and not payload.get("includes") and "meta" not in payload:
            raise PayloadError(
                "This looks like the answer to POST /2/tweets (a post we created: only id and text), not a "
                "mention. Our replies are recorded when the desk sends them."
            )
        tweets = [data]
    elif isinstance(data, list):
        tweets = data
    else:
        raise PayloadError('"data" must be a post object or a list of posts.')
    for tweet in tweets:
        if not isinstance(tweet, dict) or _as_id(tweet.get("id")) is None or not isinstance(tweet.get("text"), str):
            raise PayloadError(f"Not an X post (needs a numeric id and a text): {str(tweet)[:200]}")
    includes = payload.get("includes") if isinstance(payload.get("includes"), dict) else {}
    users = {
        str(u["id"]): u for u in includes.get("users") or [] if isinstance(u, dict) and _as_id(u.get("id")) is not None
    }
    return tweets, users


def _parse_time(value: Any, tweet_id: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise PayloadError(f"Post {tweet_id}: bad created_at {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _text(tweet: dict[str, Any]) -> str:
    # X sends plain text with &amp; &lt; &gt; escaped. Unescape first: expanded URLs are not escaped.
    text = html.unescape(tweet["text"])
    entities = tweet.get("entities") if isinstance(tweet.get("entities"), dict) else {}
    for url in entities.get("urls") or []:
        if isinstance(url, dict) and isinstance(url.get("url"), str) and url["url"]:
            expanded = safe_url(url.get("expanded_url") if isinstance(url.get("expanded_url"), str) else "")
            if expanded:
                text = text.replace(url["url"], expanded)
    return clean_text(text)


def _mention(tweet: dict[str, Any], users: dict[str, dict[str, Any]]) -> IncomingMention | None:
    """One post as a mention; None for retweets (they repeat someone else's post)."""
    tweet_id = _as_id(tweet["id"]) or ""  # never empty: _response_parts checked it
    refs = [r for r in tweet.get("referenced_tweets") or [] if isinstance(r, dict)]
    if any(r.get("type") == "retweeted" for r in refs) or tweet["text"].startswith("RT @"):
        return None
    history = [_as_id(i) for i in tweet.get("edit_history_tweet_ids") or []]
    original = history[0] if history and history[0] else tweet_id
    created = _parse_time(tweet["created_at"], tweet_id) if tweet.get("created_at") else None
    edited_at = None
    if original != tweet_id:
        # An edit: same message as the original, first asked at the original's time.
        edited_at = created or snowflake_time(tweet_id)
        created = snowflake_time(original)
    elif created is None:
        created = snowflake_time(tweet_id)

    author = users.get(str(tweet.get("author_id"))) if tweet.get("author_id") is not None else None
    username = clean_text(str(author.get("username") or "")) if author else ""
    if not _USERNAME_RE.fullmatch(username):
        username = ""
    name = clean_text(str(author.get("name") or "")) if author else ""
    entities = tweet.get("entities") if isinstance(tweet.get("entities"), dict) else {}
    mentioned = [
        m["username"]
        for m in entities.get("mentions") or []
        if isinstance(m, dict) and isinstance(m.get("username"), str)
    ]
    parent = next((_as_id(r.get("id")) for r in refs if r.get("type") == "replied_to"), None) or ""
    conversation = _as_id(tweet.get("conversation_id")) or ""
    raw: dict[str, Any] = {**tweet, "mentioned_handles": mentioned}
    if author:
        raw["author"] = author
    return IncomingMention(
        external_id=original,
        created_at=created,
        text=_text(tweet),
        author_handle=username,
        author_name=name or username,
        author_url=PROFILE_URL.format(username=username) if username else "",
        permalink=STATUS_URL.format(username=username, id=tweet_id) if username else WEB_STATUS_URL.format(id=tweet_id),
        parent_id=parent if parent not in (tweet_id, original) else "",
        thread_id=conversation if conversation not in (tweet_id, original) else "",
        edited_at=edited_at,
        raw=raw,
    )


def _dedupe(mentions: list[IncomingMention]) -> list[IncomingMention]:
    """One mention per external id (several sources, pages or edits of one post): the latest
    version, i.e. the highest post id, in the order first seen."""
    best: dict[str, IncomingMention] = {}
    for mention in mentions:
        kept = best.get(mention.external_id)
        if kept is None or int(mention.raw["id"]) > int(kept.raw["id"]):
            best[mention.external_id] = mention
    return list(best.values())
