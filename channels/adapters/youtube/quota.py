"""The day's quota: YouTube charges each call in units against the Google Cloud project's daily quota (10,000 by
default; developers.google.com/youtube/v3/determine_quota_cost): a list call 1, ``search.list`` 100,
``comments.insert`` 50. Google resets it at midnight Pacific time, so the desk's day is the Pacific day.

The units spent are kept in the channel's cursor (``{"day": "2026-11-28", "spent": 412, "exhausted": false}``) and
counted before each call: a call that would pass the channel's ``daily_quota`` is not made, and the poll stops there
(the next poll goes on, or after the reset). A 403 ``quotaExceeded`` from Google says the project's quota is gone
(other channels or tools of the project share it): the day is marked exhausted. Either way the poll asks to be
polled again at the reset, and the channel's platform status says the units spent, the budget and when it resets."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..poll.stored import Stored, flag, kept, text, whole

PACIFIC = ZoneInfo("America/Los_Angeles")
COSTS = {"list": 1, "search": 100, "insert": 50}


def pacific_day(now: datetime) -> str:
    return now.astimezone(PACIFIC).date().isoformat()


def next_reset(now: datetime) -> datetime:
    """The next midnight Pacific time (in UTC): when Google resets the day's quota."""
    day = now.astimezone(PACIFIC).date() + timedelta(days=1)
    return datetime.combine(day, time(0), tzinfo=PACIFIC).astimezone(UTC)


class Quota(Stored):
    day: str = kept(text())
    budget: int  # the channel's `daily_quota`: not kept
    spent: int = kept(whole(minimum=0, maximum=100_000_000), default=0)
    exhausted: bool = kept(flag(), default=False)  # Google answered quotaExceeded today

    @classmethod
    def read_back(cls, raw: Any, *, budget: int, now: datetime) -> Quota:
        stored, today = cls.cleaned(raw), pacific_day(now)
        if stored.get("day") != today:
            return cls(day=today, budget=budget)  # a new Pacific day: Google's count starts again
        return cls(budget=budget, **stored)

    def allows(self, cost: int) -> bool:
        return not self.exhausted and self.spent + cost <= self.budget

    def spend(self, cost: int) -> None:
        self.spent += cost

    def status(self, now: datetime) -> dict[str, Any]:
        """What the channel's page shows (its platform status: admin's "Platform says")."""
        reset = next_reset(now)
        said = f"{self.spent:,} of {self.budget:,} units spent today"
        if self.exhausted:
            said += " (Google said the project's quota is used up)"
        elif not self.allows(COSTS["list"]):
            said += " (the day's budget is used up)"
        said += f"; Google resets the quota at midnight Pacific time ({reset.isoformat(timespec='minutes')})"
        return {
            "quota": said,
            "quota_spent": self.spent,
            "quota_budget": self.budget,
            "quota_resets_at": reset.isoformat(),
        }


def seconds_to_reset(now: datetime) -> float:
    return max(60.0, (next_reset(now) - now).total_seconds())
