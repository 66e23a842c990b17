"""Share of voice (issue 70): our mentions against each competitor's, per day, week or month, and by sentiment.

Ours are the tickets requested in the period on the platforms that search competitors (`Platform.competitor_search`,
the same places the competitors are listened for), less those that began as a private message (Message kind
PRIVATE: a conversation, not a voice in public); their sentiment is the judgement's. A competitor's are the items its
searches found (channels.CompetitorMention), counted once each, judged alike. Both are counted from their rows in
the database (GROUP BY period), the same on PostgreSQL and SQLite.

Rows are dense: every period of the range for us and for every competitor that is enabled or was found in it, so a
chart and a CSV show the quiet periods as zeros rather than leaving them out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek

from channels.adapters.registry import kinds_where
from channels.models import Competitor, CompetitorMention
from mentions.models import Message, Ticket
from metrics.periods import day_bounds

PERIODS = ("day", "week", "month")
US = "us"
_TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


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


def period_start(day: date, by: str) -> date:
    """The first day of the period `day` is in: itself, its week's Monday, its month's first."""
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    return day


def periods_of(start: date, end: date, by: str) -> list[date]:
    """The periods the range touches, by their first day (the first may begin before `start`)."""
    found: list[date] = []
    day = period_start(start, by)
    while day <= end:
        found.append(day)
        day = day + timedelta(days=1 if by == "day" else 7) if by != "month" else _next_month(day)
    return found


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def ours_counted(*, start: date, end: date) -> QuerySet[Ticket]:
    """Our mentions of the range: the tickets requested in it on the platforms searched for competitors, less those
    whose first message was private."""
    since, until = day_bounds(start, end)
    private_first = Message.objects.filter(
        ticket=OuterRef("pk"), kind=Message.Kind.PRIVATE, platform_created_at__lte=OuterRef("requested_at")
    )
    return (
        Ticket.objects.filter(requested_at__gte=since, requested_at__lt=until)
        .filter(channel__kind__in=kinds_where(lambda p: bool(p.competitor_search)))
        .exclude(Exists(private_first))
    )


def theirs_counted(*, start: date, end: date) -> QuerySet[CompetitorMention]:
    since, until = day_bounds(start, end)
    return CompetitorMention.objects.filter(posted_at__gte=since, posted_at__lt=until)


def _as_date(value: date | datetime) -> date:
    return value.astimezone(UTC).date() if isinstance(value, datetime) else value


def _counts(qs: QuerySet[Any], at: str, by: str, *group: str) -> Iterator[dict[str, Any]]:
    trunc = _TRUNC[by](at, tzinfo=UTC)
    yield from (
        qs.annotate(period=trunc)
        .values("period", *group)
        .annotate(
            mentions=Count("pk"),
            positive=Count("pk", filter=Q(sentiment="positive")),
            negative=Count("pk", filter=Q(sentiment="negative")),
        )
        .order_by()
    )


def share_of_voice(*, start: date, end: date, by: str = "week") -> list[VoiceRow]:
    """Every period of the range for us and each competitor (see the module's docstring): two queries and one for
    the enabled competitors' names. Ordered by period, us first, then the competitors by name."""
    if by not in PERIODS:
        raise ValueError(f"by must be one of {', '.join(PERIODS)}; got {by!r}.")
    found: dict[tuple[date, str], tuple[int, int, int]] = {}
    for row in _counts(ours_counted(start=start, end=end), "requested_at", by):
        found[(_as_date(row["period"]), US)] = (row["mentions"], row["positive"], row["negative"])
    for row in _counts(theirs_counted(start=start, end=end), "posted_at", by, "competitor__name"):
        key = (_as_date(row["period"]), row["competitor__name"])
        mentions, positive, negative = found.get(key, (0, 0, 0))
        found[key] = (mentions + row["mentions"], positive + row["positive"], negative + row["negative"])
    names = set(Competitor.objects.filter(enabled=True).values_list("name", flat=True))
    names |= {group for _period, group in found if group != US}
    groups = [US, *sorted(names, key=str.casefold)]
    return [
        VoiceRow(period, group, *found.get((period, group), (0, 0, 0)))
        for period in periods_of(start, end, by)
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
