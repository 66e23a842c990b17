"""The demo week's threads, a module per group of platforms; `THREADS` is their concatenation, in a fixed order.

A thread's place in `THREADS` is its index, which the demo's external ids carry (``demo-<kind>-<index>``) and the
replays derive their platforms' ids from (a demo desk seeded before keeps polling them): a thread is only ever
added at the end, in the last group or a new one, so no thread already seeded changes its index. A platform may
keep its week in its own package instead (`platform_threads`).
"""

from __future__ import annotations

from importlib import import_module

from . import chat, community, forums, open_social, social, trackers
from .thread import OURS, Thread


def platform_threads() -> tuple[Thread, ...]:
    """The threads a platform's package keeps beside its demo channel: `DEMO_THREADS` in its `demo.py`, each a
    Thread's fields but the kind (plain values, so the package imports nothing of the demo), in the registry's
    order, after the shared groups. A package whose replay numbers posts by their thread's index should not keep
    threads here: a platform registered later before it would shift them (the feeds' replay derives its ids from
    the titles)."""
    from channels.adapters.registry import PLATFORMS

    found: list[Thread] = []
    for kind, declaration in PLATFORMS.items():
        name = declaration.rpartition(".")[0] + ".demo"
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise  # the module exists but imports something missing: a real error
            continue
        found.extend(Thread(kind, **fields) for fields in getattr(module, "DEMO_THREADS", ()))
    return tuple(found)


THREADS: tuple[Thread, ...] = (
    *social.THREADS,  # 0-6
    *forums.THREADS,  # 7-14
    *trackers.THREADS,  # 15-22
    *open_social.THREADS,  # 23-28
    *chat.THREADS,  # 29-31
    *community.THREADS,  # 32-33
    *platform_threads(),  # 34-: the platforms' own (feed)
)

__all__ = ["OURS", "THREADS", "Thread"]
