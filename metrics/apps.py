from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Metrics"

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import post_delete, post_save

        from metrics.rollups import kpi_version_bump

        # What the KPI page reads besides tickets and events (whose changes reach it through the rollups).
        for label in (
            "mentions.Target",
            "mentions.Holiday",
            "mentions.DutySettings",
            "mentions.ReleaseRota",
            "channels.Channel",
            "experts.Outreach",
            "experts.Expert",
            "auth.User",
        ):
            model = apps.get_model(label)
            for signal in (post_save, post_delete):
                signal.connect(kpi_version_bump, sender=model, dispatch_uid=f"kpi-version-{label}")
