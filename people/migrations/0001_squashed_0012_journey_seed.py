"""The people app's migrations 0001-0012 as one (a release boundary: CHANGELOG.md, "Migrations squashed").

A database at 0012 has run everything here: `replaces` marks this migration applied there and nothing runs. A
fresh database gets the models as they are now, then what they cannot say:
- PostgreSQL only: the people search's pg_trgm index on UPPER(name) where the server offers the extension (0008),
  and free space in each page of people for the ingest's HOT points updates (0011);
- the rows a fresh desk starts with: the person tags (spam tags its people's tickets, 0002, 0003), the "Known spam"
  triage rule (0005), and the contributor journey's weights and levels (0012).
The backfills (0004: every message and ticket tied to its person; 0012: the activities, points and levels of the
tickets and contributions already stored) are not here: a fresh database has none.
"""

import django.db.models.deletion
import django.db.models.functions.text
import people.models
from django.conf import settings
from django.db import migrations, models


SEEDED_TAGS = ["core contributor", "customer", "press", "competitor staff", "spam"]
TAGS_TICKETS = {"spam"}  # its people's new tickets take the tag as they arrive (a rule may then solve them)

# 0008: the people search's name match on PostgreSQL: a pg_trgm GIN index on UPPER(name), the expression Django's
# `name__icontains` compares, so a search reads the index instead of every person. The extension is created only
# where the server offers it (pg_available_extensions); without it there is no index and the search still works, by
# the scan. Not in Person's Meta: SQLite could not build it. (0008 built it CONCURRENTLY for desks with many
# people; a fresh table is empty, so it is built inside this migration's transaction, the same index.)
TRIGRAM_INDEX = "person_name_trgm_idx"
TRIGRAM_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON people_person USING gin ((UPPER(name)) gin_trgm_ops)",
]
TRIGRAM_BACKWARD = [f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}"]


