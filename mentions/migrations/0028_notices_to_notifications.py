"""Urgent pings, digests and front-page stories moved to the notifications app (notifications 0001); their rows did not move."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("mentions", "0027_change_stamp_per_statement"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # State only: the table stays where it is, notifications' model points at it (db_table).
            state_operations=[
                migrations.DeleteModel(
                    name="CoverageDigest",
                ),
                migrations.RemoveField(
                    model_name="urgentping",
                    name="ticket",
                ),
                migrations.DeleteModel(
                    name="FrontPageStory",
                ),
                migrations.DeleteModel(
                    name="UrgentPing",
                ),
            ],
            database_operations=[],
        ),
    ]
