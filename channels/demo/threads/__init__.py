"""The demo week's threads, a module per group of platforms; `THREADS` is their concatenation, in a fixed order.

A thread's place in `THREADS` is its index, which the demo's external ids carry (``demo-<kind>-<index>``) and the
replays derive their platforms' ids from (a demo desk seeded before keeps polling them): a thread is only ever
added at the end, in the last group or a new one, so no thread already seeded changes its index.
"""

from __future__ import annotations

from . import chat, community, forums, open_social, social, trackers
from .thread import OURS, Thread

THREADS: tuple[Thread, ...] = (
    *social.THREADS,  # 0-6
    *forums.THREADS,  # 7-14
    *trackers.THREADS,  # 15-22
    *open_social.THREADS,  # 23-28
    *chat.THREADS,  # 29-31
    *community.THREADS,  # 32-33
)

__all__ = ["OURS", "THREADS", "Thread"]
