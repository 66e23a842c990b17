"""The Community page's figures and charts in one read (metrics.views.community): the selectors of this package,
inside the caller's rollups_read(), and their SVG charts (metrics.charts)."""

from __future__ import annotations

from datetime import date, datetime

from metrics.charts import bar_chart, hbar_list, line_chart
from metrics.community.active import most_active
from metrics.community.checks import check_figures
from metrics.community.members import GROUP_LABELS, decided_range, returning_rows
from metrics.community.topics import stories_rising, tags_rising_for, terms_rising
from metrics.community.trust import trust_figures
from metrics.community.volume import sentiment_over_range, sentiment_shares, volume_table

CHART_SERIES = 8  # colours the charts have (metrics.charts.SERIES_CLASSES); more groups are summed as "Other"


def by_default(start: date, end: date) -> str:
    """Days for a month or less, weeks up to half a year, months beyond."""
    days = (end - start).days + 1
    return "day" if days <= 31 else "week" if days <= 183 else "month"


def period_label(period: date, by: str) -> str:
    return f"{period:%b %Y}" if by == "month" else f"{period:%b %d}"


def _table_chart(table: dict, *, by: str, title: str) -> str:
    """Grouped bars of a volume table, its groups as series (past CHART_SERIES - 1, the rest as "Other")."""
    groups = table["groups"]
    shown = groups if len(groups) <= CHART_SERIES else groups[: CHART_SERIES - 1]
    series = [(label, table["cells"][value]) for value, label in shown]
    if len(shown) < len(groups):
        rest = [g for g, _ in groups[len(shown) :]]
        series.append(("Other", [sum(table["cells"][g][i] for g in rest) for i in range(len(table["periods"]))]))
    return bar_chart(series, labels=[period_label(p, by) for p in table["periods"]], title=title)


def _sentiment_chart(rows: list[dict], *, by: str) -> str:
    overall = [r for r in rows if r["platform"] == "all"]
    return line_chart(
        [
            ("Positive %", [r["positive_pct"] for r in overall]),
            ("Negative %", [r["negative_pct"] for r in overall]),
        ],
        labels=[period_label(r["period"], by) for r in overall],
        title="Share of positive and negative mentions, all platforms",
        unit="%",
        classes=("good", "bad"),
    )


def _returning_chart(rows: list[dict], *, by: str) -> str:
    labels: list[str] = []
    series: dict[str, list[float | None]] = {key: [] for key in GROUP_LABELS}
    for row in rows:
        if row["group"] == next(iter(GROUP_LABELS)):
            labels.append(period_label(row["period"], by))
        series[row["group"]].append(row["returned_30_pct"])
    return bar_chart(
        [(f"{GROUP_LABELS[key]}: back within 30 days %", values) for key, values in series.items()],
        labels=labels,
        title="Members back within 30 days of their first mention, by whether it was answered within target",
        unit="%",
    )


def community_figures(*, start: date, end: date, by: str, channel_id: int | None, now: datetime) -> dict:
    """Everything the page shows, charts rendered."""
    platform = volume_table(start=start, end=end, by=by, group="platform", channel_id=channel_id)
    intent = volume_table(start=start, end=end, by=by, group="intent", channel_id=channel_id)
    judgement = volume_table(start=start, end=end, by=by, group="judgement", channel_id=channel_id)
    sentiment = sentiment_shares(start=start, end=end, by=by, channel_id=channel_id)
    returning = returning_rows(start=start, end=end, by=by, now=now, channel_id=channel_id)
    stories = stories_rising(start=start, end=end, channel_id=channel_id)
    terms = terms_rising(start=start, end=end, channel_id=channel_id)
    tags = tags_rising_for(start=start, end=end)
    return {
        "by": by,
        "platform": platform,
        "platform_chart": _table_chart(platform, by=by, title="Mentions by platform"),
        "total": sum(platform["totals"]),
        "intent": intent,
        "intent_chart": _table_chart(intent, by=by, title="Mentions by intent"),
        "judgement": judgement,
        # The page: the overall share per period, and each platform's over the range (the CSV has both by period).
        "sentiment_periods": [r for r in sentiment if r["platform"] == "all"],
        "sentiment_platforms": sentiment_over_range(sentiment),
        "sentiment_chart": _sentiment_chart(sentiment, by=by),
        "trust": trust_figures(start=start, end=end, channel_id=channel_id, by=by),
        "checks": check_figures(start=start, end=end, channel_id=channel_id),
        "stories": stories,
        "stories_chart": hbar_list([(s["title"], s["change"]) for s in stories], title="Stories with more mentions"),
        "terms": terms,
        "terms_chart": hbar_list([(t["term"], t["change"]) for t in terms], title="Terms in more mentions"),
        "tags": tags,
        "tags_chart": hbar_list([(str(t["tag"]), t["change"]) for t in tags], title="Tags added more often"),
        "members": most_active(start=start, end=end, channel_id=channel_id),
        "returning": returning,
        "returning_labels": GROUP_LABELS,
        "returning_chart": _returning_chart(returning, by=by),
        "returning_decided": decided_range(start=start, end=end, now=now),
        "channel_id": channel_id,
    }
