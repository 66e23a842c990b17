"""Reddit through its OAuth API (https://oauth.reddit.com).

What a poll reads ("streams"):
* for each configured subreddit, its newest posts (`/r/{sub}/new`) and, unless
  `include_comments` is false, its newest comments (`/r/{sub}/comments`): a watched
  subreddit is taken in full;
* for each keyword, a site-wide search of posts (`/search?q=…&sort=new&type=link`). Reddit's
  API cannot search comments, so a keyword finds posts anywhere and comments only inside the
  configured subreddits. Search is neither exhaustive nor immediate: raise `overlap_seconds`
  if late-indexed posts are missed.

Cursor (never a `before` fullname: when the item it names is deleted, Reddit answers an empty
listing forever, see fixtures/reddit/subreddit_comments_empty_before.json):
    {"streams": {"r/gitlab/new": {"created_utc": 1696754768.0, "polled_at": 1696754800.0,
                                  "resume": {"after": "t3_x", "floor": 1696750000.0}}, ...},
     "seen": {"t3_abc": [1696754768, 0], ...}}
Each stream keeps its own `created_utc` high-water mark, so a stream that was not walked (the
request cap or the rate limit stopped the poll first) keeps its mark and the cursor only moves past
what this fetch returned. A poll reads the newest 100 of a stream with no `before` and pages back
with `after` only while everything on the page is unseen and newer than `mark - overlap_seconds` (an
item counts as seen here if it was handed over and is not newer than this stream's mark: one first
found by another stream does not end the walk). If the request cap cuts a walk short, `resume`
remembers where to go on next time, down to the old floor. `seen` maps recently handed-over
fullnames to [created_utc, signature]: it drops repeats in the overlap window, and an item whose
edit time or deleted state changed since then is handed over again (with `edited_at`/`deleted`) so
the ingest can update it. It keeps only what the next floors can still reach, at most 1,000.

Rate limits: Reddit allows about 100 requests per minute per OAuth client. Every Reddit channel
using the same client_id shares a per-minute counter in the Django cache (Redis); past
`requests_per_minute` the adapter raises RateLimited before sending anything (token calls go to
www.reddit.com, are rare and are not counted). Reddit's own
`x-ratelimit-remaining`/`x-ratelimit-reset` headers are read on every response: when none are
left, no further call goes out for that client until the reset, and the poll asks to be
scheduled after it (`FetchResult.not_before`). Being rate-limited part-way through a poll is flow
control, not failure: the streams already walked are returned and the others keep their
cursor, so channels sharing one budget all make progress.

Credentials (channel.credentials): client_id and client_secret (app-only, client_credentials
grant), plus username and password for a "script" app (password grant). They are never
logged or put in messages; the token cache key is a hash.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import requests
from django.conf import settings
from django.core.cache import cache

from channels.text import clean_text

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

AUTH_URL = "https://www.reddit.com/api/v1/access_token"
API_URL = "https://oauth.reddit.com"
WEB_URL = "https://www.reddit.com"
USER_URL = WEB_URL + "/user/{user}"

PAGE_SIZE = 100  # Reddit's maximum `limit`
MAX_PAGES_PER_STREAM = 10  # listings end after about 1,000 items anyway
SEEN_LIMIT = 1000
TOKEN_REFRESH_MARGIN = 60  # seconds before `expires_in` at which a token is replaced

DEFAULTS: dict[str, Any] = {
    "keywords": [],
    "subreddits": [],
    "include_comments": True,
    "overlap_seconds": 600,
    "backfill_hours": 24,
    # Reddit's free tier: 100 requests per minute per OAuth client, shared by every channel
    # using that client on this deployment. Keep some headroom for test_connection and retries.
    "requests_per_minute": 90,
    "max_requests_per_poll": 30,
}
_INT_LIMITS: dict[str, tuple[int, int]] = {
    "overlap_seconds": (0, 86_400),
    "backfill_hours": (0, 720),
    "requests_per_minute": (1, 100),
    "max_requests_per_poll": (1, 1000),
}
# Reddit's rule (r2 `subreddit_rx`): 3-21 letters, digits or underscores, not starting with an
# underscore; plus the old two-letter language subreddits such as r/de.
_SUBREDDIT_RE = re.compile(r"\A(?:[A-Za-z0-9][A-Za-z0-9_]{2,20}|[A-Za-z]{2})\Z")
_PSEUDO_SUBREDDITS = {"all", "popular", "friends", "mod", "random", "randnsfw", "myrandom", "home"}
_CONTEXT_LINK_RE = re.compile(r"/comments/([a-z0-9]+)/", re.IGNORECASE)
_KINDS = ("t1", "t3")  # comment, post; messages (t4), subreddits (t5) and "more" are skipped
_PATH_SAFE = "/%_-.~!$&'()*+,;=:@"


class RedditAdapter:
    kind = "reddit"

    # --- configuration -----------------------------------------------------------------

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        example = '{"subreddits": ["gitlab"], "keywords": ["gitlab"]}'
        config_keys_check(config, allowed=set(DEFAULTS), platform="Reddit", example=example)
        result = dict(config)
        result["keywords"] = _clean_keywords(config.get("keywords", []))
        result["subreddits"] = _clean_subreddits(config.get("subreddits", []))
        if not result["keywords"] and not result["subreddits"]:
            raise ConfigError(
                "Give at least one keyword (searched in posts across Reddit) or one subreddit (all its posts "
                'and comments), e.g. {"keywords": ["gitlab"], "subreddits": ["gitlab"]}.'
            )
        for key in ("keywords", "subreddits"):
            if key not in config:
                del result[key]
        if "include_comments" in config and not isinstance(config["include_comments"], bool):
            raise ConfigError('"include_comments" must be true or false.')
        whole_numbers_check(config, _INT_LIMITS)
        return result

    # --- polling -----------------------------------------------------------------------

    def fetch(self, *, channel: Any, session: requests.Session) -> FetchResult:
        config = {**DEFAULTS, **channel.config}
        credentials = _credentials(channel)
        client = _Client(session, credentials, config, _user_agent(channel, credentials))
        cursor = channel.cursor if isinstance(channel.cursor, dict) else {}
        old_states = cursor.get("streams") if isinstance(cursor.get("streams"), dict) else {}
        seen = _load_seen(cursor.get("seen"))
        now = time.time()

        streams = _streams(config)
        states = {s.key: dict(old_states[s.key]) for s in streams if isinstance(old_states.get(s.key), dict)}
        # Streams a capped poll did not reach go first next time.
        streams.sort(key=lambda s: _num(states.get(s.key, {}).get("polled_at")) or 0.0)

        found: dict[str, tuple[str, dict[str, Any], bool]] = {}
        listed = 0
        walked_any = False
        stopped: RateLimited | None = None
        for stream in streams:
            if client.requests_made >= config["max_requests_per_poll"]:
                break
            try:
                walk = _walk(client, stream, states.get(stream.key, {}), seen, now, config)
            except RateLimited as exc:
                if not walked_any:
                    raise
                stopped = exc  # keep what the finished streams returned; this one keeps its cursor
                break
            walked_any = True
            listed += walk.listed
            states[stream.key] = walk.state
            for kind, data, unescape in walk.items:
                found.setdefault(_fullname(kind, data), (kind, data, unescape))

        mentions: list[IncomingMention] = []
        for fullname, (kind, data, unescape) in found.items():
            try:
                mention = _mention(kind, data, unescape=unescape)
            except PayloadError as exc:
                # One malformed item must not stall the channel: it is skipped, loudly.
                logger.warning("reddit: channel=%s skipped %s: %s", channel.slug, fullname, exc)
                continue
            mentions.append(mention)
            seen[fullname] = [int(mention.created_at.timestamp()), _signature(kind, data)]
        mentions.sort(key=lambda m: (m.created_at, m.external_id))

        not_before = client.not_before
        if stopped is not None:
            wait = datetime.now(tz=UTC) + timedelta(seconds=stopped.retry_after or 60)
            not_before = max(not_before or wait, wait)
            logger.info("reddit: channel=%s stopped early, rate-limited: %s", channel.slug, stopped)
        new_cursor = {"streams": states, "seen": _prune_seen(seen, states, config)}
        return FetchResult(
            mentions=mentions,
            cursor=new_cursor,
            requests_made=client.requests_made,
            not_before=not_before,
            reads=listed,
            platform_status=client.status(),
        )

    def test_connection(self, *, channel: Any, session: requests.Session) -> str:
        config = {**DEFAULTS, **channel.config}
        credentials = _credentials(channel)
        client = _Client(session, credentials, config, _user_agent(channel, credentials))
        if credentials.username:
            me = client.get("/api/v1/me")
            if not isinstance(me, dict) or not me.get("name"):
                raise PayloadError("Reddit /api/v1/me did not return an account.")
            summary = (
                f"Signed in to Reddit as u/{me['name']} (script app, password grant): "
                f"{me.get('link_karma', 0)} post karma, {me.get('comment_karma', 0)} comment karma."
            )
        elif config["subreddits"]:
            sub = config["subreddits"][0]
            about = client.get(f"/r/{sub}/about")
            data = about.get("data") if isinstance(about, dict) else None
            if not isinstance(data, dict):
                raise PayloadError(f"Reddit /r/{sub}/about did not return a subreddit.")
            summary = (
                f"Reddit answered (app-only access): r/{data.get('display_name', sub)} is "
                f"{data.get('subreddit_type', 'of unknown type')} with {data.get('subscribers', '?')} subscribers."
            )
        else:
            keyword = config["keywords"][0]
            listing = client.get("/search", {"q": keyword, "sort": "new", "type": "link", "limit": 1})
            posts = [data for kind, data in _things_of(listing)[0] if kind == "t3"]
            newest = f"newest: {clean_text(str(posts[0].get('title', '')))[:80]!r}" if posts else "no posts yet"
            summary = f"Reddit answered (app-only access): searching posts for {keyword!r} works ({newest})."

        status = client.status()
        if status.get("ratelimit_remaining") is not None:
            summary += (
                f" Rate limit: {status['ratelimit_remaining']:.0f} requests left in this window,"
                f" reset in {status.get('ratelimit_reset_seconds') or 0:.0f} s."
            )
        else:
            summary += " Reddit sent no rate-limit figures."
        return summary

    # --- parsing -----------------------------------------------------------------------

    def parse_payload(self, payload: Any) -> list[IncomingMention]:
        """Accepts what the Reddit API returns for items: a Listing (`/r/{sub}/new`,
        `/r/{sub}/comments`, `/search`, `/api/info`, `/message/mentions`), a list of them
        (a comment page `[post listing, comments listing]`), with nested `replies` flattened,
        or the `{"json": {"errors": [], "data": {"things": [...]}}}` answer of `/api/comment`
        and `/api/editusertext`. Messages, subreddits and "more" stubs are skipped."""
        things, unescape = _things_of(payload)
        return [_mention(kind, data, unescape=unescape) for kind, data in things if kind in _KINDS]


# --- HTTP client: token, budget, rate-limit headers -------------------------------------


@dataclass(frozen=True)
class _Credentials:
    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)
    username: str = ""
    password: str = field(default="", repr=False)

    @property
    def client_key(self) -> str:
        return hashlib.sha256(f"reddit-client:{self.client_id}".encode()).hexdigest()[:32]

    @property
    def token_key(self) -> str:
        digest = hashlib.sha256(f"reddit-token:{self.client_id}\n{self.username}".encode()).hexdigest()[:32]
        return f"reddit:token:{digest}"


def _credentials(channel: Any) -> _Credentials:
    values = channel.credentials or {}
    client_id = str(values.get("client_id") or "").strip()
    client_secret = str(values.get("client_secret") or "").strip()
    username = str(values.get("username") or "").strip()
    password = str(values.get("password") or "")
    if not client_id or not client_secret:
        raise ConfigError(
            f"Reddit channel {channel.name!r} needs the app's client_id and client_secret in its credentials "
            "(create a script or web app at https://www.reddit.com/prefs/apps)."
        )
    if bool(username) != bool(password):
        raise ConfigError(
            "Reddit credentials: username and password go together (a script app signing in as that account); "
            "leave both out for read-only app access."
        )
    return _Credentials(client_id, client_secret, username.removeprefix("u/").removeprefix("/u/"), password)


def _user_agent(channel: Any, credentials: _Credentials) -> str:
    # Reddit asks for a unique, descriptive User-Agent naming the app and its account.
    agent = f"{settings.DESK_USER_AGENT} reddit-channel:{channel.slug}"
    return f"{agent} (by /u/{credentials.username})" if credentials.username else agent


class _Client:
    """One poll's view of the Reddit API: bearer token from the cache, the shared request
    budget, status codes mapped to what the poller should do, and the rate-limit figures."""

    def __init__(self, session: requests.Session, credentials: _Credentials, config: dict[str, Any], agent: str):
        self.session = session
        self.credentials = credentials
        self.per_minute = int(config["requests_per_minute"])
        self.agent = agent
        self.requests_made = 0
        self.not_before: datetime | None = None
        self._token_memo: tuple[str, float] | None = None
        self._ratelimit: dict[str, Any] = {}
        self._budget_used = 0

    # The only way out to the API.
    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        params = {**(params or {}), "raw_json": 1}
        response = self._send(path, params)
        if response.status_code == 401:
            # The token was revoked or expired early: drop it and try once with a new one.
            logger.info("reddit: access token refused on %s, fetching a new one", path)
            self._drop_token()
            response = self._send(path, params)
            if response.status_code == 401:
                raise AuthError(
                    f"Reddit {path}: HTTP 401 even with a fresh access token: check the app's credentials "
                    "and that the account is not suspended."
                )
        return self._json(path, response)

    def _send(self, path: str, params: dict[str, Any]) -> requests.Response:
        self._reserve()
        token = self._token()
        url = API_URL + path
        try:
            response = self.session.get(
                url,
                params=params,
                headers={"Authorization": f"bearer {token}", "User-Agent": self.agent},
                timeout=settings.DESK_HTTP_TIMEOUT_SECONDS,
                allow_redirects=False,
            )
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise TransientError(f"Reddit {path}: {exc.__class__.__name__}") from exc
        finally:
            self.requests_made += 1
        self._read_ratelimit(response)
        return response

    def _json(self, path: str, response: requests.Response) -> Any:
        status = response.status_code
        if status == 429:
            retry = _num(response.headers.get("x-ratelimit-reset")) or _num(response.headers.get("Retry-After"))
            raise RateLimited(f"Reddit {path}: HTTP 429 Too Many Requests", retry_after=retry)
        if 300 <= status < 400:
            location = response.headers.get("Location", "")
            if "/subreddits/search" in location:
                raise PermanentError(
                    f"Reddit {path}: no such subreddit (Reddit redirects to its subreddit search): "
                    "fix the channel's subreddits."
                )
            raise PermanentError(f"Reddit {path}: unexpected redirect (HTTP {status}) to {location[:200]}")
        if status in (403, 404):
            reason = _error_reason(response)
            what = f" ({reason})" if reason else ""
            hint = (
                "the subreddit is private, quarantined or banned, or the app may not read it: fix the channel's "
                "subreddits or credentials"
                if path.startswith("/r/")
                else "check the channel's credentials"
            )
            raise PermanentError(f"Reddit {path}: HTTP {status} {response.reason}{what}: {hint}.")
        if status >= 500:
            raise TransientError(f"Reddit {path}: HTTP {status} {response.reason}")
        if status >= 400:
            raise PermanentError(f"Reddit {path}: HTTP {status} {response.reason}: {response.text[:300]}")
        try:
            return response.json()
        except ValueError as exc:
            raise PayloadError(f"Reddit {path}: response is not JSON ({response.text[:120]!r})") from exc

    # -- request budget, shared through the cache by every channel using this client --

    def _reserve(self) -> None:
        now = time.time()
        exhausted_until = _num(cache.get(self._exhausted_key))
        if exhausted_until and exhausted_until > now:
            raise RateLimited(
                "Reddit: no requests left for this app until its rate-limit window resets",
                retry_after=exhausted_until - now,
            )
        minute = int(now // 60)
        key = f"reddit:requests:{self.credentials.client_key}:{minute}"
        cache.add(key, 0, timeout=120)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=120)
            used = 1
        self._budget_used = used
        if used > self.per_minute:
            raise RateLimited(
                f"Reddit: this app's budget of {self.per_minute} requests per minute is used up "
                "(shared by every Reddit channel using the same client_id)",
                retry_after=(minute + 1) * 60 - now,
            )

    @property
    def _exhausted_key(self) -> str:
        return f"reddit:exhausted:{self.credentials.client_key}"

    def _read_ratelimit(self, response: requests.Response) -> None:
        remaining = _num(response.headers.get("x-ratelimit-remaining"))
        reset = _num(response.headers.get("x-ratelimit-reset"))
        used = _num(response.headers.get("x-ratelimit-used"))
        if remaining is None and reset is None:
            return
        now = datetime.now(tz=UTC)
        self._ratelimit = {
            "ratelimit_remaining": remaining,
            "ratelimit_used": used,
            "ratelimit_reset_seconds": reset,
            "ratelimit_reset_at": (now + timedelta(seconds=reset)).isoformat() if reset is not None else None,
            "checked_at": now.isoformat(),
        }
        if remaining is not None and remaining < 1 and reset is not None:
            until = now + timedelta(seconds=reset)
            self.not_before = max(self.not_before or until, until)
            cache.set(self._exhausted_key, until.timestamp(), timeout=int(reset) + 1)

    def status(self) -> dict[str, Any]:
        return {
            **self._ratelimit,
            "budget_per_minute": self.per_minute,
            "budget_used_this_minute": self._budget_used,
        }

    # -- OAuth token --

    def _drop_token(self) -> None:
        self._token_memo = None
        cache.delete(self.credentials.token_key)

    def _token(self) -> str:
        now = time.time()
        if self._token_memo and self._token_memo[1] - TOKEN_REFRESH_MARGIN > now:
            return self._token_memo[0]
        cached = cache.get(self.credentials.token_key)
        if (
            isinstance(cached, dict)
            and _num(cached.get("expires_at"))
            and cached["expires_at"] - TOKEN_REFRESH_MARGIN > now
        ):
            self._token_memo = (cached["access_token"], cached["expires_at"])
            return cached["access_token"]
        token, expires_in = self._request_token()
        expires_at = now + expires_in
        self._token_memo = (token, expires_at)
        ttl = int(expires_in - TOKEN_REFRESH_MARGIN)
        if ttl > 0:
            cache.set(self.credentials.token_key, {"access_token": token, "expires_at": expires_at}, timeout=ttl)
        return token

    def _request_token(self) -> tuple[str, float]:
        creds = self.credentials
        if creds.username:
            data = {"grant_type": "password", "username": creds.username, "password": creds.password}
        else:
            data = {"grant_type": "client_credentials"}
        try:
            response = self.session.post(
                AUTH_URL,
                data=data,
                auth=(creds.client_id, creds.client_secret),
                headers={"User-Agent": self.agent},
                timeout=settings.DESK_HTTP_TIMEOUT_SECONDS,
                allow_redirects=False,
            )
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise TransientError(f"Reddit token endpoint: {exc.__class__.__name__}") from exc
        status = response.status_code
        try:
            payload = response.json()
        except ValueError:
            payload = None
        error = str(payload.get("error") or "") if isinstance(payload, dict) else ""
        if status == 429:
            retry = _num(response.headers.get("x-ratelimit-reset")) or _num(response.headers.get("Retry-After"))
            raise RateLimited("Reddit token endpoint: HTTP 429 Too Many Requests", retry_after=retry)
        if status >= 500:
            raise TransientError(f"Reddit token endpoint: HTTP {status} {response.reason}")
        if status == 401:
            raise AuthError(
                "Reddit rejected the app's client_id/client_secret (HTTP 401 from the token endpoint): "
                "copy them again from https://www.reddit.com/prefs/apps."
            )
        # Reddit answers a wrong password with HTTP 200 and {"error": "invalid_grant"}.
        if error == "invalid_grant":
            if creds.username:
                raise AuthError(
                    f"Reddit refused the sign-in of u/{creds.username} (invalid_grant): check the username and "
                    "password; accounts with two-factor authentication cannot use the password grant."
                )
            raise AuthError(
                "Reddit refused the app-only sign-in (invalid_grant): check the app's type and credentials."
            )
        if status >= 400 or error:
            raise AuthError(
                f"Reddit token endpoint answered HTTP {status}{f' ({error})' if error else ''}: "
                "check the app's type (script or web app) and credentials."
            )
        token = payload.get("access_token") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not token:
            raise PayloadError("Reddit token endpoint: the answer has no access_token.")
        expires_in = _num(payload.get("expires_in")) or 3600.0
        return token, expires_in


def _error_reason(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        return str(body.get("reason") or "")[:100]
    return ""


# --- walking a stream ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Stream:
    key: str
    path: str
    params: dict[str, Any]


@dataclass
class _Walk:
    state: dict[str, Any]
    items: list[tuple[str, dict[str, Any], bool]]
    listed: int


def _streams(config: dict[str, Any]) -> list[_Stream]:
    streams = []
    for sub in config["subreddits"]:
        streams.append(_Stream(f"r/{sub.lower()}/new", f"/r/{sub}/new", {}))
        if config["include_comments"]:
            streams.append(_Stream(f"r/{sub.lower()}/comments", f"/r/{sub}/comments", {}))
    for keyword in config["keywords"]:
        streams.append(
            _Stream(f"search:{keyword}", "/search", {"q": keyword, "sort": "new", "type": "link", "t": "all"})
        )
    return streams


def _walk(
    client: _Client,
    stream: _Stream,
    state: dict[str, Any],
    seen: dict[str, list[int]],
    now: float,
    config: dict[str, Any],
) -> _Walk:
    """New items of one stream, newest first, then any backlog a capped poll left behind."""
    overlap = int(config["overlap_seconds"])
    cap = int(config["max_requests_per_poll"])
    mark = _num(state.get("created_utc"))
    floor = mark - overlap if mark is not None else now - int(config["backfill_hours"]) * 3600
    items: list[tuple[str, dict[str, Any], bool]] = []
    newest = mark
    listed = pages = 0

    def page(after: str | None, lower: float, *, stop_on_seen: bool) -> tuple[bool, str | None]:
        """Read one page into `items`. Returns (nothing older is needed, the listing's `after`)."""
        nonlocal newest, listed, pages
        params = {**stream.params, "limit": PAGE_SIZE}
        if after:
            params["after"] = after
        payload = client.get(stream.path, params)
        if not isinstance(payload, dict) or payload.get("kind") != "Listing":
            raise PayloadError(f"Reddit {stream.path}: expected a Listing, got {str(payload)[:120]!r}")
        things, unescape = _things_of(payload)
        pages += 1
        listed += len(things)
        complete = not things
        for kind, data in things:
            if kind not in _KINDS:
                continue
            created = _num(data.get("created_utc"))
            name = _fullname(kind, data)
            if created is None or not name:
                items.append((kind, data, unescape))  # fetch() reports and skips it
                continue
            if created < lower:
                complete = True  # reached what an earlier poll covered (the page may be out of order)
                continue
            newest = created if newest is None else max(newest, created)
            handed_over = seen.get(name)
            if handed_over is None:
                items.append((kind, data, unescape))
                continue
            if stop_on_seen and mark is not None and created <= mark:
                complete = True
            if handed_over[1] != _signature(kind, data):
                items.append((kind, data, unescape))  # edited or deleted since we handed it over
        next_after = payload["data"].get("after")
        if not isinstance(next_after, str) or not next_after:
            return True, None
        return complete, next_after

    def can_read() -> bool:
        return pages < MAX_PAGES_PER_STREAM and client.requests_made < cap

    resume = state.get("resume") if isinstance(state.get("resume"), dict) else None
    resume_floor = _num(resume.get("floor")) if resume else None
    complete, after = False, None
    while not complete and can_read():
        complete, after = page(after, floor, stop_on_seen=True)
    if not complete:
        # Cut short: the next poll goes on below the last page read, down to the lowest floor
        # not yet reached (an older unfinished backlog included).
        new_resume = {"after": after, "floor": min(floor, resume_floor) if resume_floor is not None else floor}
    elif resume and isinstance(resume.get("after"), str) and resume_floor is not None:
        # Backlog from an earlier capped poll. Seen items do not end it: they were read by
        # the newest-first walks, the gap lies below them.
        after, done = resume["after"], False
        while not done and can_read():
            done, after = page(after, resume_floor, stop_on_seen=False)
        new_resume = None if done else {"after": after, "floor": resume_floor}
    else:
        new_resume = None

    new_state: dict[str, Any] = {"created_utc": newest if newest is not None else floor + overlap, "polled_at": now}
    if new_resume:
        new_state["resume"] = new_resume
    return _Walk(state=new_state, items=items, listed=listed)


def _load_seen(raw: Any) -> dict[str, list[int]]:
    if not isinstance(raw, dict):
        return {}
    seen = {}
    for name, value in raw.items():
        if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
            seen[str(name)] = value
    return seen


def _prune_seen(seen: dict[str, list[int]], states: dict[str, dict[str, Any]], config: dict[str, Any]) -> dict:
    """Keep what a later poll can still meet (created at or after the lowest floor), newest
    first, at most SEEN_LIMIT: anything older is below every floor and never handed over."""
    overlap = int(config["overlap_seconds"])
    floors = [_num(s.get("created_utc")) for s in states.values()]
    floors = [f - overlap for f in floors if f is not None]
    floors += [_num(s["resume"].get("floor")) or 0.0 for s in states.values() if isinstance(s.get("resume"), dict)]
    lowest = min(floors) - 1 if floors else None
    kept = [(name, v) for name, v in seen.items() if lowest is None or v[0] >= lowest]
    kept.sort(key=lambda item: (item[1][0], item[0]), reverse=True)
    return dict(kept[:SEEN_LIMIT])


# --- parsing ---------------------------------------------------------------------------------

_NOT_A_LISTING = (
    "expected a Reddit Listing ({kind: Listing, data: {children: [...]}}), a list of Listings "
    "(a comment page) or an /api/comment answer (json.data.things)"
)


def _things_of(payload: Any) -> tuple[list[tuple[str, dict[str, Any]]], bool]:
    """Every (kind, data) in the payload, replies flattened, and whether its strings are
    HTML-escaped (a response asked for without raw_json=1)."""
    things: list[tuple[str, dict[str, Any]]] = []
    _collect(payload, things)
    return things, any(_looks_escaped(data) for _, data in things)


def _collect(payload: Any, out: list[tuple[str, dict[str, Any]]]) -> None:
    if isinstance(payload, list):
        for part in payload:
            _collect(part, out)
        return
    if not isinstance(payload, dict):
        raise PayloadError(f"{_NOT_A_LISTING}; got {type(payload).__name__}.")
    kind = payload.get("kind")
    if kind == "Listing":
        data = payload.get("data")
        children = data.get("children") if isinstance(data, dict) else None
        if not isinstance(children, list):
            raise PayloadError("Reddit Listing without a data.children list.")
        for child in children:
            _collect_thing(child, out)
    elif isinstance(kind, str) and isinstance(payload.get("data"), dict):
        _collect_thing(payload, out)
    elif isinstance(payload.get("json"), dict):
        envelope = payload["json"]
        if envelope.get("errors"):
            raise PayloadError(f"Reddit answered with errors, not items: {str(envelope['errors'])[:300]}")
        things = envelope.get("data", {}).get("things") if isinstance(envelope.get("data"), dict) else None
        if not isinstance(things, list):
            raise PayloadError('Reddit "json" answer without data.things: nothing to ingest.')
        for child in things:
            _collect_thing(child, out)
    elif "error" in payload:
        raise PayloadError(
            f"this is a Reddit error response (error {payload.get('error')!r}: "
            f"{str(payload.get('message') or payload.get('reason') or '')[:100]}), not a Listing."
        )
    else:
        raise PayloadError(f"{_NOT_A_LISTING}; got an object with keys {', '.join(sorted(map(str, payload)))[:200]}.")


def _collect_thing(child: Any, out: list[tuple[str, dict[str, Any]]]) -> None:
    if not isinstance(child, dict) or not isinstance(child.get("kind"), str) or not isinstance(child.get("data"), dict):
        raise PayloadError(f"Reddit listing entry is not a {{kind, data}} object: {str(child)[:200]}")
    out.append((child["kind"], child["data"]))
    replies = child["data"].get("replies")
    if isinstance(replies, dict | list):  # "" when there are none
        _collect(replies, out)


def _looks_escaped(data: dict[str, Any]) -> bool:
    # Without raw_json=1 Reddit escapes <, > and & in every string, so its HTML fields start
    # with "&lt;div" instead of "<div".
    return any(
        isinstance(data.get(k), str) and data[k].lstrip().startswith("&lt;") for k in ("body_html", "selftext_html")
    )


def _unescape(value: str) -> str:
    return value.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _mention(kind: str, data: dict[str, Any], *, unescape: bool = False) -> IncomingMention:
    name = _fullname(kind, data)
    if not name:
        raise PayloadError(f"Reddit {kind} item without name or id: {str(data)[:200]}")
    created = _timestamp(data.get("created_utc"))
    if created is None:
        raise PayloadError(f"Reddit item {name}: no usable created_utc ({data.get('created_utc')!r}).")

    def text(key: str) -> str:
        value = data.get(key)
        if not isinstance(value, str):
            return ""
        return clean_text(_unescape(value) if unescape else value)

    if kind == "t3":
        selftext, url = text("selftext"), text("url")
        # A link post's body is its URL; newer link posts may carry text as well.
        link = url if data.get("is_self") is not True and url and url not in selftext else ""
        body = "\n\n".join(part for part in (selftext, link) if part) or url
        title = text("title")
        parent_id = thread_id = ""
    else:
        body = text("body")
        title = text("link_title")
        parent_id = _str(data.get("parent_id"))
        thread_id = _str(data.get("link_id")) or _thread_from_context(data.get("context"))
    author = text("author")
    known_author = bool(author) and author != "[deleted]"
    return IncomingMention(
        external_id=name,
        created_at=created,
        text=body,
        title=title,
        author_handle=author if known_author else "",
        author_name=author,
        author_url=USER_URL.format(user=quote(author, safe="")) if known_author else "",
        permalink=_permalink(kind, data, name),
        parent_id=parent_id if parent_id != name else "",
        thread_id=thread_id if thread_id != name else "",
        deleted=_is_deleted(kind, data),
        edited_at=_edited_at(data.get("edited")),
        raw={"kind": kind, "data": {k: v for k, v in data.items() if k != "replies"}},
    )


def _is_deleted(kind: str, data: dict[str, Any]) -> bool:
    body = data.get("body") if kind == "t1" else data.get("selftext")
    if body == "[removed]":
        return True  # removed by moderators or Reddit
    if body == "[deleted]" and data.get("author") == "[deleted]":
        return True  # deleted by its author
    # A removed link post has no body to replace; "automod_filtered" waits for approval.
    category = data.get("removed_by_category")
    return kind == "t3" and bool(category) and category != "automod_filtered"


def _signature(kind: str, data: dict[str, Any]) -> int:
    """What seen[] remembers of an item's state: -1 deleted, else its edit time (0 = never)."""
    if _is_deleted(kind, data):
        return -1
    edited = _num(data.get("edited"))
    return int(edited) if edited else 0


def _edited_at(value: Any) -> datetime | None:
    # `edited` is false, or the edit time as epoch seconds (very old items: true, time unknown).
    return _timestamp(value) if _num(value) else None


def _permalink(kind: str, data: dict[str, Any], name: str) -> str:
    relative = data.get("permalink") or data.get("context")  # inbox items only have `context`
    if isinstance(relative, str) and relative.startswith("/"):
        return WEB_URL + quote(relative.split("?", 1)[0], safe=_PATH_SAFE)
    if isinstance(relative, str) and relative.startswith(WEB_URL + "/"):
        return quote(relative.split("?", 1)[0], safe=_PATH_SAFE + "#")
    item_id = name.split("_", 1)[1]
    if kind == "t3":
        return f"{WEB_URL}/comments/{item_id}/"
    link_id = _str(data.get("link_id"))
    if link_id.startswith("t3_"):
        return f"{WEB_URL}/comments/{link_id[3:]}/_/{item_id}/"
    return ""


def _thread_from_context(context: Any) -> str:
    match = _CONTEXT_LINK_RE.search(context) if isinstance(context, str) else None
    return f"t3_{match.group(1).lower()}" if match else ""


def _fullname(kind: str, data: dict[str, Any]) -> str:
    name = data.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    item_id = data.get("id")
    return f"{kind}_{item_id}" if isinstance(item_id, str) and item_id else ""


def _timestamp(value: Any) -> datetime | None:
    seconds = _num(value)
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


# --- configuration helpers --------------------------------------------------------------------


def _clean_keywords(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise ConfigError('"keywords" must be a list of search terms, e.g. ["gitlab"].')
    cleaned: list[str] = []
    for keyword in value:
        if not isinstance(keyword, str) or not keyword.strip():
            raise ConfigError('Every entry of "keywords" must be a non-empty string.')
        keyword = keyword.strip()
        if len(keyword) > 512:
            raise ConfigError(f"Keyword {keyword[:40]!r}… is longer than Reddit's 512-character search limit.")
        if keyword.casefold() not in {k.casefold() for k in cleaned}:
            cleaned.append(keyword)
    return cleaned


def _clean_subreddits(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise ConfigError('"subreddits" must be a list of subreddit names without "r/", e.g. ["gitlab"].')
    cleaned: list[str] = []
    for name in value:
        if not isinstance(name, str) or not name.strip():
            raise ConfigError('Every entry of "subreddits" must be a non-empty string.')
        name = name.strip()
        bare = re.sub(r"\A/?r/", "", name)
        if bare != name:
            raise ConfigError(f'Write subreddit names without "r/": {bare!r}, not {name!r}.')
        if not _SUBREDDIT_RE.match(name):
            raise ConfigError(
                f"{name!r} is not a subreddit name: 3 to 21 letters, digits or underscores, "
                "not starting with an underscore."
            )
        if name.lower() in _PSEUDO_SUBREDDITS:
            raise ConfigError(
                f"r/{name} is not a community but a feed of all of Reddit: use keywords to find mentions there."
            )
        if name.casefold() not in {n.casefold() for n in cleaned}:
            cleaned.append(name)
    return cleaned
