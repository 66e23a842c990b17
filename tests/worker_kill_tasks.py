"""A task for tests/test_worker_kill.py only, loaded by the test's workers (`celery worker --include`), never by
the desk's own processes nor the test run's (so the registry that tests/test_queues.py reads is the desk's).

It is idempotent the way the desk's tasks are: the effect is guarded by the state of the rows, not by the broker
delivering once. Its effect table has no unique key on purpose, so that a guard that failed would show as a
second row. A worker can be killed before the effect (the task must run again) or after it, before the task is
acknowledged (the task runs again and must not repeat the effect). Every start is written first, in its own
transaction, so the test sees which worker took what.
"""

from __future__ import annotations

import os
import time

from celery import Task, shared_task
from django.db import connection, transaction


@shared_task(name="tests.kill_effect", bind=True, acks_late=True, ignore_result=True)
def kill_effect(self: Task, key: int, table: str, seconds: float, after: float | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table}_attempt (key, worker, pid) VALUES (%s, %s, %s)",  # noqa: S608 (the test's table)
            [key, self.request.hostname, os.getpid()],
        )
    time.sleep(seconds)  # the work before the effect (a worker killed here never made it)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
        cursor.execute(
            f"INSERT INTO {table}_effect (key, worker, pid) SELECT %s, %s, %s "  # noqa: S608
            f"WHERE NOT EXISTS (SELECT 1 FROM {table}_effect WHERE key = %s)",
            [key, self.request.hostname, os.getpid(), key],
        )
    # The work after it (a worker killed here made it, and the task is run again): `after` seconds, else `seconds`.
    time.sleep(seconds if after is None else after)
