"""The handbook's macros, so a fresh desk works the way the team already does."""

from django.db import migrations

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


def seed(apps, schema_editor):
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


def unseed(apps, schema_editor):
    apps.get_model("mentions", "Macro").objects.filter(name__in=[m[0] for m in MACROS]).delete()


class Migration(migrations.Migration):
    dependencies = [("mentions", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
