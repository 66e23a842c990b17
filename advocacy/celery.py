import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")
# Celery's Django fix-up runs Django's system checks as each worker and beat starts, and the URL checks import
# the whole URLconf: every view, the API's schema machinery, numpy for the KPI page (~35 MiB in each Celery
# process, issue 41). `manage.py check` and `migrate` (every deployment runs it) run the same checks, and a task
# that needs a URL loads the URLconf on its first reverse().
os.environ.setdefault("CELERY_SKIP_CHECKS", "true")

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


@worker_init.connect
def _old_file_broker_import(**kwargs) -> None:
    """An install upgraded from the file broker (before issue 55) may have tasks queued as files under
    var/celery/broker: the first worker to start puts them on the embedded broker, so no queued work is lost."""
    from django.conf import settings

    if getattr(settings, "CELERY_BROKER_TRANSPORT", None) != "advocacy.broker:Transport":
        return
    from advocacy.broker import file_messages_import

    with app.connection_for_write() as connection:
        file_messages_import(settings.VAR_DIR, connection.default_channel)
