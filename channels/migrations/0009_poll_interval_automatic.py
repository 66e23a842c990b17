from django.db import migrations, models


def automatic_where_default(apps, schema_editor):
    # 300 s was the field's default, not an admin's choice: such channels now poll as often as
    # their platform's budget allows (channels.freshness). An interval an admin chose is kept.
    Channel = apps.get_model("channels", "Channel")
    Channel.objects.filter(poll_interval_seconds=300).update(poll_interval_seconds=None)


def default_back(apps, schema_editor):
    Channel = apps.get_model("channels", "Channel")
    Channel.objects.filter(poll_interval_seconds__isnull=True).update(poll_interval_seconds=300)


class Migration(migrations.Migration):
    dependencies = [("channels", "0008_accounts_from_pasted_tokens")]

    operations = [
        migrations.AlterField(
            model_name="channel",
            name="poll_interval_seconds",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Seconds between polls. Empty: automatic, the shortest the platform's request budget "
                "allows for this configuration, counting the other channels that share the budget. A shorter value "
                "than the budget allows is raised to it.",
                null=True,
                verbose_name="poll interval (seconds)",
            ),
        ),
        migrations.RunPython(automatic_where_default, default_back),
    ]
