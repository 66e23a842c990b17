"""What every knowledge source shares: the search's view of a source (`Spec`, read in the calling thread so the
threads never touch the database), an item found, a failure as one plain sentence, and the HTTP call with the
source's own timeout. Messages and logs name the source and the status, never a URL (some carry a key) nor a
token."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from channels import clean
from channels.adapters.base import AdapterError
from channels.adapters.values import finite_number
from channels.http import request
from channels.text import html_to_text

logger = logging.getLogger("answers.knowledge")

SNIPPET_LENGTH = 240
RESULTS_PER_SOURCE = 5


@dataclass(frozen=True)
class Spec:
    id: int
    name: str
    kind: str
    base_url: str
    project: str
    tag: str
    token: str
    timeout: float
    cache_minutes: int
    budget: int
    has_error: bool = False


@dataclass(frozen=True)
class Item:
    source: str
    title: str
    url: str
    snippet: str = ""
    extra: str = ""


@dataclass
class Found:
    items: list[Item]
    # The platform said its allowance is spent even though it answered (a remaining count of 0, a `backoff`).
    pause_until: datetime | None = None


class SourceFailed(Exception):
    """A source that gave no results; `str()` is the sentence the panel shows after the source's name."""

    def __init__(self, message: str, *, status: int | None = None, pause_until: datetime | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.pause_until = pause_until


def http_url(value: Any) -> str:
    """An http(s) URL to link to, else "" (clean.url also admits mailto:)."""
    url = clean.url(value)
    return url if url.lower().startswith(("http://", "https://")) else ""


def plain(value: Any, length: int = SNIPPET_LENGTH) -> str:
    """One line of plain text, at most `length` characters, ending in "…" when cut."""
    text = clean.line(value, max_length=10_000)
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def html_plain(value: Any, length: int = SNIPPET_LENGTH) -> str:
    return plain(html_to_text(value if isinstance(value, str) else ""), length)


def at(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%H:%M UTC")


def rate_limited(who: str, status: int, until: datetime | None) -> SourceFailed:
    """`who`'s rate limit is reached: the failure to raise, saying when to ask again where the platform said."""
    when = f"; again after {at(until)}" if until else ""
    return SourceFailed(f"{who}'s rate limit is reached{when}", status=status, pause_until=until)


def item_found(spec: Spec, url: Any, title: Any, snippet: str, extra: str = "") -> Item | None:
    """An item found, with its http(s) address and its title (cut to 200 characters); None lacking either."""
    link, heading = http_url(url), plain(title, 200)
    return Item(spec.name, heading, link, snippet, extra) if link and heading else None


def seconds_from_now(value: Any, *, most: float = 86400) -> datetime | None:
    seconds = finite_number(value)
    if seconds is None or seconds < 0:
        return None
    return datetime.now(tz=UTC) + timedelta(seconds=min(seconds, most))


def epoch_time(value: Any) -> datetime | None:
    moment = finite_number(value)
    if moment is None or not 0 < moment < 2**33:
        return None
    return datetime.fromtimestamp(moment, UTC)


def http_get(
    session: requests.Session,
    url: str,
    spec: Spec,
    *,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> requests.Response:
    """One GET through the channels' HTTP layer (channels.http.request) with the source's own timeout: a timeout, a
    network failure or the fetch guard's refusal (which names the kind of address, never the URL) is the source's
    failure, said after its name."""
    try:
        return request(
            session, "GET", url, label=spec.name, timeout=spec.timeout, params=params, headers=headers,
            allow_redirects=False,
        )  # fmt: skip
    except AdapterError as exc:
        raise SourceFailed(str(exc).removeprefix(f"{spec.name}: ")) from None


def json_body(response: requests.Response) -> Any:
    try:
        return response.json()
    except (ValueError, RecursionError):
        raise SourceFailed(f"answered {response.status_code} with something that is not JSON") from None


def status_check(response: requests.Response) -> None:
    """Any answer but a 2xx is a failure that says its status."""
    status = response.status_code
    if 300 <= status < 400:
        raise SourceFailed(f"answered {status} (a redirect): check its address in admin", status=status)
    if status >= 400:
        raise SourceFailed(f"answered {status}", status=status)
