"""The mentions app's migrations 0001-0052 as one (a release boundary: CHANGELOG.md, "Migrations squashed").

A database at 0052 has run everything here: `replaces` marks this migration applied there and nothing runs. A
fresh database gets the models as they are now, then what they cannot say:
- PostgreSQL: the messages' full-text column and index (0019), the history events' transaction id and the change
  feed's index (0029), and the change stamp's sequence and triggers (0018, 0027; SQLite: its one-row table and
  row triggers, made last, after every watched table exists);
- the seeded rows a fresh desk starts with: the handbook's macros (0002, 0025), triage rules (0011) and the
  "Needs a response" view (0052).
Backfills of existing rows (0005, 0013, 0015, 0016, 0023's content types) are not here: a fresh database has no
rows, and a database at 0052 ran them.
"""

import datetime
import django.core.validators
import django.db.models.deletion
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models

from mentions.live import PG_CREATE_SQL, PG_DROP_SQL, SQLITE_DROP_SQL, sqlite_stamp_triggers

# 0019: full-text search over messages (PostgreSQL only; SQLite searches with icontains, mentions/search.py). Title
# and body under 'english'; the author's handle and name under 'english' and 'simple' both (a name that is a stop
# word is still found by the 'simple' fallback, mentions.search.TSQUERY_SQL).
VECTOR = """
    setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, coalesce(author_handle, '') || ' ' || coalesce(author_name, '')), 'C')
    || setweight(to_tsvector('simple'::regconfig, coalesce(author_handle, '') || ' ' || coalesce(author_name, '')), 'C')
"""

# 0029: each history event carries the id of the transaction that wrote it, filled in by PostgreSQL (a column
# default the models do not know), so the change feed (api: GET /api/changes/) serves events in (txid, id) order.
# 0029 built its index CONCURRENTLY for desks with millions of events; a fresh table is empty, so it is built
# inside this migration's transaction, the same index.
FORWARD = [
    f"ALTER TABLE mentions_message ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED",
    "CREATE INDEX message_search_idx ON mentions_message USING gin (search_vector)",
    "ALTER TABLE mentions_ticketevent ADD COLUMN txid bigint",
    "ALTER TABLE mentions_ticketevent ALTER COLUMN txid SET DEFAULT (pg_current_xact_id()::text::bigint)",
    "CREATE INDEX IF NOT EXISTS ticketevent_feed_idx ON mentions_ticketevent ((COALESCE(txid, 0)), id)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS ticketevent_feed_idx",
    "ALTER TABLE mentions_ticketevent DROP COLUMN IF EXISTS txid",
    "DROP INDEX IF EXISTS message_search_idx",
    "ALTER TABLE mentions_message DROP COLUMN IF EXISTS search_vector",
]


