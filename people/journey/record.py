"""Activities recorded as the desk sees them, and the points and levels they move, in the writer's transaction.

Each activity is inserted once (its `source` is unique: ON CONFLICT DO NOTHING), and only the rows actually
inserted move their people's points, by one UPDATE ... SET points = points + delta for the batch: re-ingesting
a page or logging the same answer twice counts nothing more, and nothing is ever recounted here. On PostgreSQL
the insert, the sum of the weights and the update are one statement a batch; the people are locked in id
order first, so two ingests moving the same people never deadlock, and each sees the other's points (read
committed re-reads the row it waited for). A person whose level rises is recognised once
(people.journey.recognition): the step from the points before (points - delta) to the points after is crossed
by exactly one batch, and the (person, level) constraint stands behind it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

from django.db import connection
from django.db.models import F
from django.utils import timezone

from advocacy.enqueue import task_enqueue_on_commit
from people.journey.models import Activity, ActivityKind, ActivityWeight, Level, Recognition
from people.models import Contribution, Person

LEVELS_REFRESH_TASK = "people.levels_refresh"
# (person id, kind, when, link, source key)
ActivityRow = tuple[int, str, datetime, str, str]

# The level a number of points reaches: the highest threshold at or below it.
_LEVEL_AT = "(SELECT l.id FROM people_level l WHERE l.threshold <= {points} ORDER BY l.threshold DESC LIMIT 1)"
_ORDER_OF = '(SELECT l."order" FROM people_level l WHERE l.id = {level})'
_THRESHOLD_AT = "(SELECT max(l.threshold) FROM people_level l WHERE l.threshold <= {points})"

_APPLY_SQL = f"""
WITH ins AS (
    INSERT INTO people_activity (person_id, kind, at, link, source)
    SELECT * FROM unnest(%s::bigint[], %s::varchar[], %s::timestamptz[], %s::varchar[], %s::varchar[])
    ON CONFLICT (source) DO NOTHING RETURNING person_id, kind
), d AS (
    SELECT ins.person_id AS id, sum(w.points) AS delta FROM ins
    JOIN people_activityweight w ON w.kind = ins.kind GROUP BY ins.person_id
), locked AS MATERIALIZED (
    SELECT p.id FROM people_person p WHERE p.id IN (SELECT id FROM d) ORDER BY p.id FOR UPDATE
)
UPDATE people_person p SET points = p.points + d.delta,
    level_id = {_LEVEL_AT.format(points="p.points + d.delta")}
FROM d JOIN locked ON locked.id = d.id WHERE p.id = d.id
RETURNING p.id, p.level_id, {_LEVEL_AT.format(points="p.points - d.delta")},
    {_ORDER_OF.format(level="p.level_id")}, {_THRESHOLD_AT.format(points="p.points")},
    {_THRESHOLD_AT.format(points="p.points - d.delta")}
