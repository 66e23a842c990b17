"""The api app's migrations 0001-0005 as one (a release boundary: CHANGELOG.md, "Migrations squashed").

A database at 0005 has run everything here: `replaces` marks this migration applied there and nothing runs. A
fresh database gets the models as they are now.
0003 gave existing webhook deliveries their ids and sent failed ones again: a fresh database has none.
"""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('api', '0001_initial'),
        ('api', '0002_webhooks'),
        ('api', '0003_webhooks_paused_standard_signing'),
        ('api', '0004_webhookdelivery_message_id_unique'),
        ('api', '0005_api_token_named_in_capitals'),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='WebhookSubscription',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=80)),
                ('url', models.URLField(help_text='Where the events are POSTed (https in production).', max_length=500)),
                ('events', models.JSONField(default=list, help_text='Which ticket events to send.')),
                ('secret_encrypted', models.TextField(editable=False)),
                ('active', models.BooleanField(default=True, help_text='Off: nothing is queued or sent; on again: from where it stopped.')),
                ('position', models.CharField(default='0.0', editable=False, max_length=50)),
                ('failing_since', models.DateTimeField(blank=True, editable=False, null=True)),
                ('consecutive_failures', models.PositiveIntegerField(default=0, editable=False)),
                ('last_failure', models.CharField(blank=True, editable=False, max_length=120)),
                ('paused_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('paused_reason', models.CharField(blank=True, editable=False, max_length=120)),
                ('lease_token', models.CharField(blank=True, editable=False, max_length=36)),
                ('lease_until', models.DateTimeField(blank=True, editable=False, null=True)),
                ('dispatched_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.CreateModel(
            name='ApiToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='What it is for, e.g. “BI warehouse sync”.', max_length=80)),
                ('prefix', models.CharField(help_text="The token's first characters, to tell tokens apart.", max_length=12)),
                ('digest', models.CharField(max_length=64, unique=True)),
                ('scope', models.CharField(choices=[('read', 'Read'), ('write', 'Read and write')], default='read', max_length=8)),
                ('expires_at', models.DateTimeField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('last_used_at', models.DateTimeField(blank=True, null=True)),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'API token',
                'ordering': ['-created_at'],
                'indexes': [models.Index(fields=['user', 'created_at'], name='apitoken_user_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('expires_at__gt', models.F('created_at'))), name='apitoken_expires_later')],
            },
        ),
        migrations.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('message_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('event_id', models.BigIntegerField()),
                ('ticket_id', models.BigIntegerField()),
                ('event', models.CharField(choices=[('created', 'Ticket created'), ('replied', 'First or later reply'), ('solved', 'Ticket solved'), ('breached', 'First-reply target breached')], max_length=16)),
                ('payload', models.JSONField()),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('sending', 'Sending'), ('delivered', 'Delivered'), ('failed', 'Given up')], default='pending', max_length=12)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('last_status_code', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('last_error', models.CharField(blank=True, max_length=300)),
                ('delivered_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('subscription', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='api.webhooksubscription')),
            ],
            options={
                'verbose_name_plural': 'webhook deliveries',
                'ordering': ['-id'],
                'indexes': [models.Index(condition=models.Q(('status__in', ['pending', 'sending'])), fields=['subscription', 'id'], name='webhookdelivery_waiting_idx')],
                'constraints': [models.UniqueConstraint(fields=('subscription', 'event_id'), name='webhookdelivery_once_per_event')],
            },
        ),
    ]
