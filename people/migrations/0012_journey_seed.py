"""The contributor journey's default weights and levels, and the activities the desk saw before it: every ticket
as its requester's "asked", every contribution as its kind's activity; then everyone's points and levels, and the
open tickets' requester_level. Set-based statements (people.journey.recompute's), no recognitions: nobody moved
up, the scale is new.

Why these figures: asking is taking part (1 point), answering someone else is the community's work (5), a merged
contribution or a blog post is work for the project (10, 8), a talk or a meetup reaches many people (15). The
levels: Participant at 5 (a first answer, or a few questions), Contributor at 25 (several answers, or a merged
change and a post), Champion at 80 (a sustained record: talks, changes and answers over months)."""

from datetime import UTC, datetime

from django.db import migrations

WEIGHTS = {"asked": 1, "answered": 5, "merged": 10, "talk": 15, "meetup": 15, "blog_post": 8, "other": 2}
LEVELS = [("Newcomer", 0, 0, ""), ("Participant", 5, 1, ""), ("Contributor", 25, 2, "Stickers"), ("Champion", 80, 3, "T-shirt")]
CONTRIBUTION_KINDS = {
    "talk": "talk",
    "blog_post": "blog_post",
    "meetup": "meetup",
    "merge_request": "merged",
    "forum_answer": "answered",
    "other": "other",
}
_MARK = 9_081_726_353


def seed(apps, schema_editor):
    from mentions.models.tickets import ticket_path
    from people.journey.recompute import _LEVEL_SQL, _POINTS_SQL

    ActivityWeight = apps.get_model("people", "ActivityWeight")
    Level = apps.get_model("people", "Level")
    Activity = apps.get_model("people", "Activity")
    Contribution = apps.get_model("people", "Contribution")
    for kind, points in WEIGHTS.items():
        ActivityWeight.objects.get_or_create(kind=kind, defaults={"points": points})
    for name, threshold, order, gift in LEVELS:
        if not Level.objects.filter(threshold=threshold).exists():
            Level.objects.create(name=name, threshold=threshold, order=order, gift_item=gift)
    head, tail = ticket_path(_MARK).split(str(_MARK))
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO people_activity (person_id, kind, at, link, source) "
            "SELECT i.person_id, 'asked', t.requested_at, %s || CAST(r.ticket_id AS VARCHAR(20)) || %s, "
            "'ticket:' || CAST(r.ticket_id AS VARCHAR(20)) FROM people_requester r "
            "JOIN people_identity i ON i.id = r.identity_id JOIN mentions_ticket t ON t.id = r.ticket_id "
            "WHERE true ON CONFLICT (source) DO NOTHING",
            [head, tail],
        )
    Activity.objects.bulk_create(
        [
            Activity(
                person_id=c.person_id,
                kind=CONTRIBUTION_KINDS.get(c.kind, "other"),
                at=datetime(c.date.year, c.date.month, c.date.day, 12, tzinfo=UTC),
                link=c.link,
                source=f"contribution:{c.pk}",
            )
            for c in Contribution.objects.iterator()
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(_POINTS_SQL)
        cursor.execute(_LEVEL_SQL)
        cursor.execute(
            'UPDATE mentions_ticket SET requester_level = (SELECT l."order" FROM people_requester r '
            "JOIN people_identity i ON i.id = r.identity_id JOIN people_person p ON p.id = i.person_id "
            "JOIN people_level l ON l.id = p.level_id WHERE r.ticket_id = mentions_ticket.id) "
            "WHERE status <> 'solved'"
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0011_journey"), ("mentions", "0049_requester_level")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop, elidable=True)]
