"""A page as a browser loads it, for bench/pages.py: the page's request, then every request its HTML fires before
it is idle, in the same session and with the headers htmx sends.

What fires: an element with `hx-get` whose `hx-trigger` has `load` (htmx fires it when the element is swapped
in), and the same in what those requests return, recursively. `revealed`, `intersect`, `toggle` and events (a
click, a key, `desk:typing`) wait for the person: folded, not fired. `every Ns` is the live poll: not part of
the view; listed (URL, interval, the element's ETag) for the poll measurement, where each poll carries the ETag
as static/live.js sends it (If-None-Match, X-Desk-Background), so an unchanged page answers 304 at its cost.
"""

from __future__ import annotations

import http.client
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

BROWSER_CONNECTIONS = 6  # a browser's parallel requests to one host over HTTP/1.1
_EVERY = re.compile(r"^every\s+(\d+(?:\.\d+)?)(ms|s|m)?")


@dataclass(frozen=True)
class Fire:
    """A request htmx makes for an element: its URL, the element's id and its ETag (data-etag)."""

    url: str
    elt_id: str = ""
    etag: str = ""
    every: float = 0.0  # seconds between polls, 0 when it fires on load


@dataclass
class Found:
    loads: list[Fire] = field(default_factory=list)
    polls: list[Fire] = field(default_factory=list)


def _seconds(amount: str, unit: str | None) -> float:
    return float(amount) * {"ms": 0.001, "m": 60.0}.get(unit or "s", 1.0)


class _Triggers(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.found = Found()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        url = values.get("hx-get")
        if not url or "hx-trigger" not in values:  # htmx's default triggers are a click, a change, a submit
            return
        target, elt_id, etag = urljoin(self.base, url), values.get("id", ""), values.get("data-etag", "")
        for trigger in (part.strip() for part in values["hx-trigger"].split(",")):
            if trigger.split(" ", 1)[0] == "load":
                self.found.loads.append(Fire(target, elt_id, etag))
            elif match := _EVERY.match(trigger):
                self.found.polls.append(Fire(target, elt_id, etag, _seconds(match.group(1), match.group(2))))


def triggers(html: str, base: str) -> Found:
    """What htmx fires on its own in `html` (a page or a fragment answered for the URL `base`)."""
    parser = _Triggers(base)
    parser.feed(html)
    parser.close()
    return parser.found


@dataclass
class Answer:
    status: int
    body: str
    seconds: float
    cookies: dict[str, str]
    etag: str = ""


def get(port: int, url: str, cookies: dict[str, str], headers: dict[str, str] | None = None, timeout=60.0) -> Answer:
    """One GET with the session's cookies; the cookies it sets come back (the caller keeps them, as a browser)."""
    began = time.perf_counter()
    status, body, set_cookies, etag = 0, "", {}, ""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        sent = {"Host": "127.0.0.1", **(headers or {})}
        if cookies and "Cookie" not in sent:  # a poll carries the cookie of the tab whose ETag it sends
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        conn.request("GET", url, headers=sent)
        response = conn.getresponse()
        raw = response.read()
        status = response.status
        etag = response.getheader("ETag") or ""
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            set_cookies[name.strip()] = rest.split(";", 1)[0]
        if "html" in (response.getheader("Content-Type") or ""):
            body = raw.decode("utf-8", "replace")
        conn.close()
    except OSError:
        pass
    return Answer(status, body, time.perf_counter() - began, set_cookies, etag)


def htmx_headers(port: int, page: str, fire: Fire, *, background: bool = False) -> dict[str, str]:
    headers = {"HX-Request": "true", "HX-Current-URL": f"http://127.0.0.1:{port}{page}"}
    if fire.elt_id:
        headers["HX-Trigger"] = fire.elt_id
    if fire.etag:
        headers["If-None-Match"] = fire.etag
        if background:
            headers["X-Desk-Background"] = "1"
    return headers


@dataclass
class View:
    seconds: float
    statuses: list[int]
    polls: list[tuple[Fire, dict[str, str]]]  # with the headers each poll sends

    @property
    def requests(self) -> int:
        return len(self.statuses)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def view(port: int, url: str, cookies: dict[str, str], pool: ThreadPoolExecutor, *, fragment: bool = False) -> View:
    """Load `url` as the browser does; `fragment`: one htmx request alone (what opening a fold costs)."""
    began = time.perf_counter()
    base = f"http://127.0.0.1:{port}"
    first_headers = htmx_headers(port, url, Fire(url)) if fragment else {}
    first = get(port, url, cookies, first_headers)
    cookies.update(first.cookies)
    statuses = [first.status]
    polls: list[tuple[Fire, dict[str, str]]] = []
    if fragment:
        return View(first.seconds, statuses, polls)
    found = triggers(first.body, base + url)
    while found.loads or found.polls:
        polls += [(p, htmx_headers(port, url, p, background=True)) for p in found.polls]
        fires = found.loads

        def fetch(fire: Fire) -> tuple[Fire, Answer]:
            return fire, get(port, _path(fire.url), dict(cookies), htmx_headers(port, url, fire))

        answers = list(pool.map(fetch, fires))
        found = Found()
        for fire, answer in answers:
            cookies.update(answer.cookies)
            statuses.append(answer.status)
            if answer.status == 200 and answer.body:
                more = triggers(answer.body, fire.url)
                found.loads += more.loads
                found.polls += more.polls
    return View(time.perf_counter() - began, statuses, polls)


def discover_polls(port: int, url: str, cookies: dict[str, str]) -> list[tuple[str, dict[str, str], float]]:
    """The live polls an open tab of `url` keeps making: (path, headers, seconds between two)."""
    with ThreadPoolExecutor(BROWSER_CONNECTIONS) as pool:
        loaded = view(port, url, cookies, pool)
    return [(_path(fire.url), headers, fire.every) for fire, headers in loaded.polls]
