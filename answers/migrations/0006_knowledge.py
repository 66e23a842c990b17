"""Knowledge sources (answers.knowledge) and the pages of our docs they index.

On PostgreSQL, as in 0003, the docs pages get a STORED generated tsvector of their stems ('simple': answers.terms
stemmed them already, the same way on both databases) with a GIN index, which the docs search matches with
`@@`; the embedded SQLite default reads the stems with LIKE instead.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

FORWARD = [
    "ALTER TABLE answers_docpage ADD COLUMN words tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, terms)) STORED",
    "CREATE INDEX docpage_words_idx ON answers_docpage USING gin (words)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS docpage_words_idx",
    "ALTER TABLE answers_docpage DROP COLUMN IF EXISTS words",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('answers', '0005_synonyms_seed'),
        ('channels', '0011_channel_kind_gitlab'),
    ]

    operations = [
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
                'indexes': [models.Index(fields=['source', 'fetched_at'], name='docpage_fetched_idx')],
                'constraints': [models.UniqueConstraint(fields=('source', 'url'), name='docpage_unique_url')],
            },
        ),
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
