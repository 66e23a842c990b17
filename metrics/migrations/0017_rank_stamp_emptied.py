from django.db import migrations

from metrics.community.past_stamp import DROP_EMPTIED_TRIGGERS_SQL, EMPTIED_TRIGGERS_SQL


def triggers_create(apps, schema_editor):
    """PostgreSQL only (elsewhere nothing is kept): the stamp also moves when the events' TRUNCATE empties the
    identity-days and person-days, and when the person-days are truncated (metrics.community.past_stamp)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EMPTIED_TRIGGERS_SQL)


def triggers_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_EMPTIED_TRIGGERS_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0016_community_rank_change"),
    ]

    operations = [
        migrations.RunPython(triggers_create, triggers_drop, elidable=False),
    ]
