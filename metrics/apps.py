from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Metrics"

    def ready(self) -> None:
        from django.apps import apps

        from advocacy.signals import on_save_or_delete
        from metrics.rollups import kpi_version_bump

        # What the KPI page reads besides tickets and events (whose changes reach it through the rollups).
        watched = ("mentions.Target", "mentions.Holiday", "mentions.DutySettings", "mentions.ReleaseRota",
                   "channels.Channel", "experts.Outreach", "experts.Expert", "auth.User",
                   # The Community page's (metrics.community): members' names and erasure, contributions, stories.
                   "people.Person", "people.Contribution", "stories.Story", "stories.Membership")  # fmt: skip
        on_save_or_delete(kpi_version_bump, *(apps.get_model(label) for label in watched), uid="kpi-version")

        # Erasing a person drops the Community page's terms that are theirs (metrics.privacy).
        from metrics.privacy import community_erase
        from people.privacy import erasure_hooks

        erasure_hooks.register(community_erase)
