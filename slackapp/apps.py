from django.apps import AppConfig


class SlackAppConfig(AppConfig):
    name = "slackapp"
    verbose_name = "Slack app"

    def ready(self) -> None:
        # Register the handlers (slackapp.handlers.HANDLERS): outreach threads and buttons, Slack messages made
        # tickets.
        from slackapp import outreach, tickets  # noqa: F401
