"""The demo desk's network: every platform the demo polls is answered on this machine, from the demo week.

`make run` sets DESK_DEMO_REPLAY; then every HTTP session the desk builds (channels.http.build_session) has
this transport mounted for `http://` and `https://`. A request to a platform's API (an issue tracker's too: the demo's
Jira and Linear) is answered by that platform's replay module (`channels/adapters/<kind>/replay.py`) in the
platform's own response shape, rendered from the demo week's posts (channels.demo.week), so the demo's polls run the
production path (the adapter's query, paging, cursor and parser, then intake) with no network. A request to
any other host outside this machine is refused with a ConnectionError: the demo never opens a connection
outside 127.0.0.1, and a test fails if a task tries.

A replay module exposes:
    HOSTS: tuple[str, ...]                      the API hosts it answers for
    answer(request, posts) -> (status, body)    body: JSON-able, or bytes/str sent as they are
    answer(request, posts) -> (status, body, headers)
                                                also the response's headers (a platform's paging headers)
where `posts` gives the demo week's posts of its kind that have happened by now
(`DemoPosts`: cleaned IncomingMention items, opening post first per thread).
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Protocol
from urllib.parse import urlparse

import requests
from django.conf import settings
from django.utils import timezone
from requests.adapters import BaseAdapter

from advocacy.fetch_guard import LOOPBACK, GuardedAdapter
from channels.adapters.base import IncomingMention
from channels.adapters.registry import platforms

logger = logging.getLogger(__name__)

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class Replay(Protocol):
    HOSTS: tuple[str, ...]

    def answer(
        self, request: requests.PreparedRequest, posts: DemoPosts
    ) -> tuple[int, Any] | tuple[int, Any, Mapping[str, str]]: ...


@dataclass(frozen=True)
class DemoPosts:
    """The demo week's posts of one kind by `now`, anchored on the day the demo was seeded."""

    kind: str
    now: datetime
    our_account: str
    mentions: tuple[IncomingMention, ...]

    def threads(self) -> list[list[IncomingMention]]:
        """The posts by thread, each opening post first, threads oldest first."""
        by_thread: dict[str, list[IncomingMention]] = {}
        for mention in self.mentions:
            by_thread.setdefault(mention.thread_id or mention.external_id, []).append(mention)
        return sorted(by_thread.values(), key=lambda posts: posts[0].created_at)

    def ours(self, text: str = "", **more: Any) -> IncomingMention:
        """A post our account makes now on the demo (answered as done, kept nowhere)."""
        return IncomingMention(external_id="", author_handle=self.our_account, text=text, created_at=self.now, **more)


def demo_posts(kind: str, *, now: datetime | None = None) -> DemoPosts:
    from channels.demo.channels import DEMO_CHANNELS, demo_anchor
    from channels.demo.week import THREADS, thread_mentions

    now = now or timezone.now()
    anchor = demo_anchor(kind) or now
    # Hacker News replays its own samples: it has no week of threads and no demo channel spec here.
    ours = DEMO_CHANNELS.get(kind, {}).get("our_accounts", [""])[0]
    found: list[IncomingMention] = []
    for index, thread in enumerate(THREADS):
        if thread.kind == kind:
            found.extend(thread_mentions(thread, index=index, today=anchor, ours=ours, until=now))
    return DemoPosts(kind=kind, now=now, our_account=ours, mentions=tuple(found))


@cache
def _replays() -> dict[str, tuple[str, Replay]]:
    """Host → (kind, replay module): each polled platform's and each issue tracker's `channels.adapters.<kind>.replay`
    that answers HTTP (its `HOSTS`; the mailbox's replay is an IMAP server of its own and lists none)."""
    hosts: dict[str, tuple[str, Replay]] = {}
    for platform in platforms():
        if platform.pushed or not (_reads(platform.kind) or platform.issues):
            continue  # never asked (pushed, or neither read nor filed in): there is no API of it for the demo to answer
        name = f"{platform.package}.replay"
        try:
            module: Any = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise  # the replay exists but imports something missing: a real error
            logger.warning("demo: no replay for %s yet (%s): its hosts are refused like any other", platform.kind, name)
            continue
        for host in getattr(module, "HOSTS", ()):
            hosts[host] = (platform.kind, module)
    return hosts


def _reads(kind: str) -> bool:
    """Whether the platform's adapter reads mentions at all (an issue tracker such as Jira reads none, but the desk
    files and follows issues there: `platform.issues`)."""
    from channels.adapters import get_adapter

    adapter = type(get_adapter(kind))
    return any(adapter.offers(ability) for ability in ("fetch_chunks", "fetch", "fetch_thread"))


class DemoNetwork(BaseAdapter):
    """Mounted for http:// and https:// on the demo desk's sessions (see the module docstring)."""

    def __init__(self, posts_of: Callable[[str], DemoPosts] = demo_posts) -> None:
        super().__init__()
        self.posts_of = posts_of
        # This machine and nothing else, said to the fetch guard explicitly: the demo's local fakes and receivers.
        self.local = GuardedAdapter(allowed=LOOPBACK)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        assert request.url is not None  # the session prepared it, and preparing sets the URL
        host = (urlparse(request.url).hostname or "").lower()
        if host in LOCAL_HOSTS:
            return self.local.send(request, *args, **kwargs)  # this machine: a local fake, a webhook receiver
        found = _replays().get(host)
        if found is None:
            logger.warning("demo: refused a connection to %s (the demo desk stays on this machine)", host)
            raise requests.ConnectionError(f"the demo desk opens no connection outside this machine ({host})")
        kind, replay = found
        status, body, *headers = replay.answer(request, self.posts_of(kind))
        return replay_response(request, status, body, headers[0] if headers else {})

    def close(self) -> None:
        self.local.close()


def demo_network() -> DemoNetwork | None:
    """The demo desk's network while DESK_DEMO_REPLAY is on, read at each session (tests turn it on and off)."""
    return DemoNetwork() if settings.DESK_DEMO_REPLAY else None


def network_install() -> None:
    """Every session channels.http builds asks `demo_network` (ChannelsConfig.ready): the demo mounts itself."""
    from channels import http

    if demo_network not in http.session_mounts:
        http.session_mounts.append(demo_network)


def replay_response(
    request: requests.PreparedRequest, status: int, body: Any, headers: Mapping[str, str] | None = None
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.reason = requests.status_codes._codes.get(status, ("",))[0].upper().replace("_", " ")  # type: ignore[attr-defined]
    if isinstance(body, bytes | str):
        response._content = body.encode() if isinstance(body, str) else body
        response.headers["Content-Type"] = "text/plain; charset=utf-8"
    else:
        response._content = json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json"
    response.headers.update(headers or {})
    response.url = request.url or ""
    response.request = request
    return response
