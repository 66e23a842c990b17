import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    """Apart from 0003, whose data update would leave pending trigger events in the same transaction."""

    dependencies = [
        ("api", "0003_webhooks_paused_standard_signing"),
    ]

    operations = [
        migrations.AlterField(
            model_name="webhookdelivery",
            name="message_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
