"""Full-text search over messages (PostgreSQL only; the embedded SQLite default searches with
icontains, see mentions/search.py).

A STORED generated column, so PostgreSQL computes the vector once per insert or edit in the
same statement (no Python per row, no per-ticket document to rebuild on every follow-up), and
ranking, rechecking lossy bitmap pages and headlines read it instead of re-parsing the text.

Title and body go through the 'english' configuration (stemming: "registries" finds
"registry"; the parser keeps version numbers, hosts and URLs whole, and those are not
stemmed). Author handle and name are indexed under 'english' and 'simple' both, so a name that
is an English stop word ("Will") or that the stemmer would cut is still found by the 'simple'
query the search falls back to (mentions.search.TSQUERY_SQL).
"""

from django.db import migrations

VECTOR = """
    setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, coalesce(author_handle, '') || ' ' || coalesce(author_name, '')), 'C')
    || setweight(to_tsvector('simple'::regconfig, coalesce(author_handle, '') || ' ' || coalesce(author_name, '')), 'C')
"""

FORWARD = [
    f"ALTER TABLE mentions_message ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED",
    "CREATE INDEX message_search_idx ON mentions_message USING gin (search_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS message_search_idx",
    "ALTER TABLE mentions_message DROP COLUMN IF EXISTS search_vector",
]


def _run(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("mentions", "0018_change_stamp"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
