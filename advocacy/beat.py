"""The beat process's Celery app (`celery -A advocacy.beat beat`): the schedule, the broker and the logging from the
settings, and nothing of the desk's apps.

Beat only puts each due entry's task on its queue, by name: `advocacy.celery`'s app, as Celery's Django fix-up
loads it, runs `django.setup()` at start (every app's models and what they import, about 1,700 modules and 90 MiB
of the process's 130, issue 58) and then imports every tasks module, for a process that calls none of them. Here
no task is registered, so beat sends each entry with `send_task` under its name, through the same routes
(`CELERY_TASK_ROUTES`) and with the entry's options (its `expires`): the message is the one the full app sends,
as no task of the desk sets sending options of its own (queue, priority, expiry) on its decorator
(tests/test_beat_app.py checks both).

There is still exactly one beat per deployment (the Procfile's, Procfile.dev's and compose.yaml's `beat` line,
never scaled, docs/operations.md).
"""

from __future__ import annotations

import os

from celery import Celery
from celery.loaders.app import AppLoader

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")


class BeatLoader(AppLoader):
    """Celery's loader without the default modules: beat's start imports no tasks module, and so does not send
    the `import_modules` signal on which Celery's Django fix-up (installed by `advocacy.celery`'s app, which
    importing the project loads) would run `django.setup()`."""

    def import_default_modules(self) -> list:
        return []


def _logging_configure() -> None:
    """Django's LOGGING (what `django.setup()` does first): the redacting handler, and make run's quiet
    `celery.beat` logger (DESK_QUIET_ROUTINE_TASKS)."""
    from django.conf import settings
    from django.utils.log import configure_logging

    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


# Not the current app: a process that imports this module (a test) keeps advocacy.celery's app for its tasks' .delay().
app = Celery("advocacy", loader=BeatLoader, fixups=[], set_as_current=False)
app.config_from_object("django.conf:settings", namespace="CELERY")
_logging_configure()
