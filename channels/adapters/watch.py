"""Reading one thread directly (an HN story's item tree, a Reddit post's comments, a Discourse topic,
a Stack Exchange question's answers and comments, a Disqus thread), for the threads the desk watches:
an expert's answer there is seen even when it does not contain a keyword the channel searches for.

Each adapter that can has `thread_ref(external_id, thread_id, raw)` (the thread a stored message
belongs to, "" when it cannot be watched) and `fetch_thread(channel, session, ref)`, which returns
the thread's items as the same `IncomingMention`s its poll would (same ids), so the ingest pipeline
stores them: duplicates are dropped, replies join their ticket, an expert's answer closes the loop.

How often a watched thread is read is chosen per platform so that 100 watched threads use a stated
share of the platform's request budget (`WATCH_PLANS`; docs/platforms/README.md, "Watching threads").
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


# 100 watched threads stay under a quarter of each budget, leaving polling its half (channels.freshness).
WATCH_PLANS: dict[str, WatchPlan] = {
    "hackernews": WatchPlan(600, 1, 240_000, "Algolia: 10,000 an hour per IP"),
    "reddit": WatchPlan(600, 1, 144_000, "Reddit: 100 a minute per OAuth app"),
    "discourse": WatchPlan(900, 2, 86_400, "Discourse: 60 a minute per admin API key"),
    "stackexchange": WatchPlan(7_200, 2, 10_000, "Stack Exchange: 10,000 a day per IP with an app key"),
    "disqus": WatchPlan(1_800, 1, 24_000, "Disqus: 1,000 an hour per application"),
    "gitlab": WatchPlan(600, 2, 2_880_000, "GitLab.com: 2,000 API requests a minute per user"),
}
