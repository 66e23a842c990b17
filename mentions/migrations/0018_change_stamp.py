from django.db import migrations

from mentions.live import PG_CREATE_SQL, PG_DROP_SQL, SQLITE_CREATE_SQL, SQLITE_DROP_SQL


def stamp_create(apps, schema_editor):
    """The desk-wide change stamp that live pages compare against (mentions/live.py)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_CREATE_SQL)
    else:
        for statement in SQLITE_CREATE_SQL:
            schema_editor.execute(statement)


def stamp_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP_SQL)
    else:
        for statement in SQLITE_DROP_SQL:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("mentions", "0017_ticket_merge_and_priority_events")]

    operations = [migrations.RunPython(stamp_create, stamp_drop)]
