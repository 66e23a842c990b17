"""The metrics app's migrations 0001-0008 as one (a release boundary: CHANGELOG.md, "Migrations squashed").

A database at 0008 has run everything here: `replaces` marks this migration applied there and nothing runs. A
fresh database gets the models as they are now, then what they cannot say: on PostgreSQL, the triggers that mark
the KPI rollups' days dirty (0002; the embedded SQLite default computes KPI figures from the source rows), and the
two report schedules a fresh desk offers (0006). 0007 (days to rebuild) marked existing rows: a fresh database has
none.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

from metrics.rollup_marks import DROP_TRIGGERS_SQL, TRIGGERS_SQL


def triggers_create(apps, schema_editor):
    """PostgreSQL only: the embedded SQLite default computes KPI figures from the source rows. (0002 also marked
    every day already holding tickets dirty: a fresh database has none.)"""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGERS_SQL)


def triggers_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGERS_SQL)


def report_schedules_seed(apps, schema_editor):
    """The two schedules the desk offers, inactive: an admin chooses the Slack channel and turns them on."""
    ReportSchedule = apps.get_model("metrics", "ReportSchedule")
    for kind in ("weekly", "monthly"):
        if not ReportSchedule.objects.filter(kind=kind).exists():
            ReportSchedule.objects.create(
                kind=kind,
                is_active=False,
                slack_channel="#community-managers",
                email_managers=True,
                weekday=1,  # weekly: Monday, for the Monday-Sunday week before
                day_of_month=1,  # monthly: the 1st, for the month before
                hour=8,
            )


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('metrics', '0001_initial'),
        ('metrics', '0002_kpi_rollups'),
        ('metrics', '0003_duty_settings_release_rota'),
        ('metrics', '0004_clock_settings_moved_to_mentions'),
        ('metrics', '0005_report_schedules'),
        ('metrics', '0006_report_schedules_seed'),
        ('metrics', '0007_rebuild_handling_without_plays_opening'),
        ('metrics', '0008_community_answers'),
    ]

    dependencies = [
        # The rollup triggers are on mentions' tickets and events.
        ('mentions', '0001_squashed_0052_needs_response_view'),
    ]

    operations = [
        migrations.CreateModel(
            name='AdvocateDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('actor_id', models.BigIntegerField()),
                ('channel_id', models.BigIntegerField()),
                ('served', models.IntegerField(default=0)),
                ('replied', models.IntegerField(default=0)),
                ('solved', models.IntegerField(default=0)),
                ('handling', models.BinaryField(default=b'')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('day', 'actor_id', 'channel_id'), name='advocate_day_unique')],
            },
        ),
        migrations.CreateModel(
            name='ReportSchedule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('weekly', 'Weekly first-reply summary'), ('monthly', 'Monthly report')], max_length=16)),
                ('is_active', models.BooleanField(default=False)),
                ('slack_channel', models.CharField(blank=True, help_text='Slack channel (#name or id), e.g. #community-managers. Empty: not posted to Slack.', max_length=80)),
                ('email_managers', models.BooleanField(default=True, help_text='E-mail it to every active manager with an address.')),
                ('weekday', models.PositiveSmallIntegerField(choices=[(1, 'Monday'), (2, 'Tuesday'), (3, 'Wednesday'), (4, 'Thursday'), (5, 'Friday'), (6, 'Saturday'), (7, 'Sunday')], default=1, help_text='Weekly: the day it is sent (the week before).')),
                ('day_of_month', models.PositiveSmallIntegerField(default=1, help_text='Monthly: the day it is sent (the month before); 1-28 so every month has it.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(28)])),
                ('hour', models.PositiveSmallIntegerField(default=8, help_text='Hour (UTC) it is sent, 0-23.', validators=[django.core.validators.MaxValueValidator(23)])),
                ('last_sent_period', models.CharField(blank=True, help_text='The last period sent (2026-W47, 2026-11): each is sent once.', max_length=16)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'ordering': ['kind', 'pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('day_of_month__gte', 1), ('day_of_month__lte', 28), ('hour__lte', 23), ('weekday__gte', 1), ('weekday__lte', 7)), name='report_schedule_time_valid')],
            },
        ),
        migrations.CreateModel(
            name='RollupDirty',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('kind', models.CharField(max_length=8)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('day', 'kind'), name='rollup_dirty_unique')],
            },
        ),
        migrations.CreateModel(
            name='TagDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('tag', models.TextField()),
                ('added', models.IntegerField(default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('day', 'tag'), name='tag_day_unique')],
            },
        ),
        migrations.CreateModel(
            name='TicketDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('channel_id', models.BigIntegerField()),
                ('high_priority', models.BooleanField()),
                ('created', models.IntegerField(default=0)),
                ('replied', models.IntegerField(default=0)),
                ('solved_without_reply', models.IntegerField(default=0)),
                ('answered_by_community', models.IntegerField(default=0)),
                ('first_replied', models.IntegerField(default=0)),
                ('solved', models.IntegerField(default=0)),
                ('frt', models.BinaryField(default=b'')),
                ('frt_wide', models.BinaryField(default=b'')),
                ('frt_business', models.BinaryField(default=b'')),
                ('frt_business_wide', models.BinaryField(default=b'')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('day', 'channel_id', 'high_priority'), name='ticket_day_unique')],
            },
        ),
        migrations.CreateModel(
            name='ReportSend',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slack_channel', models.CharField(blank=True, max_length=80)),
                ('slack_ts', models.CharField(blank=True, max_length=40)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('next_attempt_at', models.DateTimeField(blank=True, null=True)),
                ('last_error', models.CharField(blank=True, max_length=300)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('period', models.CharField(max_length=16)),
                ('destination', models.CharField(blank=True, max_length=80)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed'), ('none', 'Not sent this way')], default='pending', max_length=16)),
                ('slack_text', models.TextField(blank=True)),
                ('email_subject', models.CharField(max_length=200)),
                ('email_body', models.TextField()),
                ('email_to', models.JSONField(blank=True, default=list)),
                ('email_status', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed'), ('none', 'Not sent this way')], default='pending', max_length=16)),
                ('email_attempts', models.PositiveSmallIntegerField(default=0)),
                ('email_next_attempt_at', models.DateTimeField(blank=True, null=True)),
                ('email_error', models.CharField(blank=True, max_length=300)),
                ('email_sent_at', models.DateTimeField(blank=True, null=True)),
                ('schedule', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sends', to='metrics.reportschedule')),
            ],
            options={
                'ordering': ['-created_at'],
                'indexes': [models.Index(condition=models.Q(('status', 'pending')), fields=['next_attempt_at'], name='reportsend_slack_idx'), models.Index(condition=models.Q(('email_status', 'pending')), fields=['email_next_attempt_at'], name='reportsend_email_idx')],
                'constraints': [models.UniqueConstraint(fields=('schedule', 'period'), name='report_send_once')],
            },
        ),
        migrations.RunPython(triggers_create, triggers_drop, elidable=False),
        migrations.RunPython(report_schedules_seed, migrations.RunPython.noop),
    ]
