"""The community in a period, in the few figures a report states in words (issue 70): how many mentions, against the
period before; the share of them the desk judged negative, then and before; and the topic the negative ones share
most.

**A mention** is what the Community page counts (metrics.community.counted, one rule for every community figure): a
ticket requested in the period, in the KPI range's UTC days, neither merged into another nor begun as a private
message.

**Negative** is the desk's judged sentiment (`Ticket.sentiment`, written by the judgement or an advocate's
correction). Its share is of the mentions *judged*: a mention not judged yet (the worker judges within seconds;
imported history drains behind) has no sentiment, and counting it as not negative would make a backlog read as
a calmer month. `judged` says how many the share is of.

**The previous period** is the calendar month before when the range is one whole calendar month (a monthly report),
otherwise the same number of days just before it (a Monday-Sunday week: the week before).

**The topic** is the tag or story (`stories.Membership`) on the most of the period's negative mentions, at least two
of them (one ticket is an anecdote, not a topic); at equal counts a story comes first (its title says the topic in
words), then the name. Three queries whatever the period holds.
"""

from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet

from mentions.models import Sentiment, Tag, Ticket
from metrics.community.counted import counted_requested
from metrics.periods import day_bounds
from stories.models import Membership

TOPIC_AT_LEAST = 2


@dataclass(frozen=True)
class CommunitySummary:
    start: date
    end: date
    previous_start: date
    previous_end: date
    previous_label: str  # "the month before", "the 7 days before"
    mentions: int
    previous_mentions: int
    judged: int  # of `mentions`, those with a sentiment
    previous_judged: int
    negative: int
    previous_negative: int
    topic: str  # a tag's name or a story's title; "" when none is shared by TOPIC_AT_LEAST negative mentions
    topic_kind: str  # "tag", "story" or ""
    topic_mentions: int

    @property
    def change_pct(self) -> float | None:
        """Mentions against the period before, in percent; None when there were none before (no "+inf %")."""
        if not self.previous_mentions:
            return None
        return 100.0 * (self.mentions - self.previous_mentions) / self.previous_mentions

    @property
    def negative_pct(self) -> float | None:
        return 100.0 * self.negative / self.judged if self.judged else None

    @property
    def previous_negative_pct(self) -> float | None:
        return 100.0 * self.previous_negative / self.previous_judged if self.previous_judged else None

    def as_json(self) -> dict[str, Any]:
        """The fields and the three shares (rounded as the KPI JSON rounds shares, to 1 decimal), dates in ISO."""
        values = asdict(self)
        for key in ("start", "end", "previous_start", "previous_end"):
            values[key] = values[key].isoformat()
        for key in ("change_pct", "negative_pct", "previous_negative_pct"):
            share = getattr(self, key)
            values[key] = None if share is None else round(share, 1)
        return values


def previous_range(start: date, end: date) -> tuple[date, date, str]:
    """The period before [start, end] (both included) and how a report names it."""
    whole_month = start.day == 1 and end == start.replace(day=calendar.monthrange(start.year, start.month)[1])
    if whole_month:
        previous_end = start - timedelta(days=1)
        return previous_end.replace(day=1), previous_end, "the month before"
    days = (end - start).days + 1
    said = "the week before" if days == 7 and start.weekday() == 0 else f"the {days} days before"
    return start - timedelta(days=days), start - timedelta(days=1), said


def community_summary(*, start: date, end: date, channel_id: int | None = None) -> CommunitySummary:
    previous_start, previous_end, label = previous_range(start, end)
    since, _ = day_bounds(start, end)
    judged, negative = ~Q(sentiment=""), Q(sentiment=Sentiment.NEGATIVE)
    now, before = Q(requested_at__gte=since), Q(requested_at__lt=since)
    counts = counted_requested(start=previous_start, end=end, channel_id=channel_id).aggregate(
        mentions=Count("pk", filter=now),
        judged=Count("pk", filter=now & judged),
        negative=Count("pk", filter=now & negative),
        previous_mentions=Count("pk", filter=before),
        previous_judged=Count("pk", filter=before & judged),
        previous_negative=Count("pk", filter=before & negative),
    )
    topic, kind, count = _topic(counted_requested(start=start, end=end, channel_id=channel_id).filter(negative))
    return CommunitySummary(
        start=start,
        end=end,
        previous_start=previous_start,
        previous_end=previous_end,
        previous_label=label,
        topic=topic,
        topic_kind=kind,
        topic_mentions=count,
        **counts,
    )


def _topic(negatives: QuerySet[Ticket]) -> tuple[str, str, int]:
    """(name, "tag" or "story", negative mentions) of the most shared, or ("", "", 0)."""
    ids = negatives.values("pk")
    # Filtered before it is annotated: the count is of the joined rows the filter kept, the negative mentions.
    tag = (
        Tag.objects.filter(tickets__in=ids)
        .annotate(n=Count("tickets"))
        .order_by("-n", "name")
        .values_list("name", "n")
        .first()
    )
    story = (
        Membership.objects.filter(ticket_id__in=ids, story__merged_into__isnull=True)
        .values("story_id", "story__title")
        .annotate(n=Count("ticket_id"))
        .order_by("-n", "story__title", "story_id")
        .values_list("story__title", "n")
        .first()
    )
    # (negative mentions, story before tag, name, kind): the first in order is the topic.
    found = [
        (n, order, name, kind)
        for order, kind, row in ((0, "story", story), (1, "tag", tag))
        if row
        for name, n in [row]
    ]
    found = [row for row in found if row[0] >= TOPIC_AT_LEAST]
    if not found:
        return "", "", 0
    n, _, name, kind = min(found, key=lambda row: (-row[0], row[1], row[2]))
    return name, kind, n