def _postgresql(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


def stamp_create(apps, schema_editor):
    """The desk-wide change stamp that live pages compare against (mentions/live.py). On SQLite, the same step a
    later migration that remakes a watched table runs again after it."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_CREATE_SQL)
    else:
        sqlite_stamp_triggers(apps, schema_editor)


def stamp_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP_SQL)
    else:
        for statement in SQLITE_DROP_SQL:
            schema_editor.execute(statement)


# 0002: the handbook's macros, so a fresh desk works the way the team already does.
MACROS = [
    (
        "Reached out to expert",
        "After pinging an expert in Slack: link the outreach; the ticket stays open until they answer.",
        [
            ("ask_link", ""),
            ("add_tags", "reached-out-to-expert"),
            ("add_note", "Reached out to an expert: {link}"),
            ("set_status", "open"),
        ],
    ),
    (
        "Expert responded",
        "The expert answered on the platform with their own account.",
        [("add_tags", "expert-responded"), ("set_status", "solved")],
    ),
    (
        "Expert response",
        "This mention is the expert's own answer.",
        [("add_tags", "expert-response"), ("set_status", "solved")],
    ),
    (
        "Involving experts::Community involvement",
        "Worth a team member engaging: share the link in the community-involvement Slack channel.",
        [
            ("add_tags", "community-involvement"),
            ("add_note", "Shared for community involvement: {permalink}"),
            ("set_status", "solved"),
        ],
    ),
    (
        "Spam report",
        "Someone reports spam: post it in the abuse Slack channel and thank them.",
        [
            ("add_tags", "spam-report"),
            ("add_note", "Spam report to pass to the abuse channel: {permalink}"),
            (
                "prefill_reply",
                "Thanks for letting us know, {requester}! We've passed this on to the team that handles abuse.",
            ),
        ],
    ),
    (
        "Downtime: check status page",
        "Reports of downtime: point to the status page and ask whether it still happens.",
        [
            ("add_tags", "downtime"),
            (
                "prefill_reply",
                "Sorry for the trouble, {requester}! Please check https://status.gitlab.com for the current "
                "status. Are you still experiencing issues?",
            ),
        ],
    ),
]


def macros_seed(apps, schema_editor):
    Macro = apps.get_model("mentions", "Macro")
    MacroAction = apps.get_model("mentions", "MacroAction")
    for position, (name, description, actions) in enumerate(MACROS):
        macro, created = Macro.objects.get_or_create(
            name=name, defaults={"description": description, "position": position}
        )
        if created:
            MacroAction.objects.bulk_create(
                MacroAction(macro=macro, position=i, kind=kind, value=value) for i, (kind, value) in enumerate(actions)
            )


# 0025: "Expert responded" takes the link of the expert's public answer (the first reply, for the KPIs).
def expert_responded_takes_the_answer(apps, schema_editor):
    # The seeded "Expert responded" macro: with the link of the expert's public answer, that answer is
    # the first reply (KPIs). A desk that renamed or removed the macro is left as it is.
    Macro = apps.get_model("mentions", "Macro")
    MacroAction = apps.get_model("mentions", "MacroAction")
    for macro in Macro.objects.filter(name="Expert responded"):
        if not MacroAction.objects.filter(macro=macro, kind="answer_link").exists():
            MacroAction.objects.create(macro=macro, kind="answer_link", value="", position=0)


# 0011: the handbook's routing knowledge as triage rules (mentions.rules explains the matching). Keywords are whole
# words, any case, one per line; "*" stands for any letters. Edit them in admin.
ISSUES = "https://gitlab.com/gitlab-org/gitlab/-/issues"
FORUM = "https://forum.gitlab.com"
SOCIAL = ["twitter", "reddit", "disqus", "email", "webhook"]

RULES = [
    {
        "name": "Competitor-only mention",
        "description": "Mentions that only concern a competitor are not acknowledged (handbook: Twitter). Runs "
        "first and stops the other rules. Anything naming GitLab in any form is left alone.",
        "channel_kinds": ["twitter", "hackernews", "reddit"],
        "text_keywords": "github\nbitbucket\njenkins\ncircleci\ntravis ci\ntravis-ci\nazure devops\ngitea\nsourcehut",
        "text_excludes": "*gitlab*",
        "close_without_reply": True,
        "stop_processing": True,
    },
    {
        "name": "Security or vulnerability report",
        "description": "Security reports get an answer within one business day (the SLA clock reads the "
        "security tag); HackerOne is where they are handled.",
        "text_keywords": "vulnerability\nvulnerabilities\nsecurity issue\nsecurity bug\nsecurity hole\n"
        "security flaw\ncve-*\nxss\ncsrf\nrce\nremote code execution\nsql injection\nprivilege escalation\n"
        "exploit\nexploitable\nresponsible disclosure\nhackerone",
        "add_tags": "security",
        "set_priority": "high",
    },
    {
        "name": "Availability / downtime",
        "description": "Downtime reports: the status page, answered from the status handle (handbook: Tweets "
        "regarding GitLab downtime).",
        "text_keywords": "is down\nare down\ngitlab down\ngitlab.com down\ndown again\ndown for everyone\n"
        "down for me\noutage\n502*\n503*\n504*\n500 error*\nnot loading\nunreachable\ndegraded performance\n"
        "status page\ncan't reach\ncannot reach",
        "add_tags": "downtime",
        "set_priority": "high",
        "reply_from": "status",
        "reply_template": "Sorry for the trouble, {requester}! Please check https://status.gitlab.com for the current "
        "status. Are you still experiencing issues?",
    },
    {
        "name": "Spam report",
        "description": "Spam reports go to #abuse with a link; thank the reporter (handbook: Reports of Spam).",
        "text_keywords": "spam\nspammer*\nspamming\nspammy\nspambot*\nspam bot*",
        "text_excludes": "spam folder\nspam filter*\njunk\nmarked as spam\ngoes to spam\ngoing to spam\nwent to spam",
        "add_tags": "spam-report",
        "notify_slack": "#abuse",
        "reply_template": "Thanks for letting us know, {requester}! We've passed this on to the team that handles "
        "abuse.",
    },
    {
        "name": "Bug report",
        "description": "Point to the issue tracker: add to a related issue or open one (handbook: Bug Reports "
        "and Feature Requests).",
        "text_keywords": "bug\nbugs\nbuggy\nbroken\nregression\ncrash\ncrashes\ncrashed\ncrashing\n"
        "doesn't work\ndoes not work\nstopped working\nnot working",
        "add_tags": "bug-report",
        "reply_template": "Thanks for reporting this, {requester}! Could you look for a matching issue at "
        f"{ISSUES} and add your details there, or open a new one if there isn't any? That's where the team "
        "tracks and fixes it.",
    },
    {
        "name": "Feature request",
        "description": "Point to the issue tracker: upvote a related issue or open one (handbook: Bug Reports "
        "and Feature Requests).",
        "text_keywords": "feature request\nwould be nice\nwould be great if\nwould love\nplease add\ncan you add\n"
        "could you add\nany plans to\nwish gitlab\nshould support",
        "add_tags": "feature-request",
        "reply_template": "Thanks for the idea, {requester}! Could you check " + ISSUES + " for an existing "
        "request to upvote and comment on, or open a new issue describing what you'd like to see? Product "
        "managers follow them there.",
    },
    {
        "name": "Self-managed or GitLab.com?",
        "description": "We can only handle requests for GitLab.com: ask which one it is (handbook: Twitter, "
        "Best practices). Comes before the forum redirect, so its question is the suggested reply.",
        "channel_kinds": SOCIAL,
        "text_keywords": "self-hosted\nself hosted\nself-managed\nself managed\non-prem*\non premise*\nomnibus\n"
        "my instance\nour instance\ngitlab instance\ngitlab server\nour server\nmy server",
        "add_tags": "self-managed",
        "reply_template": "Thanks for reaching out, {requester}! To point you in the right direction: is this on "
        "GitLab.com or on a self-managed GitLab instance (and which version)? For self-managed instances the "
        f"forum at {FORUM} is the best place to get help.",
    },
    {
        "name": "Support question",
        "description": "Support questions are best answered on the forum (handbook: Directing Users to the "
        "Forum). Not on the forum or Stack Overflow themselves, nor Hacker News threads.",
        "channel_kinds": SOCIAL,
        "text_keywords": "how do i\nhow can i\nhow to\nanyone know\nany idea\nneed help\nhelp me\n"
        "can someone help\nis there a way\nhaving trouble\ntrouble with\ncan't figure out\ncannot figure out\n"
        "getting an error\ngetting error*",
        "add_tags": "support-question",
        "reply_template": f"In order to troubleshoot your issue, please post your question in our forum at {FORUM}! "
        "This way you'll have the whole power of the community to help.",
    },
    {
        "name": "#movingtogitlab",
        "description": "Thank people moving to GitLab and ask what they gain (handbook: #movingtogitlab).",
        "text_keywords": "#movingtogitlab\nmoving to gitlab\nmoved to gitlab\nswitching to gitlab\n"
        "switched to gitlab\nmigrating to gitlab\nmigrated to gitlab\nmoving over to gitlab\nswitched over to gitlab",
        "add_tags": "movingtogitlab",
        "reply_template": "Welcome aboard, {requester}, and thanks for moving to GitLab! We'd love to hear what made "
        "you switch and what you're getting out of it so far.",
    },
]


def rules_seed(apps, schema_editor):
    Rule = apps.get_model("mentions", "Rule")
    for position, spec in enumerate(RULES):
        Rule.objects.get_or_create(name=spec["name"], defaults={**spec, "position": (position + 1) * 10, "enabled": True})


# 0052: the "Needs a response" view (issue 56), the demo's definition; made unless a view of that name exists.
NAME = "Needs a response"
SLUG = "needs-response"


def view_create(apps, schema_editor):
    View = apps.get_model("mentions", "View")
    if View.objects.filter(name=NAME).exists():
        return
    slug, n = SLUG, 1
    while View.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{SLUG}-{n}"
    # What needs a response, and what is not judged yet ("": nothing waits hidden until the worker judges it);
    # deadline first, then needs-a-response before not-judged (docs/judgement.md, "Views").
    View.objects.create(name=NAME, slug=slug, position=3, judgements=["needs_response", ""], order="deadline")


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('mentions', '0001_initial'),
        ('mentions', '0002_seed_macros'),
        ('mentions', '0003_message_deleted_at_message_edited_at_and_more'),
        ('mentions', '0004_play_indexes'),
        ('mentions', '0005_view_filter_copies'),
        ('mentions', '0006_view_solve_on_expert_reply'),
        ('mentions', '0007_ticket_first_reply_business_seconds'),
        ('mentions', '0008_ticket_unreplied_idx'),
        ('mentions', '0009_sla'),
        ('mentions', '0010_rules'),
        ('mentions', '0011_seed_rules'),
        ('mentions', '0012_event_kinds_rules_and_sla'),
        ('mentions', '0013_message_mentioned'),
        ('mentions', '0014_ticket_followup'),
        ('mentions', '0015_answered_tickets_pending'),
        ('mentions', '0016_view_order_high_priority_follows_priority'),
        ('mentions', '0017_ticket_merge_and_priority_events'),
        ('mentions', '0018_change_stamp'),
        ('mentions', '0019_message_search_vector'),
        ('mentions', '0020_saved_search'),
        ('mentions', '0021_ticket_assignee_open_idx'),
        ('mentions', '0022_reply_send'),
        ('mentions', '0023_clock_settings_from_metrics'),
        ('mentions', '0024_front_page_story'),
        ('mentions', '0025_expert_responded_answer_link'),
        ('mentions', '0026_thread_watch'),
        ('mentions', '0027_change_stamp_per_statement'),
        ('mentions', '0028_notices_to_notifications'),
        ('mentions', '0029_event_txid_change_feed'),
        ('mentions', '0030_rule_author_tags'),
        ('mentions', '0031_answer_used_saved_reply'),
        ('mentions', '0032_view_serve_stories_together'),
        ('mentions', '0033_list_indexes'),
        ('mentions', '0034_judgement'),
        ('mentions', '0035_judgement_desk'),
        ('mentions', '0036_judgement_product'),
        ('mentions', '0037_author_audience'),
        ('mentions', '0038_platform_actions'),
        ('mentions', '0039_message_media'),
        ('mentions', '0040_platform_dm_repost'),
        ('mentions', '0041_issue_links'),
        ('mentions', '0042_reply_image'),
        ('mentions', '0043_snooze_and_next_reply'),
        ('mentions', '0044_handover'),
        ('mentions', '0045_coverage_per_team'),
        ('mentions', '0046_reply_approval'),
        ('mentions', '0047_thread_watch_share'),
        ('mentions', '0048_community_answers'),
        ('mentions', '0049_requester_level'),
        ('mentions', '0050_team_model'),
        ('mentions', '0051_judgement_learned'),
        ('mentions', '0052_needs_response_view'),
    ]

    dependencies = [
        ('channels', '0001_squashed_0017_kind_choices_from_registry'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DutySettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('release_day', models.PositiveSmallIntegerField(default=22, help_text='Day of the month of the release (1-31; in a shorter month, its last day).')),
                ('advocates_channel', models.CharField(default='#community-advocates', help_text='Slack channel (#name or id) for after-hours urgent pings and the end-of-day digest.', max_length=80)),
                ('advocates_mention', models.CharField(blank=True, default='', help_text='Put in front of urgent pings, e.g. <!subteam^S0123ABCD|advocates> for a user group, or <!here>. Empty: no mention.', max_length=120)),
                ('hn_urgent_points', models.PositiveIntegerField(default=100, help_text='A Hacker News story with at least this many points is urgent (0: only the front-page tag counts).')),
                ('digest_lead_minutes', models.PositiveSmallIntegerField(default=15, help_text='Send the end-of-day digest this many minutes before coverage ends.')),
                ('digest_margin_hours', models.PositiveSmallIntegerField(default=1, help_text='The digest lists waiting tickets due before the next coverage start plus this margin.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'Duty settings (release day, after-hours alerts)',
                'verbose_name_plural': 'Duty settings (release day, after-hours alerts)',
                'db_table': 'metrics_dutysettings',
            },
        ),
        migrations.CreateModel(
            name='Holiday',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField(unique=True)),
                ('name', models.CharField(blank=True, max_length=120)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'db_table': 'metrics_holiday',
                'ordering': ['date'],
            },
        ),
        migrations.CreateModel(
            name='Macro',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, unique=True)),
                ('description', models.TextField(blank=True)),
                ('position', models.PositiveIntegerField(default=0)),
                ('is_active', models.BooleanField(default=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'ordering': ['position', 'name'],
            },
        ),
        migrations.CreateModel(
            name='ProductProfile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(default='GitLab', help_text="The product's name, as people write it.", max_length=80)),
                ('other_names', models.TextField(blank=True, default='gitlab.com', help_text='Other names that can only mean the product (a domain, a former name), one a line.')),
                ('description', models.TextField(default='GitLab, the DevOps platform: git repositories, merge requests and code review, CI/CD pipelines, jobs and runners, the container registry, issues and boards, GitLab Pages, security scanning, self-managed instances and GitLab.com, subscriptions and support.', help_text='Two or three sentences of what the product is and its parts, in the words users write: mentions near it in meaning are about the product.', max_length=600)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'Product (for the judgement)',
                'verbose_name_plural': 'Product (for the judgement)',
            },
        ),
        migrations.CreateModel(
            name='Tag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.SlugField(allow_unicode=True, max_length=64, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Target',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('group', models.CharField(choices=[('all', 'All channels'), ('high_priority', 'High-priority channels'), ('next_reply', 'Next reply, all channels'), ('next_reply_high', 'Next reply, high priority')], max_length=32, unique=True)),
                ('median_hours', models.DecimalField(decimal_places=2, max_digits=6)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'db_table': 'metrics_target',
            },
        ),
        migrations.CreateModel(
            name='Ticket',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('subject', models.CharField(blank=True, max_length=300)),
                ('status', models.CharField(choices=[('new', 'New'), ('open', 'Open'), ('pending', 'Pending'), ('solved', 'Solved')], default='new', max_length=16)),
                ('priority', models.CharField(choices=[('low', 'Low'), ('normal', 'Normal'), ('high', 'High'), ('urgent', 'Urgent')], default='normal', max_length=16)),
                ('high_priority', models.BooleanField(default=False, help_text='Priority high or urgent: counts for the high-priority views and the 5 h target. Kept by Ticket.priority_set; stored for the indexes and KPI rollups that group by it.')),
                ('judgement', models.CharField(blank=True, choices=[('needs_response', 'Needs a response'), ('worth_knowing', 'Worth knowing'), ('noise', 'Noise')], max_length=16)),
                ('intent', models.CharField(blank=True, choices=[('question', 'Question'), ('bug', 'Bug report'), ('feature_request', 'Feature request'), ('outage', 'Outage report'), ('praise', 'Praise'), ('complaint', 'Complaint'), ('other', 'Other')], max_length=16)),
                ('sentiment', models.CharField(blank=True, choices=[('negative', 'Negative'), ('neutral', 'Neutral'), ('positive', 'Positive')], max_length=8)),
                ('language', models.CharField(blank=True, help_text='ISO 639-1 code of the first mention.', max_length=8)),
                ('judgement_reason', models.CharField(blank=True, max_length=200)),
                ('judgement_confidence', models.FloatField(blank=True, null=True)),
                ('judged_by', models.CharField(blank=True, choices=[('desk', 'The desk'), ('advocate', 'An advocate')], max_length=8)),
                ('judged_at', models.DateTimeField(blank=True, null=True)),
                ('requester_handle', models.CharField(blank=True, max_length=200)),
                ('requester_name', models.CharField(blank=True, max_length=200)),
                ('requester_url', models.URLField(blank=True, max_length=1000)),
                ('reply_draft', models.TextField(blank=True)),
                ('reply_from_role', models.CharField(blank=True, max_length=16)),
                ('requester_audience', models.PositiveBigIntegerField(blank=True, null=True)),
                ('requester_level', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('requested_at', models.DateTimeField(help_text='Platform time of the first inbound message.')),
                ('first_reply_at', models.DateTimeField(blank=True, null=True)),
                ('first_reply_seconds', models.PositiveBigIntegerField(blank=True, null=True)),
                ('first_reply_business_seconds', models.PositiveBigIntegerField(blank=True, null=True)),
                ('solved_at', models.DateTimeField(blank=True, null=True)),
                ('sla_due_at', models.DateTimeField(blank=True, null=True)),
                ('sla_target', models.CharField(blank=True, choices=[('all', 'All channels'), ('high_priority', 'High priority'), ('security', 'Security: one business day')], max_length=16)),
                ('sla_breached', models.BooleanField(default=False)),
                ('followup_at', models.DateTimeField(blank=True, null=True)),
                ('snoozed_until', models.DateTimeField(blank=True, null=True)),
                ('snoozed_until_reply', models.BooleanField(db_default=False, default=False)),
                ('snooze_remind_slack', models.BooleanField(db_default=False, default=False)),
                ('next_reply_due_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('assignee', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='assigned_tickets', to=settings.AUTH_USER_MODEL)),
                ('channel', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='tickets', to='channels.channel')),
                ('merged_into', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='merged_from', to='mentions.ticket')),
                ('served_to', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('snoozed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('tags', models.ManyToManyField(blank=True, related_name='tickets', to='mentions.tag')),
            ],
            options={
                'ordering': ['requested_at', 'id'],
                'permissions': [('work_queue', 'Can work the queue (play, reply, macros)'), ('manage_all_tickets', 'Can act on tickets assigned to someone else'), ('view_dashboards', 'Can view KPI dashboards'), ('draft_replies', "Can open a ticket and submit a reply for an advocate's approval")],
            },
        ),
        migrations.CreateModel(
            name='TeamModelUsage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(unique=True)),
                ('requests', models.PositiveIntegerField(default=0, help_text='Requests sent (each counted before it is sent).')),
                ('failures', models.PositiveIntegerField(default=0, help_text='Requests that failed (timeout, error, bad answer).')),
                ('rate_limited', models.PositiveIntegerField(default=0, help_text='Requests the endpoint answered 429.')),
                ('over_budget', models.PositiveIntegerField(default=0, help_text="Requests not sent: the day's budget was spent.")),
                ('over_budget_logged', models.BooleanField(default=False, editable=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'Team model usage',
                'verbose_name_plural': 'Team model usage',
                'ordering': ['-day'],
            },
        ),
        migrations.CreateModel(
            name='AdvocateProfile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('time_zone', models.CharField(blank=True, help_text="A name such as Europe/Berlin; empty: the desk's time zone.", max_length=64)),
                ('slack_user_id', models.CharField(blank=True, help_text='Slack member id (U0123ABCD) for reminders.', max_length=32)),
                ('away_until', models.DateTimeField(blank=True, help_text='Away (holiday, out of office) until this time: snoozed tickets go to the queue.', null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='advocate_profile', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='CoverageSchedule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(default='Default coverage', max_length=80)),
                ('weekdays', models.JSONField(default=list, help_text='ISO weekdays covered, 1 = Monday … 7 = Sunday.')),
                ('start', models.TimeField(default=datetime.time(8, 0), help_text="In the schedule's time zone.")),
                ('end', models.TimeField(default=datetime.time(22, 0), help_text="In the schedule's time zone; before the start: the next day (overnight).")),
                ('time_zone', models.CharField(default='UTC', help_text='An IANA time zone, e.g. Europe/Amsterdam or America/New_York.', max_length=64)),
                ('release_day_only', models.BooleanField(default=False, help_text="Only on the month's release day (when it falls on one of the weekdays).")),
                ('duty_only', models.BooleanField(default=False, help_text='On duty, not business hours: urgent mentions in these hours ping the person on duty; the first-reply clocks do not count them.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('on_duty', models.ForeignKey(blank=True, help_text="Who is on duty in a duty schedule; empty on a release-day schedule: the month's release advocate.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'metrics_coverageschedule',
            },
        ),
        migrations.CreateModel(
            name='IssueLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(help_text="The platform's kind (Channel.kind) when it was linked.", max_length=20)),
                ('project', models.CharField(help_text="GitLab: the project's path; GitHub: owner/name.", max_length=255)),
                ('number', models.PositiveIntegerField(help_text="GitLab's iid, GitHub's number.")),
                ('url', models.URLField(max_length=1000)),
                ('title', models.CharField(blank=True, max_length=255)),
                ('state', models.CharField(choices=[('open', 'Open'), ('closed', 'Closed')], default='open', max_length=10)),
                ('milestone', models.CharField(blank=True, max_length=200)),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
                ('last_checked_at', models.DateTimeField(blank=True, help_text='When its state was last read.', null=True)),
                ('check_error', models.CharField(blank=True, help_text='Why the last read failed, in words.', max_length=500)),
                ('filed', models.BooleanField(default=False, help_text='Filed from the desk (else linked by its address).')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('channel', models.ForeignKey(help_text='The GitLab or GitHub channel whose credentials read it (none: it is no longer followed).', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='channels.channel')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='JudgementModel',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('outcome', models.CharField(choices=[('active', 'Active: judges new mentions'), ('kept', 'Kept: replaced by a newer version'), ('refused', 'Not used: did no better than the active version')], max_length=8)),
                ('weights', models.BinaryField()),
                ('features_version', models.PositiveSmallIntegerField()),
                ('embedding_model', models.CharField(max_length=80)),
                ('labels_desk', models.PositiveIntegerField(help_text="This desk's labelled tickets it learned from.")),
                ('labels_corrected', models.PositiveIntegerField(help_text='Of those, corrected by an advocate.')),
                ('labels_shipped', models.PositiveIntegerField(help_text='The shipped examples it learned from beside them.')),
                ('scored_on', models.PositiveIntegerField(default=0)),
                ('needs_response_precision', models.FloatField(blank=True, null=True)),
                ('needs_response_recall', models.FloatField(blank=True, null=True)),
                ('noise_precision', models.FloatField(blank=True, null=True)),
                ('noise_recall', models.FloatField(blank=True, null=True)),
                ('accuracy', models.FloatField(blank=True, null=True)),
                ('compared_with', models.JSONField(blank=True, default=dict, help_text="The active version's figures on the same tickets, when there was one.")),
                ('cpu_seconds', models.FloatField(default=0.0)),
                ('note', models.CharField(blank=True, max_length=300)),
            ],
            options={
                'ordering': ['-pk'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('outcome', 'active')), fields=('outcome',), name='judgementmodel_one_active')],
            },
        ),
        migrations.CreateModel(
            name='MacroAction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveIntegerField(default=0)),
                ('kind', models.CharField(choices=[('set_status', 'Set status'), ('add_tags', 'Add tags (space separated)'), ('remove_tags', 'Remove tags (space separated)'), ('add_note', 'Add internal note (template)'), ('prefill_reply', 'Prefill reply text (template)'), ('saved_reply', 'Prefill a saved reply (its title)'), ('assign_to_me', 'Assign to me'), ('ask_link', 'Ask for a link (available as {link})'), ('answer_link', 'Optional link of a public answer: it counts as the first reply')], max_length=32)),
                ('value', models.TextField(blank=True, help_text='Status name, tag names, or a template using {ticket_id}, {ticket_url}, {requester}, {channel}, {permalink}, {link}, {user}.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('macro', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='actions', to='mentions.macro')),
            ],
            options={
                'ordering': ['position', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Message',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('inbound', 'Inbound mention'), ('our_reply', 'Our reply'), ('note', 'Internal note'), ('direct', 'Our direct message')], max_length=16)),
                ('external_id', models.CharField(blank=True, max_length=200, null=True)),
                ('parent_external_id', models.CharField(blank=True, max_length=200)),
                ('thread_external_id', models.CharField(blank=True, max_length=200)),
                ('author_handle', models.CharField(blank=True, max_length=200)),
                ('author_name', models.CharField(blank=True, max_length=200)),
                ('author_url', models.URLField(blank=True, max_length=1000)),
                ('title', models.CharField(blank=True, max_length=300)),
                ('body', models.TextField(blank=True)),
                ('permalink', models.URLField(blank=True, max_length=1000)),
                ('platform_created_at', models.DateTimeField()),
                ('raw', models.JSONField(blank=True, default=dict)),
                ('mentioned', models.JSONField(blank=True, default=list)),
                ('media', models.JSONField(blank=True, default=list)),
                ('edited_at', models.DateTimeField(blank=True, null=True)),
                ('deleted_at', models.DateTimeField(blank=True, null=True)),
                ('liked_at', models.DateTimeField(blank=True, null=True)),
                ('reposted_at', models.DateTimeField(blank=True, null=True)),
                ('accepted_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('author_user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('channel', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='messages', to='channels.channel')),
                ('ticket', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='mentions.ticket')),
            ],
            options={
                'ordering': ['platform_created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ReleaseRota',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(help_text='The first day of the month.', unique=True)),
                ('note', models.CharField(blank=True, max_length=200)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('advocate', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='release_duties', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'release advocate rota entry',
                'verbose_name_plural': 'release advocate rota',
                'db_table': 'metrics_releaserota',
                'ordering': ['-month'],
            },
        ),
        migrations.CreateModel(
            name='ReplySend',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=64, unique=True)),
                ('sender', models.CharField(help_text='The account or address it was sent as.', max_length=200)),
                ('body', models.TextField()),
                ('style', models.CharField(blank=True, help_text='Where the platform offers more than one: answer.', max_length=16)),
                ('status', models.CharField(choices=[('sending', 'Sending'), ('sent', 'Sent'), ('refused', 'Refused by the platform'), ('unknown', 'Outcome unknown')], default='sending', max_length=8)),
                ('error', models.TextField(blank=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('account', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='reply_sends', to='channels.account')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('in_reply_to', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='mentions.message')),
                ('message', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='mentions.message')),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reply_sends', to='mentions.ticket')),
            ],
            options={
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Rule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, unique=True)),
                ('description', models.TextField(blank=True)),
                ('position', models.PositiveIntegerField(default=0)),
                ('enabled', models.BooleanField(default=False, help_text='New rules start switched off: try them against recent tickets first.')),
                ('stop_processing', models.BooleanField(default=False, help_text='When this rule matches, later rules are skipped.')),
                ('channel_kinds', models.JSONField(blank=True, default=list, help_text='Channel kinds; none means any.')),
                ('text_keywords', models.TextField(blank=True, help_text='One word or phrase per line; the mention (title and text) must contain one of them as whole words, any case. * stands for any letters (spam*). #hashtags and @handles match as written.')),
                ('text_regex', models.TextField(blank=True, help_text='A regular expression the text must match (any case), e.g. \\b50[234]\\b.')),
                ('text_excludes', models.TextField(blank=True, help_text='One word or phrase per line (same matching): the mention must contain none of them.')),
                ('authors', models.TextField(blank=True, help_text='Author handles, one per line; the author must be one of them.')),
                ('handles_mentioned', models.TextField(blank=True, help_text='Our handles, one per line (e.g. GitLabStatus); the mention must @-mention one of them.')),
                ('link', models.CharField(blank=True, choices=[('', 'Either'), ('present', 'Has a link'), ('absent', 'Has no link')], max_length=8)),
                ('author_tags', models.TextField(blank=True, help_text="Tags of people, one per line (spam, core contributor): the author's person must carry one of them. Known as the mention arrives; the dry run against stored tickets reads them too.")),
                ('judgements', models.JSONField(blank=True, default=list, help_text='Judgements; none means any.')),
                ('intents', models.JSONField(blank=True, default=list, help_text='Intents; none means any.')),
                ('sentiments', models.JSONField(blank=True, default=list, help_text='Sentiments; none means any.')),
                ('author_audience_min', models.PositiveBigIntegerField(blank=True, help_text="The author's person must reach at least this many (their largest audience on any platform: followers on X, karma on Hacker News or Reddit, reputation on Stack Overflow). An author whose audience is not known yet does not match.", null=True, verbose_name='author audience at least')),
                ('requester_level_min', models.PositiveSmallIntegerField(blank=True, help_text="The author's person must be at this level of the contributor journey or above, by the level's order (People > Levels: 0 Newcomer, 1 Participant, 2 Contributor, 3 Champion as seeded). Someone with no level yet does not match.", null=True, verbose_name='requester level at least')),
                ('add_tags', models.CharField(blank=True, help_text='Tag names, space separated.', max_length=300)),
                ('set_priority', models.CharField(blank=True, choices=[('low', 'Low'), ('normal', 'Normal'), ('high', 'High'), ('urgent', 'Urgent')], max_length=16)),
                ('reply_template', models.TextField(blank=True, help_text='Suggested reply, prefilled when the ticket has none yet. Placeholders: {requester}, {channel}, {permalink}, {ticket_id}, {ticket_url}.')),
                ('reply_from', models.CharField(blank=True, choices=[('', 'The usual respond-from rule'), ('main', 'The main handle'), ('status', 'The status handle')], max_length=16)),
                ('notify_slack', models.CharField(blank=True, help_text='Slack channel to tell, e.g. #abuse.', max_length=80)),
                ('close_without_reply', models.BooleanField(default=False, help_text='Solve the ticket without a reply (not acknowledged); the history names this rule.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('channels', models.ManyToManyField(blank=True, help_text='Specific channels; none means any.', related_name='+', to='channels.channel')),
                ('macro', models.ForeignKey(blank=True, help_text='Its actions run as the rule (set status, tags, note, prefill reply).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='mentions.macro')),
            ],
            options={
                'ordering': ['position', 'id'],
            },
        ),
        migrations.CreateModel(
            name='TeamModelEndpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('enabled', models.BooleanField(default=False, help_text="Off: nothing is sent anywhere; the desk's own judgement stands alone.")),
                ('base_url', models.CharField(help_text="The OpenAI-compatible API's base, ending in /v1: the desk posts to <base URL>/chat/completions. Ollama: http://127.0.0.1:11434/v1; llama.cpp's server: http://127.0.0.1:8080/v1; vLLM: http://127.0.0.1:8000/v1.", max_length=500, verbose_name='base URL')),
                ('model', models.CharField(help_text="The model's name as the endpoint knows it (llama3.1:8b, qwen2.5:7b-instruct…).", max_length=200)),
                ('api_key_encrypted', models.TextField(blank=True, editable=False)),
                ('timeout_seconds', models.PositiveSmallIntegerField(default=20, help_text="One request's whole exchange (connect, the answer, every streamed part) is cut after this.", validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(120)])),
                ('daily_budget', models.PositiveIntegerField(default=500, help_text="Requests per UTC day at most. Past it nothing is sent until midnight UTC: the desk's own judgement stands, no draft or summary is written.")),
                ('stream', models.BooleanField(default=False, help_text='Ask for the answer as server-sent events (some proxies cut a long silent request).')),
                ('judge_unsure', models.BooleanField(default=True, help_text="The mentions the desk's own model is unsure of.", verbose_name='judge what the desk is unsure of')),
                ('drafts', models.BooleanField(default=True, help_text='A draft for a ticket that needs a response, shown in the composer to edit; never sent by itself.', verbose_name='draft replies')),
                ('summaries', models.BooleanField(default=True, help_text='A summary of at most 5 lines at the top of a long thread.', verbose_name='summarise long threads')),
                ('test_result', models.CharField(blank=True, editable=False, max_length=300)),
                ('tested_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('last_error', models.CharField(blank=True, editable=False, max_length=300)),
                ('last_error_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('paused_until', models.DateTimeField(blank=True, editable=False, null=True)),
                ('summaries_after', models.PositiveBigIntegerField(default=0, editable=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('opted_out_channels', models.ManyToManyField(blank=True, help_text="Nothing of these channels' tickets leaves the desk: no judgement, draft or summary by the model.", related_name='+', to='channels.channel')),
            ],
            options={
                'verbose_name': 'Team model',
                'verbose_name_plural': 'Team model',
            },
        ),
        migrations.CreateModel(
            name='TicketMeaning',
            fields=[
                ('ticket', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='mentions.ticket')),
                ('model', models.CharField(help_text="Which model made the vector; another model's are recomputed.", max_length=80)),
                ('vector', models.BinaryField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name='ReplyApproval',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('body', models.TextField()),
                ('handle', models.CharField(blank=True, max_length=100)),
                ('style', models.CharField(blank=True, max_length=16)),
                ('status_after', models.CharField(default='solved', max_length=16)),
                ('status', models.CharField(choices=[('pending', 'Waiting for approval'), ('approved', 'Approved and sent'), ('rejected', 'Rejected'), ('withdrawn', 'Withdrawn (replaced, or taken into the reply box to edit)')], default='pending', max_length=16)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('reason', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('message', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='mentions.message')),
                ('requested_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='approvals', to='mentions.ticket')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='IssueTicket',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('issue', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='links', to='mentions.issuelink')),
                ('linked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='mentions.ticket')),
            ],
        ),
        migrations.AddField(
            model_name='issuelink',
            name='tickets',
            field=models.ManyToManyField(related_name='issue_links', through='mentions.IssueTicket', to='mentions.ticket'),
        ),
        migrations.CreateModel(
            name='HandOver',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('until', models.DateTimeField()),
                ('outcome', models.CharField(choices=[('watching', 'Being watched'), ('acted', 'The receiver acted on it'), ('returned', 'Returned to the giver'), ('ended', 'Ended (reassigned, solved or handed over again)')], default='watching', max_length=16)),
                ('ended_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('giver', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('receiver', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='handovers', to='mentions.ticket')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='CommunityAnswer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('message', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='mentions.message')),
                ('ticket', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='community_answer', to='mentions.ticket')),
            ],
            options={
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ThreadWatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('thread_ref', models.CharField(max_length=100)),
                ('reason', models.CharField(choices=[('outreach', 'An expert was asked'), ('after_reply', 'After our reply'), ('share', 'Shared to Slack')], max_length=16)),
                ('authors', models.JSONField(blank=True, default=list)),
                ('watch_until', models.DateTimeField()),
                ('next_check_at', models.DateTimeField()),
                ('checks', models.PositiveIntegerField(default=0)),
                ('failures', models.PositiveSmallIntegerField(default=0)),
                ('last_checked_at', models.DateTimeField(blank=True, null=True)),
                ('last_error', models.CharField(blank=True, max_length=300)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('channel', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='channels.channel')),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='thread_watches', to='mentions.ticket')),
            ],
        ),
        migrations.CreateModel(
            name='TicketEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('created', 'Ticket created'), ('message', 'Follow-up received'), ('our_reply_seen', 'Our reply seen on the platform'), ('assigned', 'Assigned'), ('unassigned', 'Unassigned'), ('skipped', 'Skipped in play mode'), ('status', 'Status changed'), ('tag_added', 'Tag added'), ('tag_removed', 'Tag removed'), ('note', 'Internal note'), ('replied', 'Marked replied'), ('macro', 'Macro applied'), ('reply_prefilled', 'Reply prefilled'), ('reply_sent', 'Reply sent from the desk'), ('reply_failed', 'Reply failed'), ('message_edited', 'Message edited on the platform'), ('message_deleted', 'Message deleted on the platform'), ('sla_breached', 'First-reply target breached'), ('rule_applied', 'Triage rule applied'), ('returned', 'Returned to the queue'), ('priority', 'Priority changed'), ('merged', 'Ticket merged into this one'), ('merged_into', 'Merged into another ticket'), ('front_page', 'Reached the Hacker News front page'), ('answer_used', 'An earlier answer used'), ('judgement', 'Judgement corrected'), ('liked', 'Liked on the platform'), ('reply_deleted', 'Our post deleted from the platform'), ('reposted', 'Reposted on the platform'), ('direct_message', 'Direct message sent from the desk'), ('issue', 'Issue linked or followed'), ('snoozed', 'Snoozed'), ('woke', 'Came back from snooze'), ('next_reply_breached', 'Next-reply target breached'), ('handed_over', 'Handed over to watch'), ('handed_back', 'Handed back after the watch'), ('reply_submitted', 'Reply submitted for approval'), ('reply_approved', 'Reply approved'), ('reply_rejected', 'Reply rejected'), ('reply_withdrawn', 'Reply for approval withdrawn'), ('community_answered', 'Answered by the community')], max_length=32)),
                ('data', models.JSONField(blank=True, default=dict)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('ticket', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='mentions.ticket')),
            ],
            options={
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='View',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True)),
                ('slug', models.SlugField(max_length=100, unique=True)),
                ('position', models.PositiveIntegerField(default=0)),
                ('is_active', models.BooleanField(default=True)),
                ('statuses', models.JSONField(blank=True, default=list, help_text='Waiting statuses, default ["new", "open"].')),
                ('high_priority_only', models.BooleanField(default=False, help_text='Only tickets of high or urgent priority (a rule, an advocate or the channel set it).')),
                ('judgements', models.JSONField(blank=True, default=list, help_text='The desk\'s judgements it serves, e.g. ["needs_response", ""] ("" = not judged yet, so nothing waits hidden until the worker judges it); none means any.')),
                ('order', models.CharField(choices=[('oldest', "Oldest first (the handbook's default)"), ('deadline', 'Deadline first: urgent, then least time left to the first-reply target')], default='oldest', max_length=16)),
                ('allow_skip', models.BooleanField(default=False, help_text='Let advocates skip a served ticket, with a reason that is recorded.')),
                ('serve_stories_together', models.BooleanField(default=False, help_text="When Play serves a ticket that is part of a story (the same topic on several platforms), the story's other waiting tickets in this view are held for the same advocate, and Play serves them next.", verbose_name="Serve a story's tickets together")),
                ('solve_on_expert_reply', models.BooleanField(default=True, help_text='When an expert we reached out to answers on the platform, solve the ticket (for tickets this view covers).')),
                ('channel_ids', models.JSONField(blank=True, default=list, editable=False)),
                ('tag_ids', models.JSONField(blank=True, default=list, editable=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('channels', models.ManyToManyField(blank=True, help_text='None selected means every channel.', to='channels.channel')),
                ('tags', models.ManyToManyField(blank=True, help_text='Tickets with any of these tags; none means any.', to='mentions.tag')),
            ],
            options={
                'ordering': ['position', 'name'],
            },
        ),
        migrations.AddField(
            model_name='ticket',
            name='served_view',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='mentions.view'),
        ),
        migrations.CreateModel(
            name='AdvocateGrant',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(blank=True, max_length=200)),
                ('starts_at', models.DateTimeField()),
                ('expires_at', models.DateTimeField()),
                ('ended_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('granted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='advocate_grants', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-starts_at'],
                'indexes': [models.Index(fields=['user', 'expires_at'], name='grant_user_expires_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('expires_at__gt', models.F('starts_at'))), name='grant_expires_after_start')],
            },
        ),
        migrations.CreateModel(
            name='ReplyImage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(default=0)),
                ('data', models.BinaryField(help_text='The stripped image; emptied once the send is finished.')),
                ('content_type', models.CharField(max_length=32)),
                ('alt', models.TextField(help_text="The advocate's description of the image (alt text).")),
                ('size', models.PositiveIntegerField()),
                ('sha256', models.CharField(max_length=64)),
                ('width', models.PositiveIntegerField(default=0)),
                ('height', models.PositiveIntegerField(default=0)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('send', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='images', to='mentions.replysend')),
            ],
            options={
                'ordering': ['send', 'position'],
                'constraints': [models.UniqueConstraint(fields=('send', 'position'), name='replyimage_unique_position')],
            },
        ),
        migrations.CreateModel(
            name='SavedSearch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100)),
                ('query', models.CharField(blank=True, help_text="The ticket list's parameters, e.g. q=registry&status=open.", max_length=2000)),
                ('position', models.PositiveIntegerField(default=0)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='saved_searches', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name_plural': 'saved searches',
                'ordering': ['position', 'name'],
                'constraints': [models.UniqueConstraint(fields=('user', 'name'), name='savedsearch_user_name_unique')],
            },
        ),
        migrations.CreateModel(
            name='TeamModelOutput',
            fields=[
                ('ticket', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='team_output', serialize=False, to='mentions.ticket')),
                ('draft', models.TextField(blank=True)),
                ('draft_model', models.CharField(blank=True, help_text='The model that wrote the draft.', max_length=200)),
                ('draft_message_id', models.PositiveBigIntegerField(blank=True, null=True)),
                ('draft_at', models.DateTimeField(blank=True, null=True)),
                ('draft_dismissed_at', models.DateTimeField(blank=True, null=True)),
                ('summary', models.TextField(blank=True)),
                ('summary_model', models.CharField(blank=True, max_length=200)),
                ('summary_messages', models.PositiveIntegerField(default=0, help_text="The thread's messages the summary read.")),
                ('summary_tried', models.PositiveIntegerField(default=0)),
                ('summary_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('draft_dismissed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'Team model output',
                'verbose_name_plural': 'Team model outputs',
            },
        ),
        migrations.CreateModel(
            name='ReplyWait',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('high_priority', models.BooleanField(default=False, help_text="The ticket's, when the wait started (its target).")),
                ('started_at', models.DateTimeField(help_text='Platform time of the follow-up that started the wait.')),
                ('due_at', models.DateTimeField()),
                ('answered_at', models.DateTimeField(blank=True, null=True)),
                ('seconds', models.PositiveBigIntegerField(blank=True, null=True)),
                ('business_seconds', models.PositiveBigIntegerField(blank=True, null=True)),
                ('breached', models.BooleanField(default=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('ticket', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='reply_waits', to='mentions.ticket')),
            ],
            options={
                'ordering': ['started_at', 'id'],
                'indexes': [models.Index(fields=['ticket', 'started_at'], name='replywait_ticket_idx'), models.Index(fields=['started_at'], name='replywait_started_idx'), models.Index(condition=models.Q(('answered_at__isnull', True), ('breached', False)), fields=['due_at'], name='replywait_running_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('answered_at__isnull', True)), fields=('ticket',), name='replywait_one_open')],
            },
        ),
        migrations.AddIndex(
            model_name='replysend',
            index=models.Index(condition=models.Q(('status', 'sending')), fields=['created_at'], name='replysend_sending_idx'),
        ),
        migrations.AddIndex(
            model_name='replyapproval',
            index=models.Index(condition=models.Q(('status', 'pending')), fields=['created_at'], name='approval_pending_idx'),
        ),
        migrations.AddConstraint(
            model_name='replyapproval',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('ticket',), name='approval_one_pending'),
        ),
        migrations.AddIndex(
            model_name='message',
            index=models.Index(fields=['ticket', 'platform_created_at'], name='message_ticket_time_idx'),
        ),
        migrations.AddIndex(
            model_name='message',
            index=models.Index(fields=['channel', 'platform_created_at'], name='message_channel_time_idx'),
        ),
        migrations.AddConstraint(
            model_name='message',
            constraint=models.UniqueConstraint(condition=models.Q(('external_id__isnull', False)), fields=('channel', 'external_id'), name='message_unique_external_id'),
        ),
        migrations.AddConstraint(
            model_name='issueticket',
            constraint=models.UniqueConstraint(fields=('issue', 'ticket'), name='issue_ticket_once'),
        ),
        migrations.AddIndex(
            model_name='issuelink',
            index=models.Index(fields=['state', 'last_checked_at'], name='issue_link_due_idx'),
        ),
        migrations.AddConstraint(
            model_name='issuelink',
            constraint=models.UniqueConstraint(fields=('kind', 'project', 'number'), name='issue_link_once'),
        ),
        migrations.AddIndex(
            model_name='handover',
            index=models.Index(condition=models.Q(('outcome', 'watching')), fields=['until'], name='handover_watching_idx'),
        ),
        migrations.AddConstraint(
            model_name='handover',
            constraint=models.UniqueConstraint(condition=models.Q(('outcome', 'watching')), fields=('ticket',), name='handover_one_watching'),
        ),
        migrations.AddIndex(
            model_name='threadwatch',
            index=models.Index(fields=['next_check_at'], name='thread_watch_due_idx'),
        ),
        migrations.AddConstraint(
            model_name='threadwatch',
            constraint=models.UniqueConstraint(fields=('ticket', 'thread_ref', 'reason'), name='thread_watch_once'),
        ),
        migrations.AddIndex(
            model_name='ticketevent',
            index=models.Index(fields=['ticket', 'created_at'], name='event_ticket_time_idx'),
        ),
        migrations.AddIndex(
            model_name='ticketevent',
            index=models.Index(fields=['kind', 'created_at'], name='event_kind_time_idx'),
        ),
        migrations.AddIndex(
            model_name='ticketevent',
            index=models.Index(fields=['ticket', 'kind', 'actor'], name='event_ticket_kind_actor_idx'),
        ),
        migrations.AddConstraint(
            model_name='ticketevent',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'sla_breached')), fields=('ticket',), name='event_one_sla_breach'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('assignee__isnull', True), ('status__in', ['new', 'open', 'pending'])), fields=['requested_at', 'id'], name='ticket_waiting_idx'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('assignee__isnull', True), ('status__in', ['new', 'open', 'pending'])), fields=['channel', 'requested_at'], name='ticket_channel_waiting_idx'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('assignee__isnull', True), ('high_priority', True), ('status__in', ['new', 'open', 'pending'])), fields=['requested_at', 'id'], name='ticket_waiting_high_idx'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(models.Case(models.When(priority='urgent', then=models.Value(0)), models.When(models.Q(('first_reply_at__isnull', True), ('next_reply_due_at__isnull', False), _connector='OR'), then=models.Value(1)), default=models.Value(2)), django.db.models.functions.comparison.Coalesce('next_reply_due_at', 'sla_due_at'), models.Case(models.When(judgement='needs_response', then=models.Value(0)), models.When(judgement='', then=models.Value(1)), models.When(judgement='worth_knowing', then=models.Value(2)), default=models.Value(3)), models.OrderBy(django.db.models.functions.comparison.Coalesce(models.F('requester_level'), models.Value(0)), descending=True), models.OrderBy(django.db.models.functions.comparison.Coalesce(models.F('requester_audience'), models.Value(0)), descending=True), models.F('requested_at'), models.F('id'), condition=models.Q(('assignee__isnull', True), ('status__in', ['new', 'open', 'pending'])), name='ticket_waiting_deadline_idx'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('judged_at__isnull', True)), fields=['id'], name='ticket_unjudged_idx'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('followup_at__isnull', False)), fields=['assignee', 'followup_at'], name='ticket_followup_idx'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('first_reply_at__isnull', True), ('status__in', ['new', 'open'])), fields=['sla_due_at', 'id'], name='ticket_sla_due_idx'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('first_reply_at__isnull', True), ('sla_breached', False), ('status__in', ['new', 'open'])), fields=['sla_due_at'], name='ticket_sla_unbreached_idx'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('assignee__isnull', True), ('status__in', ['new', 'open'])), fields=['id'], name='ticket_waiting_id_idx'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('snoozed_until__isnull', False), ('snoozed_until_reply', True), _connector='OR'), fields=['snoozed_until', 'id'], name='ticket_snoozed_idx'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['assignee', 'status'], name='ticket_assignee_status_idx'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('status', 'solved'), _negated=True), fields=['assignee', 'requested_at'], name='ticket_assignee_open_idx'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['requested_at'], name='ticket_requested_idx'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['channel', 'requested_at'], name='ticket_channel_requested_idx'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['first_reply_at'], name='ticket_first_reply_idx'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['solved_at'], name='ticket_solved_idx'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('first_reply_at__isnull', True), models.Q(('status', 'solved'), _negated=True)), fields=['requested_at'], include=('channel', 'high_priority', 'id'), name='ticket_unreplied_idx'),
        ),
        migrations.RunPython(_postgresql(FORWARD), _postgresql(BACKWARD), elidable=False),
        # After every watched table exists (SQLite's row triggers go with a table it remakes) and before the seeds,
        # whose rows then move the stamp as any write does.
        migrations.RunPython(stamp_create, stamp_drop, elidable=False),
        migrations.RunPython(macros_seed, migrations.RunPython.noop),
        migrations.RunPython(expert_responded_takes_the_answer, migrations.RunPython.noop),
        migrations.RunPython(rules_seed, migrations.RunPython.noop),
        migrations.RunPython(view_create, migrations.RunPython.noop),
    ]