def _trigram_available(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        return cursor.fetchone() is not None


def _trigram(statements: list[str]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql" or not _trigram_available(schema_editor):
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


def room_for_hot_updates(apps, schema_editor):
    """0011: free space in each page of people, so the ingest's points UPDATE stays on the page (HOT) and writes
    none of the person's indexes (people.models.Person.points). PostgreSQL only: SQLite has no such setting."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE people_person SET (fillfactor = 80)")


def room_taken_back(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE people_person RESET (fillfactor)")


def tags_seed(apps, schema_editor):
    PersonTag = apps.get_model("people", "PersonTag")
    for name in SEEDED_TAGS:
        PersonTag.objects.get_or_create(name=name, defaults={"tags_tickets": name in TAGS_TICKETS})


# 0005: a triage rule for known spam: a mention from a person an advocate tagged "spam" is solved as it arrives,
# without a reply. Runs first and stops the other rules, so no reply is suggested and no Slack line is sent for it.
RULE = {
    "name": "Known spam",
    "description": "Mentions from people tagged spam are solved without a reply (docs/people.md, Spam and abuse).",
    "author_tags": "spam",
    "close_without_reply": True,
    "stop_processing": True,
    "position": 0,
    "enabled": True,
}


def spam_rule_seed(apps, schema_editor):
    apps.get_model("mentions", "Rule").objects.get_or_create(name=RULE["name"], defaults=RULE)


# 0012: the contributor journey's default weights and levels. Why these figures: asking is taking part (1 point),
# answering someone else is the community's work (5), a merged contribution or a blog post is work for the project
# (10, 8), a talk or a meetup reaches many people (15). The levels: Participant at 5 (a first answer, or a few
# questions), Contributor at 25 (several answers, or a merged change and a post), Champion at 80 (a sustained
# record: talks, changes and answers over months).
WEIGHTS = {"asked": 1, "answered": 5, "merged": 10, "talk": 15, "meetup": 15, "blog_post": 8, "other": 2}
LEVELS = [("Newcomer", 0, 0, ""), ("Participant", 5, 1, ""), ("Contributor", 25, 2, "Stickers"), ("Champion", 80, 3, "T-shirt")]


def journey_seed(apps, schema_editor):
    ActivityWeight = apps.get_model("people", "ActivityWeight")
    Level = apps.get_model("people", "Level")
    for kind, points in WEIGHTS.items():
        ActivityWeight.objects.get_or_create(kind=kind, defaults={"points": points})
    for name, threshold, order, gift in LEVELS:
        if not Level.objects.filter(threshold=threshold).exists():
            Level.objects.create(name=name, threshold=threshold, order=order, gift_item=gift)


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('people', '0001_initial'),
        ('people', '0002_seed_tags'),
        ('people', '0003_tag_tickets'),
        ('people', '0004_backfill'),
        ('people', '0005_seed_known_spam_rule'),
        ('people', '0006_search_indexes'),
        ('people', '0007_people_plural'),
        ('people', '0008_person_name_trigram'),
        ('people', '0009_person_contributors_idx'),
        ('people', '0010_identity_audience'),
        ('people', '0011_journey'),
        ('people', '0012_journey_seed'),
    ]

    dependencies = [
        ('mentions', '0001_squashed_0052_needs_response_view'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ActivityWeight',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('asked', 'Asked'), ('answered', 'Answered others'), ('merged', 'Merged a contribution'), ('talk', 'Gave a talk'), ('meetup', 'Organised a meetup'), ('blog_post', 'Wrote a blog post'), ('other', 'Other contribution')], max_length=16, unique=True)),
                ('points', models.PositiveIntegerField()),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'ordering': ['-points', 'kind'],
            },
        ),
        migrations.CreateModel(
            name='Identity',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('platform', models.CharField(max_length=80)),
                ('key', models.CharField(help_text='The handle, account id or address as matched (account_key).', max_length=320)),
                ('handle', models.CharField(blank=True, help_text='As last written on the platform.', max_length=320)),
                ('name', models.CharField(blank=True, max_length=200)),
                ('url', models.URLField(blank=True, max_length=1000)),
                ('audience', models.PositiveBigIntegerField(blank=True, null=True)),
                ('audience_kind', models.CharField(blank=True, choices=[('followers', 'followers'), ('karma', 'karma'), ('reputation', 'reputation')], db_default='', default='', max_length=12)),
                ('audience_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name_plural': 'identities',
                'ordering': ['platform', 'key'],
            },
        ),
        migrations.CreateModel(
            name='PersonTag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=40, unique=True)),
                ('marked', models.BooleanField(default=True, help_text="Mark this person's tickets in the queue and the lists.")),
                ('tags_tickets', models.BooleanField(default=False, help_text="Their new mentions' tickets take a tag of this name as they arrive (spam: a rule may then solve them).")),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='DiscountBatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120)),
                ('note', models.CharField(blank=True, help_text='What the codes are worth, until when.', max_length=300)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('uploaded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name_plural': 'discount batches',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Authorship',
            fields=[
                ('message', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='mentions.message')),
                ('identity', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='authored', to='people.identity')),
            ],
        ),
        migrations.CreateModel(
            name='Level',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=60, unique=True)),
                ('threshold', models.PositiveIntegerField(help_text='Points from which a person is at this level.', unique=True)),
                ('order', models.PositiveSmallIntegerField(help_text='Rank, lowest first (0, 1, 2...): rules\' "requester level at least" compare it.', unique=True)),
                ('gift_item', models.CharField(blank=True, help_text='Suggested gift for someone reaching this level (e.g. T-shirt).', max_length=200)),
                ('discount_batch', models.ForeignKey(blank=True, help_text="Batch the recognition's one-click code is taken from.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='people.discountbatch')),
            ],
            options={
                'ordering': ['threshold'],
            },
        ),
        migrations.CreateModel(
            name='Person',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(blank=True, max_length=200)),
                ('notes', models.TextField(blank=True)),
                ('region', models.CharField(blank=True, choices=[('', 'Unknown'), ('americas', 'Americas'), ('emea', 'Europe, Middle East and Africa'), ('apac', 'Asia-Pacific')], max_length=16)),
                ('time_zone', models.CharField(blank=True, max_length=64, validators=[people.models.time_zone_validate])),
                ('links', models.TextField(blank=True, help_text='One address per line: profile, blog, LinkedIn.')),
                ('erased_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('points', models.IntegerField(db_default=0, default=0)),
                ('level', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='people', to='people.level')),
                ('tags', models.ManyToManyField(blank=True, related_name='people', to='people.persontag')),
            ],
            options={
                'verbose_name_plural': 'people',
                'ordering': ['name', 'id'],
                'permissions': [('manage_people', 'Merge, split and erase people; see gifts and discount codes')],
            },
        ),
        migrations.AddField(
            model_name='identity',
            name='person',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='identities', to='people.person'),
        ),
        migrations.CreateModel(
            name='Gift',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('item', models.CharField(max_length=200)),
                ('state', models.CharField(choices=[('requested', 'Requested'), ('ordered', 'Ordered'), ('shipped', 'Shipped'), ('delivered', 'Delivered'), ('cancelled', 'Cancelled')], default='requested', max_length=16)),
                ('postal_address', models.TextField(blank=True)),
                ('shipped_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('sent_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='gifts', to='people.person')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Erasure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('person_number', models.PositiveBigIntegerField()),
                ('via', models.CharField(help_text='admin, page or api', max_length=16)),
                ('counts', models.JSONField(default=dict)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('person', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='people.person')),
            ],
        ),
        migrations.CreateModel(
            name='DiscountCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=120, unique=True)),
                ('given_at', models.DateTimeField(blank=True, null=True)),
                ('batch', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='codes', to='people.discountbatch')),
                ('given_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('ticket', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='mentions.ticket')),
                ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='codes', to='people.person')),
            ],
            options={
                'ordering': ['id'],
            },
        ),
        migrations.CreateModel(
            name='Contribution',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('talk', 'Talk'), ('blog_post', 'Blog post'), ('meetup', 'Meetup'), ('merge_request', 'Merge request'), ('forum_answer', 'Forum answer'), ('other', 'Other')], max_length=16)),
                ('date', models.DateField()),
                ('title', models.CharField(blank=True, max_length=300)),
                ('link', models.URLField(blank=True, max_length=1000)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contributions', to='people.person')),
            ],
            options={
                'ordering': ['-date', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Activity',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('asked', 'Asked'), ('answered', 'Answered others'), ('merged', 'Merged a contribution'), ('talk', 'Gave a talk'), ('meetup', 'Organised a meetup'), ('blog_post', 'Wrote a blog post'), ('other', 'Other contribution')], max_length=16)),
                ('at', models.DateTimeField()),
                ('link', models.CharField(blank=True, max_length=1000)),
                ('source', models.CharField(max_length=64, unique=True)),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='activities', to='people.person')),
            ],
            options={
                'verbose_name_plural': 'activities',
                'ordering': ['-at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='PersonEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('created', 'Created'), ('edited', 'Edited'), ('tagged', 'Tagged'), ('untagged', 'Tag removed'), ('merged', 'Merged'), ('split', 'Split'), ('identity_added', 'Identity added'), ('contribution', 'Contribution logged'), ('gift', 'Gift'), ('code_given', 'Discount code given'), ('exported', 'Exported'), ('erased', 'Erased')], max_length=24)),
                ('data', models.JSONField(blank=True, default=dict)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='people.person')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Recognition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('state', models.CharField(choices=[('open', 'Open'), ('gift_sent', 'Gift sent'), ('code_sent', 'Code sent'), ('dismissed', 'Dismissed')], default='open', max_length=16)),
                ('created_at', models.DateTimeField()),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('from_level', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='people.level')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recognitions', to='people.person')),
                ('to_level', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recognitions', to='people.level')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Requester',
            fields=[
                ('ticket', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='requester', serialize=False, to='mentions.ticket')),
                ('identity', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='requested', to='people.identity')),
            ],
        ),
        migrations.CreateModel(
            name='LikenessDismissed',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('other', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='people.person')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='people.person')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('person', 'other'), name='likeness_dismissed_uniq')],
            },
        ),
        migrations.AddIndex(
            model_name='identity',
            index=models.Index(fields=['key'], name='identity_key_idx', opclasses=['varchar_pattern_ops']),
        ),
        migrations.AddConstraint(
            model_name='identity',
            constraint=models.UniqueConstraint(fields=('platform', 'key'), name='identity_platform_key_uniq'),
        ),
        migrations.AddIndex(
            model_name='discountcode',
            index=models.Index(condition=models.Q(('given_at__isnull', True)), fields=['batch', 'id'], name='code_free_idx'),
        ),
        migrations.AddIndex(
            model_name='contribution',
            index=models.Index(fields=['person', '-date'], name='contribution_person_idx'),
        ),
        migrations.AddIndex(
            model_name='activity',
            index=models.Index(fields=['person', '-at'], name='activity_person_idx'),
        ),
        migrations.AddIndex(
            model_name='personevent',
            index=models.Index(fields=['person', '-created_at'], name='person_event_idx'),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['name'], name='person_name_idx'),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(django.db.models.functions.text.Upper('name'), name='person_name_upper_idx'),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(models.Case(models.When(region='americas', then=models.Value(0)), models.When(region='emea', then=models.Value(1)), models.When(region='apac', then=models.Value(2)), default=models.Value(3), output_field=models.IntegerField()), models.F('name'), models.F('id'), condition=models.Q(('erased_at__isnull', True)), name='person_contributors_idx'),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(condition=models.Q(('erased_at__isnull', False)), fields=['erased_at'], name='person_erased_idx'),
        ),
        migrations.AddIndex(
            model_name='recognition',
            index=models.Index(condition=models.Q(('state', 'open')), fields=['-created_at'], name='recognition_open_idx'),
        ),
        migrations.AddConstraint(
            model_name='recognition',
            constraint=models.UniqueConstraint(fields=('person', 'to_level'), name='recognition_once_uniq'),
        ),
        migrations.RunPython(_trigram(TRIGRAM_FORWARD), _trigram(TRIGRAM_BACKWARD), elidable=False),
        migrations.RunPython(room_for_hot_updates, room_taken_back, elidable=False),
        migrations.RunPython(tags_seed, migrations.RunPython.noop),
        migrations.RunPython(spam_rule_seed, migrations.RunPython.noop),
        migrations.RunPython(journey_seed, migrations.RunPython.noop),
    ]
