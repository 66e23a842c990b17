"""The most active members of a range: their counted mentions (metrics.community.counted; on the chosen channel), the
accepted answers credited to them (people.community: forum-answer contributions) and their other contributions
(people.contributions), both dated in the range and on every channel. A mention is a member's when its ticket's
requester is one of their identities; erased people are left out.

On PostgreSQL the mentions are summed from the CommunityPersonDay rollup (the identity-days summed per person as the
identities are now; a merge or split rebuilds both people's rows in the refresh every read runs first,
metrics.community.person_rollup), and only what can reach the top of the list is read: the ranking of the days
before today is kept under a stamp that moves only when those days change, and today's mentions and the range's
contributions are merged into it (metrics.community.active_past says why that is exact). A past day changed for a few
people updates the kept ranking from those people's counts (metrics.community.past_kept), and the next day's range
(the same days moved on, or a day longer) follows the day before's from the people of the days between; the whole
range is ranked once, and again after a truncate, a week without a view or a change of more than PEOPLE_CAP people:
0.3 s for a year at 1,000,000 tickets (bench/README.md, "Community figures")."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count

from metrics.community.active_past import mention_counts_ranked
from metrics.community.counted import counted_requested
from metrics.rollups import rollups_ensure_fresh, rollups_supported
from people.models import Contribution, Person

LIMIT = 20
PERSON = "requester__identity__person_id"


def mention_counts_source(*, start: date, end: date, channel_id: int | None) -> dict[int, int]:
    """{person: mentions} of everyone with a mention, from the tickets."""
    rows = (
        counted_requested(start=start, end=end, channel_id=channel_id)
        .filter(requester__isnull=False, requester__identity__person__erased_at__isnull=True)
        .order_by()
        .values_list(PERSON)
        .annotate(n=Count("id"))
    )
    return dict(rows)


def most_active(*, start: date, end: date, channel_id: int | None = None, limit: int = LIMIT) -> list[dict]:
    """[{"person", "name", "url", "mentions", "answers", "contributions", "total"}], the busiest first (by total,
    then mentions, then the person's number). Four to six queries on PostgreSQL (metrics.community.active_past)."""
    figures: dict[int, dict[str, int]] = defaultdict(lambda: {"mentions": 0, "answers": 0, "contributions": 0})
    contributions = (
        Contribution.objects.filter(date__gte=start, date__lte=end, person__erased_at__isnull=True)
        .order_by()
        .values_list("person_id", "kind")
        .annotate(n=Count("id"))
    )
    for person, kind, n in contributions:
        figures[person]["answers" if kind == Contribution.Kind.FORUM_ANSWER else "contributions"] += n
    if rollups_supported():
        rollups_ensure_fresh()
        others = {person: f["answers"] + f["contributions"] for person, f in figures.items()}
        mentions = mention_counts_ranked(start=start, end=end, channel_id=channel_id, limit=limit, others=others)
    else:
        mentions = mention_counts_source(start=start, end=end, channel_id=channel_id)
    for person, n in mentions.items():
        figures[person]["mentions"] = n
    ranked = sorted(figures.items(), key=lambda item: (-sum(item[1].values()), -item[1]["mentions"], item[0]))[:limit]
    people = {p.pk: p for p in Person.objects.filter(pk__in=[pk for pk, _ in ranked]).only("id", "name")}
    return [
        {"person": pk, "name": str(people[pk]), "url": people[pk].get_absolute_url(), **f, "total": sum(f.values())}
        for pk, f in ranked
        if pk in people
    ]
