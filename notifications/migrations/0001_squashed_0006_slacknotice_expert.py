"""The notifications app's migrations 0001-0006 as one (a release boundary: CHANGELOG.md, "Migrations squashed").

A database at 0006 has run everything here: `replaces` marks this migration applied there and nothing runs. A
fresh database gets the models as they are now.
Its models' tables keep the names they had in channels and mentions (db_table). 0001 moved their content types: a
fresh database has none yet.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('notifications', '0001_initial'),
        ('notifications', '0002_slack_share'),
        ('notifications', '0003_slacknotice_thread_answer'),
        ('notifications', '0004_slacknotice_kinds'),
        ('notifications', '0005_slacknotice_reminder'),
        ('notifications', '0006_slacknotice_expert'),
    ]

    dependencies = [
        ('channels', '0001_squashed_0017_kind_choices_from_registry'),
        ('mentions', '0001_squashed_0052_needs_response_view'),
    ]

    operations = [
        migrations.CreateModel(
            name='CoverageDigest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(unique=True)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('empty', 'Nothing at risk (not posted)'), ('failed', 'Failed')], default='pending', max_length=16)),
                ('ticket_ids', models.JSONField(blank=True, default=list)),
                ('text', models.TextField(blank=True)),
                ('slack_channel', models.CharField(blank=True, max_length=80)),
                ('slack_ts', models.CharField(blank=True, max_length=40)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('last_error', models.CharField(blank=True, max_length=300)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'db_table': 'mentions_coveragedigest',
                'ordering': ['-day'],
            },
        ),
        migrations.CreateModel(
            name='FrontPageStory',
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
                ('story_id', models.CharField(max_length=32)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed')], default='pending', max_length=16)),
                ('channel', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='channels.channel')),
                ('ticket', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='front_page_stories', to='mentions.ticket')),
            ],
            options={
                'verbose_name_plural': 'front-page stories',
                'db_table': 'mentions_frontpagestory',
                'indexes': [models.Index(condition=models.Q(('status', 'pending')), fields=['next_attempt_at'], name='frontpage_pending_idx')],
                'constraints': [models.UniqueConstraint(fields=('channel', 'story_id'), name='front_page_story_once')],
            },
        ),
        migrations.CreateModel(
            name='SlackNotice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('destination', models.CharField(max_length=80)),
                ('kind', models.CharField(choices=[('new_ticket', 'New ticket (channel mirror)'), ('rule', 'Rule notification'), ('share', 'Shared from the ticket page'), ('thread_answer', 'Ticket link in the Slack thread it came from'), ('reminder', 'Snoozed ticket back (Slack DM)'), ('expert', 'Expert silent or passed on (Slack DM)')], max_length=16)),
                ('text', models.TextField(help_text='The line for this ticket, already escaped for Slack.')),
                ('thread_ts', models.CharField(blank=True, max_length=32)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed', 'Failed'), ('unknown', 'Outcome unknown (not re-posted)')], default='pending', max_length=16)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('next_attempt_at', models.DateTimeField(blank=True, help_text='Empty: as soon as possible.', null=True)),
                ('claim_token', models.CharField(blank=True, max_length=36)),
                ('claimed_at', models.DateTimeField(blank=True, null=True)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('slack_ts', models.CharField(blank=True, max_length=32)),
                ('slack_channel_id', models.CharField(blank=True, max_length=32)),
                ('last_error', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='slack_notices', to='mentions.ticket')),
            ],
            options={
                'db_table': 'channels_slacknotice',
                'ordering': ['id'],
                'indexes': [models.Index(condition=models.Q(('status', 'pending')), fields=['destination', 'id'], name='slacknotice_pending_idx'), models.Index(condition=models.Q(('status', 'sending')), fields=['claimed_at'], name='slacknotice_sending_idx'), models.Index(fields=['status', 'created_at'], name='slacknotice_status_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('kind__in', ['share', 'reminder', 'expert']), _negated=True), fields=('destination', 'ticket', 'kind'), name='slacknotice_unique_per_ticket')],
            },
        ),
        migrations.CreateModel(
            name='UrgentPing',
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
                ('status', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed'), ('in_coverage', 'Urgent inside coverage (no ping)'), ('front_page', 'Told as a Hacker News front-page story')], default='pending', max_length=16)),
                ('reasons', models.JSONField(blank=True, default=list)),
                ('ticket', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='urgent_ping', to='mentions.ticket')),
            ],
            options={
                'db_table': 'mentions_urgentping',
                'indexes': [models.Index(condition=models.Q(('status', 'pending')), fields=['next_attempt_at'], name='urgentping_pending_idx')],
            },
        ),
    ]
