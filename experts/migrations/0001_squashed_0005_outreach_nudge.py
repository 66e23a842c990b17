"""The experts app's migrations 0001-0005 as one (a release boundary: CHANGELOG.md, "Migrations squashed").

A database at 0005 has run everything here: `replaces` marks this migration applied there and nothing runs. A
fresh database gets the models as they are now and the product areas a fresh desk starts with (0002).
"""

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


# 0002: the DevOps stages as product areas, with their Slack channels and the words that point at them.
AREAS = [
    (
        "Plan",
        "#s_plan",
        ["issue", "issues", "epic", "epics", "board", "issue board", "milestone", "roadmap", "label", "labels",
         "iteration", "time tracking", "requirements", "service desk"],
    ),
    (
        "Create",
        "#s_create",
        ["merge request", "merge requests", "mr", "code review", "repository", "web ide", "wiki", "snippets",
         "diff", "diffs", "git", "branch", "gitaly", "source code"],
    ),
    (
        "Verify",
        "#s_verify",
        ["pipeline", "pipelines", "ci", "ci/cd", "runner", "runners", "job", "jobs", "cache", "artifacts",
         "gitlab-ci.yml", ".gitlab-ci.yml", "code quality"],
    ),
    (
        "Package",
        "#s_package",
        ["registry", "container registry", "package", "packages", "package registry", "npm", "maven", "pypi",
         "nuget", "docker image"],
    ),
    (
        "Secure",
        "#s_secure",
        ["sast", "dast", "dependency scanning", "vulnerability", "vulnerabilities", "secret detection", "fuzzing",
         "license compliance"],
    ),
    (
        "Release",
        "#s_release",
        ["deploy", "deployment", "deployments", "environment", "environments", "release", "releases",
         "feature flag", "feature flags", "pages", "gitlab pages", "review apps"],
    ),
    (
        "Configure",
        "#s_configure",
        ["kubernetes", "k8s", "agent", "terraform", "auto devops", "helm", "cluster", "infrastructure as code"],
    ),
    (
        "Monitor",
        "#s_monitor",
        ["metrics", "tracing", "logging", "logs", "incident", "incidents", "error tracking", "alerts", "prometheus"],
    ),
    (
        "Protect",
        "#s_protect",
        ["security policy", "security policies", "container scanning", "network policy", "firewall", "waf"],
    ),
]


def areas_seed(apps, schema_editor):
    ProductArea = apps.get_model("experts", "ProductArea")
    for name, channel, keywords in AREAS:
        ProductArea.objects.get_or_create(name=name, defaults={"slack_channel": channel, "keywords": keywords})


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('experts', '0001_initial'),
        ('experts', '0002_seed_areas'),
        ('experts', '0003_outreach_merged'),
        ('experts', '0004_outreaches_plural'),
        ('experts', '0005_outreach_nudge'),
    ]

    dependencies = [
        ('mentions', '0001_squashed_0052_needs_response_view'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='OutreachSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('template', models.TextField(default="Hello {expert}! An expert is needed to respond to this. Could you please answer on {platform} using your own individual account? {link}\nIf you don't know the answer, could you share it with someone who does? Thanks! (support from an expert)", help_text='Placeholders: {expert} (Slack mention), {platform}, {link}, {ticket_url}, {advocate}.')),
                ('default_channel', models.CharField(default='#questions', max_length=80)),
                ('community_channel', models.CharField(default='#community-involvement', max_length=80)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name_plural': 'outreach settings',
            },
        ),
        migrations.CreateModel(
            name='ProductArea',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=80, unique=True)),
                ('slack_channel', models.CharField(blank=True, help_text='e.g. #s_plan', max_length=80)),
                ('keywords', models.JSONField(blank=True, default=list, help_text='Words that point at this area, e.g. ["pipeline", "runner"].')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Expert',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120)),
                ('slack_handle', models.CharField(blank=True, help_text='Slack member id (U123…) or @name.', max_length=80)),
                ('is_group', models.BooleanField(default=False)),
                ('topics', models.JSONField(blank=True, default=list, help_text='Topics and keywords, e.g. ["gitlab-ci", "caching"].')),
                ('active', models.BooleanField(default=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('areas', models.ManyToManyField(blank=True, related_name='experts', to='experts.productarea')),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='ExpertIdentity',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(help_text='Channel kind: twitter, hackernews, reddit, stackexchange, disqus, discourse, email, webhook.', max_length=32)),
                ('handle', models.CharField(max_length=200)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('expert', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='identities', to='experts.expert')),
            ],
            options={
                'indexes': [models.Index(django.db.models.functions.text.Lower('handle'), models.F('kind'), name='expert_identity_lookup_idx')],
                'constraints': [models.UniqueConstraint(django.db.models.functions.text.Lower('handle'), models.F('kind'), name='expert_identity_unique_handle')],
            },
        ),
        migrations.CreateModel(
            name='Outreach',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('pending', 'Waiting to be sent'), ('sent', 'Sent'), ('answered', 'Answered'), ('declined', 'Declined'), ('failed', 'Failed to send'), ('merged', 'Merged into another outreach')], default='pending', max_length=16)),
                ('message', models.TextField()),
                ('slack_channel', models.CharField(max_length=80)),
                ('slack_ts', models.CharField(blank=True, max_length=40)),
                ('slack_permalink', models.URLField(blank=True, max_length=500)),
                ('last_error', models.TextField(blank=True)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('answered_at', models.DateTimeField(blank=True, null=True)),
                ('answer_seconds', models.PositiveBigIntegerField(blank=True, null=True)),
                ('nudged_at', models.DateTimeField(blank=True, null=True)),
                ('silence_told_at', models.DateTimeField(blank=True, null=True)),
                ('declined_at', models.DateTimeField(blank=True, null=True)),
                ('decline_reason', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('advocate', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('answer_message', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='mentions.message')),
                ('expert', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='outreaches', to='experts.expert')),
                ('merged_into', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='merged_from', to='experts.outreach')),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='outreaches', to='mentions.ticket')),
            ],
            options={
                'verbose_name_plural': 'outreaches',
                'ordering': ['-created_at'],
                'indexes': [models.Index(fields=['ticket', 'status'], name='outreach_ticket_status_idx'), models.Index(fields=['expert', 'sent_at'], name='outreach_expert_sent_idx'), models.Index(fields=['sent_at'], name='outreach_sent_idx'), models.Index(condition=models.Q(('status', 'sent')), fields=['sent_at'], name='outreach_waiting_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status__in', ['pending', 'sent'])), fields=('ticket', 'expert'), name='outreach_one_open_per_expert')],
            },
        ),
        migrations.RunPython(areas_seed, migrations.RunPython.noop),
    ]
