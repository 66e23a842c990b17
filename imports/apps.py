from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        from imports import tasks  # noqa: F401  (registers the import task the admin page enqueues by name)
