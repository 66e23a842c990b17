"""ORM work beside a browser test: Playwright's event loop owns the test's thread, so Django refuses the ORM there
(it is async to Django); a thread of its own, on its own connections, does the work as the poller or worker would."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


def in_own_thread(work: Callable[[], object]) -> None:
    """Run `work` in a thread of its own and wait for it; its database connections are closed after, and what it
    raised is raised here, so the test fails on it."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # raised again in the test's thread below
            failed.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