"""  # noqa: S608 - the module's own constants


def activities_add(rows: Sequence[ActivityRow]) -> dict[int, int | None]:
    """Record `rows` (each source once) and move their people's points and levels. Returns {person id: their
    level's order} for the people whose points moved. Inside the caller's transaction."""
    if not rows:
        return {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_APPLY_SQL, [list(column) for column in zip(*rows, strict=True)])
            moved = cursor.fetchall()
    else:
        moved = _apply_sqlite(rows)
    # Up a step: a level above the first whose threshold the points before did not reach.
    rises = [
        (row[0], row[1], row[2])
        for row in moved
        if row[1] is not None and (row[4] or 0) > 0 and (row[4] or 0) > (row[5] or -1)
    ]
    if rises:  # rare: a step crossed
        _recognitions_make(rises)
        # Their stored open tickets take it after the commit, in a worker (people.tasks.levels_refresh).
        task_enqueue_on_commit(LEVELS_REFRESH_TASK, [person for person, _new, _old in rises])
    return {row[0]: row[3] for row in moved}


# (person, new level, old level, new level's order, new level's threshold, old level's threshold)
Moved = tuple[int, int | None, int | None, int | None, int | None, int | None]


def _apply_sqlite(rows: Sequence[ActivityRow]) -> list[Moved]:
    """The embedded default (SQLite, one writer at a time): the same, a statement per person."""
    taken = set(Activity.objects.filter(source__in=[r[4] for r in rows]).values_list("source", flat=True))
    fresh = {r[4]: r for r in rows if r[4] not in taken}
    Activity.objects.bulk_create(
        Activity(person_id=p, kind=k, at=at, link=link, source=s) for p, k, at, link, s in fresh.values()
    )
    weights = weights_read()
    deltas: Counter[int] = Counter()
    for person, kind, *_rest in fresh.values():
        deltas[person] += weights.get(kind, 0)
    levels = list(Level.objects.order_by("-threshold").values_list("threshold", "id", "order"))
    moved: list[Moved] = []
    for person, delta in deltas.items():
        Person.objects.filter(pk=person).update(points=F("points") + delta)
        points = Person.objects.values_list("points", flat=True).get(pk=person)
        new, order, threshold = _level_at(levels, points)
        Person.objects.filter(pk=person).update(level_id=new)
        old, _order, old_threshold = _level_at(levels, points - delta)
        moved.append((person, new, old, order, threshold, old_threshold))
    return moved


def _level_at(levels: list[tuple[int, int, int]], points: int) -> tuple[int | None, int | None, int | None]:
    for threshold, pk, order in levels:  # highest threshold first
        if threshold <= points:
            return pk, order, threshold
    return None, None, None


def weights_read() -> dict[str, int]:
    return dict(ActivityWeight.objects.values_list("kind", "points"))


def _recognitions_make(rises: list[tuple[int, int, int | None]]) -> None:
    """(person, new level, old level) for people who moved up a step: a recognition each, once per level (the
    constraint; a concurrent batch's is kept)."""
    now = timezone.now()
    Recognition.objects.bulk_create(
        [Recognition(person_id=p, from_level_id=old, to_level_id=new, created_at=now) for p, new, old in rises],
        ignore_conflicts=True,
    )


# A contribution's kind as an activity (a merge request merged is "merged a contribution"; a forum answer,
# logged by hand or credited by the community answers hook, is "answered others").
CONTRIBUTION_KINDS = {
    "talk": ActivityKind.TALK,
    "blog_post": ActivityKind.BLOG_POST,
    "meetup": ActivityKind.MEETUP,
    "merge_request": ActivityKind.MERGED,
    "forum_answer": ActivityKind.ANSWERED,
    "other": ActivityKind.OTHER,
}


def contribution_source(contribution_id: int) -> str:
    return f"contribution:{contribution_id}"


def ticket_source(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


def contribution_row(c: Contribution) -> ActivityRow:
    """A contribution as an activity, dated at noon UTC of its day."""
    at = datetime(c.date.year, c.date.month, c.date.day, 12, tzinfo=UTC)
    return (c.person_id, CONTRIBUTION_KINDS.get(c.kind, ActivityKind.OTHER), at, c.link, contribution_source(c.pk))


def contributions_record(contributions: Sequence[Contribution]) -> dict[int, int | None]:
    """An activity for each stored contribution, with the points it moves."""
    return activities_add([contribution_row(c) for c in contributions])


def contribution_changed(contribution: Contribution) -> None:
    """A contribution edited in admin (its kind, day, link or person may differ): its activity is written again
    and its people recounted; a new one is recorded as any other."""
    from people.journey.recompute import journey_recompute

    old = set(Activity.objects.filter(source=contribution_source(contribution.pk)).values_list("person_id", flat=True))
    Activity.objects.filter(source=contribution_source(contribution.pk)).delete()
    Activity.objects.bulk_create([Activity(**dict(zip(_ROW_FIELDS, contribution_row(contribution), strict=True)))])
    journey_recompute(old | {contribution.person_id})


def contributions_removed(contribution_ids: Sequence[int]) -> None:
    """Contributions deleted (admin): their activities go and their people are recounted."""
    from people.journey.recompute import journey_recompute

    gone = Activity.objects.filter(source__in=[contribution_source(pk) for pk in contribution_ids])
    people = set(gone.values_list("person_id", flat=True))
    gone.delete()
    journey_recompute(people)


_ROW_FIELDS = ("person_id", "kind", "at", "link", "source")
