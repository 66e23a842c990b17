"""The change feed's order (api: GET /api/changes/): each history event carries the id of the
transaction that wrote it, which PostgreSQL fills in itself (a column default, so every writer, the
ORM and the ingest's COPY alike, sets it without naming it; the models do not know the column).

Events are served in (txid, id) order and only below the oldest transaction still running: none can
commit later with a smaller position, so a client following the feed misses none and sees none twice.
An id alone would not do: ids are taken when a row is written, not when it commits. Rows written
before this migration have no txid and come first (0). SQLite, one writer at a time, needs none of it."""

from django.db import migrations

FORWARD = [
    "ALTER TABLE mentions_ticketevent ADD COLUMN txid bigint",
    "ALTER TABLE mentions_ticketevent ALTER COLUMN txid SET DEFAULT (pg_current_xact_id()::text::bigint)",
    # CONCURRENTLY: a desk with millions of events keeps working while the index is built.
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS ticketevent_feed_idx ON mentions_ticketevent ((COALESCE(txid, 0)), id)",
]
BACKWARD = [
    "DROP INDEX CONCURRENTLY IF EXISTS ticketevent_feed_idx",
    "ALTER TABLE mentions_ticketevent DROP COLUMN IF EXISTS txid",
]


def _run(statements: list[str]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction
    dependencies = [("mentions", "0028_notices_to_notifications")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
