"""The stories app's migrations 0001-0008 as one (a release boundary: CHANGELOG.md, "Migrations squashed").

A database at 0008 has run everything here: `replaces` marks this migration applied there and nothing runs. A
fresh database gets the models as they are now.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('stories', '0001_initial'),
        ('stories', '0002_desk_replies'),
        ('stories', '0003_detector_reads_less'),
        ('stories', '0004_list_indexes'),
        ('stories', '0005_meaning'),
        ('stories', '0006_issue_followups'),
        ('stories', '0007_release_plans'),
        ('stories', '0008_burst_feedback'),
    ]

    dependencies = [
        ('channels', '0001_squashed_0017_kind_choices_from_registry'),
        ('mentions', '0001_squashed_0052_needs_response_view'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DetectorState',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('last_ticket_id', models.BigIntegerField(default=0)),
                ('read_through', models.BigIntegerField(default=0)),
                ('swept_at', models.DateTimeField(blank=True, null=True)),
                ('runs', models.PositiveBigIntegerField(default=0)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.CreateModel(
            name='MeaningDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(unique=True)),
                ('tickets', models.PositiveIntegerField(default=0)),
                ('total', models.BinaryField(default=b'')),
            ],
        ),
        migrations.CreateModel(
            name='ReleaseSource',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('enabled', models.BooleanField(default=True)),
                ('etag', models.CharField(blank=True, editable=False, max_length=300)),
                ('last_modified', models.CharField(blank=True, editable=False, max_length=100)),
                ('polled_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('next_poll_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('last_error', models.CharField(blank=True, editable=False, max_length=500)),
                ('failures', models.PositiveIntegerField(default=0, editable=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('name', models.CharField(max_length=120)),
                ('feed_url', models.URLField(blank=True, help_text="The blog's RSS or Atom feed, e.g. https://about.gitlab.com/releases.xml", max_length=1000)),
                ('slack_channel', models.CharField(blank=True, help_text="The Slack channel's id (C0123ABCD) where a message with the post's link announces it.", max_length=40)),
                ('title_pattern', models.CharField(default='\\brelease[ds]?\\b|\\b\\d+\\.\\d+(?:\\.\\d+)?\\b', help_text='A feed entry is a release post when its title or link matches this regular expression (case ignored); default: the word release or a version number such as 16.6.', max_length=300)),
                ('answer_template', models.TextField(default='Thanks for trying {title}! What changed, and how to upgrade, is all in the release post: {link}', help_text="The answer each plan starts with: {title} the post's title, {link} its address. Each plan's answer is edited and approved on the plan.")),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='StatusFeed',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('enabled', models.BooleanField(default=True)),
                ('etag', models.CharField(blank=True, editable=False, max_length=300)),
                ('last_modified', models.CharField(blank=True, editable=False, max_length=100)),
                ('polled_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('next_poll_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('last_error', models.CharField(blank=True, editable=False, max_length=500)),
                ('failures', models.PositiveIntegerField(default=0, editable=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('name', models.CharField(max_length=120)),
                ('url', models.URLField(max_length=1000, unique=True)),
                ('format', models.CharField(choices=[('auto', 'Detect from the response'), ('statuspage', 'Atlassian Statuspage JSON'), ('feed', 'RSS or Atom')], default='auto', max_length=16)),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='StoryFeedback',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('merge', 'Stories merged'), ('move_out', 'Ticket moved out')], max_length=16)),
                ('cosine', models.FloatField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name_plural': 'story feedback',
            },
        ),
        migrations.CreateModel(
            name='IssueSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('project', models.CharField(blank=True, help_text='The default project (group/project, or owner/name on GitHub).', max_length=255)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('channel', models.ForeignKey(blank=True, help_text='The GitLab or GitHub channel whose connected account files issues (its projects are offered).', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='channels.channel')),
            ],
            options={
                'verbose_name': 'issue settings (where issues are filed)',
                'verbose_name_plural': 'issue settings (where issues are filed)',
            },
        ),
        migrations.CreateModel(
            name='Signature',
            fields=[
                ('ticket', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='mentions.ticket')),
                ('at', models.DateTimeField(help_text='When the mention was posted.')),
                ('platform', models.CharField(max_length=64)),
                ('links', models.JSONField(blank=True, default=list)),
                ('terms', models.JSONField(blank=True, default=dict)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'indexes': [models.Index(fields=['at'], name='signature_at_idx')],
            },
        ),
        migrations.CreateModel(
            name='Story',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=300)),
                ('state', models.CharField(choices=[('open', 'Open'), ('answered', 'Answered'), ('closed', 'Closed')], default='open', max_length=16)),
                ('origin', models.CharField(choices=[('link', 'Shared link'), ('terms', 'Shared terms'), ('incident', 'Status page incident'), ('advocate', 'Made by an advocate'), ('meaning', 'Same meaning'), ('release', 'Release post'), ('burst', 'A burst of problem reports')], max_length=16)),
                ('links', models.JSONField(blank=True, default=list, help_text='Normalised links its tickets share.')),
                ('terms', models.JSONField(blank=True, default=dict, help_text='Its core terms, used by most of its tickets: {stem: the word as written}.')),
                ('term_counts', models.JSONField(blank=True, default=dict, help_text='The terms its tickets use most: {stem: [word, tickets]}.')),
                ('size', models.PositiveIntegerField(default=0, help_text='Tickets in it (kept with its memberships).')),
                ('reattached_size', models.PositiveIntegerField(default=0, editable=False)),
                ('meaning', models.BinaryField(db_default=b'', default=b'')),
                ('meaning_n', models.PositiveIntegerField(db_default=0, default=0, editable=False)),
                ('first_at', models.DateTimeField(help_text='When its first mention was posted.')),
                ('last_at', models.DateTimeField(help_text='When its latest mention was posted.')),
                ('answer', models.TextField(blank=True, help_text='The one answer to every ticket of the story.')),
                ('answer_link', models.URLField(blank=True, max_length=1000)),
                ('answered_at', models.DateTimeField(blank=True, null=True)),
                ('spike_alerted_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('answered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('merged_into', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='stories.story')),
            ],
            options={
                'verbose_name_plural': 'stories',
            },
        ),
        migrations.CreateModel(
            name='StatusIncident',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('external_id', models.CharField(max_length=300)),
                ('name', models.CharField(max_length=300)),
                ('status', models.CharField(blank=True, max_length=64)),
                ('url', models.URLField(blank=True, max_length=1000)),
                ('started_at', models.DateTimeField()),
                ('resolved_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('feed', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='incidents', to='stories.statusfeed')),
                ('story', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='incidents', to='stories.story')),
            ],
        ),
        migrations.CreateModel(
            name='SpikeAlert',
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
                ('kind', models.CharField(choices=[('story', 'Story'), ('term', 'Term')], max_length=8)),
                ('key', models.CharField(help_text="The story's id or the term.", max_length=300)),
                ('day', models.DateField()),
                ('counts', models.JSONField(default=dict, help_text='Tickets in the last hour per platform.')),
                ('usual_per_hour', models.FloatField(default=0)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed')], default='pending', max_length=16)),
                ('story', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='spike_alerts', to='stories.story')),
            ],
        ),
        migrations.CreateModel(
            name='ReleasePlan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('via', models.CharField(choices=[('feed', "The blog's feed"), ('slack', 'A Slack message'), ('admin', 'Added in admin')], default='admin', max_length=8)),
                ('url', models.URLField(help_text='The release post.', max_length=1000)),
                ('url_key', models.CharField(editable=False, help_text='The address normalised.', max_length=300, unique=True)),
                ('title', models.CharField(max_length=300)),
                ('version', models.CharField(blank=True, help_text='The version it announces (from the title).', max_length=40)),
                ('published_at', models.DateTimeField(blank=True, help_text='As the feed dates the post.', null=True)),
                ('release_date', models.DateField(help_text="The story opens the day before (the desk's time zone).")),
                ('feature_1', models.CharField(blank=True, max_length=200)),
                ('feature_2', models.CharField(blank=True, max_length=200)),
                ('feature_3', models.CharField(blank=True, max_length=200)),
                ('answer', models.TextField(blank=True, help_text="The story's answer, once approved. Editing it asks again.")),
                ('answer_approved_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('opened_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('answer_approved_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('source', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='plans', to='stories.releasesource')),
                ('story', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='release_plans', to='stories.story')),
            ],
            options={
                'ordering': ['-release_date', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='Membership',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('via', models.CharField(choices=[('link', 'Same link'), ('terms', 'Shared terms'), ('incident', 'Status page incident'), ('advocate', 'Moved by an advocate'), ('merge', 'Stories merged'), ('meaning', 'Same meaning'), ('burst', 'In a burst of problem reports')], max_length=16)),
                ('reason', models.CharField(help_text='Why it joined: "links to the same URL …", "shares: …".', max_length=300)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('added_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('ticket', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='story_membership', to='mentions.ticket')),
                ('story', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='stories.story')),
            ],
        ),
        migrations.CreateModel(
            name='Key',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=300)),
                ('at', models.DateTimeField()),
                ('ticket', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='mentions.ticket')),
                ('story', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='stories.story')),
            ],
        ),
        migrations.CreateModel(
            name='Exclusion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='mentions.ticket')),
                ('story', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='exclusions', to='stories.story')),
            ],
        ),
        migrations.CreateModel(
            name='StoryReply',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('body', models.TextField()),
                ('handle', models.CharField(blank=True, help_text='The account it is sent as.', max_length=200)),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('queued', 'Queued to send'), ('sending', 'Sending'), ('sent', 'Sent from the desk'), ('marked', 'Marked replied'), ('failed', 'Failed'), ('skipped', 'Skipped')], default='draft', max_length=16)),
                ('send_key', models.CharField(help_text='The ReplySend key: one post per ticket.', max_length=64)),
                ('link', models.URLField(blank=True, help_text='The reply on the platform.', max_length=1000)),
                ('shortened', models.BooleanField(default=False, help_text="The answer was cut to fit the platform's length.")),
                ('plan_note', models.CharField(blank=True, help_text='Why this account sends it, or why the desk cannot post there.', max_length=300)),
                ('error', models.CharField(blank=True, max_length=500)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('sent_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('story', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='replies', to='stories.story')),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='mentions.ticket')),
            ],
            options={
                'verbose_name_plural': 'story replies',
            },
        ),
        migrations.CreateModel(
            name='TermDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('term', models.CharField(max_length=100)),
                ('day', models.DateField()),
                ('tickets', models.PositiveIntegerField(default=0)),
            ],
            options={
                'indexes': [models.Index(fields=['day'], name='termday_day_idx')],
                'constraints': [models.UniqueConstraint(fields=('term', 'day'), name='termday_once')],
            },
        ),
        migrations.CreateModel(
            name='IssueFollowUp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event', models.CharField(choices=[('closed', 'Closed'), ('milestone', 'Milestone set')], max_length=16)),
                ('milestone', models.CharField(blank=True, max_length=200)),
                ('body', models.TextField()),
                ('handle', models.CharField(blank=True, help_text="The account it is sent as ('': reply yourself).", max_length=200)),
                ('plan_note', models.CharField(blank=True, max_length=300)),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('queued', 'Queued to send'), ('sending', 'Sending'), ('sent', 'Sent from the desk'), ('failed', 'Failed'), ('skipped', 'Skipped')], default='draft', max_length=16)),
                ('attempt', models.PositiveSmallIntegerField(default=1, help_text='Raised after a refusal: a new post, a new key.')),
                ('link', models.URLField(blank=True, help_text='The follow-up on the platform.', max_length=1000)),
                ('error', models.CharField(blank=True, max_length=500)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('issue', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='followups', to='mentions.issuelink')),
                ('sent_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='mentions.ticket')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('issue', 'ticket', 'event'), name='issue_followup_once')],
            },
        ),
        migrations.AddIndex(
            model_name='story',
            index=models.Index(fields=['state', '-last_at'], name='story_state_last_idx'),
        ),
        migrations.AddIndex(
            model_name='story',
            index=models.Index(condition=models.Q(('merged_into__isnull', True)), fields=['-last_at'], name='story_live_idx'),
        ),
        migrations.AddIndex(
            model_name='story',
            index=models.Index(condition=models.Q(('merged_into__isnull', True), models.Q(('state', 'closed'), _negated=True)), fields=['-last_at', '-id'], name='story_queue_idx'),
        ),
        migrations.AddConstraint(
            model_name='statusincident',
            constraint=models.UniqueConstraint(fields=('feed', 'external_id'), name='incident_once'),
        ),
        migrations.AddIndex(
            model_name='spikealert',
            index=models.Index(condition=models.Q(('status', 'pending')), fields=['next_attempt_at'], name='spike_pending_idx'),
        ),
        migrations.AddConstraint(
            model_name='spikealert',
            constraint=models.UniqueConstraint(fields=('kind', 'key', 'day'), name='spike_alert_once'),
        ),
        migrations.AddIndex(
            model_name='releaseplan',
            index=models.Index(fields=['release_date'], name='releaseplan_date_idx'),
        ),
        migrations.AddIndex(
            model_name='membership',
            index=models.Index(fields=['story', 'created_at'], name='membership_story_idx'),
        ),
        migrations.AddIndex(
            model_name='key',
            index=models.Index(fields=['key', 'at'], name='story_key_idx'),
        ),
        migrations.AddIndex(
            model_name='key',
            index=models.Index(fields=['ticket'], name='story_key_ticket_idx'),
        ),
        migrations.AddIndex(
            model_name='key',
            index=models.Index(fields=['at'], name='story_key_at_idx'),
        ),
        migrations.AddConstraint(
            model_name='key',
            constraint=models.CheckConstraint(condition=models.Q(('ticket__isnull', False), ('story__isnull', False), _connector='OR'), name='story_key_of_something'),
        ),
        migrations.AddConstraint(
            model_name='exclusion',
            constraint=models.UniqueConstraint(fields=('story', 'ticket'), name='exclusion_once'),
        ),
        migrations.AddConstraint(
            model_name='storyreply',
            constraint=models.UniqueConstraint(fields=('story', 'ticket'), name='story_reply_once'),
        ),
    ]
