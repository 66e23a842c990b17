"""Reading one thread directly (an HN story's item tree, a Reddit post's comments, a Discourse topic,
a Stack Exchange question's answers and comments, a Disqus thread), for the threads the desk watches:
an expert's answer there is seen even when it does not contain a keyword the channel searches for.

Each adapter that can has `thread_ref(external_id, thread_id, raw)` (the thread a stored message
belongs to, "" when it cannot be watched) and `fetch_thread(channel, session, ref)`, which returns
the thread's items as the same `IncomingMention`s its poll would (same ids), so the ingest pipeline
stores them: duplicates are dropped, replies join their ticket, an expert's answer closes the loop.

How often a watched thread is read is chosen per platform so that 100 watched threads use a stated
share of the platform's request budget: each platform declares its `WatchPlan` (`Platform.watch`, in
`channels/adapters/<kind>/platform.py`; docs/platforms/README.md, "Watching threads").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from channels.adapters.base import IncomingMention


@dataclass
class ThreadFetch:
    mentions: list[IncomingMention] = field(default_factory=list)
    requests_made: int = 0


@dataclass(frozen=True)
class WatchPlan:
    interval_seconds: int  # one watched thread is read this often
    requests_per_check: int
    budget_per_day: int  # what the platform allows a day (the budget watching shares with polling)
    budget: str  # in words, for the docs and admin

    def requests_per_day(self, threads: int) -> int:
        return threads * self.requests_per_check * (86_400 // self.interval_seconds)

    def share_of_budget(self, threads: int) -> float:
        return self.requests_per_day(threads) / self.budget_per_day


def watch_plan(kind: str) -> WatchPlan | None:
    """How often a thread of `kind` is read; None when its threads are not watched (X, e-mail, webhooks)."""
    from channels.adapters.registry import platform_of

    return platform_of(kind).watch
