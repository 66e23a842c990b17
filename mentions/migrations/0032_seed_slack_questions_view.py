"""The Slack channel (Slack messages made tickets, issue 31) and its view "Slack questions", so the questions
asked internally have a queue from the first deploy. Created only when missing; an admin may rename both."""

from django.db import migrations

CHANNEL = {"kind": "slack", "name": "Slack (internal questions)", "enabled": True, "config": {}}
VIEW = {"name": "Slack questions", "position": 90}


def seed(apps, schema_editor):
    Channel = apps.get_model("channels", "Channel")
    View = apps.get_model("mentions", "View")
    channel = Channel.objects.filter(kind="slack").order_by("pk").first()
    if channel is None:
        channel, _ = Channel.objects.get_or_create(slug="slack", defaults=CHANNEL)
    view, created = View.objects.get_or_create(slug="slack-questions", defaults=VIEW)
    if created:
        view.channels.add(channel)
        # The copy Play reads (mentions.signals keeps it; historical models send no signal).
        view.channel_ids = [channel.pk]
        view.save(update_fields=["channel_ids"])


def unseed(apps, schema_editor):
    apps.get_model("mentions", "View").objects.filter(slug="slack-questions").delete()


class Migration(migrations.Migration):
    dependencies = [("mentions", "0031_answer_used_saved_reply"), ("channels", "0012_channel_kind_slack")]

    operations = [migrations.RunPython(seed, unseed)]
