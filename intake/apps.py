from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """Everything that turns platform items into tickets: polling and its tasks, the ingest pipeline, dead
    letters, the inbound webhook, thread watching's polls and the channels' admin. Builds on mentions (the
    tickets it writes) and channels (the adapters it drives); mentions never imports it."""

    name = "intake"
    verbose_name = "Intake"

    def ready(self) -> None:
        from intake import tasks  # noqa: F401  (registers the tasks services enqueue by name)
