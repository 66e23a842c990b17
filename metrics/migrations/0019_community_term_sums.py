from django.db import migrations, models

from metrics.community.rollup import DROP_TERM_SUMS_TRUNCATE_SQL, TERM_SUM_DAYS_BUILD_SQL, TERM_SUMS_TRUNCATE_SQL


def built_from_the_term_days(apps, schema_editor):
    """PostgreSQL only (the embedded SQLite default counts from the tickets): summed at once from CommunityTermDay,
    exact as a day's rebuild would make it, so no day is marked; and its TRUNCATE triggers."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TERM_SUM_DAYS_BUILD_SQL)
        schema_editor.execute(TERM_SUMS_TRUNCATE_SQL)


def truncate_triggers_dropped(apps, schema_editor):
    """Backwards: the table goes with its model; its TRUNCATE triggers first."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TERM_SUMS_TRUNCATE_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0018_rollup_marks_by_channel"),
    ]

    operations = [
        migrations.CreateModel(
            name="CommunityTermSumDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("product_id", models.BigIntegerField(default=0)),
                ("term", models.CharField(max_length=64)),
                ("mentions", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("day", "product_id", "term"), name="community_term_sum_day_unique")
                ],
            },
        ),
        migrations.RunPython(built_from_the_term_days, truncate_triggers_dropped),
    ]
