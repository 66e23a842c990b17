"""A week of conversations for the demo desk on every channel kind but Hacker News (which replays its own
samples through its real adapter, see channels.adapters.hackernews.replay).

Each thread is a story that belongs to its platform: an opening post and the follow-ups that answer it, with
when they happened (days before today, hour of the day in UTC, minutes after the opening post). Posts by the
channel's own account (`OURS`) are our replies, stored as such by the ingest pipeline. `outcome` says what the
desk did next: "solved", "answered" (our reply, waiting on the requester), or "waiting" (nobody answered yet:
the older ones breach the first-reply target). `priority` marks the ones a release day made urgent. `media` is
what an opening post carries (a screenshot), which its platform's replay shows in that platform's shape.

The threads themselves live in channels.demo.threads, a module per group of platforms (`THREADS` is their
concatenation: a thread's index is its place there, and the demo's ids are made from it).

`thread_mentions` turns a thread into the IncomingMention items an adapter hands to intake, cleaned at the same
boundary (`channels.adapters.guard.item_mentions`) as a polled page.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from channels.adapters.base import IncomingMention
from channels.adapters.guard import item_mentions
from channels.demo.threads import OURS, THREADS, Thread

__all__ = ["OURS", "THREADS", "Thread", "thread_mentions", "thread_start"]


def thread_start(thread: Thread, today: datetime) -> datetime:
    day = today.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=thread.days_ago)
    return day + timedelta(hours=thread.hour)


def thread_mentions(
    thread: Thread, *, index: int, today: datetime, ours: str, until: datetime | None = None
) -> list[IncomingMention]:
    """The thread's posts that have happened by `until` (default `today`, the day its week ends),
    opening post first, as cleaned mentions."""
    until = until or today
    start = thread_start(thread, today)
    root = f"demo-{thread.kind}-{index}"
    posts = [(0, thread.author, thread.text), *thread.followups]
    found: list[IncomingMention] = []
    for number, (minutes, author, text) in enumerate(posts):
        at = start + timedelta(minutes=minutes)
        if at > until:
            break  # a follow-up still in the future for a thread opened this morning
        handle = ours if author == OURS else author
        mention = IncomingMention(
            external_id=root if number == 0 else f"{root}-{number}",
            created_at=at,
            text=text,
            author_handle=handle,
            author_name=handle,
            title=thread.title if number == 0 else "",
            parent_id="" if number == 0 else root,
            thread_id=root,
            media=thread.media if number == 0 else (),
            raw={"demo": True, "thread": root},
        )
        found.extend(item_mentions(mention, lambda item: item))
    return found
