"""How often a channel polls: the shortest interval its platform's request budget allows for its
configuration, counted across every channel that spends the same budget, never below a floor.

A mention is visible in the queue about half an interval (plus half a dispatch tick) after it is
posted, so the interval is the freshness. Each platform limits requests per window and per
something (Algolia per IP, Reddit per OAuth client, Stack Exchange per IP and day, Discourse per
site, Disqus per application key, X per app and endpoint): channels that share that something
share the budget. Polling spends at most POLL_SHARE of it; the rest is left for backlogs (which
re-poll sooner), watched threads, the admin's "test connection" and retries.

An interval an admin sets is used as long as the budget allows it; a shorter one is raised to the
shortest the budget allows, and admin says so (`PollInterval.note`).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

POLL_SHARE = 0.5
# Interval for channels with no request budget (IMAP) when the admin sets none.
NO_BUDGET_DEFAULT_SECONDS = 60


@dataclass(frozen=True)
class Bucket:
    """One request budget a channel spends when it polls."""

    key: str  # channels with the same key share the budget
    requests: int  # this channel's requests per poll when it has no backlog
    limit: int  # the platform allows `limit` requests ...
    window_seconds: int  # ... per window
    label: str  # "Algolia: 9,000 requests an hour per IP", for admin

    def shortest(self, shared_requests: int) -> float:
        """The shortest interval at which `shared_requests` per poll (this channel's and the
        others' on the same budget) stay within POLL_SHARE of the limit."""
        return shared_requests * self.window_seconds / (self.limit * POLL_SHARE)


def _hashed(value: Any) -> str:
    # A budget's key may come from a secret (a client id, an API key): only a digest is kept.
    return hashlib.sha256(str(value).encode()).hexdigest()[:12] if value else "none"


def _credential(channel: Any, name: str) -> Any:
    from channels.secrets import CredentialsUnreadable

    try:
        credentials = channel.credentials
    except CredentialsUnreadable:
        return None
    return credentials.get(name) if isinstance(credentials, dict) else None


def _hackernews(channel: Any, config: dict[str, Any]) -> list[Bucket]:
    from channels.adapters.hackernews.config import DEFAULTS

    hourly = int(config.get("hourly_request_budget") or DEFAULTS["hourly_request_budget"])
    # One search per keyword; every HN channel of the deployment asks Algolia from the same IP.
    return [
        Bucket(
            "algolia", max(1, len(config.get("keywords") or [])), hourly, 3600, f"Algolia: {hourly:,} an hour per IP"
        )
    ]


def _reddit(channel: Any, config: dict[str, Any]) -> list[Bucket]:
    from channels.adapters.reddit.config import DEFAULTS

    subreddits = len(config.get("subreddits") or [])
    comments = config.get("include_comments", DEFAULTS["include_comments"])
    requests = subreddits * (2 if comments else 1) + len(config.get("keywords") or [])
    per_minute = int(config.get("requests_per_minute") or DEFAULTS["requests_per_minute"])
    client = _credential(channel, "client_id")
    return [
        Bucket(f"reddit:{_hashed(client)}", max(1, requests), per_minute, 60, f"Reddit: {per_minute} a minute per app")
    ]


def _stackexchange(channel: Any, config: dict[str, Any]) -> list[Bucket]:
    # Each tag's new questions, then the watched questions' answers and comments.
    requests = len(config.get("tags") or []) + 2
    daily = 10_000 if _credential(channel, "key") else 300
    # The quota is per IP and shared by every app on it.
    return [Bucket("stackexchange", requests, daily, 86_400, f"Stack Exchange: {daily:,} a day per IP")]


def _discourse(channel: Any, config: dict[str, Any]) -> list[Bucket]:
    keyed = bool(_credential(channel, "api_key"))
    # Admin API keys share 60 a minute across all keys of the forum; anonymous reads 200 a minute per IP.
    per_minute = 60 if keyed else 200
    base = str(config.get("base_url", ""))
    return [
        Bucket(
            f"discourse:{base}:{'key' if keyed else 'ip'}",
            1,
            per_minute,
            60,
            f"Discourse ({base}): {per_minute} a minute {'per admin API key' if keyed else 'per IP'}",
        )
    ]


def _disqus(channel: Any, config: dict[str, Any]) -> list[Bucket]:
    key = _credential(channel, "api_key")
    return [Bucket(f"disqus:{_hashed(key)}", 1, 1000, 3600, "Disqus: 1,000 an hour per application")]


# X's recorded limits for the Basic tier, per app and 15 minutes (github.com/tweepy/tweepy/discussions/2127);
# what X reports in its x-rate-limit-limit headers replaces them once a poll has seen them.
X_LIMITS = {"mentions": 15, "search": 60}


def _twitter(channel: Any, config: dict[str, Any]) -> list[Bucket]:
    token = _hashed(_credential(channel, "bearer_token"))
    reported = (channel.platform_status or {}).get("rate_limit") or {}
    uses = {"mentions": len(config.get("handles") or []), "search": len(config.get("search_queries") or [])}
    buckets = []
    for endpoint, requests in uses.items():
        if not requests:
            continue
        limit = reported.get(endpoint, {}).get("limit") if isinstance(reported.get(endpoint), dict) else None
        limit = int(limit) if isinstance(limit, int) and limit > 0 else X_LIMITS[endpoint]
        buckets.append(
            Bucket(f"x:{token}:{endpoint}", requests, limit, 900, f"X {endpoint}: {limit} per 15 min per app")
        )
    return buckets


def _gitlab(channel: Any, config: dict[str, Any]) -> list[Bucket]:
    from channels.adapters.gitlab.budget import budget

    return budget(channel, config)


BUCKETS = {
    "gitlab": _gitlab,
    "hackernews": _hackernews,
    "reddit": _reddit,
    "stackexchange": _stackexchange,
    "discourse": _discourse,
    "disqus": _disqus,
    "twitter": _twitter,
}


def buckets_of(channel: Any) -> list[Bucket]:
    """The budgets `channel` spends per poll; [] for a channel with none (IMAP, webhooks)."""
    of = BUCKETS.get(channel.kind)
    return of(channel, channel.config if isinstance(channel.config, dict) else {}) if of else []


@dataclass(frozen=True)
class PollInterval:
    seconds: int
    automatic: bool  # the admin left the interval empty
    shortest: int  # the shortest interval the budget (and the floor) allows
    limited_by: str  # the budget that sets `shortest`, or "" (the floor)
    note: str  # for admin: why the channel polls this often

    def describe(self) -> str:
        return self.note


def poll_interval(channel: Any, *, others: Iterable[Any] | None = None) -> PollInterval:
    """How often `channel` polls. `others`: the other enabled channels (of any kind; loaded when
    None) whose budgets may be shared with this one's."""
    floor = int(settings.DESK_POLL_FLOOR_SECONDS)
    own = buckets_of(channel)
    if own and others is None:
        from channels.models import Channel

        others = Channel.objects.filter(enabled=True, kind=channel.kind).exclude(pk=channel.pk)
    shared: dict[str, int] = {b.key: b.requests for b in own}
    sharers: dict[Any, int] = {}
    for other in others or ():
        if other.pk == channel.pk or not other.enabled:
            continue
        for bucket in buckets_of(other):
            if bucket.key in shared:
                shared[bucket.key] += bucket.requests
                sharers[other.pk] = sharers.get(other.pk, 0) + 1
    shortest, limited_by = float(floor), ""
    for bucket in own:
        seconds = bucket.shortest(shared[bucket.key])
        if seconds > shortest:
            shortest, limited_by = seconds, bucket.label
    shortest_s = math.ceil(shortest)
    chosen = channel.poll_interval_seconds
    sharing = len(sharers)
    with_others = f", shared with {sharing} other channel(s)" if sharing else ""
    budget_words = f"{limited_by} (polling may use {POLL_SHARE:.0%} of it{with_others})"
    if not own:
        reason = "this platform has no request budget"
    elif limited_by:
        reason = f"the shortest that {budget_words} allows"
    else:
        reason = "the desk's shortest interval (DESK_POLL_FLOOR_SECONDS); the platform's budget would allow more"
    if not chosen:
        seconds = shortest_s if own else max(shortest_s, NO_BUDGET_DEFAULT_SECONDS)
        return PollInterval(seconds, True, shortest_s, limited_by, f"Automatic: every {seconds} s, {reason}.")
    if chosen < shortest_s:
        why = (
            f"polling every {chosen} s would exceed {budget_words}"
            if limited_by
            else f"no channel polls more often than every {floor} s"
        )
        note = f"Every {shortest_s} s, not the {chosen} s set here: {why}."
        return PollInterval(shortest_s, False, shortest_s, limited_by, note)
    return PollInterval(
        chosen, False, shortest_s, limited_by, f"Every {chosen} s, as set here (shortest allowed: {shortest_s} s)."
    )
