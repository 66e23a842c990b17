"""The HTTP edge shared by platform clients: one session per client, a timeout on every
call, a descriptive User-Agent, and status codes mapped to what the poller should do."""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings

from channels.adapters.base import AuthError, PayloadError, PermanentError, RateLimited, TransientError


def build_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = settings.DESK_USER_AGENT
    session.headers["Accept"] = "application/json"
    return session


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def get_json(session: requests.Session, url: str, *, params: dict[str, Any] | None = None) -> Any:
    try:
        response = session.get(url, params=params, timeout=settings.DESK_HTTP_TIMEOUT_SECONDS)
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise TransientError(f"{url}: {exc.__class__.__name__}: {exc}") from exc
    status = response.status_code
    if status == 429:
        raise RateLimited(f"{url}: HTTP 429 Too Many Requests", retry_after=_retry_after(response))
    if status in (401, 403):
        raise AuthError(f"{url}: HTTP {status} {response.reason}: check the channel's credentials")
    if status >= 500:
        raise TransientError(f"{url}: HTTP {status} {response.reason}")
    if status >= 400:
        # Any other 4xx means our request is wrong (usually the channel's config); asking
        # again unchanged would fail the same way.
        raise PermanentError(f"{url}: HTTP {status} {response.reason}: {response.text[:300]}")
    try:
        return response.json()
    except RecursionError as exc:  # nested thousands deep: no platform sends that
        raise PayloadError(f"{url}: response nested too deeply to read") from exc
    except ValueError as exc:
        raise PayloadError(f"{url}: response is not JSON ({response.text[:120]!r})") from exc
