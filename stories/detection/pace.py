"""How much of the last hour's traffic each live story is: a story that is half of what arrives right now (an
outage's first hour) takes a ticket on less evidence than a quiet one, as an advocate reading the queue would.
The bonus is log(share / PACE_REF) for a story above PACE_REF of the hour, and nothing below it."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from datetime import datetime, timedelta

from mentions.models import Ticket
from stories.models import Story

HOUR = timedelta(hours=1)
PACE_REF = 0.1
HOT_MIN = 3  # a story with fewer tickets in the hour gets no bonus


class Pace:
    def __init__(self, page_times: list[datetime]) -> None:
        self.page_times = page_times
        self.start = min(page_times)
        self.end = max(page_times)
        self.story_times: dict[int, list[datetime]] = defaultdict(list)
        self.all_times: list[datetime] = []

    def load(self, story_ids: list[int]) -> None:
        """The hour before the page, and the page: every ticket's time and, for those in a live story, its story
        (one query over the hour's tickets, however big the stories are)."""
        if not story_ids:
            return
        live = set(story_ids)
        rows = Ticket.objects.filter(requested_at__gte=self.start - HOUR, requested_at__lte=self.end).values_list(
            "requested_at", "story_membership__story_id"
        )
        for at, story_id in rows:
            self.all_times.append(at)
            if story_id in live:
                self.story_times[story_id].append(at)
        self.all_times.sort()
        for times in self.story_times.values():
            times.sort()

    def joined(self, story_id: int, at: datetime) -> None:
        insort(self.story_times[story_id], at)

    def bonus(self, story_id: int, at: datetime) -> float:
        times = self.story_times.get(story_id)
        if not times or not self.all_times:
            return 0.0
        mine = bisect_right(times, at) - bisect_left(times, at - HOUR)
        if mine < HOT_MIN:
            return 0.0
        everyone = max(mine, bisect_right(self.all_times, at) - bisect_left(self.all_times, at - HOUR))
        return max(0.0, math.log((mine / everyone) / PACE_REF))

    def active(self, at: datetime, least: int) -> list[int]:
        """The stories with at least `least` tickets in the hour before `at` (a burst going on)."""
        return [
            story_id
            for story_id, times in self.story_times.items()
            if bisect_right(times, at) - bisect_left(times, at - HOUR) >= least
        ]


def told_near(story: Story, at: datetime, window: timedelta) -> bool:
    """The story was being told within `window` of `at`: not over for longer, and not begun later. A ticket read after
    newer ones (an import, a backfilled poll, the demo's month seeded after its week) joins the stories of its own
    time, never one that began weeks after it."""
    return story.last_at >= at - window and story.first_at <= at + window
