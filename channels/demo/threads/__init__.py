"""The demo week's threads, a module per group of platforms; `THREADS` is their concatenation, in a fixed order.

A thread's place in `THREADS` is its index, which the demo's external ids carry (``demo-<kind>-<index>``) and the
replays derive their platforms' ids from (a demo desk seeded before keeps polling them): a thread is only ever
added at the end, in the last group or a new one, so no thread already seeded changes its index.

A platform may keep its week in its own folder instead: the `threads` of its demo spec (`DEMO` in
`channels/adapters/<kind>/demo.py`), which come after the groups here, in the registry's order.
"""

from __future__ import annotations

from channels.adapters.registry import demo_specs

from . import chat, community, forums, open_social, social, trackers
from .thread import OURS, Thread


def _platforms_threads() -> tuple[Thread, ...]:
    """The threads the platforms keep in their own folders (their demo spec's `threads`)."""
    return tuple(thread for spec in demo_specs().values() for thread in spec.get("threads", ()))


THREADS: tuple[Thread, ...] = (
    *social.THREADS,  # 0-6
    *forums.THREADS,  # 7-14
    *trackers.THREADS,  # 15-22
    *open_social.THREADS,  # 23-28
    *chat.THREADS,  # 29-31
    *community.THREADS,  # 32-33
    *_platforms_threads(),  # 34-: each platform's own, in the registry's order
)

__all__ = ["OURS", "THREADS", "Thread"]
