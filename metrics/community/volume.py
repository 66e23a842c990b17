"""Mentions per period (day, week or month) by platform, sentiment, intent or judgement; the share of positive and
negative mentions per period, overall and per platform; the intent mix per period. Which tickets count:
metrics.community.counted.

Every series is read from the counts per period (`period_counts`): summed by PostgreSQL from the CommunityDay rollup
(or one of its sums), counted per day from the tickets elsewhere and summed per period here; both give the same rows.
A week is Monday to Sunday, named by its Monday; a month by its first day. A week or month the range cuts counts only
its days in the range."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, timedelta

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek
from django.db.models.functions.datetime import TruncBase

from channels.adapters.registry import platform_or_default
from channels.models import Channel
from mentions.models import Intent, Judgement, Sentiment
from metrics.community.counted import counted_requested
from metrics.models import CommunityChoiceDay, CommunityDay, CommunitySentimentDay
from metrics.product_scope import rollup_narrowed
from metrics.rollups import rollups_ensure_fresh, rollups_memo, rollups_supported

PERIODS = ("day", "week", "month")
GROUPS = ("platform", "sentiment", "intent", "judgement")
NOT_JUDGED = "unjudged"  # the group of a ticket not judged yet ("" in its column)
_COLUMNS = {"platform": "channel_id", "sentiment": "sentiment", "intent": "intent", "judgement": "judgement"}
SENTIMENT_DAY_COLUMNS = {"channel_id", "sentiment"}  # CommunitySentimentDay's
CHOICE_COLUMNS = ("intent", "judgement", "sentiment")  # CommunityChoiceDay's choices (metrics.community.rollup)
LABELS: dict[str, dict[str, str]] = {
    "sentiment": dict(Sentiment.choices),
    "intent": dict(Intent.choices),
    "judgement": dict(Judgement.choices),
}


def period_of(day: date, by: str) -> date:
    """The first day of the period `day` is in."""
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    return day


def period_trunc(by: str, field: str = "day") -> F | TruncBase:
    """The first day of the period of a rollup's `field` (a date), for PostgreSQL to sum per period: period_of's
    rule (date_trunc's week starts on Monday)."""
    return {"week": TruncWeek(field), "month": TruncMonth(field)}.get(by, F(field))


def periods(*, start: date, end: date, by: str) -> list[date]:
    """Every period the range touches, in order."""
    found: list[date] = []
    day = start
    while day <= end:
        first = period_of(day, by)
        if not found or found[-1] != first:
            found.append(first)
        day += timedelta(days=1)
    return found


def channel_kinds() -> dict[int, str]:
    """Every channel's platform kind (one query, shared inside a read)."""
    return rollups_memo(("community-channel-kinds",), lambda: dict(Channel.objects.values_list("id", "kind")))


def group_label(group: str, value: str) -> str:
    """What the page calls a group's value: the platform's name, the choice's label, or "Not judged"."""
    if value == NOT_JUDGED:
        return "Not judged"
    if group == "platform":
        return platform_or_default(value).label
    return LABELS[group].get(value, value)


def period_counts_rollup(
    *, start: date, end: date, by: str, channel_id: int | None, columns: Sequence[str]
) -> list[tuple]:
    """period_counts summed by PostgreSQL (the caller refreshed the rollups) from the CommunityDay rollup, or from one
    of its sums, whose rows do not multiply with the other choices as the mentions grow (bench/README.md, a year at
    1,000,000 tickets): one choice over every channel from CommunityChoiceDay (a row per day and value: 2,920 for the
    intents instead of 43,800), channels and sentiments from CommunitySentimentDay (7,300). Summed per week or month
    there, the page's year reads a few hundred rows, where each day's row read and summed here was most of its CPU."""
    period = period_trunc(by)
    if channel_id is None and len(columns) == 1 and columns[0] in CHOICE_COLUMNS:
        choices = rollup_narrowed(CommunityChoiceDay.objects.filter(day__gte=start, day__lte=end, choice=columns[0]))
        qs = choices.order_by().annotate(period=period).values_list("period", "value")
        return _rows(qs.annotate(n=Sum("mentions")))
    narrow = set(columns) <= SENTIMENT_DAY_COLUMNS
    days = rollup_narrowed(
        (CommunitySentimentDay if narrow else CommunityDay).objects.filter(day__gte=start, day__lte=end)
    )
    if channel_id is not None:
        days = days.filter(channel_id=channel_id)
    return _rows(days.order_by().annotate(period=period).values_list("period", *columns).annotate(n=Sum("mentions")))


def period_counts_source(
    *, start: date, end: date, by: str, channel_id: int | None, columns: Sequence[str]
) -> list[tuple]:
    """period_counts from the tickets themselves, per day, summed per period here: the reference path, and the one of
    the embedded SQLite default."""
    rows = (
        counted_requested(start=start, end=end, channel_id=channel_id)
        .annotate(day=TruncDate("requested_at", tzinfo=UTC))
        .order_by()
        .values_list("day", *columns)
        .annotate(n=Count("id"))
    )
    summed: dict[tuple, int] = defaultdict(int)
    for day, *values, n in rows:
        summed[(period_of(day, by), *values)] += n
    return _rows((*key, n) for key, n in summed.items())


def _rows(rows: Iterable) -> list[tuple]:
    return sorted((row[0], tuple(row[1:-1]), row[-1]) for row in rows)


def period_counts(
    *, start: date, end: date, by: str, channel_id: int | None, columns: Sequence[str]
) -> list[tuple[date, tuple[str | int, ...], int]]:
    """(period's first day, values of `columns`, mentions) for every period (`by`: day, week or month) and combination
    with a mention, in order. Columns are CommunityDay's: channel_id, judgement, intent, sentiment. One query, shared
    inside a read."""

    def fetch() -> list[tuple]:
        if not rollups_supported():
            return period_counts_source(start=start, end=end, by=by, channel_id=channel_id, columns=columns)
        rollups_ensure_fresh()
        return period_counts_rollup(start=start, end=end, by=by, channel_id=channel_id, columns=columns)

    return rollups_memo(("community-periods", start, end, by, channel_id, tuple(columns)), fetch)


def volume_rows(*, start: date, end: date, by: str, group: str, channel_id: int | None = None) -> list[dict]:
    """[{"period", "group", "mentions"}] for every period and group with a mention, by period then group. The
    group is the platform's kind, or the sentiment, intent or judgement as stored ("unjudged" when not yet)."""
    column = _COLUMNS[group]
    kinds = channel_kinds() if group == "platform" else {}
    counts: dict[tuple[date, str], int] = defaultdict(int)
    for period, (value,), n in period_counts(start=start, end=end, by=by, channel_id=channel_id, columns=(column,)):
        key = kinds.get(int(value), "") if group == "platform" else (str(value) or NOT_JUDGED)
        counts[(period, str(key))] += n
    return [{"period": p, "group": g, "mentions": counts[(p, g)]} for p, g in sorted(counts)]


def volume_table(*, start: date, end: date, by: str, group: str, channel_id: int | None = None) -> dict:
    """The page's table of one grouping: {"periods", "groups": [(value, label)], "cells": {value: [n per period]},
    "totals": [n per period], "rows"}, every period of the range listed (zeros too), groups busiest first."""
    rows = volume_rows(start=start, end=end, by=by, group=group, channel_id=channel_id)
    all_periods = periods(start=start, end=end, by=by)
    index = {p: i for i, p in enumerate(all_periods)}
    cells: dict[str, list[int]] = {}
    for row in rows:
        cells.setdefault(row["group"], [0] * len(all_periods))[index[row["period"]]] += row["mentions"]
    order = sorted(cells, key=lambda g: (-sum(cells[g]), g))
    totals = [sum(cells[g][i] for g in cells) for i in range(len(all_periods))]
    return {
        "periods": all_periods,
        "groups": [(g, group_label(group, g)) for g in order],
        "cells": cells,
        "totals": totals,
        # The page's table: a row per period, a column per group.
        "rows": [
            {"period": p, "counts": [cells[g][i] for g in order], "total": totals[i]} for i, p in enumerate(all_periods)
        ],
    }


def _pct(part: int, whole: int) -> float | None:
    return None if not whole else round(100.0 * part / whole, 1)


def sentiment_shares(*, start: date, end: date, by: str, channel_id: int | None = None) -> list[dict]:
    """Per period, overall ("all") and per platform: {"period", "platform", "label", "positive", "negative",
    "neutral", "judged", "unjudged", "positive_pct", "negative_pct"}. The shares are of the judged mentions (those
    with a sentiment): a mention not judged yet has none, and counting it as neutral would dilute both shares."""
    kinds = channel_kinds()
    tally: dict[tuple[date, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for period, (channel, sentiment), n in period_counts(
        start=start, end=end, by=by, channel_id=channel_id, columns=("channel_id", "sentiment")
    ):
        for platform in ("all", kinds.get(int(channel), "")):
            tally[(period, platform)][str(sentiment) or NOT_JUDGED] += n
    rows = []
    for period, platform in sorted(tally, key=lambda k: (k[0], k[1] != "all", k[1])):
        t = tally[(period, platform)]
        judged = sum(t[s] for s in Sentiment.values)
        rows.append(
            {
                "period": period,
                "platform": platform,
                "label": "All platforms" if platform == "all" else group_label("platform", platform),
                "positive": t[Sentiment.POSITIVE],
                "negative": t[Sentiment.NEGATIVE],
                "neutral": t[Sentiment.NEUTRAL],
                "judged": judged,
                "unjudged": t[NOT_JUDGED],
                "positive_pct": _pct(t[Sentiment.POSITIVE], judged),
                "negative_pct": _pct(t[Sentiment.NEGATIVE], judged),
            }
        )
    return rows


def sentiment_over_range(rows: list[dict]) -> list[dict]:
    """sentiment_shares' rows summed over the range, a row per platform ("all" first, then the busiest): what the page
    shows per platform, where a row per period and platform (30 days x 10 platforms) made the table too long to read
    and most of the page's rendering time. The CSV keeps every period."""
    summed: dict[str, dict] = {}
    for row in rows:
        into = summed.setdefault(row["platform"], {"platform": row["platform"], "label": row["label"]})
        for key in ("positive", "negative", "neutral", "judged", "unjudged"):
            into[key] = into.get(key, 0) + row[key]
    for row in summed.values():
        row["positive_pct"] = _pct(row["positive"], row["judged"])
        row["negative_pct"] = _pct(row["negative"], row["judged"])
    return sorted(summed.values(), key=lambda r: (r["platform"] != "all", -(r["judged"] + r["unjudged"]), r["label"]))
