from django.db import migrations


def seed(apps, schema_editor):
    """The two schedules the desk offers, inactive: an admin chooses the Slack channel and turns them on."""
    ReportSchedule = apps.get_model("metrics", "ReportSchedule")
    for kind in ("weekly", "monthly"):
        if not ReportSchedule.objects.filter(kind=kind).exists():
            ReportSchedule.objects.create(
                kind=kind,
                is_active=False,
                slack_channel="#community-managers",
                email_managers=True,
                weekday=1,  # weekly: Monday, for the Monday-Sunday week before
                day_of_month=1,  # monthly: the 1st, for the month before
                hour=8,
            )


class Migration(migrations.Migration):
    dependencies = [("metrics", "0005_report_schedules")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
