"""Share of voice (issue 70): our mentions against each competitor's, per day, week or month, and by sentiment.

Ours are the mentions the Community page counts (metrics.community.counted: a ticket's first mention, merged
duplicates and conversations begun in private left out) on the platforms that search competitors
(`Platform.competitor_search`, the same places the competitors are listened for); their sentiment is the
judgement's. A competitor's are the items its searches found (channels.CompetitorMention), counted once each, judged
alike. On PostgreSQL both are read from daily rollups, so a range's cost does not grow with the tickets or the
mentions found: ours from the Community page's (CommunitySentimentDay), theirs from CompetitorDay (kept by
metrics.competitor_rollup). On the embedded SQLite default both are grouped from the rows (the tickets, the
mentions), as every Community figure is there; `theirs_source` is also the reference the rollup is tested against.

Rows are dense: every period of the range for us and for every competitor that is enabled or was found in it, so a
chart and a CSV show the quiet periods as zeros rather than leaving them out.

Narrowed to a product (metrics.product_scope, issue 71): us are that product's tickets, and them are the competitors
of that product and the desk-wide ones (no product: searched by every channel, so competing with every product),
each counted whole; another product's competitor is left out. The competitors are chosen first and only their day
counts read, on either path."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from channels.adapters.registry import kinds_where
from channels.models import Competitor, CompetitorMention
from metrics.community.volume import channel_kinds, period_counts, period_of, period_trunc, periods
from metrics.models import CompetitorDay
from metrics.periods import day_bounds
from metrics.product_scope import narrowed_product
from metrics.rollups import rollups_supported

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


def competitors_counted() -> QuerySet[Competitor]:
    """The competitors share of voice reports: every one, or narrowed to a product its own and the desk-wide ones."""
    competitors = Competitor.objects.order_by()
    product_id = narrowed_product()
    if product_id is None:
        return competitors
    return competitors.filter(Q(product__isnull=True) | Q(product_id=product_id))


def theirs_counted(*, start: date, end: date, competitor_ids: list[int] | None = None) -> QuerySet[CompetitorMention]:
    since, until = day_bounds(start, end)
    rows = CompetitorMention.objects.filter(posted_at__gte=since, posted_at__lt=until)
    return rows if competitor_ids is None else rows.filter(competitor_id__in=competitor_ids)


def theirs_rollup(
    *, start: date, end: date, competitor_ids: list[int] | None = None, by: str = "day"
) -> list[tuple[date, int, str, int]]:
    """(period's first day, competitor_id, sentiment, mentions) for every group with a mention, in order, from
    CompetitorDay (PostgreSQL: kept as the mentions change), summed per week or month there; of those competitors
    only, when given."""
    rows = CompetitorDay.objects.filter(day__gte=start, day__lte=end).order_by()
    if competitor_ids is not None:
        rows = rows.filter(competitor_id__in=competitor_ids)
    summed = rows.annotate(period=period_trunc(by)).values_list("period", "competitor_id", "sentiment")
    return sorted(tuple(row) for row in summed.annotate(n=Sum("mentions")))


def theirs_source(
    *, start: date, end: date, competitor_ids: list[int] | None = None, by: str = "day"
) -> list[tuple[date, int, str, int]]:
    """The same from the mentions themselves, grouped by UTC day and summed per period here: the reference path, and
    the embedded default's."""
    rows = (
        theirs_counted(start=start, end=end, competitor_ids=competitor_ids)
        .annotate(day=TruncDate("posted_at", tzinfo=UTC))
        .order_by()
        .values_list("day", "competitor_id", "sentiment")
        .annotate(n=Count("pk"))
    )
    summed: dict[tuple[date, int, str], int] = defaultdict(int)
    for day, competitor_id, sentiment, n in rows:
        summed[(period_of(day, by), competitor_id, sentiment)] += n
    return sorted((*key, n) for key, n in summed.items())


def theirs_period_counts(
    *, start: date, end: date, by: str, competitor_ids: list[int] | None = None
) -> list[tuple[date, int, str, int]]:
    """Each competitor's mentions per period and sentiment in the range (of those competitors only, when given): one
    query, on either path."""
    read = theirs_rollup if rollups_supported() else theirs_source
    return read(start=start, end=end, competitor_ids=competitor_ids, by=by)


def _ours(*, start: date, end: date, by: str) -> dict[date, tuple[int, int, int]]:
    """Our (mentions, positive, negative) per period: the Community page's counts per period (its rollup on PostgreSQL,
    one grouped query), kept to the channels of the platforms that search competitors."""
    searched, kinds = set(kinds_where(lambda p: bool(p.competitor_search))), channel_kinds()
    found: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for period, (channel_id, sentiment), n in period_counts(
        start=start, end=end, by=by, channel_id=None, columns=("channel_id", "sentiment")
    ):
        if kinds.get(int(channel_id)) in searched:
            counts = found[period]
            counts[0] += n
            counts[1] += n if sentiment == "positive" else 0
            counts[2] += n if sentiment == "negative" else 0
    return {period: (m, p, n) for period, (m, p, n) in found.items()}


def share_of_voice(*, start: date, end: date, by: str = "week") -> list[VoiceRow]:
    """Every period of the range for us and each competitor (see the module's docstring): one query for ours, one
    for the competitors' names and one for their counts per period. Ordered by period, us first, then the competitors by
    name."""
    if by not in PERIODS:
        raise ValueError(f"by must be one of {', '.join(PERIODS)}; got {by!r}.")
    found: dict[tuple[date, str], tuple[int, int, int]] = {
        (period, US): counts for period, counts in _ours(start=start, end=end, by=by).items()
    }
    named = competitors_counted().values_list("pk", "name", "enabled")
    competitors = {pk: (name, enabled) for pk, name, enabled in named}
    # Narrowed, only the product's and the desk-wide competitors' days are read; whole, every one's (no list to send).
    wanted = list(competitors) if narrowed_product() is not None else None
    theirs = theirs_period_counts(start=start, end=end, by=by, competitor_ids=wanted)
    for period, competitor_id, sentiment, n in theirs:
        if competitor_id not in competitors:  # made between the two reads: counted from the next read on
            continue
        key = (period, competitors[competitor_id][0])
        mentions, positive, negative = found.get(key, (0, 0, 0))
        found[key] = (
            mentions + n,
            positive + (n if sentiment == "positive" else 0),
            negative + (n if sentiment == "negative" else 0),
        )
    names = {name for name, enabled in competitors.values() if enabled}
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
