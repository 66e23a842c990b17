from django.db import migrations, models

BATCH = 2000


def mentioned_from_raw(apps, schema_editor):
    """Fill Message.mentioned for X posts stored before it existed, from the payload's
    entities.mentions, keeping only well-formed handles (a stored payload may hold anything)."""
    Message = apps.get_model("mentions", "Message")
    rows = Message.objects.filter(channel__kind="twitter").exclude(raw={}).only("pk", "raw").order_by("pk")
    pending = []
    for message in rows.iterator(chunk_size=BATCH):
        entities = message.raw.get("entities") if isinstance(message.raw, dict) else None
        listed = entities.get("mentions") if isinstance(entities, dict) else None
        handles = []
        for item in listed if isinstance(listed, list) else []:
            name = item.get("username") if isinstance(item, dict) else None
            if isinstance(name, str) and 0 < len(name) <= 200 and "\x00" not in name and name not in handles:
                handles.append(name)
        if handles:
            message.mentioned = handles[:100]
            pending.append(message)
        if len(pending) >= BATCH:
            Message.objects.bulk_update(pending, ["mentioned"])
            pending = []
    if pending:
        Message.objects.bulk_update(pending, ["mentioned"])


class Migration(migrations.Migration):
    dependencies = [
        ("mentions", "0012_event_kinds_rules_and_sla"),
        ("channels", "0006_dead_letters"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="mentioned",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(mentioned_from_raw, migrations.RunPython.noop),
    ]
