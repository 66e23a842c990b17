from django.apps import AppConfig


class SlackAppConfig(AppConfig):
    name = "slackapp"
    verbose_name = "Slack app"

    def ready(self) -> None:
        # Registers the handlers (slackapp.handlers.HANDLERS) of what makes tickets of Slack messages.
        from slackapp import tickets  # noqa: F401
