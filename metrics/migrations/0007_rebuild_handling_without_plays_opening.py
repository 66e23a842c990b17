from django.db import migrations

# Every day with a Play assignment is rebuilt by the next KPI read or the beat task: its handling times were
# measured to Play's own "new -> open" (0.0 min) and are now measured to the advocate's first action after it.
MARK_PLAY_DAYS = """
INSERT INTO metrics_rollupdirty (day, kind)
SELECT DISTINCT (created_at AT TIME ZONE 'UTC')::date, 'event'
FROM mentions_ticketevent WHERE kind = 'assigned' AND data ->> 'via' = 'play'
ON CONFLICT DO NOTHING;
"""


def play_days_mark(apps, schema_editor):
    """PostgreSQL only: the embedded SQLite default has no rollups (its figures are computed on each read)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(MARK_PLAY_DAYS)


class Migration(migrations.Migration):
    dependencies = [("metrics", "0006_report_schedules_seed"), ("mentions", "0007_ticket_first_reply_business_seconds")]

    operations = [migrations.RunPython(play_days_mark, migrations.RunPython.noop)]
