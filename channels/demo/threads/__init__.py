"""The demo week's threads, a module per group of platforms; `THREADS` is their concatenation, in a fixed order.

A thread's place in `THREADS` is its index, which the demo's external ids carry (``demo-<kind>-<index>``) and the
replays derive their platforms' ids from (a demo desk seeded before keeps polling them): a thread is only ever
added at the end, in the last group or a new one, so no thread already seeded changes its index.

A platform may keep its week in its own folder instead: the `threads` of its demo spec (`DEMO` in
`channels/adapters/<kind>/demo.py`), which come after the groups here, in the registry's order. Such a spec imports
`Thread` from this package, so `THREADS` is made on first use, once every spec can be read.
"""

from __future__ import annotations

from typing import Any

from . import chat, community, forums, open_social, social, trackers
from .thread import OURS, Thread

_GROUPS: tuple[Thread, ...] = (
    *social.THREADS,  # 0-6
    *forums.THREADS,  # 7-14
    *trackers.THREADS,  # 15-22
    *open_social.THREADS,  # 23-28
    *chat.THREADS,  # 29-31
    *community.THREADS,  # 32-33
)
THREADS: tuple[Thread, ...]  # _GROUPS, then each platform's own (34-), made by `__getattr__` on first use


def __getattr__(name: str) -> Any:
    if name != "THREADS":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from channels.adapters.registry import demo_specs

    threads = (*_GROUPS, *(thread for spec in demo_specs().values() for thread in spec.get("threads", ())))
    globals()["THREADS"] = threads
    return threads


__all__ = ["OURS", "THREADS", "Thread"]
