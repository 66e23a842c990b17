"""Tie every message and ticket stored before the people app to its person (people.backfill: set-based SQL;
measured at 1,000,000 tickets in bench/README.md)."""

from django.db import migrations
from django.utils import timezone


def backfill(apps, schema_editor):
    from people.backfill import people_backfill

    people_backfill(schema_editor.connection, timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_tag_tickets"),
        ("mentions", "0030_rule_author_tags"),
        ("channels", "0011_channel_kind_gitlab"),
    ]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
