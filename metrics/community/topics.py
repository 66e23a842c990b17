"""Topics rising: the stories, tags and terms of the period's mentions against the previous period of the same
length (the `days` days before `start`). change = current - previous; largest first, then by name; at most
`limit`, and only what rose (change > 0).

- Stories: counted mentions (metrics.community.counted) in the story, by the ticket's requested_at.
- Tags: tags added in each period (metrics.activity.tags_rising, the KPI page's, on the TagDay rollup).
- Terms: counted mentions whose subject has the term (metrics.community.counted), on the CommunityTermDay rollup (over
  every channel, its sum CommunityTermSumDay).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse

from metrics.activity import tags_rising
from metrics.community.counted import counted_requested, subject_terms
from metrics.models import CommunityTermDay, CommunityTermSumDay
from metrics.product_scope import rollup_narrowed
from metrics.rollups import rollups_ensure_fresh, rollups_supported
from stories.models import Story

LIMIT = 10


def _previous(start: date, end: date) -> date:
    return start - timedelta(days=(end - start).days + 1)


def _rising(counts: dict, *, start: date, limit: int) -> list[tuple]:
    """(key, current, previous, change) of what rose, largest change first, then key."""
    rows = [(key, c, p, c - p) for key, (c, p) in counts.items() if c > p]
    return sorted(rows, key=lambda r: (-r[3], str(r[0])))[:limit]


def stories_rising(*, start: date, end: date, channel_id: int | None = None, limit: int = LIMIT) -> list[dict]:
    """[{"story", "title", "url", "current", "previous", "change"}]. One query for the counts, one for the titles."""
    since = _previous(start, end)
    rows = (
        counted_requested(start=since, end=end, channel_id=channel_id)
        .filter(story_membership__isnull=False)
        .order_by()
        .values_list("story_membership__story_id")
        .annotate(
            current=Count("id", filter=Q(requested_at__date__gte=start)),
            previous=Count("id", filter=Q(requested_at__date__lt=start)),
        )
    )
    risen = _rising({story: (c, p) for story, c, p in rows}, start=start, limit=limit)
    titles = dict(Story.objects.filter(pk__in=[r[0] for r in risen]).values_list("pk", "title"))
    return [
        {"story": pk, "title": titles.get(pk, ""), "url": reverse("stories:detail", args=[pk])}
        | {"current": c, "previous": p, "change": d}
        for pk, c, p, d in risen
    ]


def terms_counts_rollup(*, start: date, end: date, channel_id: int | None) -> dict[str, tuple[int, int]]:
    """{term: (mentions in [start, end], in the period before)} from CommunityTermDay, or over every channel from its
    sum CommunityTermSumDay (the caller refreshed them)."""
    days = {"day__gte": _previous(start, end), "day__lte": end}
    qs: QuerySet[Any] = (
        CommunityTermSumDay.objects.filter(**days)
        if channel_id is None
        else CommunityTermDay.objects.filter(channel_id=channel_id, **days)
    )
    qs = rollup_narrowed(qs)
    rows = (
        qs.order_by()
        .values_list("term")
        .annotate(current=Sum("mentions", filter=Q(day__gte=start)), previous=Sum("mentions", filter=Q(day__lt=start)))
    )
    return {term: (current or 0, previous or 0) for term, current, previous in rows}


def terms_counts_source(*, start: date, end: date, channel_id: int | None) -> dict[str, tuple[int, int]]:
    """The same from the tickets' subjects (metrics.community.counted.subject_terms)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rows = counted_requested(start=_previous(start, end), end=end, channel_id=channel_id).values_list(
        "subject", "requested_at"
    )
    for subject, requested_at in rows.iterator(chunk_size=2000):
        which = 0 if requested_at.date() >= start else 1
        for term in subject_terms(subject):
            counts[term][which] += 1
    return {term: (c, p) for term, (c, p) in counts.items()}


def terms_rising(*, start: date, end: date, channel_id: int | None = None, limit: int = LIMIT) -> list[dict]:
    """[{"term", "current", "previous", "change"}]: one grouped query on the rollup; elsewhere the subjects read."""
    if rollups_supported():
        rollups_ensure_fresh()
        counts = terms_counts_rollup(start=start, end=end, channel_id=channel_id)
    else:
        counts = terms_counts_source(start=start, end=end, channel_id=channel_id)
    risen = _rising(counts, start=start, limit=limit)
    return [{"term": t, "current": c, "previous": p, "change": d} for t, c, p, d in risen]


def tags_rising_for(*, start: date, end: date, limit: int = LIMIT) -> list[dict]:
    """The KPI page's rising tags over the same periods (tags are not per channel: the channel filter leaves them)."""
    rows = tags_rising(end=end, days=(end - start).days + 1, limit=limit * 5)
    return [r for r in rows if r["change"] > 0][:limit]
