"""HTTP to the feeds, the only module that fetches them: one conditional GET a feed (its ETag and Last-Modified
sent back), redirects followed here, hop by hop, so a permanent one (301, 308) is seen and remembered, the body read
up to MAX_BYTES.

Feed addresses are typed by an admin, so every hop goes through the desk's session (channels.http.build_session):
the fetch guard checks each address where the connection opens and refuses private, loopback and link-local ones
(advocacy.fetch_guard), a refusal being a PermanentError that names the kind of address, never the URL's secrets.
What a status means is channels.http_status's ladder with the feeds' rungs: a 410 is `Gone`, a 429 `RateLimited`
with its Retry-After, a 5xx transient, any other 4xx permanent."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

import requests

from channels import clean
from channels.http import address_redacted, request
from channels.http_status import LADDER, Ladder, answered, passed, status_check

from ..base import Gone, PayloadError, PermanentError
from .config import feed_url
from .parse import MAX_BYTES

ACCEPT = "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, */*;q=0.5"
MAX_HOPS = 5
PERMANENT = (301, 308)
TEMPORARY = (302, 303, 307)
# Redirects and 304 are read here; a feed asks no credentials, so a 401/403 is its site refusing the desk.
FEED_LADDER: Ladder = {
    **passed(LADDER, "3xx"),
    401: (PermanentError, "{label}: HTTP {status} {reason}: the site refuses to serve the feed"),
    403: (PermanentError, "{label}: HTTP {status} {reason}: the site refuses to serve the feed"),
    404: (PermanentError, "{label}: HTTP 404 Not Found: check the feed's address"),
    410: (Gone, "{label}: HTTP 410 Gone: the site removed the feed"),
}


@dataclass(frozen=True)
class Fetched:
    """One feed's answer: not modified, or its body with its validators; `moved` is where a permanent redirect
    sent it ("" when none did), `url` where it was read."""

    url: str
    not_modified: bool = False
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    modified: str = ""
    moved: str = ""
    requests: int = 1


def _read(response: requests.Response, label: str) -> bytes:
    if response.raw is None:  # made in memory (the demo's replay): its body is there already
        body = response.content or b""
        if len(body) > MAX_BYTES:
            raise PayloadError(f"{label}: the feed is larger than {MAX_BYTES // (1024 * 1024)} MB")
        return body
    body = b""
    try:
        for chunk in response.iter_content(64 * 1024):
            body += chunk
            if len(body) > MAX_BYTES:
                raise PayloadError(f"{label}: the feed is larger than {MAX_BYTES // (1024 * 1024)} MB")
    except requests.RequestException as exc:
        raise PayloadError(f"{label}: the answer could not be read ({exc.__class__.__name__})") from None
    return body


def _target(at: str, location: str) -> str:
    """Where a redirect from `at` sends the feed: an address checked like an admin's (a ConfigError otherwise)."""
    try:
        joined = urljoin(at, location)
    except ValueError:
        joined = location
    return feed_url(joined)


def fetch_feed(session: requests.Session, url: str, *, etag: str = "", modified: str = "") -> Fetched:
    """GET the feed at `url` with its validators; raises the ladder's error (`Gone` for a 410)."""
    headers = {"Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    # `moved`: where the chain of permanent redirects from `url` ends; a temporary hop ends the chain (the address
    # it left is the one to keep asking).
    moved, at, permanent = "", url, True
    for hop in range(1, MAX_HOPS + 2):
        label = f"feed {address_redacted(at)}"  # a private feed's token (its query) stays out of errors and logs
        # A redirect to an address requests cannot read is channels.http.request's PayloadError, naming it.
        response = request(session, "GET", at, label=label, headers=headers, allow_redirects=False, stream=True)
        try:
            if answered(response, 304):
                return Fetched(url=at, not_modified=True, moved=moved, requests=hop)
            if answered(response, *PERMANENT, *TEMPORARY):
                at = _target(at, response.headers.get("Location") or "")
                permanent = permanent and answered(response, *PERMANENT)
                moved = at if permanent else moved
                continue
            status_check(response, label, FEED_LADDER)
            return Fetched(
                url=at,
                body=_read(response, label),
                content_type=clean.line(response.headers.get("Content-Type"), max_length=200),
                etag=clean.line(response.headers.get("ETag"), max_length=300),
                modified=clean.line(response.headers.get("Last-Modified"), max_length=100),
                moved=moved,
                requests=hop,
            )
        finally:
            if response.raw is not None:  # a streamed answer gives its connection back
                response.close()
    raise PermanentError(f"feed {address_redacted(url)}: redirected more than {MAX_HOPS} times")
