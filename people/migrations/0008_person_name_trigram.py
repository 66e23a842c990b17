"""The people search's name match on PostgreSQL: a pg_trgm GIN index on UPPER(name), the expression Django's
`name__icontains` compares (`UPPER("name"::text) LIKE UPPER('%vera%')`), so a search reads the index instead of
every person (a sequential scan with ILIKE: 174 ms of PostgreSQL at 250,000 people).

The extension is created only where the server offers it (pg_available_extensions; it is trusted from PostgreSQL
13 on, so the database's owner may create it); without it there is no index and the search still works, by the
scan. The embedded SQLite default needs none of it. CONCURRENTLY: a desk with many people keeps working while the
index is built. The index is not in Person's Meta: SQLite could not build it."""

from django.db import migrations

INDEX = "person_name_trgm_idx"
FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON people_person USING gin ((UPPER(name)) gin_trgm_ops)",
]
BACKWARD = [f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}"]


def _available(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        return cursor.fetchone() is not None


def _run(statements: list[str]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql" or not _available(schema_editor):
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction
    dependencies = [("people", "0007_people_plural")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
