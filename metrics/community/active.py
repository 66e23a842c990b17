"""The most active members of a range: their counted mentions (metrics.community.counted; on the chosen channel), the
accepted answers credited to them (people.community: forum-answer contributions) and their other contributions
(people.contributions), both dated in the range and on every channel. A mention is a member's when its ticket's
requester is one of their identities; erased people are left out.

On PostgreSQL the mentions are summed from the CommunityIdentityDay rollup joined to today's identities (so a merge
of two people needs no rebuild), and only the top of the list is read: the `limit` members with the most mentions,
plus every member with a contribution in the range. That is exact: anyone else has no contribution, so their total
is their mentions, and `limit` members rank before them (bench/README.md: 1.5 s at 1,000,000 tickets from the
tickets, for 30 days)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db import connections, router
from django.db.models import Count

from metrics.community.counted import counted_requested
from metrics.models import CommunityIdentityDay
from metrics.rollups import rollups_ensure_fresh, rollups_supported
from people.models import Contribution, Person

LIMIT = 20
PERSON = "requester__identity__person_id"

# Summed by person first, erased people taken out after (a handful, by their partial index): joining every row to
# its person first cost 1.8 s of the 3.4 s at a year of 1,000,000 tickets.
MENTIONS_SQL = """
SELECT s.person_id, s.n FROM (
    SELECT i.person_id, sum(d.mentions) AS n
    FROM metrics_communityidentityday d
    JOIN people_identity i ON i.id = d.identity_id
    WHERE d.day >= %(start)s AND d.day <= %(end)s AND (%(channel)s::bigint IS NULL OR d.channel_id = %(channel)s)
    GROUP BY i.person_id
) s
WHERE s.person_id NOT IN (SELECT id FROM people_person WHERE erased_at IS NOT NULL)
ORDER BY s.n DESC, s.person_id
LIMIT %(limit)s
"""
ALSO_SQL = """
SELECT i.person_id, sum(d.mentions)
FROM metrics_communityidentityday d
JOIN people_identity i ON i.id = d.identity_id
WHERE d.day >= %(start)s AND d.day <= %(end)s AND (%(channel)s::bigint IS NULL OR d.channel_id = %(channel)s)
      AND i.person_id = ANY(%(people)s)
GROUP BY i.person_id
"""


def mention_counts_rollup(
    *, start: date, end: date, channel_id: int | None, limit: int, also: list[int]
) -> dict[int, int]:
    """{person: mentions} of the `limit` people with the most mentions and of the people in `also` (the caller
    refreshed the rollup)."""
    params = {"start": start, "end": end, "channel": channel_id, "limit": limit, "people": also}
    # On the replica when there is one, as the ORM's reads inside rollups_read() (advocacy.db_router).
    with connections[router.db_for_read(CommunityIdentityDay)].cursor() as cursor:
        cursor.execute(MENTIONS_SQL, params)
        found = dict(cursor.fetchall())
        if also:
            cursor.execute(ALSO_SQL, params)
            found.update(cursor.fetchall())
    return {person: int(n) for person, n in found.items()}


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
    then mentions, then the person's number). Three queries on PostgreSQL (four with contributions in the range)."""
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
        mentions = mention_counts_rollup(start=start, end=end, channel_id=channel_id, limit=limit, also=list(figures))
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
