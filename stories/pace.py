"""How much of the last hour's traffic each live story is: a story that is half of what arrives right now (an
outage's first hour) takes a ticket on less evidence than a quiet one, as an advocate reading the queue would.
The bonus is log(share / PACE_REF) for a story above PACE_REF of the hour, and nothing below it."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from datetime import datetime, timedelta

from mentions.models import Ticket
from stories.models import Membership

HOUR = timedelta(hours=1)
PACE_REF = 0.1
HOT_MIN = 3  # a story with fewer tickets in the hour gets no bonus (and the hour's tickets are not read)


class Pace:
    def __init__(self, page_times: list[datetime]) -> None:
        self.page_times = page_times
        self.start = min(page_times)
        self.end = max(page_times)
        self.story_times: dict[int, list[datetime]] = defaultdict(list)
        self.all_times: list[datetime] = []
        self.loaded = False

    def load(self, story_ids: list[int]) -> None:
        """Each live story's tickets of the hour before the page, and, if one is hot, every ticket's time then."""
        rows = Membership.objects.filter(
            story_id__in=story_ids, ticket__requested_at__gte=self.start - HOUR
        ).values_list("story_id", "ticket__requested_at")
        for story_id, at in rows:
            self.story_times[story_id].append(at)
        for times in self.story_times.values():
            times.sort()
        if any(len(times) >= HOT_MIN for times in self.story_times.values()):
            self._all_load()

    def _all_load(self) -> None:
        if self.loaded:
            return
        # Every ticket of the hour (the page's own are among them: they are stored before they are read).
        self.all_times = sorted(
            Ticket.objects.filter(requested_at__gte=self.start - HOUR, requested_at__lte=self.end).values_list(
                "requested_at", flat=True
            )
        )
        self.loaded = True

    def joined(self, story_id: int, at: datetime) -> None:
        times = self.story_times[story_id]
        insort(times, at)
        if len(times) >= HOT_MIN:
            self._all_load()

    def bonus(self, story_id: int, at: datetime) -> float:
        times = self.story_times.get(story_id)
        if not times or not self.loaded:
            return 0.0
        mine = bisect_right(times, at) - bisect_left(times, at - HOUR)
        if mine < HOT_MIN:
            return 0.0
        everyone = max(mine, bisect_right(self.all_times, at) - bisect_left(self.all_times, at - HOUR))
        return max(0.0, math.log((mine / everyone) / PACE_REF))
