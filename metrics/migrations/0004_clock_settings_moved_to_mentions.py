from django.db import migrations


class Migration(migrations.Migration):
    """The clocks' settings now belong to mentions (0023_clock_settings_from_metrics); their tables stay."""

    dependencies = [
        ("metrics", "0003_duty_settings_release_rota"),
        ("mentions", "0023_clock_settings_from_metrics"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name="CoverageSchedule",
                ),
                migrations.DeleteModel(
                    name="DutySettings",
                ),
                migrations.DeleteModel(
                    name="Holiday",
                ),
                migrations.RemoveField(
                    model_name="releaserota",
                    name="advocate",
                ),
                migrations.DeleteModel(
                    name="Target",
                ),
                migrations.DeleteModel(
                    name="ReleaseRota",
                ),
            ],
        ),
    ]
