from django.db import migrations

from metrics.community.past_stamp import (
    BIG_MOVES_DELETE_SQL,
    DROP_EMPTIED_TRIGGERS_SQL,
    DROP_MERGE_TRIGGERS_SQL,
    EMPTIED_TRIGGERS_SQL,
    MERGE_TRIGGERS_SQL,
)


def triggers_change(apps, schema_editor):
    """PostgreSQL only (elsewhere nothing is kept), metrics.community.past_stamp: the stamp also moves when the
    events' TRUNCATE empties the person-days, or they are truncated; a merge no longer moves it with nobody logged
    (the refresh after it logs both people); moves of thousands of people are not kept in the log."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EMPTIED_TRIGGERS_SQL)
        schema_editor.execute(DROP_MERGE_TRIGGERS_SQL)
        schema_editor.execute(BIG_MOVES_DELETE_SQL)


def triggers_back(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_EMPTIED_TRIGGERS_SQL)
        schema_editor.execute(MERGE_TRIGGERS_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0016_community_rank_change"),
    ]

    operations = [
        migrations.RunPython(triggers_change, triggers_back, elidable=False),
    ]
