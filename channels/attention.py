"""Channels the desk has stopped reading, for the banner every role sees on the queue (mentions.views.lists).

Admin alone used to say "Failing: needs an admin"; an advocate working the queue could not tell that a
platform had gone quiet because nothing was read. One query for all of them: the queue is the desk's most
loaded page, and its cost must not grow with the number of channels.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from channels.models import Channel

# A single failed poll is routine (a timeout, a 503) and retried within minutes; this many in a row means
# nothing has been read for a while and people should know.
PAUSED_AFTER_FAILURES = 3


@dataclass(frozen=True)
class Stalled:
    pk: int
    name: str
    health: str
    last_success_at: datetime | None
    failures: int
    next_poll_at: datetime | None
    since: str  # when it was last read, as short as is unambiguous; empty when it never was

    @property
    def needs_admin(self) -> bool:
        return self.health == Channel.Health.FAILING

    @property
    def retry_at(self) -> str:
        return f"{timezone.localtime(self.next_poll_at):%H:%M}" if self.next_poll_at else ""


def _since(moment: datetime | None, now: datetime) -> str:
    """ "10:42" today, "Mon 23 Nov 10:42" before: the desk's own time zone, as every page shows times."""
    if moment is None:
        return ""
    when = timezone.localtime(moment)
    return f"{when:%H:%M}" if when.date() == timezone.localtime(now).date() else f"{when:%a} {when.day} {when:%b %H:%M}"


def channels_stalled(*, now: datetime | None = None) -> list[Stalled]:
    """Enabled channels that are not being read: failing (polling stopped until an admin acts) or paused
    after several failed polls in a row (backing off). A disabled channel was stopped on purpose: not here."""
    paused = Q(health=Channel.Health.BACKING_OFF, consecutive_failures__gte=PAUSED_AFTER_FAILURES)
    rows = (
        Channel.objects.filter(enabled=True)
        .filter(Q(health=Channel.Health.FAILING) | paused)
        .order_by("name")
        .values_list("pk", "name", "health", "last_success_at", "consecutive_failures", "next_poll_at")
    )
    now = now or timezone.now()
    return [Stalled(*row, since=_since(row[3], now)) for row in rows]
