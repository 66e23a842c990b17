import datetime
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED = ["coverageschedule", "holiday", "target", "dutysettings", "releaserota"]


def content_types_follow(apps, schema_editor):
    # Their permissions hang on the content type: moving it keeps every group's and user's grants.
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="mentions", model=model).exists():
            ContentType.objects.filter(app_label="metrics", model=model).update(app_label="mentions")


def content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="mentions", model__in=MOVED).update(app_label="metrics")


class Migration(migrations.Migration):
    """The clocks' settings move from metrics to mentions (issue 15: mentions never imports metrics).
    Only Django's idea of them moves: the tables keep their names and rows."""

    dependencies = [
        ("mentions", "0022_reply_send"),
        ("metrics", "0003_duty_settings_release_rota"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CoverageSchedule",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(default="Default coverage", max_length=80)),
                        (
                            "weekdays",
                            models.JSONField(default=list, help_text="ISO weekdays covered, 1 = Monday … 7 = Sunday."),
                        ),
                        ("start", models.TimeField(default=datetime.time(8, 0), help_text="UTC")),
                        ("end", models.TimeField(default=datetime.time(22, 0), help_text="UTC")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "db_table": "metrics_coverageschedule",
                    },
                ),
                migrations.CreateModel(
                    name="DutySettings",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "release_day",
                            models.PositiveSmallIntegerField(
                                default=22,
                                help_text="Day of the month of the release (1-31; in a shorter month, its last day).",
                            ),
                        ),
                        (
                            "advocates_channel",
                            models.CharField(
                                default="#community-advocates",
                                help_text="Slack channel (#name or id) for after-hours urgent pings and the end-of-day digest.",
                                max_length=80,
                            ),
                        ),
                        (
                            "advocates_mention",
                            models.CharField(
                                blank=True,
                                default="",
                                help_text="Put in front of urgent pings, e.g. <!subteam^S0123ABCD|advocates> for a user group, or <!here>. Empty: no mention.",
                                max_length=120,
                            ),
                        ),
                        (
                            "hn_urgent_points",
                            models.PositiveIntegerField(
                                default=100,
                                help_text="A Hacker News story with at least this many points is urgent (0: only the front-page tag counts).",
                            ),
                        ),
                        (
                            "digest_lead_minutes",
                            models.PositiveSmallIntegerField(
                                default=15,
                                help_text="Send the end-of-day digest this many minutes before coverage ends.",
                            ),
                        ),
                        (
                            "digest_margin_hours",
                            models.PositiveSmallIntegerField(
                                default=1,
                                help_text="The digest lists waiting tickets due before the next coverage start plus this margin.",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "verbose_name": "Duty settings (release day, after-hours alerts)",
                        "verbose_name_plural": "Duty settings (release day, after-hours alerts)",
                        "db_table": "metrics_dutysettings",
                    },
                ),
                migrations.CreateModel(
                    name="Holiday",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("date", models.DateField(unique=True)),
                        ("name", models.CharField(blank=True, max_length=120)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "db_table": "metrics_holiday",
                        "ordering": ["date"],
                    },
                ),
                migrations.CreateModel(
                    name="Target",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "group",
                            models.CharField(
                                choices=[("all", "All channels"), ("high_priority", "High-priority channels")],
                                max_length=32,
                                unique=True,
                            ),
                        ),
                        ("median_hours", models.DecimalField(decimal_places=2, max_digits=6)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "db_table": "metrics_target",
                    },
                ),
                migrations.CreateModel(
                    name="ReleaseRota",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("month", models.DateField(help_text="The first day of the month.", unique=True)),
                        ("note", models.CharField(blank=True, max_length=200)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "advocate",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="release_duties",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "release advocate rota entry",
                        "verbose_name_plural": "release advocate rota",
                        "db_table": "metrics_releaserota",
                        "ordering": ["-month"],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_follow, content_types_back),
    ]
