from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API over what the desk knows (Django REST Framework): tickets, their actions, views,
    channels' health and the KPI figures, for personal access tokens (or a signed-in browser). It calls
    the same selectors and services as the pages, so it has their permissions and history."""

    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from api import tasks  # noqa: F401  (registers the webhook task with Celery)

        # Erasing a person replaces their name and handle in the webhook deliveries about their tickets.
        from api.privacy import deliveries_erase
        from people.privacy import erasure_hooks

        erasure_hooks.register(deliveries_erase)
