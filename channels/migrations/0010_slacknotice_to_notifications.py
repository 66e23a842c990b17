"""The Slack outbox moved to the notifications app (notifications 0001); its rows did not move."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0009_poll_interval_automatic"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # State only: the table stays where it is, notifications' model points at it (db_table).
            state_operations=[
                migrations.DeleteModel(
                    name="SlackNotice",
                ),
            ],
            database_operations=[],
        ),
    ]
