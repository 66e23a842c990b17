import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from mentions.search import MESSAGE_VECTOR_SQL, TICKET_VECTOR_SQL


def search_index_create(apps, schema_editor):
    """PostgreSQL full text (mentions/search.py); the SQLite default searches without an index."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE mentions_message ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({MESSAGE_VECTOR_SQL}) STORED"
    )
    schema_editor.execute("CREATE INDEX message_search_idx ON mentions_message USING gin (search_vector)")
    schema_editor.execute(f"CREATE INDEX ticket_search_idx ON mentions_ticket USING gin (({TICKET_VECTOR_SQL}))")


def search_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS ticket_search_idx")
    schema_editor.execute("ALTER TABLE mentions_message DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [
        ("mentions", "0018_change_stamp"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(search_index_create, search_index_drop),
        migrations.CreateModel(
            name="SavedSearch",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=80)),
                (
                    "query",
                    models.CharField(
                        help_text="The ticket list's parameters, e.g. q=registry&status=new", max_length=1000
                    ),
                ),
                ("position", models.PositiveIntegerField(default=0)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="saved_searches",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["position", "name"]},
        ),
        migrations.AddConstraint(
            model_name="savedsearch",
            constraint=models.UniqueConstraint(fields=("user", "name"), name="saved_search_unique_name"),
        ),
    ]
