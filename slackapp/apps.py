from django.apps import AppConfig


class SlackAppConfig(AppConfig):
    name = "slackapp"
    verbose_name = "Slack app"

    def ready(self) -> None:
        # Register the handlers (slackapp.handlers.HANDLERS): outreach threads and buttons, Slack messages made
        # tickets, release posts announced in a release source's channel.
        # Erasing a person reaches the Slack deliveries stored as they came (people.privacy).
        from people.privacy import erasure_hooks
        from slackapp import outreach, releases, tickets  # noqa: F401
        from slackapp.privacy import slack_events_erase

        erasure_hooks.register(slack_events_erase)
