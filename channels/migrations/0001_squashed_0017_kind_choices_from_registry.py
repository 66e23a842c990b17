"""The channels app's migrations 0001-0017 as one (a release boundary: CHANGELOG.md, "Migrations squashed").

A database at 0017 has run everything here: `replaces` marks this migration applied there and nothing runs. A
fresh database gets the models as they are now.
Channel.kind's choices stay a reference to the registry (channels.adapters.registry.kind_choices, 0017), so a
platform added to the registry needs no migration. 0008 (X accounts from pasted tokens) and 0009 (poll intervals
made automatic) changed existing rows: a fresh database has none.
"""

import channels.adapters.registry
import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('channels', '0001_initial'),
        ('channels', '0002_channel_credentials_encrypted_and_more'),
        ('channels', '0003_our_accounts_help'),
        ('channels', '0004_more_kinds'),
        ('channels', '0005_slack_outbox'),
        ('channels', '0006_dead_letters'),
        ('channels', '0007_accounts'),
        ('channels', '0008_accounts_from_pasted_tokens'),
        ('channels', '0009_poll_interval_automatic'),
        ('channels', '0010_slacknotice_to_notifications'),
        ('channels', '0011_channel_kind_gitlab'),
        ('channels', '0012_channel_kind_slack'),
        ('channels', '0013_mastodon_kind'),
        ('channels', '0014_bluesky_kind'),
        ('channels', '0015_discord_kind'),
        ('channels', '0016_github_kind'),
        ('channels', '0017_kind_choices_from_registry'),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Channel',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=channels.adapters.registry.kind_choices, max_length=32)),
                ('name', models.CharField(max_length=100, unique=True)),
                ('slug', models.SlugField(max_length=100, unique=True)),
                ('enabled', models.BooleanField(default=True)),
                ('high_priority', models.BooleanField(default=False, help_text='Tickets from this channel count towards the high-priority target.')),
                ('poll_interval_seconds', models.PositiveIntegerField(blank=True, help_text="Seconds between polls. Empty: automatic, the shortest the platform's request budget allows for this configuration, counting the other channels that share the budget. A shorter value than the budget allows is raised to it.", null=True, verbose_name='poll interval (seconds)')),
                ('config', models.JSONField(blank=True, default=dict, help_text='Per-kind settings, validated on save.')),
                ('our_accounts', models.JSONField(blank=True, default=list, help_text='Our own usernames/handles on this platform (Stack Exchange: numeric user ids): their messages are our replies, never tickets.')),
                ('slack_channel', models.CharField(blank=True, help_text='Slack destination that receives each new ticket of this channel, batched (e.g. #hn-mentions). Empty: none.', max_length=80)),
                ('credentials_encrypted', models.TextField(blank=True, editable=False)),
                ('platform_status', models.JSONField(blank=True, default=dict, editable=False)),
                ('usage', models.JSONField(blank=True, default=dict, editable=False)),
                ('cursor', models.JSONField(blank=True, default=dict)),
                ('health', models.CharField(choices=[('ok', 'OK'), ('backing_off', 'Backing off after errors'), ('failing', 'Failing: needs an admin')], default='ok', max_length=16)),
                ('last_polled_at', models.DateTimeField(blank=True, null=True)),
                ('last_success_at', models.DateTimeField(blank=True, null=True)),
                ('last_error', models.TextField(blank=True)),
                ('last_error_at', models.DateTimeField(blank=True, null=True)),
                ('consecutive_failures', models.PositiveIntegerField(default=0)),
                ('next_poll_at', models.DateTimeField(blank=True, null=True)),
                ('lease_token', models.CharField(blank=True, max_length=36)),
                ('lease_until', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'ordering': ['name'],
                'indexes': [models.Index(fields=['enabled', 'next_poll_at'], name='channel_due_idx')],
            },
        ),
        migrations.CreateModel(
            name='Account',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('username', models.CharField(help_text="The account's name on the platform, without @ (X handle, Reddit or Disqus username, Stack Exchange display name, forum username). Filled in from the platform when it is connected.", max_length=100)),
                ('platform_user_id', models.CharField(blank=True, editable=False, max_length=100)),
                ('reply_mode', models.CharField(choices=[('desk', 'Reply from the desk'), ('outside', 'Reply outside the desk')], default='desk', max_length=8)),
                ('position', models.PositiveSmallIntegerField(default=0, help_text="Order in the advocate's 'Send as' list; the first one that can post is the default.")),
                ('status', models.CharField(choices=[('not_connected', 'Not connected'), ('connected', 'Connected'), ('needs_reconnect', 'Needs reconnecting')], default='not_connected', editable=False, max_length=16)),
                ('tokens_encrypted', models.TextField(blank=True, editable=False)),
                ('token_expires_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('scopes', models.CharField(blank=True, editable=False, max_length=300)),
                ('connected_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('refreshed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('last_error', models.TextField(blank=True, editable=False)),
                ('last_error_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('connected_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('channel', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='accounts', to='channels.channel')),
            ],
            options={
                'ordering': ['channel', 'position', 'id'],
                'constraints': [models.UniqueConstraint(django.db.models.functions.text.Lower('username'), models.F('channel'), name='account_unique_username')],
            },
        ),
        migrations.CreateModel(
            name='DeadLetter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('stage', models.CharField(choices=[('parse', 'Parse'), ('store', 'Store')], max_length=8)),
                ('status', models.CharField(choices=[('open', 'Open'), ('retried', 'Stored on retry'), ('discarded', 'Discarded')], default='open', max_length=12)),
                ('external_id', models.CharField(blank=True, max_length=200)),
                ('fingerprint', models.CharField(max_length=64)),
                ('error', models.TextField()),
                ('payload', models.TextField(help_text='The item as the platform sent it (JSON).')),
                ('mention', models.TextField(blank=True, help_text='The parsed mention that could not be stored (JSON).')),
                ('times_seen', models.PositiveIntegerField(default=1)),
                ('attempts', models.PositiveIntegerField(default=0, help_text='Retries from admin.')),
                ('resolved_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('channel', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='dead_letters', to='channels.channel')),
                ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at'],
                'indexes': [models.Index(fields=['channel', 'status'], name='deadletter_channel_status_idx')],
                'constraints': [models.UniqueConstraint(fields=('channel', 'stage', 'fingerprint'), name='deadletter_unique_item')],
            },
        ),
    ]
