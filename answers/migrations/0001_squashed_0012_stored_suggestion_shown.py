"""The answers app's migrations 0001-0012 as one (a release boundary: CHANGELOG.md, "Migrations squashed").

A database at 0012 has run everything here: `replaces` marks this migration applied there and nothing runs. A
fresh database gets the models as they are now, then what they cannot say:
- PostgreSQL only (the embedded SQLite default reads the stems with LIKE, answers.suggestions.candidates and answers.suggestions.hybrid):
  pg_trgm (its similarity() ranks the candidates' titles, 0003), and STORED generated tsvectors with GIN indexes:
  the answers' stems `words` ('simple': answers.terms stemmed them already, 0003), the docs pages' `terms` (0006),
  and `plain`, the title, question and reply under 'english' for the hybrid's plain full-text list (0008);
- the general software-support synonyms a fresh desk starts with (0005).
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


WORDS = """
    to_tsvector('simple'::regconfig, title_terms || ' ' || question_terms || ' ' || asked_terms || ' ' || reply_terms)
"""
PLAIN = "to_tsvector('english'::regconfig, title || ' ' || question || ' ' || reply)"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"ALTER TABLE answers_answer ADD COLUMN words tsvector GENERATED ALWAYS AS ({WORDS}) STORED",
    "CREATE INDEX answer_words_idx ON answers_answer USING gin (words)",
    "ALTER TABLE answers_docpage ADD COLUMN words tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, terms)) STORED",
    "CREATE INDEX docpage_words_idx ON answers_docpage USING gin (words)",
    f"ALTER TABLE answers_answer ADD COLUMN plain tsvector GENERATED ALWAYS AS ({PLAIN}) STORED",
    "CREATE INDEX answer_plain_idx ON answers_answer USING gin (plain)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS answer_plain_idx",
    "ALTER TABLE answers_answer DROP COLUMN IF EXISTS plain",
    "DROP INDEX IF EXISTS docpage_words_idx",
    "ALTER TABLE answers_docpage DROP COLUMN IF EXISTS words",
    "DROP INDEX IF EXISTS answer_words_idx",
    "ALTER TABLE answers_answer DROP COLUMN IF EXISTS words",
]


def _postgresql(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


# 0005: general software-support vocabulary: what people say for the same thing when they ask for help. Nothing
# here names a product; a team adds its own (admin → Answers → Synonyms). A group already there is not added twice.
GROUPS = [
    "sign in, log in, login, signin, logon, log on",
    "password, credentials, passphrase",
    "locked out, locked, lockout, blocked",
    "delete, remove, purge, prune, clean up, cleanup, wipe, erase, clear, drop",
    "storage, disk, disk space, space, size, usage, quota, gigabytes",
    "grows, growing, increase, bloat, bloated, fills up",
    "slow, sluggish, lag, laggy, latency, takes forever",
    "fails, failing, failed, broken, breaks, error, crash",
    "stuck, hangs, hanging, frozen, waits forever, never starts, pending",
    "timeout, timed out, time out",
    "repository, repo, codebase",
    "merge request, pull request, mr, pr",
    "pipeline, ci, build, workflow",
    "runner, agent, executor, build machine, worker",
    "cache, cached, caching",
    "dependencies, dependency, deps, packages, libraries, modules",
    "mirror, mirroring, sync, syncing, replicate, copy",
    "import, importer, migrate, migration, move over, moving",
    "upgrade, update, bump, newer version",
    "cost, billing, charged, invoice, allowance, minutes, pricing",
    "two-factor, 2fa, mfa, authenticator, otp, one-time code",
    "token, access token, api key, personal access token, pat",
    "permission, permissions, access, role, rights, allowed",
    "email, e-mail, mail, notification, notifications",
    "variable, variables, env var, environment variable, secret",
    "certificate, cert, tls, ssl, x509, https",
    "domain, dns, custom domain, hostname",
    "schedule, scheduled, cron, nightly, timer",
    "artifact, artifacts",
    "server, machine, host, box, instance, node, vm",
    "cpu, processor, load, maxed out",
    "comment, comments, discussion, discussions, note, review",
    "author, authors, attributed, written by",
    "documentation, docs, manual, guide",
    "webhook, hook, callback",
    "image, images, container image, docker image",
    "container registry, registry, docker registry",
    "deploy, deployment, release, ship",
    "disabled, greyed out, grayed out, can't click",
    "required, must succeed, mandatory, enforced",
    "skip, skipped, not run",
    "history, commits, commit history",
    "rewrite history, filter-repo, force push, force-push",
    "large files, big files, huge files, binaries",
    "limit, limits, maximum, cap, too large",
    "concurrent, parallel, at once, at a time, simultaneously",
    "ssh key, ssh keys, public key, deploy key",
    "user, account, member, profile",
    "group, organization, org, namespace, team",
    "project, projects, repo settings",
    "search, find, lookup",
    "backup, backups, restore, snapshot",
    "install, installation, setup, set up",
    "config, configuration, settings, setting",
    "logs, log, output, trace",
    "wiki, pages, page",
]


def synonyms_seed(apps, schema_editor):
    Synonyms = apps.get_model("answers", "Synonyms")
    have = set(Synonyms.objects.values_list("words", flat=True))
    Synonyms.objects.bulk_create([Synonyms(words=w) for w in GROUPS if w not in have])


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('answers', '0001_initial'),
        ('answers', '0002_answer_term'),
        ('answers', '0003_answer_match'),
        ('answers', '0004_synonyms'),
        ('answers', '0005_synonyms_seed'),
        ('answers', '0006_knowledge'),
        ('answers', '0007_answer_meaning'),
        ('answers', '0008_answer_plain_cells'),
        ('answers', '0009_stored_suggestions'),
        ('answers', '0010_fit_weights'),
        ('answers', '0011_fit_weights_names'),
        ('answers', '0012_stored_suggestion_shown'),
    ]

    dependencies = [
        ('channels', '0001_squashed_0017_kind_choices_from_registry'),
        ('mentions', '0001_squashed_0052_needs_response_view'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SuggestionsState',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('generation', models.PositiveIntegerField(default=1)),
                ('added_since', models.PositiveIntegerField(default=0)),
                ('bumped_at', models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.CreateModel(
            name='Synonyms',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('words', models.TextField(help_text='Comma-separated words or phrases that mean the same, e.g. sign in, log in, login.')),
                ('is_active', models.BooleanField(default=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'synonyms',
                'verbose_name_plural': 'synonyms',
            },
        ),
        migrations.CreateModel(
            name='Term',
            fields=[
                ('term', models.CharField(max_length=100, primary_key=True, serialize=False)),
                ('df', models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name='Answer',
            fields=[
                ('ticket', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='answer', serialize=False, to='mentions.ticket')),
                ('platform', models.CharField(help_text='The channel kind the question came from.', max_length=64)),
                ('title', models.CharField(blank=True, max_length=300)),
                ('question', models.TextField(blank=True)),
                ('reply', models.TextField()),
                ('reply_permalink', models.URLField(blank=True, max_length=1000)),
                ('link', models.URLField(blank=True, help_text='The first link our reply gave.', max_length=1000)),
                ('answered_at', models.DateTimeField()),
                ('title_terms', models.TextField(blank=True)),
                ('question_terms', models.TextField(blank=True)),
                ('reply_terms', models.TextField(blank=True)),
                ('asked_terms', models.TextField(blank=True, help_text='Stems of later questions this answer was used for: other words for the same question.')),
                ('uses', models.PositiveIntegerField(default=0, help_text='Times an advocate used it as a suggestion.')),
                ('indexed_at', models.DateTimeField(auto_now=True)),
                ('meaning', models.BinaryField(blank=True, null=True)),
                ('meaning_model', models.CharField(blank=True, db_default='', editable=False, max_length=80)),
                ('cell', models.PositiveIntegerField(blank=True, editable=False, null=True)),
                ('answered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='FitWeights',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('outcome', models.CharField(choices=[('active', 'Active: decides what the panel shows'), ('kept', 'Kept: replaced by a newer version'), ('refused', 'Not used: predicted the newest labels no better')], max_length=8)),
                ('weights', models.JSONField(help_text="The logistic model's intercept and weights, by feature (answers.fit.label).")),
                ('labels', models.PositiveIntegerField(help_text='Suggestions inserted, dismissed or ignored it learned from.')),
                ('labels_fit', models.PositiveIntegerField(help_text='Of those, inserted.')),
                ('scored_on', models.PositiveIntegerField(help_text='The newest labels it was judged on, not trained on.')),
                ('loss_before', models.FloatField(help_text='Log loss of the version active then (or the cold start) on them.')),
                ('loss_after', models.FloatField(help_text="This version's log loss on them.")),
                ('accuracy_before', models.FloatField()),
                ('accuracy_after', models.FloatField()),
                ('cpu_seconds', models.FloatField(default=0.0)),
            ],
            options={
                'verbose_name': 'fit weights version',
                'verbose_name_plural': 'fit weights versions',
                'ordering': ['-pk'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('outcome', 'active')), fields=('outcome',), name='fitweights_one_active')],
            },
        ),
        migrations.CreateModel(
            name='KnowledgeSource',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='Shown in the panel, e.g. "GitLab issues".', max_length=100, unique=True)),
                ('kind', models.CharField(choices=[('gitlab_issues', 'GitLab issues'), ('github_issues', 'GitHub issues'), ('discourse', 'Discourse forum'), ('docs', 'Docs (sitemap)'), ('stackoverflow', 'Stack Overflow accepted answers')], max_length=20)),
                ('is_active', models.BooleanField(default=True)),
                ('base_url', models.CharField(blank=True, help_text="GitLab: the instance (empty: the linked channel's, else https://gitlab.com). Discourse: the forum's address. Docs: the sitemap's URL (a sitemap index works too). GitHub, Stack Overflow: empty.", max_length=500, verbose_name='address')),
                ('project', models.CharField(blank=True, help_text="GitLab: the project's path (group/project) or id. GitHub: owner/repo.", max_length=200)),
                ('tag', models.CharField(blank=True, help_text='Stack Overflow: our tag, e.g. gitlab-ci.', max_length=35)),
                ('token_encrypted', models.TextField(blank=True, editable=False)),
                ('timeout_seconds', models.PositiveSmallIntegerField(default=2, help_text='The panel waits no longer.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(15)])),
                ('cache_minutes', models.PositiveIntegerField(default=60, help_text='A search is asked again after this.', validators=[django.core.validators.MaxValueValidator(10080)])),
                ('hourly_budget', models.PositiveIntegerField(blank=True, help_text="Searches per hour at most. Empty: the platform's default (see docs/answers.md).", null=True)),
                ('last_error', models.TextField(blank=True, editable=False)),
                ('last_error_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('channel', models.ForeignKey(blank=True, help_text='GitLab: search through this GitLab channel (its instance and access token).', limit_choices_to={'kind': 'gitlab'}, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='channels.channel')),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='DocPage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('url', models.URLField(max_length=1000)),
                ('title', models.CharField(blank=True, max_length=300)),
                ('text', models.TextField(blank=True, help_text="The first 5,000 characters of the page's main text.")),
                ('title_terms', models.TextField(blank=True)),
                ('terms', models.TextField(blank=True, help_text='Stems of the title and the text.')),
                ('etag', models.CharField(blank=True, max_length=300)),
                ('last_modified', models.CharField(blank=True, max_length=100)),
                ('fetched_at', models.DateTimeField(blank=True, null=True)),
                ('gone', models.BooleanField(default=False, help_text='The page answered 404 or 410, or left the sitemap.')),
                ('source', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pages', to='answers.knowledgesource')),
            ],
            options={
                'ordering': ['source', 'url'],
            },
        ),
        migrations.CreateModel(
            name='MeaningCell',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('model', models.CharField(max_length=80)),
                ('number', models.PositiveIntegerField()),
                ('centroid', models.BinaryField()),
                ('size', models.PositiveIntegerField(default=0, help_text='Answers in this cell when the cells were learnt.')),
                ('learnt_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('model', 'number'), name='meaning_cell_unique')],
            },
        ),
        migrations.CreateModel(
            name='SavedReply',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=120, unique=True)),
                ('body', models.TextField(help_text='The reply. Placeholders: {requester} (their name, else handle), {handle} (@handle on X, the handle elsewhere), {link} (a link the advocate gives when inserting it).')),
                ('keywords', models.CharField(blank=True, help_text='Words to find it by, besides its title.', max_length=300)),
                ('is_active', models.BooleanField(default=True)),
                ('uses', models.PositiveIntegerField(default=0, help_text='Times inserted into a reply.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name_plural': 'saved replies',
                'ordering': ['title'],
            },
        ),
        migrations.CreateModel(
            name='StoredSuggestion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rank', models.PositiveSmallIntegerField()),
                ('score', models.FloatField(default=0.0)),
                ('fit', models.FloatField(blank=True, null=True)),
                ('features', models.JSONField(blank=True, default=dict)),
                ('why', models.JSONField(blank=True, default=list)),
                ('generation', models.PositiveIntegerField(default=0)),
                ('computed_at', models.DateTimeField()),
                ('shown', models.BooleanField(default=True)),
                ('answer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='answers.answer')),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='mentions.ticket')),
            ],
        ),
        migrations.CreateModel(
            name='SuggestionFeedback',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('outcome', models.CharField(choices=[('inserted', 'Inserted'), ('dismissed', 'Dismissed'), ('ignored', 'Ignored')], max_length=12)),
                ('rank', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('score', models.FloatField(blank=True, null=True)),
                ('fit', models.FloatField(blank=True, null=True)),
                ('features', models.JSONField(blank=True, default=dict)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('answer_ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='mentions.ticket')),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='mentions.ticket')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name_plural': 'suggestion feedback',
            },
        ),
        migrations.AddIndex(
            model_name='answer',
            index=models.Index(fields=['answered_at'], name='answer_answered_idx'),
        ),
        migrations.AddIndex(
            model_name='answer',
            index=models.Index(fields=['cell'], name='answer_cell_idx'),
        ),
        migrations.AddIndex(
            model_name='docpage',
            index=models.Index(fields=['source', 'fetched_at'], name='docpage_fetched_idx'),
        ),
        migrations.AddConstraint(
            model_name='docpage',
            constraint=models.UniqueConstraint(fields=('source', 'url'), name='docpage_unique_url'),
        ),
        migrations.AddIndex(
            model_name='storedsuggestion',
            index=models.Index(fields=['answer'], name='stored_suggestion_answer'),
        ),
        migrations.AddIndex(
            model_name='storedsuggestion',
            index=models.Index(condition=models.Q(('rank', 0)), fields=['generation'], name='stored_suggestion_marker'),
        ),
        migrations.AddConstraint(
            model_name='storedsuggestion',
            constraint=models.UniqueConstraint(fields=('ticket', 'rank'), name='stored_suggestion_rank'),
        ),
        migrations.AddConstraint(
            model_name='suggestionfeedback',
            constraint=models.UniqueConstraint(fields=('ticket', 'answer_ticket'), name='suggestion_feedback_once'),
        ),
        migrations.RunPython(_postgresql(FORWARD), _postgresql(BACKWARD), elidable=False),
        migrations.RunPython(synonyms_seed, migrations.RunPython.noop),
    ]
