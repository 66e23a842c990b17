"""Each source's hourly budget of searches, counted in the cache (one atomic counter per source and hour), and
the pause a platform asked for (429 Retry-After, a spent rate limit, Stack Exchange's `backoff`).

Defaults keep well inside each platform's documented allowance, which the desk shares with the channels
polling the same platform:
- GitHub search (docs.github.com, "Rate limits for the REST API", search): 30 requests a minute with a token,
  10 without: 900 and 300 an hour, half of it.
- Stack Exchange (api.stackexchange.com/docs/throttle): 10,000 requests a day with an app key, 300 without;
  a search costs two requests (questions, then their accepted answers): 100 and 4 searches an hour.
- GitLab.com (docs.gitlab.com, "GitLab.com-specific rate limits"): searches are limited to 30 a minute
  authenticated and 10 unauthenticated; 600 an hour.
- Discourse (its default `max_reqs_per_ip_per_minute` and the anonymous search limits): 300 an hour.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core.cache import cache

DEFAULTS = {
    # kind: (with a token, without)
    "github_issues": (900, 300),
    "stackoverflow": (100, 4),
    "gitlab_issues": (600, 600),
    "discourse": (300, 300),
    "docs": (0, 0),  # our own database: no platform to spare
}


def default_budget(kind: str, *, has_token: bool) -> int:
    with_token, without = DEFAULTS.get(kind, (60, 60))
    return with_token if has_token else without


def _hour(now: datetime) -> str:
    return now.strftime("%Y%m%d%H")


def budget_spend(source_id: int, budget: int, *, now: datetime | None = None) -> datetime | None:
    """Count one search against this hour's budget. None when it may go ahead; else when the budget is
    renewed (the next hour). A budget of 0 means no limit (the docs source)."""
    if budget <= 0:
        return None
    now = now or datetime.now(tz=UTC)
    key = f"knowledge:budget:{source_id}:{_hour(now)}"
    cache.add(key, 0, timeout=3700)  # atomic on Redis: only the first search of the hour creates it
    try:
        spent = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=3700)
        spent = 1
    if spent > budget:
        return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return None


def pause_key(source_id: int) -> str:
    return f"knowledge:pause:{source_id}"


def pause_until(source_id: int) -> datetime | None:
    value = cache.get(pause_key(source_id))
    if isinstance(value, datetime) and value > datetime.now(tz=UTC):
        return value
    return None


def pause_set(source_id: int, until: datetime) -> None:
    seconds = (until - datetime.now(tz=UTC)).total_seconds()
    if seconds > 0:
        cache.set(pause_key(source_id), until, timeout=int(seconds) + 1)
