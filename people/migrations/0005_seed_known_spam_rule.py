"""A triage rule for known spam: a mention from a person an advocate tagged "spam" is solved as it arrives,
without a reply (people tagged spam tag their tickets `spam` already, people.0003). Runs first and stops the
other rules, so no reply is suggested and no Slack line is sent for it. Edit or disable it in admin."""

from django.db import migrations

RULE = {
    "name": "Known spam",
    "description": "Mentions from people tagged spam are solved without a reply (docs/people.md, Spam and abuse).",
    "author_tags": "spam",
    "close_without_reply": True,
    "stop_processing": True,
    "position": 0,
    "enabled": True,
}


def seed(apps, schema_editor):
    apps.get_model("mentions", "Rule").objects.get_or_create(name=RULE["name"], defaults=RULE)


def unseed(apps, schema_editor):
    apps.get_model("mentions", "Rule").objects.filter(name=RULE["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0004_backfill"), ("mentions", "0030_rule_author_tags")]

    operations = [migrations.RunPython(seed, unseed)]
