from django.apps import AppConfig


class SlackAppConfig(AppConfig):
    name = "slackapp"
    verbose_name = "Slack app"

    def ready(self) -> None:
        from slackapp import outreach  # noqa: F401  registers the outreach handlers (slackapp.handlers)
