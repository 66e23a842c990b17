"""Share of voice (issue 70): our mentions against each competitor's, per day, week or month, and by sentiment.

Ours are the mentions the Community page counts (metrics.community.counted: a ticket's first mention, merged
duplicates and conversations begun in private left out) on the platforms that search competitors
(`Platform.competitor_search`, the same places the competitors are listened for); their sentiment is the
judgement's. A competitor's are the items its searches found (channels.CompetitorMention), counted once each, judged
alike. Ours are read from the Community page's daily rollup on PostgreSQL (from the tickets on SQLite), theirs from
their rows, grouped by day.

Rows are dense: every period of the range for us and for every competitor that is enabled or was found in it, so a
chart and a CSV show the quiet periods as zeros rather than leaving them out."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate

from channels.adapters.registry import kinds_where
from channels.models import Competitor, CompetitorMention
from metrics.community.volume import channel_kinds, day_counts, period_of, periods
from metrics.periods import day_bounds

PERIODS = ("day", "week", "month")
US = "us"


@dataclass(frozen=True)
class VoiceRow:
    period: date
    group: str  # "us" or a competitor's name
    mentions: int
    positive: int
    negative: int

    @property
    def neutral(self) -> int:
        return self.mentions - self.positive - self.negative

    def as_json(self) -> dict[str, Any]:
        return {
            "period": self.period.isoformat(),
            "group": self.group,
            "mentions": self.mentions,
            "positive": self.positive,
            "negative": self.negative,
        }


def theirs_counted(*, start: date, end: date) -> QuerySet[CompetitorMention]:
    since, until = day_bounds(start, end)
    return CompetitorMention.objects.filter(posted_at__gte=since, posted_at__lt=until)


def _ours(*, start: date, end: date, by: str) -> dict[date, tuple[int, int, int]]:
    """Our (mentions, positive, negative) per period: the Community page's day counts (its rollup on PostgreSQL,
    one grouped query), kept to the channels of the platforms that search competitors."""
    searched, kinds = set(kinds_where(lambda p: bool(p.competitor_search))), channel_kinds()
    found: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for day, (channel_id, sentiment), n in day_counts(
        start=start, end=end, channel_id=None, columns=("channel_id", "sentiment")
    ):
        if kinds.get(int(channel_id)) in searched:
            counts = found[period_of(day, by)]
            counts[0] += n
            counts[1] += n if sentiment == "positive" else 0
            counts[2] += n if sentiment == "negative" else 0
    return {period: (m, p, n) for period, (m, p, n) in found.items()}


def share_of_voice(*, start: date, end: date, by: str = "week") -> list[VoiceRow]:
    """Every period of the range for us and each competitor (see the module's docstring): one query for ours, one
    for the competitors' and one for the enabled competitors' names. Ordered by period, us first, then the
    competitors by name."""
    if by not in PERIODS:
        raise ValueError(f"by must be one of {', '.join(PERIODS)}; got {by!r}.")
    found: dict[tuple[date, str], tuple[int, int, int]] = {
        (period, US): counts for period, counts in _ours(start=start, end=end, by=by).items()
    }
    theirs = (
        theirs_counted(start=start, end=end)
        .annotate(day=TruncDate("posted_at", tzinfo=UTC))
        .values("day", "competitor__name")
        .annotate(
            mentions=Count("pk"),
            positive=Count("pk", filter=Q(sentiment="positive")),
            negative=Count("pk", filter=Q(sentiment="negative")),
        )
        .order_by()
    )
    for row in theirs:
        key = (period_of(row["day"], by), row["competitor__name"])
        mentions, positive, negative = found.get(key, (0, 0, 0))
        found[key] = (mentions + row["mentions"], positive + row["positive"], negative + row["negative"])
    names = set(Competitor.objects.filter(enabled=True).values_list("name", flat=True))
    names |= {group for _period, group in found if group != US}
    groups = [US, *sorted(names, key=str.casefold)]
    return [
        VoiceRow(period, group, *found.get((period, group), (0, 0, 0)))
        for period in periods(start=start, end=end, by=by)
        for group in groups
    ]


def share_pct(rows: list[VoiceRow]) -> dict[tuple[date, str], float | None]:
    """Each group's share of its period's mentions, in percent (None in a period nobody mentioned)."""
    totals: dict[date, int] = {}
    for row in rows:
        totals[row.period] = totals.get(row.period, 0) + row.mentions
    return {
        (row.period, row.group): (100.0 * row.mentions / totals[row.period] if totals[row.period] else None)
        for row in rows
    }
