"""Share of voice as a page shows it (issue 70): the context of `metrics/_share_of_voice.html` (a chart of each
group's share over time with its table, and the range's mentions by sentiment with theirs) and its CSV rows.

Shown on the Community page (metrics.views.community): it calls `share_of_voice_context(start=, end=, by=)` and
includes the template with that context and its `query` (the CSV link's). Inside metrics.product_scope's
`product_narrowed` it is that product's (metrics.share_of_voice), and says so."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from mentions.products import desk_products
from metrics.charts import SENTIMENT_CLASSES, bar_chart, line_chart
from metrics.community.figures import by_default, period_label
from metrics.product_scope import narrowed_product
from metrics.share_of_voice import US, VoiceRow, share_of_voice, share_pct

US_LABEL = "Us"


def _label(group: str) -> str:
    return US_LABEL if group == US else group


def share_of_voice_context(*, start: date, end: date, by: str | None = None) -> dict[str, Any]:
    """What `metrics/_share_of_voice.html` shows for the range (`by`: day, week or month; the Community page's
    default for the range's length when None)."""
    by = by or by_default(start, end)
    rows = share_of_voice(start=start, end=end, by=by)
    shares = share_pct(rows)
    groups = list(dict.fromkeys(r.group for r in rows))
    periods = list(dict.fromkeys(r.period for r in rows))
    by_key = {(r.period, r.group): r for r in rows}
    table = [
        {
            "period": period,
            "cells": [{"mentions": by_key[(period, g)].mentions, "share": shares[(period, g)]} for g in groups],
        }
        for period in periods
    ]
    totals = _totals(rows, groups)
    chart = line_chart(
        [(_label(g), [shares[(p, g)] for p in periods]) for g in groups],
        labels=[period_label(p, by) for p in periods],
        title=f"Share of voice per {by}: each group's share of the mentions",
        unit="%",
    )
    sentiment_chart = bar_chart(
        [
            ("Positive", [t["positive"] for t in totals]),
            ("Neutral or not judged", [t["neutral"] for t in totals]),
            ("Negative", [t["negative"] for t in totals]),
        ],
        labels=[t["label"] for t in totals],
        title="Mentions in the range by sentiment",
        classes=SENTIMENT_CLASSES,
    )
    return {
        "sov_by": by,
        "sov_groups": [_label(g) for g in groups],
        "sov_table": table,
        "sov_totals": totals,
        "sov_chart": chart,
        "sov_sentiment_chart": sentiment_chart,
        "sov_competitors": len(groups) - 1,
        "sov_product": _product_name(),
    }


def _product_name() -> str:
    """The product the section is narrowed to (its competitors and the desk's are shown), or "" for the whole desk."""
    product_id = narrowed_product()
    product = desk_products().get(product_id) if product_id is not None else None
    return product.name if product is not None else ""


def _totals(rows: list[VoiceRow], groups: list[str]) -> list[dict[str, Any]]:
    """The range's mentions per group, its share of them all, and the share positive and negative of its own."""
    sums = {g: [0, 0, 0] for g in groups}
    for row in rows:
        sums[row.group][0] += row.mentions
        sums[row.group][1] += row.positive
        sums[row.group][2] += row.negative
    everyone = sum(s[0] for s in sums.values())
    return [
        {
            "label": _label(g),
            "mentions": m,
            "share": 100.0 * m / everyone if everyone else None,
            "positive": p,
            "negative": n,
            "neutral": m - p - n,
            "positive_pct": 100.0 * p / m if m else None,
            "negative_pct": 100.0 * n / m if m else None,
        }
        for g, (m, p, n) in sums.items()
    ]


def share_of_voice_csv(*, start: date, end: date, by: str | None = None) -> Iterator[dict[str, Any]]:
    """The CSV's rows: every period and group of the page's table, with the sentiment counts and the share."""
    by = by or by_default(start, end)
    rows = share_of_voice(start=start, end=end, by=by)
    shares = share_pct(rows)
    for row in rows:
        share = shares[(row.period, row.group)]
        yield {
            **row.as_json(),
            "neutral": row.neutral,
            "share_pct": None if share is None else round(share, 1),
            "by": by,
        }
