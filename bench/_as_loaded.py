"""A page as a browser loads it, for bench/page_profile.py: its first answer and every request its HTML fires
on load (an element with hx-get whose hx-trigger names `load`), then the requests those answers fire in turn
(a deferred panel's own slot). Requests fired later (a fold opened, a poll's interval) are not the page's load."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from _pages_view import triggers


def fired_on_load(page: str, base: str = "/") -> list[str]:
    """The URLs `page`'s HTML asks for as it loads, as bench/pages.py finds them (_pages_view.triggers: an
    hx-get whose hx-trigger names `load`, with or without modifiers such as `load delay:1s`)."""
    return [fire.url for fire in triggers(page, base).loads]


def page_view(client: Any, url: str, *, depth: int = 3) -> list[tuple[str, int, str]]:
    """Every request of one page view: (url, status, body), the first answer first."""
    done: list[tuple[str, int, str]] = []
    todo: list[str] = [url]
    headers: dict[str, str] = {}
    for _ in range(depth):
        fired: list[str] = []
        for each in todo:
            response = client.get(each, headers=headers)
            body = response.content.decode()
            done.append((each, response.status_code, body))
            fired += fired_on_load(body) if response.status_code == 200 else []
        todo, headers = fired, {"HX-Request": "true"}
        if not todo:
            break
    return done


def requester_as_loaded(client: Any, url: Callable[[int], str]) -> Callable[[int], int]:
    """page_profile's `get` for a page as loaded: the first answer's status (the others must be 200)."""

    def get(i: int) -> int:
        views = page_view(client, url(i))
        bad = [(u, s) for u, s, _ in views[1:] if s != 200]
        assert not bad, f"a request fired on load failed: {bad}"
        return views[0][1]

    return get


def describe(client: Any, url: str, *, repeat: int = 30) -> str:
    """One page view's requests, each with its query count and its CPU ms (this process and its PostgreSQL
    backend, over `repeat` requests), for the printout."""
    from _cpu import CpuMeter
    from django.db import connection

    lines = []
    sent: list[str] = []

    def counting(execute: Any, sql: str, *args: Any) -> Any:
        sent.append(sql)
        return execute(sql, *args)

    for each in [url, *[u for u, _, _ in page_view(client, url)[1:]]]:
        headers = {"HX-Request": "true"} if each != url else {}
        sent.clear()
        with connection.execute_wrapper(counting):
            client.get(each, headers=headers)
        with CpuMeter() as meter:
            for _ in range(repeat):
                client.get(each, headers=headers)
        cpu = meter.cpu.total * 1000 / repeat
        lines.append(f"    {len(sent):3d} queries {cpu:6.2f} CPU ms  {re.sub(r'[?].*', '', each)}")
    return "\n".join(lines)
