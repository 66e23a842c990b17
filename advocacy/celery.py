import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")

app = Celery("advocacy")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Old task names still accepted for one release (messages queued before an upgrade).
from advocacy import task_aliases  # noqa: E402, F401


@after_setup_logger.connect
@after_setup_task_logger.connect
def _redact_secrets_in_worker_logs(logger, **kwargs) -> None:
    """The worker replaces the handlers LOGGING configured with its own: they redact too."""
    from advocacy.logging import redaction_install

    redaction_install(logger)
