from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API over what the desk knows (Django REST Framework): tickets, their actions, views,
    channels' health and the KPI figures, for personal access tokens (or a signed-in browser). It calls
    the same selectors and services as the pages, so it has their permissions and history."""

    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from api import tasks  # noqa: F401  (registers the webhook task with Celery)
