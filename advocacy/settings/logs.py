"""Logging: one console handler that redacts secrets, the level from LOG_LEVEL."""

from typing import Any

from .environment import env

# --- Logging -----------------------------------------------------------------------------
# Every handler redacts secrets (api_key=, key=, access_token=, Authorization: …) from each record's
# message and arguments, at every level: urllib3 logs request URLs at DEBUG (advocacy/logging.py).
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_secrets": {"()": "advocacy.logging.RedactSecrets"},
        "client_errors_without_traceback": {"()": "advocacy.logging.ClientErrorsWithoutTraceback"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # On the logger, not a handler: Django's own console handler (DEBUG) prints these records too.
        "django.request": {"filters": ["client_errors_without_traceback"]},
    },
}

# `make run` (Procfile.dev) sets DESK_QUIET_ROUTINE_TASKS: Celery's own INFO lines for every dispatched, received
# and finished task (beat sends one every few seconds) drown the desk's lines and the printed logins, ~225 lines
# a minute. Failures are WARNING or ERROR on the same loggers and still show; the desk's own summary lines
# (a poll's counts, an urgent ping) are on the project's loggers and keep INFO.
if env.bool("DESK_QUIET_ROUTINE_TASKS", default=False):
    for _name in ("celery.beat", "celery.app.trace", "celery.worker.strategy"):
        LOGGING["loggers"][_name] = {"level": "WARNING"}
