"""A task for tests/test_embedded_broker.py only, loaded by that test's workers (`celery worker --include`), never by
the desk's own processes nor the test run's (so the registry that tests/test_queues.py reads is the desk's).

Each run appends one line, `<key> <hop> <pid>`, to a file with a single O_APPEND write (whole on a local file system
however many processes append at once), so the test sees every run: a message lost is a missing line, one
delivered twice a second line. `padding` (ignored) makes a message some 64 KB, so writing it takes long enough for
a reader to meet it half written where a broker allows that (kombu's filesystem transport did). A first hop
publishes its second from inside the worker's pool process: forked pool processes are publishers too, as the
desk's tasks that queue others (intake.poll_due) are.
"""

from __future__ import annotations

import os

from celery import Task, shared_task


@shared_task(name="tests.broker_record", bind=True, acks_late=True, ignore_result=True)
def broker_record(self: Task, key: str, hop: int, path: str, next_queue: str, padding: str = "") -> None:
    line = f"{key} {hop} {os.getpid()}\n".encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)
    if hop == 0:
        self.app.send_task("tests.broker_record", args=[key, 1, path, next_queue], queue=next_queue)
