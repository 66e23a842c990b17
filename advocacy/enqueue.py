"""Enqueueing a Celery task by its name, so services never import the task modules that call them
(tasks import services; the reverse would make a cycle).

The task is looked up in the Celery app's registry rather than sent blindly with `send_task`, so it
honours `CELERY_TASK_ALWAYS_EAGER` (tests) like a direct `.apply_async` would. Each app's
`AppConfig.ready()` imports its tasks module, so the registry holds them in every process."""

from __future__ import annotations

from typing import Any

from django.db import transaction


def task_enqueue(
    name: str, *args: Any, countdown: int | None = None, expires: int | None = None, queue: str | None = None
) -> None:
    """`queue`: a Celery queue other than the default one (webhook deliveries have their own)."""
    from celery import current_app

    # Only the options given: Celery's defaults (None) stand for the others.
    options: dict[str, Any] = {"countdown": countdown, "expires": expires, "queue": queue}
    current_app.tasks[name].apply_async(
        args=args, **{key: value for key, value in options.items() if value is not None}
    )


def task_enqueue_on_commit(
    name: str, *args: Any, countdown: int | None = None, expires: int | None = None, queue: str | None = None
) -> None:
    """After the current transaction commits; a broker that is down is logged (robust), never raised
    into the work that already committed."""
    transaction.on_commit(
        lambda: task_enqueue(name, *args, countdown=countdown, expires=expires, queue=queue),
        robust=True,
    )
