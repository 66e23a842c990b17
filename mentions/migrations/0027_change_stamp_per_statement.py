"""The change stamp moves once per writing transaction instead of once per changed row
(mentions/live.py): statement triggers mark the transaction, one deferred trigger bumps at commit."""

from django.db import migrations

from mentions.live import PG_CREATE_SQL, WATCHED_TABLES

# What 0018 created, for going back.
ROW_TRIGGERS_SQL = (
    "CREATE OR REPLACE FUNCTION mentions_change_bump() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN PERFORM nextval('mentions_change_seq'); RETURN NULL; END $$;\n"
    + "".join(
        f"DROP TRIGGER IF EXISTS mentions_change_{t}_{op} ON {t};\n"
        for t in WATCHED_TABLES
        for op in ("insert", "update", "delete")
    )
    + "".join(
        f"CREATE CONSTRAINT TRIGGER mentions_change_{t} AFTER INSERT OR UPDATE OR DELETE ON {t}\n"
        f"  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mentions_change_bump();\n"
        for t in WATCHED_TABLES
    )
    + "DROP TABLE IF EXISTS mentions_change_mark;\nDROP FUNCTION IF EXISTS mentions_change_note();\n"
)


def per_statement(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_CREATE_SQL)


def per_row(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ROW_TRIGGERS_SQL)


class Migration(migrations.Migration):
    dependencies = [("mentions", "0026_thread_watch")]

    operations = [migrations.RunPython(per_statement, per_row)]
